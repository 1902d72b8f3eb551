"""Time extract_quotes on synthetic news articles of 1x, 10x and 100x ~1,000 words.

Run: python bench/bench_quotes.py [--runs N] [--scales 1,10,100]
Prints one row per size with the median time per call and the time per 1,000 words, so
linear growth shows as a flat last column. The target is <= 2 ms per 1,000-word article.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.quotes import extract_quotes

FIRST = ["Maria", "James", "Aisha", "Tomás", "Ingrid", "Kwame", "Priya", "Lars", "Mei", "Omar"]
LAST = ["Castellanos", "Whitcomb", "Okafor", "Lindqvist", "Moreau", "Haines", "Natarajan",
        "Brandt", "Kowalski", "Benali"]
FILLER = (
    "The council met for the third time this month to discuss the proposal, which would "
    "change how the city funds its libraries, parks and road repairs over the next decade. "
    "Officials have spent weeks reviewing the figures, and several residents attended the "
    "session to hear the debate, which ran late into the evening before a vote was taken."
)


def block(i: int) -> str:
    """About 300 words with three quotations attributed in different ways."""
    first, last = FIRST[i % len(FIRST)], LAST[(i * 3 + 1) % len(LAST)]
    org = f"Northfield {['Water Authority', 'Transit Agency', 'Housing Trust'][i % 3]}"
    return (
        f"{FILLER}\n\n"
        f"Councillor {first} {last}, who chairs the finance committee, said the plan was "
        f"“the only realistic way to keep every branch open without raising taxes again.” "
        f"Ms. {last} added that the city could not afford to wait another year.\n\n"
        f"“We have looked at every alternative, and none of them adds up,” {last} said. "
        f"The {org} said in a statement that the changes were “premature” and that it "
        f"would ask for an independent review.\n\n{FILLER} {FILLER}\n\n{FILLER}"
    )


def article(words: int) -> str:
    parts: list[str] = []
    count = 0
    i = 0
    while count < words:
        text = block(i)
        parts.append(text)
        count += len(text.split())
        i += 1
    return "\n\n".join(parts)


def median_ms(body: str, runs: int) -> tuple[float, int]:
    extract_quotes(body)  # warm caches (regex compilation)
    times = []
    found = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        found = len(extract_quotes(body))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs at 1x (fewer for larger)")
    parser.add_argument("--scales", default="1,10,100", help="comma-separated multiples")
    parser.add_argument("--words", type=int, default=1000, help="words in the 1x article")
    args = parser.parse_args(argv)
    print(f"{'scale':>6} {'words':>8} {'chars':>9} {'quotes':>7} {'runs':>5} "
          f"{'median ms':>10} {'ms/1k words':>12}")
    for scale in (int(s) for s in args.scales.split(",") if s.strip()):
        body = article(args.words * scale)
        words = len(body.split())
        runs = max(5, args.runs // scale)
        ms, found = median_ms(body, runs)
        print(f"{scale:>5}x {words:>8} {len(body):>9} {found:>7} {runs:>5} "
              f"{ms:>10.3f} {ms * 1000 / words:>12.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
