"""Article bodies, kept out of the metadata file and loaded only when an article opens.

Feed articles: one JSON file per feed (`bodies/feeds/FEED.json`, id -> body as fetched, see
reader.text.body), rewritten once per refresh of that feed, so a refresh of 200 feeds costs
200 fsyncs, not 10,000; bodies become readable text when read.
Local articles: one text file each (`bodies/local/ID.txt`), written at import.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import orjson

from reader.library.atomic import atomic_write, clean_stale_temps, ensure_dir
from reader.library.errors import LibraryDamaged
from reader.library.storage import load_json_file
from reader.text.body import StoredBody, stored_to_text

_CACHE_FEEDS = 4


def _guarded(method):
    """Body files and their cache have their own lock, so a refresh writing bodies does not
    hold the library's lock (which every keypress needs) while it waits for the disk."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class BodyStore:
    def __init__(self, directory: Path, readonly: bool = False) -> None:
        self._lock = threading.RLock()
        self.feeds_dir = directory / "bodies" / "feeds"
        self.local_dir = directory / "bodies" / "local"
        self.readonly = readonly
        self._cache: OrderedDict[str, dict[str, str]] = OrderedDict()

    @property
    def lock(self) -> threading.RLock:
        """Held for a read-modify-write of body files that must not interleave with another
        (reentrant: the methods here take it too)."""
        return self._lock

    def prepare(self) -> None:
        if self.readonly:
            return
        # bodies/ first: mkdir(parents=True) would create it with the umask's mode (0755).
        for folder in (self.feeds_dir.parent, self.feeds_dir, self.local_dir):
            ensure_dir(folder)
            clean_stale_temps(folder)

    # Local articles -------------------------------------------------------------------
    def _local_path(self, article_id: str) -> Path:
        return self.local_dir / f"{article_id}.txt"

    @_guarded
    def put_local(self, article_id: str, text: str) -> None:
        atomic_write(self._local_path(article_id), text.encode("utf-8"), sync_dir=False)

    def sync_local(self) -> None:
        from reader.library.atomic import fsync_dir

        fsync_dir(self.local_dir)

    # Feed articles --------------------------------------------------------------------
    def _feed_path(self, feed_id: str) -> Path:
        return self.feeds_dir / f"{feed_id}.json"

    @_guarded
    def feed_bodies(self, feed_id: str) -> dict[str, StoredBody]:
        cached = self._cache.get(feed_id)
        if cached is not None:
            self._cache.move_to_end(feed_id)
            return cached
        try:
            data = load_json_file(self._feed_path(feed_id)) or {}
        except LibraryDamaged:  # a damaged body file loses its bodies, never the library
            data = {}
        # Any other error (EIO, EMFILE, no memory) propagates and nothing is cached: treating
        # it as "no bodies" would let the next refresh replace the file with only new ones.
        if not isinstance(data, dict):
            data = {}
        self._cache[feed_id] = data
        if len(self._cache) > _CACHE_FEEDS:
            self._cache.popitem(last=False)
        return data

    def scan_feed(self, feed_id: str) -> dict[str, StoredBody]:
        """A feed's bodies for a one-off pass (search): the cached copy if there is one,
        else read without caching, so a search does not push out what articles use."""
        with self._lock:
            cached = self._cache.get(feed_id)
        if cached is not None:
            return cached
        try:
            data = load_json_file(self._feed_path(feed_id)) or {}
        except (LibraryDamaged, OSError):
            return {}
        return data if isinstance(data, dict) else {}

    def local_text(self, article_id: str) -> str:
        try:
            return self._local_path(article_id).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            return ""

    @_guarded
    def put_feed(self, feed_id: str, updates: Mapping[str, StoredBody],
                 removals: set[str]) -> None:
        """Merge new/changed bodies into the feed's file and drop removed ones."""
        if not updates and not removals:
            return
        bodies = dict(self.feed_bodies(feed_id))
        bodies.update(updates)
        for article_id in removals:
            bodies.pop(article_id, None)
        atomic_write(self._feed_path(feed_id), orjson.dumps(bodies), sync_dir=False)
        self._cache[feed_id] = bodies

    @_guarded
    def put_feeds(self, items: list[tuple[str, Mapping[str, StoredBody], set[str]]]) -> None:
        """put_feed for many feeds at once; the files are written and fsynced in parallel.

        A refresh touches ~200 files: one after the other their fsyncs were most of the
        store's time. Raises the first error (the caller then writes no metadata).
        """
        prepared: list[tuple[str, dict[str, StoredBody]]] = []
        for feed_id, updates, removals in items:
            if not updates and not removals:
                continue
            bodies = dict(self.feed_bodies(feed_id))
            bodies.update(updates)
            for article_id in removals:
                bodies.pop(article_id, None)
            prepared.append((feed_id, bodies))

        def write(item: tuple[str, dict[str, StoredBody]]) -> None:
            feed_id, bodies = item
            atomic_write(self._feed_path(feed_id), orjson.dumps(bodies), sync_dir=False)

        if len(prepared) > 1:
            with ThreadPoolExecutor(max_workers=min(8, len(prepared))) as pool:
                list(pool.map(write, prepared))
        elif prepared:
            write(prepared[0])
        for feed_id, bodies in prepared[-_CACHE_FEEDS:]:
            self._cache[feed_id] = bodies
            self._cache.move_to_end(feed_id)
        while len(self._cache) > _CACHE_FEEDS:
            self._cache.popitem(last=False)
        for feed_id, _ in prepared[:-_CACHE_FEEDS]:
            self._cache.pop(feed_id, None)  # stale copies would hide the new file

    @_guarded
    def forget_cached(self, feed_id: str) -> None:
        """Another process rewrote this feed's file: read it again next time."""
        self._cache.pop(feed_id, None)

    def sync_feeds(self) -> None:
        from reader.library.atomic import fsync_dir

        fsync_dir(self.feeds_dir)

    @_guarded
    def drop_feed(self, feed_id: str, keep: set[str]) -> None:
        """Remove a feed's bodies except those of articles that stay (bookmarked, quoted)."""
        self.keep_as_local(feed_id, keep)
        self.delete_feed(feed_id)

    @_guarded
    def keep_as_local(self, feed_id: str, keep: set[str]) -> None:
        """Copy the bodies of articles that outlive their feed to local body files."""
        bodies = self.feed_bodies(feed_id)
        for article_id in keep:
            stored = bodies.get(article_id)
            if stored is not None:
                self.put_local(article_id, stored_to_text(stored))
        if keep:
            self.sync_local()

    @_guarded
    def delete_feed(self, feed_id: str) -> None:
        """Delete a feed's body file (after the metadata no longer lists its articles)."""
        self._cache.pop(feed_id, None)
        with contextlib.suppress(FileNotFoundError):
            self._feed_path(feed_id).unlink()

    # Either ---------------------------------------------------------------------------
    @_guarded
    def get(self, article_id: str, feed_id: str | None) -> str:
        if feed_id:
            stored = self.feed_bodies(feed_id).get(article_id)
            if stored is not None:
                return stored_to_text(stored)
        try:
            return self._local_path(article_id).read_text("utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return ""

    @_guarded
    def delete_local(self, article_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._local_path(article_id).unlink()
