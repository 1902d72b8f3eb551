"""Subscribing and refreshing, shared by the CLI and the TUI.

A refresh fetches every feed over one keep-alive client (bounded concurrency), parses each
document in a worker thread (so the TUI's loop keeps answering keys) or, in a
single-threaded process such as `reader refresh`, in worker processes (so parsing uses every
core), and stores everything in one batched library write at the end. One feed's failure is
that feed's result only.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reader.feeds.discover import find_feed_links, looks_like_feed
from reader.feeds.fetch import Fetcher, FetchResult
from reader.feeds.ignore import IgnoreRules
from reader.feeds.parse import FeedParseError, ParsedEntry, ParsedFeed, parse_feed
from reader.feeds.urls import check_feed_url
from reader.library.errors import LibraryError
from reader.library.store import FeedChange, Library, bodies_to_stage
from reader.models import Feed, from_iso, short_hash, to_iso, utc_now
from reader.text.body import BodySource
from reader.text.clean import clean_line


@dataclass(slots=True)
class FeedResult:
    """What happened to one feed in a refresh."""

    feed_id: str
    url: str
    title: str
    status: str  # "new", "updated", "unchanged", "not_modified", "error", "gone", "skipped"
    new: int = 0
    updated: int = 0
    ignored: int = 0  # entries an ignore rule dropped (never stored)
    error: str = ""
    moved_to: str | None = None
    http_status: int | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.status in ("error", "gone")

    def public_dict(self) -> dict:
        return {
            "feed_id": self.feed_id,
            "url": self.url,
            "title": self.title,
            "status": self.status,
            "new": self.new,
            "updated": self.updated,
            "ignored": self.ignored,
            "not_modified": self.status == "not_modified",
            "error": self.error or None,
            "moved_to": self.moved_to,
            "http_status": self.http_status,
        }

    def line(self) -> str:
        name = self.title or self.url
        if self.failed or self.status == "skipped":
            return f"{self.feed_id}  {self.status:<12} {name}: {self.error}"
        detail = {"not_modified": "not modified", "unchanged": "no changes"}.get(
            self.status, f"{self.new} new, {self.updated} updated"
        )
        if self.ignored:
            detail += f", {self.ignored} ignored"
        moved = f" (moved to {self.moved_to})" if self.moved_to else ""
        return f"{self.feed_id}  {self.status:<12} {name}: {detail}{moved}"


@dataclass(slots=True)
class RefreshReport:
    results: list[FeedResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if r.failed)

    @property
    def new(self) -> int:
        return sum(r.new for r in self.results)

    @property
    def ignored(self) -> int:
        return sum(r.ignored for r in self.results)

    def summary(self) -> str:
        """ "12 new in 5 feeds, 2 failed" — the line the TUI notifies and the CLI prints."""
        with_new = sum(1 for r in self.results if r.new)
        text = f"{self.new} new in {with_new} feed{'s' if with_new != 1 else ''}"
        updated = sum(r.updated for r in self.results)
        if updated:
            text += f", {updated} updated"
        if self.ignored:
            text += f", {self.ignored} ignored"
        if self.failed:
            text += f", {self.failed} failed"
        return text + f" ({len(self.results)} checked in {self.seconds:.1f} s)."


def _note_missing_sniffio() -> None:
    """httpcore (under httpx) runs `import sniffio` each time it creates a lock, an event or
    a semaphore, several times per request, and current anyio no longer pulls sniffio in.
    A failed import is not cached: every attempt searches sys.path again. Recording the
    absence once (None in sys.modules: the same ImportError, at once) cut 0.05-0.1 s from a
    200-feed refresh of unchanged feeds. Nothing changes if sniffio is installed."""
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


_note_missing_sniffio()


def _parse_in_thread(result: FetchResult) -> ParsedFeed:
    assert result.body is not None
    return parse_feed(result.body, result.final_url or result.url, result.content_type)


# Fetching and parsing are CPU work in Python (~70 us an entry to parse, ~1 ms a request):
# in one process they share one core and fight for the GIL. `reader refresh` splits the
# feeds over forked worker processes (no re-import); forking is only safe while the process
# has a single thread, so the TUI (threads running) fetches on its loop and parses in threads.
_MIN_FEEDS_FOR_PROCESSES = 8
_MAX_PARSE_PROCESSES = 4


def _init_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # A forked worker shares the parent's open files, including the library's writer lock:
    # if the parent is killed, the worker must not live on (and keep the library locked).
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:  # runs as long as this worker process does
        time.sleep(0.2)
    os._exit(0)


def _parse_pool(feeds: int) -> Executor | None:
    """Worker processes for parsing, or None to parse in threads."""
    if feeds < _MIN_FEEDS_FOR_PROCESSES or threading.active_count() != 1:
        return None
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    if cpus < 2:
        return None
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - no fork() on this platform
        return None
    pool = ProcessPoolExecutor(
        max_workers=min(cpus, _MAX_PARSE_PROCESSES),
        mp_context=context,
        initializer=_init_worker,
        initargs=(os.getpid(),),
    )
    # What the workers inherit goes to the collector's permanent generation first, so their
    # collections neither walk it nor copy its pages (refcount writes); see gc.freeze.
    gc.freeze()
    try:
        pool.submit(int)  # forks every worker now, while this is still the only thread
    finally:
        gc.unfreeze()
    return pool


async def _refresh_in_workers(
    pool: Executor, library: Library, targets: list[Feed], now: str, concurrency: int,
    ignore: IgnoreRules | None = None,
) -> list[tuple[FeedResult, FeedChange]]:
    """`reader refresh` with worker processes: each fetches, parses and writes the bodies of
    its share of the feeds, so documents never cross a pipe; only metadata comes back, and
    the caller stores it in one write. (Pickling 36 MB of documents to the workers and their
    markup back cost more CPU than the parsing it spread out.)"""
    workers = getattr(pool, "_max_workers", 2)
    groups = [targets[index::workers] for index in range(workers)]
    loop = asyncio.get_running_loop()
    jobs = []
    leftovers: list[Feed] = []
    for group in groups:
        if not group:
            continue
        known = {feed.id: library.content_hashes(feed.id) for feed in group}
        try:
            jobs.append((group, loop.run_in_executor(
                pool, _refresh_group, [f.to_dict() for f in group], now,
                str(library.data_dir), known, max(1, concurrency // workers), ignore)))
        except Exception:  # the pool broke already (a worker died): do this group here
            leftovers.extend(group)
    results: list[tuple[FeedResult, FeedChange]] = []
    answers = await asyncio.gather(*(job for _, job in jobs), return_exceptions=True)
    for (group, _), packed in zip(jobs, answers, strict=True):
        if isinstance(packed, BaseException):
            leftovers.extend(group)  # the worker died (killed, out of memory): see below
            continue
        before = {feed.id: feed for feed in group}
        for outcome, feed_doc, entries, staged in packed:
            feed = Feed.from_dict(feed_doc)
            library.mark_staged(feed.id, staged)
            results.append((outcome, FeedChange(feed=feed, entries=_unpack_entries(entries),
                                                before=before.get(feed.id))))
    if leftovers:  # refresh a lost worker's feeds here, in this process
        async with Fetcher(concurrency=concurrency) as fetcher:
            results.extend(await asyncio.gather(*[
                _refresh_one(fetcher, feed, now, library.stage_bodies, ignore=ignore)
                for feed in leftovers]))
    return results


def _refresh_group(feed_docs: list[dict], now: str, data_dir: str,
                   known: dict[str, dict[str, str]], concurrency: int,
                   ignore: IgnoreRules | None = None) -> list[tuple]:
    """In a worker process: refresh these feeds and write their bodies; return metadata
    as plain tuples (`_unpack_entries`), which pickle several times faster than objects.
    `ignore` (pickled to the worker: compiled patterns pickle as their source) drops
    entries before anything is written."""
    from pathlib import Path

    from reader.library.bodies import BodyStore

    bodies = BodyStore(Path(data_dir))
    staged: dict[str, dict[str, str]] = {}
    article_ids: dict[str, list[str]] = {}  # per feed, in entry order (hashed once)
    pending: list[tuple[str, dict, set[str]]] = []

    def stage(feed_id: str, entries: list) -> None:
        ids, updates, hashes = bodies_to_stage(feed_id, entries, known.get(feed_id, {}))
        article_ids[feed_id] = ids
        if updates:
            pending.append((feed_id, updates, set()))
        staged[feed_id] = hashes

    async def run() -> list[tuple[FeedResult, FeedChange]]:
        async with Fetcher(concurrency=concurrency) as fetcher:
            return await asyncio.gather(*[
                _refresh_one(fetcher, Feed.from_dict(doc), now, stage, inline=True,
                             ignore=ignore)
                for doc in feed_docs])

    asyncio.events._set_running_loop(None)  # forked from a process with a running loop
    gc.disable()  # parsing makes no cycles; full collections over the growing heap would
    try:          # scan every entry parsed so far, again and again
        outcomes = asyncio.run(run())
    finally:
        gc.enable()
    # The bodies are written once everything is parsed, all files in parallel: written
    # from a thread while this one parsed, each of the ~8 system calls per file waited for
    # the parsing thread to hand over the GIL, which cost a third of the worker's time.
    try:
        bodies.put_feeds(pending)
    except Exception:  # the main process writes them instead (and reports the error)
        staged.clear()
    packed = []
    for outcome, change in outcomes:
        feed_id = change.feed.id
        written = staged.get(feed_id, {})
        entries = None
        if change.entries is not None:
            existing = known.get(feed_id, {})
            ids = article_ids.get(feed_id) or [short_hash(feed_id, entry.guid)
                                               for entry in change.entries]
            # A body already on disk is not sent back; one whose write failed is, so the
            # main process stores it.
            entries = [_pack_entry(entry, entry.content_hash not in (written.get(article_id),
                                                                     existing.get(article_id)))
                       for article_id, entry in zip(ids, change.entries, strict=True)]
        packed.append((outcome, change.feed.to_dict(), entries, written))
    return packed


# An entry crosses the pipe from a worker as a plain tuple: its fields in declaration order
# (body excepted), then the body's kind, markup and base.
_ENTRY_FIELDS = tuple(name for name in ParsedEntry.__dataclass_fields__ if name != "body")


def _pack_entry(entry: ParsedEntry, with_body: bool) -> tuple:
    body = entry.body
    return (*(getattr(entry, name) for name in _ENTRY_FIELDS), body.kind,
            body.markup if with_body else "", body.base if with_body else "")


def _unpack_entries(packed: list[tuple] | None) -> list[ParsedEntry] | None:
    if packed is None:
        return None
    count = len(_ENTRY_FIELDS)
    return [ParsedEntry(**dict(zip(_ENTRY_FIELDS, values[:count], strict=True)),
                        body=BodySource(*values[count:]))
            for values in packed]


# However long a server or feed asks readers to wait, a scheduled refresh looks again after
# a day (a hostile or mistaken ttl must not silence a feed).
_MAX_FRESH = timedelta(hours=24)


def _fresh_until(now: str, fresh_for: float | None, ttl_minutes: int | None) -> str | None:
    """Until when a scheduled refresh leaves the feed alone: the longer of the server's
    Cache-Control/Expires and the feed's ttl, capped at a day; None when neither asks."""
    wait = timedelta(seconds=max(fresh_for or 0.0, (ttl_minutes or 0) * 60.0))
    start = from_iso(now)
    if wait <= timedelta(0) or start is None:
        return None
    return to_iso(start + min(wait, _MAX_FRESH))


def due_feeds(feeds: Sequence[Feed], now: datetime | None = None) -> list[Feed]:
    """The feeds a scheduled refresh should fetch: not gone, not asked to wait (Retry-After)
    and no longer fresh (ttl, Cache-Control). A refresh the user asks for fetches them all."""
    moment = to_iso(now or utc_now()) or ""
    return [feed for feed in feeds if not feed.gone
            and (feed.retry_after or "") <= moment and (feed.fresh_until or "") <= moment]


def _next_feed(feed: Feed, result: FetchResult, now: str) -> Feed:
    """The feed's stored metadata after a fetch (validators, retry time, last attempt)."""
    updated = replace(feed, tags=list(feed.tags), aliases=list(feed.aliases))
    updated.last_fetched = now
    updated.fresh_until = None
    if result.status in ("ok", "not_modified"):
        updated.etag = result.etag
        updated.last_modified = result.last_modified
        updated.fresh_until = _fresh_until(now, result.fresh_for, feed.ttl_minutes)
    updated.retry_after = to_iso(result.retry_after) if result.retry_after else None
    return updated


def _apply_move(feed: Feed, result: FetchResult) -> str | None:
    """Follow a permanent move (every hop 301/308), keeping the old URL as an alias."""
    if not result.moved_to or result.moved_to == feed.url:
        return None
    if feed.url not in feed.aliases:
        feed.aliases.append(feed.url)
    feed.url = result.moved_to
    return result.moved_to


async def _refresh_one(
    fetcher: Fetcher, feed: Feed, now: str,
    stage: Callable[[str, list], object] | None = None, inline: bool = False,
    ignore: IgnoreRules | None = None,
) -> tuple[FeedResult, FeedChange]:
    """Fetch, parse and stage one feed. `inline` (in a worker process) parses and stages on
    the event loop's own thread: a parse in a thread would fight the loop for the GIL, and every
    socket call would then wait for it. Entries an `ignore` rule drops are left out right
    after parsing: never staged, never stored."""
    started = time.perf_counter()
    outcome = FeedResult(feed.id, feed.url, feed.title, "error")
    if feed.gone:
        outcome.status, outcome.error = "gone", "The server said this feed is gone (410)."
        return outcome, FeedChange(feed=feed)
    retry_after = from_iso(feed.retry_after)
    if retry_after is not None and retry_after > datetime.now(UTC):
        outcome.status = "skipped"
        outcome.error = f"The server asked us to wait until {feed.retry_after}."
        return outcome, FeedChange(feed=feed)
    result = await fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    updated = _next_feed(feed, result, now)
    outcome.http_status = result.http_status
    entries = None
    if result.status == "gone":
        updated.gone = True
        outcome.status, outcome.error = "gone", result.error or "The feed is gone (410)."
    elif result.status == "error":
        outcome.error = result.error or "The fetch failed."
    elif result.status == "not_modified":
        outcome.status = "not_modified"
        outcome.moved_to = _apply_move(updated, result)
    else:
        try:
            if inline:
                parsed = _parse_in_thread(result)
            else:
                parsed = await asyncio.to_thread(_parse_in_thread, result)
        except FeedParseError as error:
            outcome.error = str(error)
        except Exception as error:  # a parser bug is this feed's error, not the refresh's
            outcome.error = f"The feed could not be parsed ({type(error).__name__})."
        else:
            entries = parsed.entries
            if ignore and entries:  # no rules: no cost at all
                entries, outcome.ignored = ignore.filter(feed, entries)
            outcome.status = "unchanged"
            if stage is not None and entries:
                # Hand the bodies over now (in the TUI: written while other feeds are still
                # downloading); if this fails, apply_refresh writes them at the end.
                with contextlib.suppress(Exception):
                    if inline:  # a worker process only queues them (see _refresh_group)
                        stage(feed.id, entries)
                    else:  # disk waits release the GIL: a thread
                        await asyncio.to_thread(stage, feed.id, entries)
            outcome.moved_to = _apply_move(updated, result)  # only once it parses as a feed
            updated.ttl_minutes = parsed.ttl_minutes
            updated.fresh_until = _fresh_until(now, result.fresh_for, parsed.ttl_minutes)
            if parsed.title and not feed.title:
                updated.title = clean_line(parsed.title)
            if parsed.site_url:
                updated.site_url = parsed.site_url
    updated.last_error = outcome.error if outcome.failed else ""
    if outcome.failed:
        updated.fresh_until = None  # try again at the next scheduled refresh
    outcome.title = updated.title
    outcome.seconds = time.perf_counter() - started
    return outcome, FeedChange(feed=updated, entries=entries, before=feed)


async def refresh_feeds(
    library: Library,
    feeds: Sequence[Feed] | None = None,
    *,
    on_result: Callable[[FeedResult], None] | None = None,
    fetcher: Fetcher | None = None,
    concurrency: int = 16,
    ignore: IgnoreRules | None = None,
) -> RefreshReport:
    """Fetch, parse and store `feeds` (all by default); never raises for a feed's failure.
    Entries the `ignore` rules drop (config.toml `[[ignore]]`; default none) are never
    stored; each feed's result counts them."""
    started = time.perf_counter()
    targets = list(feeds) if feeds is not None else library.feeds()
    now = to_iso(utc_now())
    report = RefreshReport()
    changes: list[FeedChange] = []
    own = fetcher is None
    pool = _parse_pool(len(targets)) if own else None
    if pool is not None:
        try:
            for outcome, change in await _refresh_in_workers(pool, library, targets, now,
                                                             concurrency, ignore):
                report.results.append(outcome)
                changes.append(change)
                if on_result is not None:
                    on_result(outcome)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    else:
        active = fetcher or Fetcher(concurrency=concurrency)
        try:
            if own:
                await active.__aenter__()
            tasks = [asyncio.ensure_future(
                _refresh_one(active, feed, now, library.stage_bodies, ignore=ignore))
                for feed in targets]
            for task in asyncio.as_completed(tasks):
                outcome, change = await task
                report.results.append(outcome)
                changes.append(change)
                if on_result is not None:
                    on_result(outcome)
        finally:
            if own:
                await active.__aexit__(None, None, None)
    stored = await asyncio.to_thread(library.apply_refresh, changes)
    by_id = {r.feed_id: r for r in report.results}
    for feed_id, result in stored.items():
        outcome = by_id.get(feed_id)
        if outcome is None or outcome.failed:
            continue
        outcome.new, outcome.updated = result.new, result.updated
        if result.new:
            outcome.status = "new"
        elif result.updated:
            outcome.status = "updated"
    order = {feed.id: index for index, feed in enumerate(targets)}
    report.results.sort(key=lambda r: order.get(r.feed_id, 0))
    report.seconds = time.perf_counter() - started
    return report


async def discover_feed(url: str, fetcher: Fetcher) -> tuple[str, str, list[tuple[str, str]]]:
    """(feed URL, title, other feeds offered) for a feed URL or a web page that links one."""
    result = await fetcher.fetch(url)
    if result.status != "ok" or result.body is None:
        raise LibraryError(f"{url} could not be fetched: {result.error or 'no answer'}")
    final = result.moved_to or url
    if looks_like_feed(result.body, result.content_type):
        try:
            parsed = await asyncio.to_thread(_parse_in_thread, result)
        except FeedParseError as error:
            raise LibraryError(f"{url} looks like a feed but cannot be read: {error}") from None
        return final, parsed.title, []
    links = find_feed_links(result.body, result.final_url or url)
    if not links:
        raise LibraryError(f"{url} is neither a feed nor a page that links to one.")
    (first_url, first_title), others = links[0], links[1:]
    return first_url, first_title, others


async def add_subscription_async(
    library: Library, url: str, *, tags: Sequence[str] = (), fetcher: Fetcher | None = None
) -> tuple[Feed, list[tuple[str, str]]]:
    """Subscribe to `url` (or the first feed a page links); returns the feed and the others."""
    url = check_feed_url(url)
    if library.feed(url) is not None:
        raise LibraryError(f"Already subscribed to {url}.")
    own = fetcher is None
    active = fetcher or Fetcher()
    try:
        if own:
            await active.__aenter__()
        feed_url, title, others = await discover_feed(url, active)
    finally:
        if own:
            await active.__aexit__(None, None, None)
    feed = await asyncio.to_thread(
        library.add_feed, feed_url, title=clean_line(title), tags=[clean_line(t) for t in tags]
    )
    return feed, others


def add_subscription(
    library: Library, url: str, *, tags: Sequence[str] = ()
) -> tuple[Feed, list[tuple[str, str]]]:
    try:
        return asyncio.run(add_subscription_async(library, url, tags=tags))
    except ValueError as error:
        raise LibraryError(str(error)) from None


def import_opml_file(library: Library, path: Path) -> tuple[int, int, list[str]]:
    """Subscribe to the feeds of an OPML file: (added, already subscribed, warnings)."""
    from reader.feeds.opml import parse_opml
    from reader.text.importer import MAX_BYTES, ImportProblem

    try:
        if path.is_dir():
            raise ImportProblem(f"{path} is a folder, not a file.")
        if path.stat().st_size > MAX_BYTES:
            raise ImportProblem(f"{path} is over the 10 MB limit.")
        data = path.read_bytes()
    except FileNotFoundError:
        raise LibraryError(f"{path} does not exist.") from None
    except (ImportProblem, OSError) as error:
        raise LibraryError(
            str(error)
            if isinstance(error, ImportProblem)
            else f"{path} cannot be read ({error.strerror})."
        ) from None
    try:
        feeds, warnings = parse_opml(data)
    except ValueError as error:
        raise LibraryError(f"{path}: {error}") from None
    known = [item for item in feeds if library.feed(item.url) is not None]
    added = library.add_feeds(
        [
            (item.url, item.title, item.tags, item.site_url)
            for item in feeds
            if library.feed(item.url) is None
        ]
    )
    return len(added), len(known), warnings
