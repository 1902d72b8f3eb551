"""Time the full-text extraction (`F`, `reader fulltext`) on generated pages: an ordinary
~100 KB news page and the slowest kinds of page found just under the size limits.

    python bench/bench_fulltext.py [--runs 3]

Each page is decoded, checked against the limits (`check_page_size`), extracted with
readability and turned into text (`html_to_text`), in this process, median of --runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARAGRAPH = ("The harbour bridge reopened on Monday, two years after a storm. “We will rebuild,” "
             "the mayor said, “and today we have kept that promise.” Engineers replaced forty "
             "metres of steel and strengthened the piers against the tides. ")


def news_page(paragraphs: int) -> str:
    body = "\n".join(f"<p>{PARAGRAPH}</p>" for _ in range(paragraphs))
    menu = "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(60))
    return (f"<html><head><title>T</title><script>{'var x = 1;' * 2000}</script></head><body>"
            f"<nav><ul>{menu}</ul></nav><article><h1>Harbour bridge reopens</h1>{body}"
            f"</article><footer>{menu}</footer></body></html>")


def nested(depth: int, fill: str, tags: int) -> str:
    stack = ("<div>" + fill) * depth + "</div>" * depth
    return "<html><body>" + stack * max(1, tags // depth) + "</body></html>"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    from reader.feeds.fulltext import (
        MAX_PAGE_TAGS,
        FullTextError,
        check_page_size,
        extract_article,
    )
    from reader.text.html import html_to_text

    pages = {
        "news page, 130 paragraphs": news_page(130),
        "news page, 1,400 paragraphs": news_page(1400),
        "nested divs 25 deep, just under": nested(25, "words and more. ", MAX_PAGE_TAGS - 100),
        f"{MAX_PAGE_TAGS - 100:,} tiny paragraphs": "<html><body>" + "<p>a, b</p>" * (
            MAX_PAGE_TAGS - 100) + "</body></html>",
        "1,000,000 tiny paragraphs (refused)": "<html><body>" + "<p>a, b</p>" * 1_000_000,
    }
    print(f"{'page':<40}{'size':>9}{'check s':>9}{'extract s':>11}{'text s':>8}")
    for name, page in pages.items():
        checks, extracts, texts = [], [], []
        refused = ""
        for _ in range(max(1, args.runs)):
            started = time.perf_counter()
            try:
                check_page_size(page)
            except FullTextError as error:
                refused = str(error)
            checks.append(time.perf_counter() - started)
            if refused:
                continue
            started = time.perf_counter()
            markup = extract_article(page)
            extracts.append(time.perf_counter() - started)
            started = time.perf_counter()
            html_to_text(markup, "https://example.org/")
            texts.append(time.perf_counter() - started)
        size = f"{len(page) / 1e6:.2f} MB" if len(page) > 1e6 else f"{len(page) / 1e3:.0f} KB"
        extract = f"{statistics.median(extracts):.3f}" if extracts else "refused"
        text = f"{statistics.median(texts):.3f}" if texts else "-"
        print(f"{name:<40}{size:>9}{statistics.median(checks):>9.3f}{extract:>11}{text:>8}")
        if refused:
            print(f"    {refused}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
