"""How fast the panes follow the cursor: move the list cursor down (the `j` action), wait
until the detail and quote panes show the next article (body read in a thread, quotes
extracted in a thread, widgets updated), repeat. Pilot's own key-press overhead (~40 ms per
press, whatever the key) is measured separately and not counted.

    python bench/bench_tui.py [--articles 2000] [--presses 60]

Runs the real App headless (Textual's run_test) on a synthetic library of news-style
articles (~800 words, ~8 quotations each). Prints the median and 95th percentile.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.library.store import Library, LocalArticleInput
from reader.ui.app import ReaderApp
from reader.ui.widgets.quote_pane import QuotePane

NAMES = ["Amara Okafor", "Liam Chen", "Sofia Rossi", "Tomas Novak", "Priya Raman"]
FILLER = ("The council met on Tuesday to discuss the budget, the schedule and the many "
          "questions residents had raised over the summer about roads and schools. ")


def article(index: int) -> LocalArticleInput:
    paragraphs = []
    for p in range(16):
        name = NAMES[(index + p) % len(NAMES)]
        if p % 2 == 0:
            paragraphs.append(f"“We will finish the work on time and on budget,” said {name}, "
                              f"who leads the project. {FILLER * 2}")
        else:
            paragraphs.append(FILLER * 3)
    return LocalArticleInput(f"Story number {index}", "Bench Writer", "\n\n".join(paragraphs),
                             published=f"2025-{1 + index % 12:02d}-{1 + index % 28:02d}T00:00:00Z")


async def measure(library: Library, presses: int) -> list[float]:
    app = ReaderApp(library)
    timings = []
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        pane = app.screen.query_one(QuotePane)
        articles = app.screen.article_list
        for _ in range(presses):
            before = pane.article_id
            started = time.perf_counter()
            articles.action_cursor_down()
            for _ in range(4000):  # bounded wait for the panes to follow
                await asyncio.sleep(0.0005)
                if pane.article_id != before:
                    break
            timings.append(time.perf_counter() - started)
        overhead = []
        for _ in range(20):
            started = time.perf_counter()
            await pilot.press("z")  # an unbound key: Pilot's cost alone
            overhead.append(time.perf_counter() - started)
    alone = statistics.median(overhead) * 1000
    print(f"Pilot key press alone (not counted): median {alone:.1f} ms")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--presses", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        library = Library.open(Path(scratch) / "lib")
        library.add_local_articles([article(i) for i in range(args.articles)])
        timings = asyncio.run(measure(library, args.presses))
        library.close()
    ms = sorted(t * 1000 for t in timings)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(f"articles={args.articles} presses={args.presses}")
    print(f"cursor move -> detail and quote pane updated: median {statistics.median(ms):.1f} ms,"
          f" p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
