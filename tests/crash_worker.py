"""The process tests/test_crash.py kills: it writes to a library and reports each write.

    python tests/crash_worker.py DATA_DIR [--seed N] [--stop-in-replace NAME]

Every line goes to stdout with os.write, so it is in the pipe (and survives a SIGKILL) the
moment it is printed:

    READY                     the library is open
    W <article> <0|1>         about to set a bookmark (a write in flight)
    WQ / WR                   about to save a quote / apply a refresh
    B <article> <0|1>         set_bookmarked returned: the state is durable
    Q <quote> <article>       save_quote returned: the quote is durable
    R <feed> <id> <id> ...    apply_refresh returned: these new articles are durable
    IN_REPLACE <name>         (--stop-in-replace) inside atomic_write, after the temp file
                              was fsynced and before os.replace: the test kills us now

Without --stop-in-replace it loops until killed, mixing small writes (bookmarks, the journal
and its compaction) with big ones (quotes.json, library.json, per-feed body files). It exits
by itself after MAX_SECONDS so it can never outlive a test that forgot it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from reader.library import journal
from reader.library.store import FeedChange, Library

MAX_SECONDS = 30.0
KEEP_PER_FEED = 40
COMPACT_AFTER_LINES = 60  # compact often, so kills also land inside compactions


@dataclass
class Entry:
    guid: str
    title: str
    link: str
    author: str
    published: str | None
    text: str
    enclosures: list[dict] = field(default_factory=list)
    content_hash: str = ""


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def make_entry(feed_no: int, n: int, *, version: int = 0) -> Entry:
    """Entry n of a feed: a higher n is newer; a new version changes its content."""
    day, minute = divmod(n, 1440)
    text = f"Story {n} of feed {feed_no}, version {version}. " + "Lorem ipsum dolor. " * 60
    return Entry(
        guid=f"feed{feed_no}:{n}",
        title=f"Feed {feed_no} story {n} (v{version})",
        link=f"https://feed{feed_no}.example.com/{n}",
        author="Crash Tester",
        published=f"2025-{1 + day // 28:02d}-{1 + day % 28:02d}T"
                  f"{minute // 60:02d}:{minute % 60:02d}:00Z",
        text=text,
        content_hash=f"{feed_no}-{n}-{version}",
    )


def next_entry_number(library: Library, feed_id: str) -> int:
    numbers = [int(a.guid.split(":")[1]) for a in library.articles(feed_id=feed_id)]
    return max(numbers, default=0) + 1


def stop_in_replace(name: str) -> None:
    """Make the next os.replace onto `name` announce itself and wait to be killed."""
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if Path(dst).name == name:
            say(f"IN_REPLACE {name}")
            time.sleep(MAX_SECONDS)
            raise SystemExit("not killed in time")
        return real_replace(src, dst, *args, **kwargs)

    os.replace = replace


def refresh(library: Library, rng: random.Random) -> None:
    feeds = library.feeds()
    feed = rng.choice(feeds)
    feed_no = int(feed.url.split("feed")[1].split(".")[0])
    start = next_entry_number(library, feed.id)
    entries = [make_entry(feed_no, n) for n in range(start, start + rng.randint(1, 6))]
    existing = library.articles(feed_id=feed.id)
    for article in rng.sample(existing, min(2, len(existing))):  # changed upstream
        n = int(article.guid.split(":")[1])
        entries.append(make_entry(feed_no, n, version=rng.randint(1, 10**6)))
    say("WR")
    result = library.apply_refresh([FeedChange(feed, entries)])[feed.id]
    say(" ".join(["R", feed.id, *result.new_ids]))


def save_quote(library: Library, rng: random.Random) -> None:
    article = rng.choice(library.articles())
    body = library.body(article.id)
    if len(body) < 20:
        return
    start = rng.randrange(0, len(body) - 10)
    say("WQ")
    quote = library.save_quote(article.id, start, start + rng.randint(5, 10),
                               note=f"n{rng.random():.6f}")
    say(f"Q {quote.id} {article.id}")


def toggle_bookmark(library: Library, rng: random.Random) -> None:
    article = rng.choice(library.articles())
    value = not article.bookmarked
    say(f"W {article.id} {int(value)}")
    changed = library.set_bookmarked([article.id], value)
    assert changed == [article.id], changed
    say(f"B {article.id} {int(value)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--stop-in-replace", metavar="NAME")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    journal.COMPACT_AFTER_LINES = COMPACT_AFTER_LINES
    library = Library.open(Path(args.data_dir))
    library.keep_per_feed = KEEP_PER_FEED
    say("READY")
    if args.stop_in_replace:
        name = args.stop_in_replace
        stop_in_replace(name)
        if name.startswith("library.json"):
            refresh(library, rng)
        elif name.startswith("quotes.json"):
            save_quote(library, rng)
        else:  # state.json: bookmarks until the journal compacts
            for _ in range(COMPACT_AFTER_LINES + 1):
                toggle_bookmark(library, rng)
        return 1  # not reached: the replace waits to be killed
    deadline = time.monotonic() + MAX_SECONDS
    while time.monotonic() < deadline:
        roll = rng.random()
        if roll < 0.06:
            refresh(library, rng)
        elif roll < 0.12:
            save_quote(library, rng)
        else:
            toggle_bookmark(library, rng)
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
