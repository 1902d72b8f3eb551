"""Time full-text search (`Library.text_matches`, what `reader articles --search` and enter in
the TUI's `/` filter run) over an existing library.

    python bench/bench_search.py DATA_DIR [--query TEXT]... [--runs 3]

Use a library that `bench_refresh.py --keep` left behind (10,000 feed articles stored as
fetched HTML: the `reader-first` folder of its last run), the one `bench_library.py --keep`
built (plain-text bodies), or your own (it is opened read-only). Each query is timed over
every article, median of --runs, in this process; a query's match count is printed too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_QUERIES = ["zzqx nothing", "council", "water climate", "“Inflation spokesperson"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--query", action="append", help="a query (repeat); default: a mix")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE.parent))
    from reader.library.store import Library

    with Library.open(args.data_dir, readonly=True) as library:
        ids = [article.id for article in library.articles()]
        print(f"{len(ids):,} articles in {args.data_dir}")
        print(f"{'query':<32}{'matches':>9}{'median s':>10}{'per 1,000':>11}")
        for query in args.query or DEFAULT_QUERIES:
            times = []
            for _ in range(max(1, args.runs)):
                started = time.perf_counter()
                found = library.text_matches(query, ids)
                times.append(time.perf_counter() - started)
            median = statistics.median(times)
            per_k = median / max(1, len(ids)) * 1000
            print(f"{query[:31]:<32}{len(found):>9,}{median:>10.3f}{per_k:>10.3f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
