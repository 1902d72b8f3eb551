"""Refresh benchmark: `reader refresh` against newsboat on the same local feeds.

    python bench/bench_refresh.py [--feeds 200] [--items 50] [--runs 3]
                                  [--newsboat-threads 1,8] [--no-newsboat] [--keep]
                                  [--variant NAME=COMMAND ...]

1. Generates FEEDS feeds x ITEMS items (RSS 2.0 with content:encoded and Atom 1.0
   alternating, ~2.5 KB of HTML per item) into a temporary folder (bench/feedgen_bench.py).
2. Serves them from a separate process on 127.0.0.1: HTTP/1.1 keep-alive, ETag,
   Last-Modified, 304 for a matching conditional request. Every request is logged, so the
   benchmark can check which answers each tool got (200 or 304, conditional or not).
3. Each run, on a fresh library (`reader --data-dir DIR import feeds.opml`, not timed), times
   `reader --data-dir DIR refresh` as a real subprocess (Python start-up and imports
   included): the first refresh (everything new), then again (unchanged: all 304).
   `--variant before=/old/checkout/.venv/bin/reader` (a separate install) times another reader
   the same way in every run (the order alternates between runs): an A/B comparison in one
   session, which matters on a noisy machine.
4. If newsboat is installed, each run also times `newsboat -u urls -c cache.db -C config -x
   reload` on a fresh cache for each `reload-threads` setting: the first load, then a 2nd and
   a 3rd reload. newsboat 2.21 forgets the validators of a feed it has just added, so its 2nd
   reload downloads and re-parses everything (200s); the 3rd is all 304 and is newsboat's
   "unchanged" figure (notes/storage-feeds-security.md §4).
5. Wall time is measured around the subprocess; peak RSS is that child's ru_maxrss from
   os.wait4 (the maximum over the process and any worker processes it waited for). Linux
   carries a parent's peak RSS over fork+exec, so this process stays small (feeds are
   generated in a child) and the floor is recorded (`rss_floor_mb`, the figure `true` gets).
   Medians of RUNS (with min-max) are printed as a table and written as JSON to bench/out/
   (gitignored).

Targets (2-core machine, 200 x 50): reader first refresh <= 0.25 x newsboat's first load,
reader unchanged refresh <= 0.25 x newsboat's unchanged (3rd) reload. The ratio is taken
against the faster newsboat setting.

Nothing here talks to any address outside 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT_DIR = HERE / "out"
# bench/feedgen_bench.py runs as a child (generate, serve) and is not imported: importing
# http.server would raise this process's RSS, which every measured child inherits (step 5).

TARGET_RATIO = 0.25
CHILD_TIMEOUT = 600.0  # seconds; a child still running then is killed (and the run fails)
_PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")


# --------------------------------------------------------------------------------------
# running children
# --------------------------------------------------------------------------------------
class ChildFailed(RuntimeError):
    pass


def run_measured(
    argv: list[str], *, cwd: Path, env: dict[str, str], log: Path
) -> tuple[float, float, int]:
    """Run argv; return (wall seconds, peak RSS MB of that child, exit code).

    stdout/stderr go to `log`. ru_maxrss comes from wait4 on this very child (it covers
    the child and the processes it waited for, such as reader's parse workers; never the
    server or earlier children). It never reads below this process's own peak RSS, which
    Linux carries over fork+exec: see rss_floor.
    """
    with open(log, "ab") as out:
        out.write(f"\n$ {' '.join(argv)}\n".encode())
        out.flush()
        started = time.perf_counter()
        proc = subprocess.Popen(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
        timer = threading.Timer(CHILD_TIMEOUT, lambda: _kill(proc.pid))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss / 1024.0, proc.returncode


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def rss_floor(root: Path, env: dict[str, str]) -> float:
    """The peak RSS reported for a child that uses almost nothing (`true`): this process's
    own peak, inherited through fork+exec. Measured values above it are the child's own."""
    true = shutil.which("true")
    if true is None:
        return 0.0
    return run_measured([true], cwd=root, env=env, log=root / "true.log")[1]


def reader_command() -> list[str]:
    """The installed `reader` script beside this Python, else `python -m reader`."""
    script = Path(sys.executable).with_name("reader")
    if script.exists():
        return [str(script)]
    found = shutil.which("reader")
    return [found] if found else [sys.executable, "-m", "reader"]


def child_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PROXY_VARS}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env["READER_CONFIG"] = str(root / "reader-config.toml")  # absent: defaults
    env["HOME"] = str(root / "home")  # newsboat and platformdirs stay inside the temp dir
    env["XDG_CONFIG_HOME"] = str(root / "home" / ".config")
    env["XDG_DATA_HOME"] = str(root / "home" / ".local" / "share")
    env["XDG_CACHE_HOME"] = str(root / "home" / ".cache")
    env.pop("READER_DATA_DIR", None)
    # A normal install caches Reader's bytecode after its first run; this machine sets
    # PYTHONDONTWRITEBYTECODE=1, which would make every timed run compile Reader's modules
    # again (~30 ms). The untimed `reader import` of each run writes the cache.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


# --------------------------------------------------------------------------------------
# the feed server
# --------------------------------------------------------------------------------------
class Server:
    def __init__(self, feeds_dir: Path, root: Path) -> None:
        self.port_file = root / "server.port"
        self.log = root / "server.log"
        self.log.touch()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(HERE / "feedgen_bench.py"),
                "serve",
                str(feeds_dir),
                "--port-file",
                str(self.port_file),
                "--log",
                str(self.log),
                "--max-seconds",
                "7200",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(300):  # up to 30 s to load the files and bind
            if self.port_file.exists() or self.proc.poll() is not None:
                break
            time.sleep(0.1)
        if not self.port_file.exists():
            self.close()
            raise RuntimeError("The feed server did not start.")
        self.port = int(self.port_file.read_text())

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def mark(self) -> int:
        return self.log.stat().st_size

    def requests_since(self, offset: int) -> list[dict]:
        with open(self.log, "rb") as f:
            f.seek(offset)
            lines = f.read().decode("utf-8", "replace").splitlines()
        found = []
        for line in lines:
            parts = line.split("\t")
            if len(parts) == 8:
                found.append(
                    {
                        "path": parts[2],
                        "status": int(parts[3]),
                        "inm": parts[4] == "1",
                        "ims": parts[5] == "1",
                        "bytes": int(parts[6]),
                        "agent": parts[7],
                    }
                )
        return found

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                if self.proc.stdin:
                    self.proc.stdin.close()
                self.proc.terminate()
                self.proc.wait(timeout=10)
            except (subprocess.TimeoutExpired, OSError):
                self.proc.kill()
                self.proc.wait(timeout=10)


def summarise_requests(requests: list[dict]) -> dict:
    statuses = Counter(r["status"] for r in requests)
    return {
        "requests": len(requests),
        "status": {str(k): v for k, v in sorted(statuses.items())},
        "conditional": sum(1 for r in requests if r["inm"] or r["ims"]),
        "bytes": sum(r["bytes"] for r in requests),
        "agents": sorted({r["agent"].split(" ")[0] for r in requests}),
    }


# --------------------------------------------------------------------------------------
# one run
# --------------------------------------------------------------------------------------
def write_subscriptions(root: Path, urls: list[str]) -> tuple[Path, Path]:
    opml = root / "feeds.opml"
    outlines = "\n".join(
        f'    <outline type="rss" text="bench {i}" xmlUrl="{html.escape(u)}"/>'
        for i, u in enumerate(urls)
    )
    opml.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0"><head>'
        f"<title>bench</title></head><body>\n{outlines}\n</body></opml>\n",
        encoding="utf-8",
    )
    url_file = root / "urls"
    url_file.write_text("".join(f"{u}\n" for u in urls), encoding="utf-8")
    return opml, url_file


def measure(
    name: str, argv: list[str], *, server: Server, cwd: Path, env: dict[str, str], log: Path
) -> dict:
    offset = server.mark()
    seconds, rss, code = run_measured(argv, cwd=cwd, env=env, log=log)
    time.sleep(0.05)  # the server logs a request after answering it
    requests = summarise_requests(server.requests_since(offset))
    if code != 0:
        tail = log.read_text("utf-8", "replace").splitlines()[-15:]
        raise ChildFailed(f"{name}: exit status {code}; last lines of {log}:\n" + "\n".join(tail))
    print(
        f"  {name:<28} {seconds:7.2f} s {rss:7.0f} MB  "
        f"{requests['requests']} requests {requests['status']}",
        flush=True,
    )
    return {"seconds": seconds, "peak_rss_mb": rss, **requests}


def run_reader(
    run: int,
    name: str,
    reader: list[str],
    root: Path,
    server: Server,
    opml: Path,
    env: dict[str, str],
) -> dict:
    folder = root / f"run{run}" / name.replace(":", "-")
    data_dir = folder / "library"
    log = folder / "reader.log"
    folder.mkdir(parents=True, exist_ok=True)
    _, _, code = run_measured(
        [*reader, "--data-dir", str(data_dir), "import", str(opml)], cwd=root, env=env, log=log
    )
    if code != 0:
        raise ChildFailed(f"{name} import: exit status {code}; see {log}")
    argv = [*reader, "--data-dir", str(data_dir), "refresh"]
    first = measure(f"{name} first", argv, server=server, cwd=root, env=env, log=log)
    unchanged = measure(f"{name} unchanged", argv, server=server, cwd=root, env=env, log=log)
    return {"first": first, "unchanged": unchanged}


def run_newsboat(
    run: int,
    threads: int,
    root: Path,
    server: Server,
    urls: Path,
    env: dict[str, str],
    newsboat: str,
) -> dict:
    folder = root / f"run{run}" / f"newsboat-t{threads}"
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config"
    config.write_text(f"reload-threads {threads}\n", encoding="utf-8")
    argv = [
        newsboat,
        "-u",
        str(urls),
        "-c",
        str(folder / "cache.db"),
        "-C",
        str(config),
        "-x",
        "reload",
    ]
    log = folder / "newsboat.log"
    out = {}
    for key, label in (("first", "first"), ("reload2", "2nd reload"), ("reload3", "3rd reload")):
        out[key] = measure(
            f"newsboat t{threads} {label}", argv, server=server, cwd=folder, env=env, log=log
        )
    return out


# --------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------
def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = int(line.split()[1]) / 1024 / 1024
                break
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(ram_gb, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def values_of(runs: list[dict], *path: str) -> list[float]:
    values = []
    for run in runs:
        node = run
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, int | float):
            values.append(float(node))
    return values


def median_of(runs: list[dict], *path: str) -> float | None:
    values = values_of(runs, *path)
    return statistics.median(values) if values else None


def spread(runs: list[dict], *path: str) -> str:
    """ "median (min–max)" of a timing over the runs."""
    values = values_of(runs, *path)
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def statuses(runs: list[dict], *path: str) -> str:
    """What the server answered in that phase, per run (e.g. "200×304")."""
    total: Counter = Counter()
    conditional = 0
    for run in runs:
        node = run
        for key in path:
            node = node.get(key, {})
        total.update(dict(node.get("status", {})))
        conditional += node.get("conditional", 0)
    n = max(1, len(runs))
    answers = ", ".join(f"{v / n:g}×{k}" for k, v in sorted(total.items())) or "-"
    return f"{answers} ({conditional / n:g} conditional)"


def reader_keys(results: dict) -> list[str]:
    return list(results["readers"])


def report(results: dict) -> str:
    runs = results["runs"]
    lines = [
        "| tool | first s | unchanged s (all 304) | newsboat 2nd reload s "
        "| peak RSS MB first / unchanged | server answered: first; unchanged |",
        "|---|---|---|---|---|---|",
    ]
    rows = [(key, key, ("first", "unchanged", None)) for key in reader_keys(results)]
    for threads in results["newsboat_threads"]:
        label = f"newsboat, reload-threads {threads}"
        rows.append((label, f"newsboat_t{threads}", ("first", "reload3", "reload2")))
    for label, key, (first, unchanged, second) in rows:
        if not any(key in run for run in runs):
            continue
        rf = median_of(runs, key, first, "peak_rss_mb") or 0.0
        ru = median_of(runs, key, unchanged, "peak_rss_mb") or 0.0
        answered = f"{statuses(runs, key, first)}; {statuses(runs, key, unchanged)}"
        if second:
            answered += f"; 2nd reload: {statuses(runs, key, second)}"
        lines.append(
            f"| {label} | {spread(runs, key, first, 'seconds')} "
            f"| {spread(runs, key, unchanged, 'seconds')} "
            f"| {spread(runs, key, second, 'seconds') if second else '–'} "
            f"| {rf:.0f} / {ru:.0f} | {answered} |"
        )
    ratios = results.get("ratios") or {}
    if ratios:
        lines.append("")
    for key, found in ratios.items():
        for name, what in (("first", "first refresh"), ("unchanged", "unchanged refresh")):
            if name not in found:
                continue
            ok = found[name] <= TARGET_RATIO
            lines.append(
                f"* {key} {what} / newsboat: {found[name]:.2f} (target <= {TARGET_RATIO}: "
                f"{'met' if ok else 'MISSED'}; against {found['vs_' + name]})"
            )
    return "\n".join(lines)


def compute_ratios(results: dict) -> dict:
    """Per reader variant: median reader time / median of the faster newsboat setting."""
    runs = results["runs"]
    best: dict[str, tuple[float, str]] = {}
    for threads in results["newsboat_threads"]:
        key = f"newsboat_t{threads}"
        for name, phase, label in (("first", "first", "first load"),
                                   ("unchanged", "reload3", "3rd reload")):  # fmt: skip
            value = median_of(runs, key, phase, "seconds")
            if value is not None and (name not in best or value < best[name][0]):
                best[name] = (value, f"{key} {label} {value:.2f} s")
    ratios: dict = {}
    for reader in reader_keys(results):
        found: dict = {}
        for name in ("first", "unchanged"):
            value = median_of(runs, reader, name, "seconds")
            if value is not None and name in best:
                found[name] = value / best[name][0]
                found["vs_" + name] = best[name][1]
        if found:
            ratios[reader] = found
    return ratios


def check_conditional(results: dict) -> list[str]:
    """Problems with what the server saw: unchanged refreshes must be all 304."""
    problems = []
    feeds = results["feeds"]
    checks = []
    for reader in reader_keys(results):
        checks += [(reader, "first", "200"), (reader, "unchanged", "304")]
    for threads in results["newsboat_threads"]:
        checks += [(f"newsboat_t{threads}", "first", "200")]
        checks += [(f"newsboat_t{threads}", "reload3", "304")]
    for index, run in enumerate(results["runs"]):
        for key, phase, status in checks:
            got = run.get(key, {}).get(phase, {}).get("status", {})
            if got.get(status, 0) != feeds:
                problems.append(
                    f"run {index}: {key} {phase}: expected {feeds}×{status}, server saw {got}"
                )
    return problems


# --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--newsboat-threads",
        default="1,8",
        help="comma-separated reload-threads settings to try (default 1,8)",
    )
    parser.add_argument("--no-newsboat", action="store_true", help="measure reader only")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=COMMAND",
        help="also time another reader command in every run, e.g. an older checkout "
        "installed in a virtualenv of its own: before=/path/to/old/.venv/bin/reader "
        "(repeatable; PYTHONPATH does not override an editable install)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--out", type=Path, help="JSON output file (default bench/out/...)")
    args = parser.parse_args(argv)
    if not (1 <= args.feeds <= 5000 and 1 <= args.items <= 1000 and 1 <= args.runs <= 20):
        parser.error("--feeds 1..5000, --items 1..1000, --runs 1..20")
    readers = {"reader": reader_command()}
    for spec in args.variant:
        name, sep, command = spec.partition("=")
        if not sep or not name.strip() or not command.strip():
            parser.error(f"--variant {spec!r}: expected NAME=COMMAND")
        readers[f"reader:{name.strip()}"] = shlex.split(command)
    newsboat = None if args.no_newsboat else shutil.which("newsboat")
    threads = [int(t) for t in args.newsboat_threads.split(",") if t.strip()] if newsboat else []

    root = Path(tempfile.mkdtemp(prefix="reader-bench-refresh-"))
    server = None
    try:
        (root / "home").mkdir()
        print(f"Generating {args.feeds} feeds x {args.items} items in {root} ...", flush=True)
        # In a child: a measured child's ru_maxrss is never below this process's own peak
        # RSS (Linux carries it over fork+exec), so this process must stay small.
        subprocess.run(
            [sys.executable, str(HERE / "feedgen_bench.py"), "generate", str(root / "feeds"),
             "--feeds", str(args.feeds), "--items", str(args.items)],
            check=True, stdout=subprocess.DEVNULL, timeout=CHILD_TIMEOUT,
        )  # fmt: skip
        names = sorted(path.name for path in (root / "feeds").glob("*.xml"))
        size_mb = sum((root / "feeds" / n).stat().st_size for n in names) / 1e6
        server = Server(root / "feeds", root)
        urls = [server.url(n) for n in names]
        opml, url_file = write_subscriptions(root, urls)
        env = child_env(root)
        versions = {key: _version([*cmd, "--version"], env, root) for key, cmd in readers.items()}
        if newsboat:
            versions["newsboat"] = _version([newsboat, "--version"], env, root).split(" - ")[0]
        print(f"{size_mb:.1f} MB served on 127.0.0.1:{server.port}; {versions}", flush=True)
        results: dict = {
            "feeds": args.feeds,
            "items": args.items,
            "runs_requested": args.runs,
            "megabytes": round(size_mb, 1),
            "newsboat_threads": threads,
            "readers": {key: " ".join(cmd) for key, cmd in readers.items()},
            "versions": versions,
            "machine": machine(),
            "rss_floor_mb": rss_floor(root, env),
            "runs": [],
        }
        for run in range(args.runs):
            print(f"run {run + 1}/{args.runs}", flush=True)
            entry: dict = {}
            order = list(readers.items())
            if run % 2:  # alternate which reader goes first, so neither always gets a warm start
                order.reverse()
            for key, command in order:
                entry[key] = run_reader(run, key, command, root, server, opml, env)
            for t in threads:
                entry[f"newsboat_t{t}"] = run_newsboat(
                    run, t, root, server, url_file, env, newsboat
                )
            results["runs"].append(entry)
            if not args.keep:
                shutil.rmtree(root / f"run{run}", ignore_errors=True)
        results["ratios"] = compute_ratios(results)
        results["conditional_problems"] = check_conditional(results)
        table = report(results)
        print()
        print(
            f"{args.feeds} feeds x {args.items} items ({size_mb:.1f} MB), median of "
            f"{args.runs} run(s); {results['machine']['nproc']} CPUs "
            f"({results['machine']['cpu']}), {results['machine']['ram_gb']} GB RAM, "
            f"{results['machine']['date_utc']}"
        )
        print(table)
        for problem in results["conditional_problems"]:
            print(f"WARNING: {problem}")
        OUT_DIR.mkdir(exist_ok=True)
        out = args.out or OUT_DIR / f"refresh-{args.feeds}x{args.items}.json"
        out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
        print(f"\nWrote {out}")
        return 0
    except ChildFailed as error:
        print(f"bench_refresh: {error}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.close()
        if args.keep:
            print(f"Kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _version(argv: list[str], env: dict[str, str], cwd: Path) -> str:
    try:
        done = subprocess.run(
            argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return (done.stdout.strip().splitlines() or ["?"])[0]


if __name__ == "__main__":
    sys.exit(main())
