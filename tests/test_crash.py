"""Nothing lost: kill -9 a real writer at random moments, then reopen its library.

tests/crash_worker.py toggles bookmarks, saves quotes and applies refreshes, printing a
line after each write the store confirmed. The test kills it (SIGKILL) at a random moment,
reads everything it printed, reopens the library and checks that the library opens and that
every confirmed write is there. The one write in flight at the kill may or may not be.

READER_CRASH_ROUNDS sets the number of random rounds (default 50: about 10 s on 2 cores);
READER_CRASH_SEED replays a run (the seed is in every failure message).
"""

from __future__ import annotations

import os
import random
import selectors
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reader.library.store import FeedChange, Library
from tests.crash_worker import KEEP_PER_FEED, make_entry

WORKER = Path(__file__).with_name("crash_worker.py")

ROUNDS = int(os.environ.get("READER_CRASH_ROUNDS", "50"))
SEED = int(os.environ.get("READER_CRASH_SEED", str(random.randrange(1 << 30))))
FEEDS = 3
START_TIMEOUT = 30.0  # a loaded 2-core machine can be slow to start Python


@dataclass
class Transcript:
    """What the worker said before it died."""

    lines: list[str] = field(default_factory=list)
    bookmarks: dict[str, bool] = field(default_factory=dict)  # last confirmed per article
    in_flight: tuple[str, bool] | None = None  # a bookmark write begun, not confirmed
    doing: str = "idle"  # what the worker was doing when it died
    quotes: dict[str, str] = field(default_factory=dict)  # quote id -> article id
    last_refresh: list[str] = field(default_factory=list)  # its new article ids
    confirmations: int = 0

    def feed(self, line: str) -> None:
        self.lines.append(line)
        kind, *rest = line.split()
        if kind == "W":
            self.in_flight = (rest[0], rest[1] == "1")
            self.doing = "bookmark"
        elif kind in ("WQ", "WR"):
            self.doing = "quote" if kind == "WQ" else "refresh"
        else:
            self.doing = "idle"
            self.confirmations += 1
        if kind == "B":
            self.bookmarks[rest[0]] = rest[1] == "1"
            self.in_flight = None
        elif kind == "Q":
            self.quotes[rest[0]] = rest[1]
        elif kind == "R":
            self.last_refresh = rest[1:]


class Worker:
    """The crash worker as a child process whose stdout is read line by line."""

    def __init__(self, data_dir: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(WORKER), str(data_dir), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.proc.stdout, selectors.EVENT_READ)
        self.buffer = b""
        self.transcript = Transcript()

    def read_lines(self, timeout: float) -> list[str] | None:
        """Complete lines that arrive within `timeout` (None at end of output)."""
        if not self.selector.select(timeout):
            return []
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            return None
        self.buffer += chunk
        *complete, self.buffer = self.buffer.split(b"\n")
        lines = [line.decode() for line in complete]
        for line in lines:
            if line != "READY" and not line.startswith("IN_REPLACE"):
                self.transcript.feed(line)
        return lines

    def wait_for(self, wanted: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.read_lines(deadline - time.monotonic())
            if lines is None:
                break
            if any(line.startswith(wanted) for line in lines):
                return
        self.kill()
        raise AssertionError(f"worker never said {wanted!r}: {self.stderr()}")

    def kill(self) -> None:
        """SIGKILL, reap, and read what it printed before dying (it is confirmed too)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.read_lines(0.5) is not None:
            pass

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read().decode(errors="replace")[-2000:]

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self.selector.close()
        self.proc.stdout.close()
        self.proc.stderr.close()


def build_library(data_dir: Path) -> None:
    with Library.open(data_dir) as library:
        library.keep_per_feed = KEEP_PER_FEED
        for feed_no in range(FEEDS):
            feed = library.add_feed(f"https://feed{feed_no}.example.com/feed.xml",
                                    title=f"Feed {feed_no}")
            entries = [make_entry(feed_no, n) for n in range(1, 31)]
            library.apply_refresh([FeedChange(feed, entries)])


def bookmark_states(library: Library) -> dict[str, bool]:
    return {a.id: a.bookmarked for a in library.articles()}


def temp_files(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob(".*.tmp")]


def check_round(data_dir: Path, before: dict[str, bool], said: Transcript,
                where: str) -> dict[str, bool]:
    """Reopen as the user's next start would; every confirmed write must be there."""
    with Library.open(data_dir) as library:  # LibraryDamaged here fails the test
        assert not temp_files(data_dir), f"{where}: stale temp files survived the open"
        after = bookmark_states(library)
        expected = dict(before)
        expected.update(said.bookmarks)
        for article_id, value in expected.items():
            actual = after.get(article_id, False)  # gone (pruned) means not bookmarked
            if said.in_flight is not None and article_id == said.in_flight[0]:
                assert actual in (value, said.in_flight[1]), f"{where}: in-flight {article_id}"
                continue
            assert actual == value, (
                f"{where}: bookmark of {article_id} is {actual}, last confirmed {value}"
            )
            if value:
                assert library.article(article_id) is not None, f"{where}: lost {article_id}"
        saved = {q.id: q.article_id for q in library.saved_quotes()}
        for quote_id, article_id in said.quotes.items():
            assert saved.get(quote_id) == article_id, f"{where}: lost quote {quote_id}"
            assert library.article(article_id) is not None, f"{where}: quoted article gone"
            assert library.body(article_id), f"{where}: quoted article lost its body"
        for article_id in said.last_refresh:
            assert library.article(article_id) is not None, f"{where}: lost {article_id}"
            assert library.body(article_id), f"{where}: body of {article_id} lost"
        return bookmark_states(library)


@pytest.mark.timeout(max(120, ROUNDS * 4))
def test_kill_at_random_moments_loses_nothing_confirmed(tmp_path: Path) -> None:
    data_dir = tmp_path / "library"
    build_library(data_dir)
    with Library.open(data_dir, readonly=True) as library:
        states = bookmark_states(library)
    rng = random.Random(SEED)
    started = time.monotonic()
    confirmed_total = 0
    killed_while: Counter[str] = Counter()
    for round_no in range(ROUNDS):
        where = f"seed {SEED}, round {round_no}"
        wanted = rng.randint(1, 200)
        budget = rng.uniform(0.02, 1.5)
        # Most writes are small journal appends; one round in three waits for a big rewrite
        # (a refresh: body file and library.json; a quote: quotes.json) to begin and kills
        # a few milliseconds into it, so kills land inside those too.
        trigger = rng.choice(["WR", "WQ", None, None, None, None])
        delay = rng.uniform(0.0, 0.012)
        worker = Worker(data_dir, "--seed", str(rng.randrange(1 << 30)))
        try:
            worker.wait_for("READY", START_TIMEOUT)
            deadline = time.monotonic() + budget
            while time.monotonic() < deadline:
                lines = worker.read_lines(max(0.0, deadline - time.monotonic()))
                if lines is None:
                    raise AssertionError(f"{where}: worker died: {worker.stderr()}")
                if trigger is None and worker.transcript.confirmations >= wanted:
                    break
                if trigger is not None and trigger in lines:
                    time.sleep(delay)
                    break
            worker.kill()
        finally:
            worker.close()
        confirmed_total += worker.transcript.confirmations
        killed_while[worker.transcript.doing] += 1
        states = check_round(data_dir, states, worker.transcript, where)
    assert confirmed_total > ROUNDS  # the rounds really wrote something
    print(f"{ROUNDS} rounds, {confirmed_total} confirmed writes, seed {SEED}, "
          f"{time.monotonic() - started:.1f} s; killed while: {dict(killed_while)}")


@pytest.mark.parametrize(("target", "new_state_kept"), [
    ("library.json", False),  # the refresh never happened
    ("library.json.bak", True),  # the refresh happened; only the backup is behind
    ("quotes.json", False),
    ("state.json", True),  # a journal compaction: the journal still has every line
])
def test_kill_between_fsync_and_rename(tmp_path: Path, target: str,
                                       new_state_kept: bool) -> None:
    data_dir = tmp_path / "library"
    build_library(data_dir)
    with Library.open(data_dir, readonly=True) as library:
        before = bookmark_states(library)
        count_before = library.count()
        quotes_before = len(library.saved_quotes())
    worker = Worker(data_dir, "--seed", "7", "--stop-in-replace", target)
    try:
        worker.wait_for("READY", START_TIMEOUT)
        worker.wait_for("IN_REPLACE", START_TIMEOUT)
        worker.kill()
    finally:
        worker.close()
    stale = temp_files(data_dir)
    assert any(p.name.startswith(f".{target}.") for p in stale), stale
    said = worker.transcript
    with Library.open(data_dir, readonly=True) as viewer:  # opens, and the file is whole
        if target.startswith("library.json"):
            assert (viewer.count() > count_before) is new_state_kept
        if target == "quotes.json":
            assert len(viewer.saved_quotes()) == quotes_before
    assert temp_files(data_dir) == stale  # a reader leaves a writer's temp files alone
    after = check_round(data_dir, before, said, f"killed in os.replace of {target}")
    assert not temp_files(data_dir)
    if target == "state.json":
        assert said.bookmarks and all(after[i] == v for i, v in said.bookmarks.items())
