"""Library store benchmark: open time, peak memory, listing, durable bookmark, body load.

    python bench/bench_library.py --articles 100000 [--feeds 100] [--runs 3]

Builds a synthetic library of N feed articles in a temporary folder through the public API
(`Library.apply_refresh`, a batch of feeds at a time), closes it, then measures in fresh
subprocesses (one per run) so that open time and peak RSS are those a user would see when
starting Reader. Prints a table and writes JSON to bench/out/ (gitignored).

Targets (2-core machine, N = 100,000): open <= 1.0 s, peak RSS <= 300 MB, listing one feed's
unread articles <= 10 ms, durable bookmark <= 50 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "out"

TARGETS = {  # metric -> (limit, unit); checked at N >= 100,000 only
    "open_s": (1.0, "s"),
    "peak_rss_mb": (300.0, "MB"),
    "list_feed_unread_ms": (10.0, "ms"),
    "bookmark_durable_ms": (50.0, "ms"),
}

_WORD_TEXT = (
    "council budget minister court election vote report climate storm market bank rates "
    "energy prices school health hospital police city mayor plan talks deal trade union "
    "strike rail airport housing rent tax reform inquiry evidence witness judge appeal ruling "
    "science study data research space launch mission team season final league coach player "
    "record profit loss shares tech company software security breach privacy law bill senate "
    "parliament border migration aid crisis war peace summit leaders agreement water river "
    "flood drought farm food supply chain factory jobs workers wages inflation growth"
)
WORDS = _WORD_TEXT.split()
AUTHORS = [
    "Ana Souza", "Ben Okafor", "Chloé Martin", "Dmitri Ivanov", "Emma Lindqvist",
    "Farah Haddad", "Gareth Jones", "Hiroshi Tanaka", "Ines García", "James O’Neill",
    "Kavya Rao", "Lars Nilsen", "María José Pérez", "Nadia Benali", "Oliver Smith", "",
]


@dataclass(slots=True)
class Entry:
    """What a parsed feed entry offers the store (same fields as feeds.parse.ParsedEntry)."""

    guid: str
    title: str
    link: str
    author: str
    published: str | None
    text: str
    enclosures: list[dict] = field(default_factory=list)
    content_hash: str = ""


def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 20))
    text = " ".join(words)
    if rng.random() < 0.3:  # a quotation with curly quotes, as news text has
        text += f", “{' '.join(rng.choices(WORDS, k=6))},” said {rng.choice(AUTHORS) or 'a source'}"
    return text[0].upper() + text[1:] + "."


def _paragraph_pool(rng: random.Random, size: int = 400) -> list[str]:
    return [" ".join(_sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(size)]


def _body(rng: random.Random, pool: list[str], target: int) -> str:
    parts: list[str] = []
    length = 0
    while length < target:
        paragraph = rng.choice(pool)
        parts.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(parts)[: target + 200]


def _title(rng: random.Random) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < 55:
        words.append(rng.choice(WORDS))
    title = " ".join(words)
    return title[0].upper() + title[1:]


def make_entries(rng: random.Random, pool: list[str], feed_no: int, count: int,
                 body_bytes: int) -> list[Entry]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    entries = []
    for index in range(count):
        title = _title(rng)
        slug = "-".join(title.lower().split()[:6])
        link = f"https://news{feed_no}.example.com/2025/{index % 12 + 1:02d}/{slug}-{index}"
        published = start + timedelta(seconds=rng.randint(0, 330 * 86400))
        text = _body(rng, pool, body_bytes)
        entries.append(Entry(
            guid=f"tag:news{feed_no}.example.com,2025:{index}",
            title=title,
            link=link,
            author=rng.choice(AUTHORS),
            published=published.strftime("%Y-%m-%dT%H:%M:%SZ"),
            text=text,
            enclosures=(
                [{"url": f"{link}.jpg", "type": "image/jpeg", "length": 123456}]
                if rng.random() < 0.1 else []
            ),
            content_hash=hashlib.sha1(f"{title}\x00{text}".encode()).hexdigest()[:16],
        ))
    return entries


def build(data_dir: Path, articles: int, feeds: int, body_bytes: int, seed: int) -> dict:
    from reader.library.store import FeedChange, Library

    rng = random.Random(seed)
    pool = _paragraph_pool(rng)
    per_feed = [articles // feeds + (1 if i < articles % feeds else 0) for i in range(feeds)]
    started = time.perf_counter()
    library = Library.open(data_dir)
    try:
        library.keep_per_feed = max(library.keep_per_feed, max(per_feed))
        feed_objs = [
            library.add_feed(f"https://news{i}.example.com/feed.xml", title=f"News {i}",
                             tags=["news", f"group{i % 5}"])
            for i in range(feeds)
        ]
        batch = max(1, feeds // 10)
        for first in range(0, feeds, batch):
            changes = [
                FeedChange(feed_objs[i], make_entries(rng, pool, i, per_feed[i], body_bytes))
                for i in range(first, min(first + batch, feeds))
            ]
            library.apply_refresh(changes)
        ids = [a.id for a in library.articles()]
        library.set_read(rng.sample(ids, len(ids) * 3 // 10))  # 30 % read
        library.set_bookmarked(rng.sample(ids, min(200, len(ids))))
        count = library.count()
    finally:
        library.close()
    return {"build_s": time.perf_counter() - started, "count": count,
            "feed_ids": [f.id for f in feed_objs]}


def measure(data_dir: Path, feed_ids: list[str], seed: int) -> dict:
    """Runs in a fresh interpreter: everything a user pays for when starting Reader."""
    import resource

    started = time.perf_counter()
    from reader.library.store import FeedChange, Library

    import_s = time.perf_counter() - started
    rng = random.Random(seed)
    t0 = time.perf_counter()
    library = Library.open(data_dir)
    open_s = time.perf_counter() - t0
    rss_after_open = _proc_status_mb("VmRSS")
    try:
        lists = []
        for _ in range(200):
            feed_id = rng.choice(feed_ids)
            t0 = time.perf_counter()
            found = library.articles(feed_id=feed_id, unread=True)
            lists.append(time.perf_counter() - t0)
            assert found and all(a.feed_id == feed_id and not a.read for a in found)
        t0 = time.perf_counter()
        library.articles(limit=50)  # first "all articles" view sorts every article once
        list_all_first = time.perf_counter() - t0
        searches = []
        for word in rng.sample(WORDS, 5):
            t0 = time.perf_counter()
            library.articles(search=word, limit=200)
            searches.append(time.perf_counter() - t0)
        sample = library.articles(feed_id=rng.choice(feed_ids))
        marks = []
        for index in range(50):
            article = sample[index // 2 % len(sample)]
            value = not article.bookmarked
            t0 = time.perf_counter()
            changed = library.set_bookmarked([article.id], value)
            marks.append(time.perf_counter() - t0)
            assert changed == [article.id]
        cold, warm = [], []
        for feed_id in rng.sample(feed_ids, min(10, len(feed_ids))):
            article = library.articles(feed_id=feed_id, limit=1)[0]
            t0 = time.perf_counter()
            text = library.body(article.id)
            cold.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            library.body(article.id)
            warm.append(time.perf_counter() - t0)
            assert len(text) > 100
        writes = []
        for feed_id in rng.sample(feed_ids, 3):  # a refresh that changed only feed metadata
            feed = library.feed(feed_id)
            feed.last_fetched = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            t0 = time.perf_counter()
            library.apply_refresh([FeedChange(feed, None)])
            writes.append(time.perf_counter() - t0)
    finally:
        t0 = time.perf_counter()
        library.close()
        close_s = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "vm_hwm_mb": _proc_status_mb("VmHWM"),
        "import_s": import_s,
        "open_s": open_s,
        "rss_after_open_mb": rss_after_open,
        "peak_rss_mb": peak,
        "list_feed_unread_ms": statistics.median(lists) * 1000,
        "list_feed_unread_max_ms": max(lists) * 1000,
        "list_all_first_ms": list_all_first * 1000,
        "search_ms": statistics.median(searches) * 1000,
        "bookmark_durable_ms": statistics.median(marks) * 1000,
        "bookmark_durable_max_ms": max(marks) * 1000,
        "body_cold_ms": statistics.median(cold) * 1000,
        "body_warm_ms": statistics.median(warm) * 1000,
        "refresh_write_ms": statistics.median(writes) * 1000,
        "close_s": close_s,
    }


def _proc_status_mb(key: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(ram_gb, 1),
            "python": platform.python_version(),
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _run_child(option: str, spec: dict) -> dict:
    """Run this script in a fresh interpreter and return the JSON it prints.

    Building happens in a child too: on Linux ru_maxrss survives fork+exec, so a measuring
    child forked from a big parent would report the parent's peak instead of its own.
    """
    proc = subprocess.run(
        [sys.executable, __file__, option, json.dumps(spec)],
        capture_output=True, text=True, check=False, timeout=1800,
    )
    if proc.returncode != 0:
        raise SystemExit(f"benchmark subprocess failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--feeds", type=int, default=100)
    parser.add_argument("--body-bytes", type=int, default=2500)
    parser.add_argument("--runs", type=int, default=3, help="fresh measuring processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", metavar="DIR", help="build into DIR and keep it")
    parser.add_argument("--reuse", metavar="DIR", help="measure an existing bench library")
    parser.add_argument("--measure-spec", help=argparse.SUPPRESS)
    parser.add_argument("--build-spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure_spec:
        spec = json.loads(args.measure_spec)
        print(json.dumps(measure(Path(spec["data_dir"]), spec["feed_ids"], spec["seed"])))
        return 0
    if args.build_spec:
        spec = json.loads(args.build_spec)
        spec["data_dir"] = Path(spec["data_dir"])
        print(json.dumps(build(**spec)))
        return 0

    scratch = None
    if args.reuse:
        data_dir = Path(args.reuse)
        built = json.loads((data_dir / "bench-build.json").read_text())
    else:
        if args.keep:
            data_dir = Path(args.keep)
            if data_dir.exists():
                shutil.rmtree(data_dir)
        else:
            scratch = Path(tempfile.mkdtemp(prefix="reader-bench-"))
            data_dir = scratch / "library"
        print(f"building {args.articles:,} articles in {args.feeds} feeds ...", file=sys.stderr)
        built = _run_child("--build-spec", {
            "data_dir": str(data_dir), "articles": args.articles, "feeds": args.feeds,
            "body_bytes": args.body_bytes, "seed": args.seed,
        })
        built["sizes_mb"] = {
            "library.json": (data_dir / "library.json").stat().st_size / 2**20,
            "state.json": (data_dir / "state.json").stat().st_size / 2**20,
            "bodies": _dir_mb(data_dir / "bodies"),
        }
        (data_dir / "bench-build.json").write_text(json.dumps(built))
        os.sync()  # let the build's writeback finish: it would slow the fsyncs measured next
    try:
        runs = [
            _run_child("--measure-spec", {"data_dir": str(data_dir),
                                          "feed_ids": built["feed_ids"], "seed": args.seed + i})
            for i in range(args.runs)
        ]
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    metrics = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    for key in ("peak_rss_mb", "vm_hwm_mb"):
        metrics[key] = max(run[key] for run in runs)
    report = {
        "articles": built["count"], "feeds": len(built["feed_ids"]),
        "build_s": built["build_s"], "sizes_mb": built.get("sizes_mb"),
        "machine": machine(), "median_of_runs": len(runs), "metrics": metrics, "runs": runs,
    }
    print_table(report)
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"library-{built['count']}.json"
    out.write_text(json.dumps(report, indent=2))
    print(f"\nwrote {out}", file=sys.stderr)
    return 0


def print_table(report: dict) -> None:
    metrics = report["metrics"]
    check = report["articles"] >= 100_000
    print(f"\nLibrary: {report['articles']:,} articles, {report['feeds']} feeds; "
          f"built in {report['build_s']:.1f} s; median of {report['median_of_runs']} fresh "
          "processes (peak RSS: max)")
    if report.get("sizes_mb"):
        sizes = ", ".join(f"{k} {v:.1f} MB" for k, v in report["sizes_mb"].items())
        print(f"files: {sizes}")
    print(f"{'metric':<28}{'value':>12}  target")
    rows = [
        ("import reader.library", "import_s", "s"),
        ("open (Library.open)", "open_s", "s"),
        ("RSS after open", "rss_after_open_mb", "MB"),
        ("peak RSS (ru_maxrss)", "peak_rss_mb", "MB"),
        ("peak RSS (VmHWM)", "vm_hwm_mb", "MB"),
        ("list feed unread", "list_feed_unread_ms", "ms"),
        ("list feed unread (max)", "list_feed_unread_max_ms", "ms"),
        ("list all, first call", "list_all_first_ms", "ms"),
        ("search (limit 200)", "search_ms", "ms"),
        ("durable bookmark", "bookmark_durable_ms", "ms"),
        ("durable bookmark (max)", "bookmark_durable_max_ms", "ms"),
        ("body, cold feed file", "body_cold_ms", "ms"),
        ("body, cached", "body_warm_ms", "ms"),
        ("refresh write (1 flush)", "refresh_write_ms", "ms"),
        ("close", "close_s", "s"),
    ]
    for label, key, unit in rows:
        value = metrics[key]
        target = ""
        if key in TARGETS:
            limit, _unit = TARGETS[key]
            verdict = "ok" if value <= limit else "MISSED"
            target = f"<= {limit:g} {_unit} {verdict if check else '(at 100k)'}"
        shown = f"{value:.3f}" if unit == "s" else f"{value:.2f}" if value < 10 else f"{value:.1f}"
        print(f"{label:<28}{shown:>9} {unit:<3} {target}")
    m = report["machine"]
    print(f"machine: {m['nproc']} CPUs, {m['cpu']}, {m['ram_gb']} GB RAM, "
          f"Python {m['python']}, {m['date']}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    raise SystemExit(main())
