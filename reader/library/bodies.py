"""Article bodies, kept out of the metadata file and loaded only when an article opens.

Feed articles: one JSON file per feed (`bodies/feeds/FEED.json`, id -> text), rewritten once
per refresh of that feed, so a refresh of 200 feeds costs 200 fsyncs, not 10,000.
Local articles: one text file each (`bodies/local/ID.txt`), written at import.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

import orjson

from reader.library.atomic import atomic_write, clean_stale_temps, ensure_dir
from reader.library.storage import load_json_file

_CACHE_FEEDS = 4


class BodyStore:
    def __init__(self, directory: Path, readonly: bool = False) -> None:
        self.feeds_dir = directory / "bodies" / "feeds"
        self.local_dir = directory / "bodies" / "local"
        self.readonly = readonly
        self._cache: OrderedDict[str, dict[str, str]] = OrderedDict()

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

    def put_local(self, article_id: str, text: str) -> None:
        atomic_write(self._local_path(article_id), text.encode("utf-8"), sync_dir=False)

    def sync_local(self) -> None:
        from reader.library.atomic import fsync_dir

        fsync_dir(self.local_dir)

    # Feed articles --------------------------------------------------------------------
    def _feed_path(self, feed_id: str) -> Path:
        return self.feeds_dir / f"{feed_id}.json"

    def feed_bodies(self, feed_id: str) -> dict[str, str]:
        cached = self._cache.get(feed_id)
        if cached is not None:
            self._cache.move_to_end(feed_id)
            return cached
        try:
            data = load_json_file(self._feed_path(feed_id)) or {}
        except Exception:  # a damaged body file loses bodies, never the library
            data = {}
        self._cache[feed_id] = data
        if len(self._cache) > _CACHE_FEEDS:
            self._cache.popitem(last=False)
        return data

    def put_feed(self, feed_id: str, updates: Mapping[str, str], removals: set[str]) -> None:
        """Merge new/changed bodies into the feed's file and drop removed ones."""
        if not updates and not removals:
            return
        bodies = dict(self.feed_bodies(feed_id))
        bodies.update(updates)
        for article_id in removals:
            bodies.pop(article_id, None)
        atomic_write(self._feed_path(feed_id), orjson.dumps(bodies), sync_dir=False)
        self._cache[feed_id] = bodies

    def sync_feeds(self) -> None:
        from reader.library.atomic import fsync_dir

        fsync_dir(self.feeds_dir)

    def drop_feed(self, feed_id: str, keep: set[str]) -> None:
        """Remove a feed's bodies except those of articles that stay (bookmarked, quoted)."""
        self.keep_as_local(feed_id, keep)
        self.delete_feed(feed_id)

    def keep_as_local(self, feed_id: str, keep: set[str]) -> None:
        """Copy the bodies of articles that outlive their feed to local body files."""
        bodies = self.feed_bodies(feed_id)
        for article_id in keep:
            text = bodies.get(article_id)
            if text is not None:
                self.put_local(article_id, text)
        if keep:
            self.sync_local()

    def delete_feed(self, feed_id: str) -> None:
        """Delete a feed's body file (after the metadata no longer lists its articles)."""
        self._cache.pop(feed_id, None)
        with contextlib.suppress(FileNotFoundError):
            self._feed_path(feed_id).unlink()

    # Either ---------------------------------------------------------------------------
    def get(self, article_id: str, feed_id: str | None) -> str:
        if feed_id:
            text = self.feed_bodies(feed_id).get(article_id)
            if text is not None:
                return text
        try:
            return self._local_path(article_id).read_text("utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return ""

    def delete_local(self, article_id: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._local_path(article_id).unlink()
