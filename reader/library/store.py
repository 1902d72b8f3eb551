"""The library: feeds, articles, read/bookmark state and saved quotes on disk.

Layout of DATA_DIR (every file 0600, the directory 0700):
    library.json   TinyDB (AtomicJSONStorage): tables meta, feeds, articles (metadata only,
                   one row per article: see ARTICLE_ROW)
    state.json     read / bookmarked snapshot;  state.log  its append-only journal
    quotes.json    saved quotes
    bodies/        article bodies (see bodies.py)
    lock           the single-writer lock, holding the writer's pid
    *.bak          one backup generation of each JSON file (the last good write)
    library.json.schemaN   the file as it was before a migration from schema N

Everything the UI asks for on a keypress is answered from in-memory indexes. Methods are
thread-safe (one lock), so the TUI can run writes in worker threads.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol, TypeVar

from reader.library.atomic import atomic_write, clean_stale_temps, ensure_dir
from reader.library.bodies import BodyStore
from reader.library.errors import LibraryDamaged, LibraryError, LibraryTooNew, ReadOnlyLibrary
from reader.library.journal import StateJournal
from reader.library.lock import WriterLock
from reader.library.quotes_store import QuoteStore
from reader.library.storage import KeyedTable, open_db
from reader.models import Article, Feed, Quote, short_hash, to_iso, utc_now
from reader.quotes.anchor import locate, span_holds
from reader.text.body import stored_to_text
from reader.text.clean import clean_line
from reader.text.find import TextQuery

SCHEMA_VERSION = 2
# Since schema 2 an article is stored as a row: these fields in this order, keyed by its id.
# A list parses faster than a dict and takes 136 bytes instead of 632, which is what keeps
# open time and peak memory in budget at 100,000 articles (bench/README.md).
ARTICLE_ROW = ("title", "feed_id", "author", "link", "published", "added_at", "source",
               "guid", "content_hash", "enclosures")
DEFAULT_KEEP_PER_FEED = 1000
DB_NAME = "library.json"
JSON_FILES = ("library.json", "state.json", "quotes.json")

T = TypeVar("T")


def _locked(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: Library, *args: Any, **kwargs: Any) -> T:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


def _writer(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: Library, *args: Any, **kwargs: Any) -> T:
        if self.readonly:
            raise ReadOnlyLibrary()
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class EntryLike(Protocol):
    """What a parsed feed entry offers the store (reader.feeds.parse.ParsedEntry)."""

    guid: str
    title: str
    link: str
    author: str
    published: str | None
    text: str
    enclosures: list[dict]
    content_hash: str


@dataclass(slots=True)
class LocalArticleInput:
    title: str
    author: str
    body: str
    link: str = ""
    published: str | None = None


@dataclass(slots=True)
class FeedChange:
    """One feed's outcome of a refresh, applied to the library in a single batch."""

    feed: Feed
    entries: Sequence[EntryLike] | None = None  # None: nothing new (304, error, gone)
    before: Feed | None = None  # the feed as the refresh found it (to tell the user's edits)


@dataclass(slots=True)
class StoreResult:
    new: int = 0
    updated: int = 0
    removed: int = 0
    new_ids: list[str] = field(default_factory=list)


def _stored_body(entry: EntryLike) -> str | list:
    """Parsed entries hand over their markup (converted when read); others their text."""
    stored = getattr(entry, "stored_body", None)
    return stored() if callable(stored) else entry.text


def bodies_to_stage(feed_id: str, entries: Sequence[EntryLike], known: Mapping[str, str]
                    ) -> tuple[list[str], dict[str, str | list], dict[str, str]]:
    """(each entry's article id, the bodies to write, their content hashes) for a refresh:
    new and changed entries only (`known`: article id -> stored content hash); a later
    duplicate of a guid loses to the first."""
    ids = [short_hash(feed_id, entry.guid) for entry in entries]
    updates: dict[str, str | list] = {}
    hashes: dict[str, str] = {}
    for article_id, entry in zip(ids, entries, strict=True):
        if article_id in updates or known.get(article_id) == entry.content_hash:
            continue
        updates[article_id] = _stored_body(entry)
        hashes[article_id] = entry.content_hash
    return ids, updates, hashes


def _with_user_edits(refreshed: Feed, current: Feed, before: Feed | None) -> Feed:
    """The feed a refresh stores: its own metadata, but the title and tags the user set
    while it ran (the refresh only fills an empty title and never changes tags)."""
    if before is None:  # no snapshot: a title or tags that differ must be the user's
        edited_title = bool(current.title) and current.title != refreshed.title
        edited_tags = current.tags != refreshed.tags
    else:
        edited_title, edited_tags = current.title != before.title, current.tags != before.tags
    if not (edited_title or edited_tags):
        return refreshed
    return replace(refreshed, title=current.title if edited_title else refreshed.title,
                   tags=list(current.tags if edited_tags else refreshed.tags))


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Opening a library or storing a refresh allocates up to hundreds of thousands of
    objects and none of them is garbage: the cyclic collector would walk the growing heap
    again and again for nothing (~30 % of an open, ~15 % of a 10,000-entry refresh)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _sort_key(article: Article) -> str:
    return article.published or article.added_at or ""


_row_values = attrgetter(*ARTICLE_ROW)


def _article_row(article: Article) -> list:
    """The stored form of an article's metadata (read/bookmark state lives in the journal)."""
    return list(_row_values(article))


# Article(id, *row) is the fast way to build 100,000 articles, if the fields line up.
_POSITIONAL_ROWS = tuple(Article.__dataclass_fields__)[: len(ARTICLE_ROW) + 1] == (
    "id", *ARTICLE_ROW)


def _article_from_row(article_id: str, row: list) -> Article:
    if _POSITIONAL_ROWS:
        return Article(article_id, *row)
    return Article(id=article_id, **dict(zip(ARTICLE_ROW, row, strict=True)))


@contextlib.contextmanager
def _damage_guard(path: Path) -> Iterator[None]:
    """Valid JSON of the wrong shape (a hand edit, another program) is damage, not a crash."""
    try:
        yield
    except (TypeError, ValueError, AttributeError, KeyError) as error:
        backup = path.with_name(path.name + ".bak")
        raise LibraryDamaged(
            path, f"unexpected content: {error}", backup if backup.exists() else None
        ) from None


class Library:
    """Open with `Library.open(path)`; close with `close()` (or use it as a context manager)."""

    def __init__(self, data_dir: Path, readonly: bool) -> None:
        self.data_dir = data_dir
        self.readonly = readonly
        self.keep_per_feed = DEFAULT_KEEP_PER_FEED
        self._lock = threading.RLock()
        self._writer_lock: WriterLock | None = None
        self._articles: dict[str, Article] = {}
        self._feeds: dict[str, Feed] = {}
        self._by_feed: dict[str | None, list[str]] = {}
        self._all_sorted: list[str] | None = None
        self._listeners: list[Callable[[str], None]] = []
        self.change_count = 0  # any change (articles, state, feeds, quotes) adds one
        self._staged_bodies: dict[str, dict[str, str]] = {}  # feed -> article id -> hash
        self.journal = StateJournal(data_dir, readonly)
        self.quotes = QuoteStore(data_dir, readonly)
        self.bodies = BodyStore(data_dir, readonly)
        self._db = None
        self._storage = None
        self.open_seconds = 0.0

    # Opening and closing ---------------------------------------------------------------
    @classmethod
    def open(cls, data_dir: str | Path, *, readonly: bool = False) -> Library:
        started = time.perf_counter()
        library = cls(Path(data_dir), readonly)
        try:
            with _gc_paused():
                library._open()
        except BaseException:
            library._release()
            library.journal.release()
            raise
        library.open_seconds = time.perf_counter() - started
        return library

    def _open(self) -> None:
        if not self.readonly:
            try:
                ensure_dir(self.data_dir)
            except OSError as error:
                raise LibraryError(
                    f"Cannot create the library folder {self.data_dir}: {error.strerror}."
                ) from None
            if not self.data_dir.is_dir():
                raise LibraryError(f"The library path {self.data_dir} is not a folder.")
            self._writer_lock = WriterLock(self.data_dir)
            self._writer_lock.acquire()
            clean_stale_temps(self.data_dir)
            self.bodies.prepare()
        elif self.data_dir.exists() and not self.data_dir.is_dir():
            raise LibraryError(f"The library path {self.data_dir} is not a folder.")
        db_path = self.data_dir / DB_NAME
        if self.readonly and not db_path.exists():
            self._db = None
        else:
            self._db, self._storage = open_db(db_path, self.readonly)
            with _damage_guard(db_path):
                self._load_documents(self._check_schema())
        with _damage_guard(self.journal.snapshot_path):
            self.journal.load()
        with _damage_guard(self.quotes.path):
            self.quotes.load()
        read, bookmarked = self.journal.sets["read"], self.journal.sets["bookmarked"]
        for article_id in read:
            article = self._articles.get(article_id)
            if article is not None:
                article.read = True
        for article_id in bookmarked:
            article = self._articles.get(article_id)
            if article is not None:
                article.bookmarked = True
        if not self.readonly:
            # State of articles that are gone (a crash between a prune and its journal line)
            # must not come back if a refresh brings the same article again.
            stale = (read | bookmarked) - self._articles.keys()
            if stale:
                self.journal.forget(stale)
        self._reindex_all()

    def _load_documents(self, version: int) -> None:
        for doc_id, doc in self._table("feeds").raw().items():
            self._feeds[doc_id] = Feed.from_dict(doc)
        articles = self._articles
        rows = self._table("articles").raw()
        if version >= 2:
            width = len(ARTICLE_ROW)
            for doc_id, row in rows.items():
                if type(row) is not list or len(row) != width:
                    raise ValueError(f"article {doc_id!r} is not a row of {width} fields")
                if _POSITIONAL_ROWS:  # inlined _article_from_row: this loop runs 100,000 times
                    articles[doc_id] = Article(doc_id, *row)
                else:  # pragma: no cover
                    articles[doc_id] = _article_from_row(doc_id, row)
        else:  # an old library opened read-only: not migrated, documents are dicts
            for doc_id, doc in rows.items():
                articles[doc_id] = Article.from_dict({**doc, "id": doc_id})

    def _check_schema(self) -> int:
        """Migrate an older library (writers only); returns the schema of the data now."""
        meta = self._table("meta")
        doc = meta.raw().get("schema")
        version = int(doc.get("version", 0)) if doc else 0
        if version > SCHEMA_VERSION:
            raise LibraryTooNew(self.data_dir / DB_NAME, version, SCHEMA_VERSION)
        if version < SCHEMA_VERSION and not self.readonly:
            db_path = self.data_dir / DB_NAME
            if version > 0 and db_path.exists():  # keep the old file for a downgrade
                shutil.copy2(db_path, db_path.with_name(f"{DB_NAME}.schema{version}"))
            for step in range(version, SCHEMA_VERSION):
                MIGRATIONS[step](self)
            meta.apply({"schema": {"version": SCHEMA_VERSION}})
            self._flush_db()
            return SCHEMA_VERSION
        return version

    def _table(self, name: str) -> KeyedTable:
        assert self._db is not None
        table = self._db.table(name, cache_size=0)
        assert isinstance(table, KeyedTable)
        return table

    def _flush_db(self) -> None:
        if self._storage is not None:
            self._storage.flush()

    @_locked
    def flush(self) -> None:
        self._flush_db()

    def close(self) -> None:
        with self._lock:
            try:
                if not self.readonly:
                    try:
                        self._flush_db()
                    finally:
                        self.journal.close()
            finally:
                self._release()

    def _release(self) -> None:
        if self._writer_lock is not None:
            self._writer_lock.release()
            self._writer_lock = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _ensure_db(self) -> None:
        if self._db is None:
            self._db, self._storage = open_db(self.data_dir / DB_NAME, self.readonly)
            self._load_documents(self._check_schema())

    # Change notification -----------------------------------------------------------------
    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call `listener(kind)` after a change ("articles", "state", "feeds", "quotes")."""
        self._listeners.append(listener)

    def _changed(self, kind: str) -> None:
        self.change_count += 1  # lets a cache of derived results (a text search) notice
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):
                listener(kind)

    # Indexes -----------------------------------------------------------------------------
    def _reindex_all(self) -> None:
        newest_first = sorted(self._articles.values(), key=_sort_key, reverse=True)
        by_feed: dict[str | None, list[str]] = {}
        for article in newest_first:
            by_feed.setdefault(article.feed_id, []).append(article.id)
        self._by_feed = by_feed
        self._all_sorted = [article.id for article in newest_first]

    def _reindex_feed(self, feed_id: str | None) -> None:
        """Re-sort one feed's ids after appends (a feed holds ~1,000, so this is cheap)."""
        ids = [i for i in self._by_feed.get(feed_id, []) if i in self._articles]
        self._by_feed[feed_id] = sorted(
            dict.fromkeys(ids), key=lambda i: _sort_key(self._articles[i]), reverse=True
        )
        self._all_sorted = None

    def _all_ids(self) -> list[str]:
        if self._all_sorted is None:
            self._all_sorted = sorted(
                self._articles, key=lambda i: _sort_key(self._articles[i]), reverse=True
            )
        return self._all_sorted

    # Queries -----------------------------------------------------------------------------
    @_locked
    def article(self, article_id: str) -> Article | None:
        """By full id, or by a unique prefix of at least 4 characters."""
        found = self._articles.get(article_id)
        if found is not None or len(article_id) < 4:
            return found
        matches = [a for key, a in self._articles.items() if key.startswith(article_id)]
        return matches[0] if len(matches) == 1 else None

    @_locked
    def articles(
        self,
        *,
        feed_id: str | None = None,
        tag: str | None = None,
        local: bool = False,
        unread: bool = False,
        bookmarked: bool = False,
        search: str | None = None,
        also: Collection[str] = (),
        limit: int | None = None,
    ) -> list[Article]:
        """Articles newest first, filtered; answered from the in-memory indexes. `search`
        matches title, author and feed title; the ids in `also` match it too (the ones
        `text_matches` found in the article text)."""
        if bookmarked:
            ids: Iterable[str] = sorted(
                (i for i in self.journal.sets["bookmarked"] if i in self._articles),
                key=lambda i: _sort_key(self._articles[i]),
                reverse=True,
            )
        elif feed_id is not None:
            ids = self._by_feed.get(feed_id, [])
        elif local:
            ids = self._by_feed.get(None, [])
        elif tag is not None:
            feed_ids = [f.id for f in self._feeds.values() if tag in f.tags]
            ids = sorted(
                (i for fid in feed_ids for i in self._by_feed.get(fid, [])),
                key=lambda i: _sort_key(self._articles[i]),
                reverse=True,
            )
        else:
            ids = self._all_ids()
        tag_feeds = (
            {f.id for f in self._feeds.values() if tag in f.tags} if tag is not None else None
        )
        needle = search.casefold() if search else None
        result: list[Article] = []
        for article_id in ids:
            article = self._articles[article_id]
            if feed_id is not None and article.feed_id != feed_id:
                continue
            if local and article.feed_id is not None:
                continue
            if tag_feeds is not None and article.feed_id not in tag_feeds:
                continue
            if unread and article.read:
                continue
            if needle is not None and not (self._matches(article, needle) or article_id in also):
                continue
            result.append(article)
            if limit is not None and len(result) >= limit:
                break
        return result

    def _matches(self, article: Article, needle: str) -> bool:
        if needle in article.title.casefold() or needle in article.author.casefold():
            return True
        feed = self._feeds.get(article.feed_id or "")
        return feed is not None and needle in feed.title.casefold()

    def body(self, article_id: str) -> str:
        """The readable text (read under the body files' lock, not the library's)."""
        with self._lock:
            article = self._articles.get(article_id)
        if article is None:
            return ""
        return self.bodies.get(article_id, article.feed_id)

    def text_matches(self, query: str, ids: Iterable[str],
                     should_stop: Callable[[], bool] | None = None) -> set[str]:
        """The ids among `ids` whose readable text contains `query` (any case, any spacing).

        Reads each feed's body file once, tests the stored HTML quickly and converts only the
        bodies that may match (see reader.text.find); runs without the library's lock, so
        call it from a thread. `should_stop` is asked between feeds (a newer search).
        """
        needle = TextQuery(query)
        if not needle:
            return set()
        by_feed: dict[str | None, list[str]] = {}
        with self._lock:
            for article_id in ids:
                article = self._articles.get(article_id)
                if article is not None:
                    by_feed.setdefault(article.feed_id, []).append(article_id)
        found: set[str] = set()
        for feed_id, group in by_feed.items():
            if should_stop is not None and should_stop():
                break
            if feed_id is None:
                found.update(i for i in group if needle.in_text(self.bodies.local_text(i)))
                continue
            stored = self.bodies.scan_feed(feed_id)
            for article_id in group:
                body = stored.get(article_id)
                if body is None:  # kept after its feed went: a local file now
                    body = self.bodies.local_text(article_id)
                if isinstance(body, str):
                    if needle.in_text(body):
                        found.add(article_id)
                elif (isinstance(body, list) and len(body) == 3 and isinstance(body[1], str)
                      and needle.may_be_in_markup(body[1], str(body[2]))
                      and needle.in_text(stored_to_text(body))):
                    found.add(article_id)
        return found

    @_locked
    def count(self) -> int:
        return len(self._articles)

    @_locked
    def counts(self, feed_id: str | None) -> tuple[int, int]:
        """(unread, total) for a feed, or for local articles when feed_id is None."""
        ids = self._by_feed.get(feed_id, [])
        read = self.journal.sets["read"]
        return sum(1 for i in ids if i not in read), len(ids)

    @_locked
    def unread_total(self) -> int:
        return sum(1 for article in self._articles.values() if not article.read)

    @_locked
    def feeds(self) -> list[Feed]:
        return sorted(self._feeds.values(), key=lambda f: (f.title or f.url).casefold())

    @_locked
    def feed(self, ref: str) -> Feed | None:
        """A feed by id, by its URL or by an old URL it moved from."""
        if ref in self._feeds:
            return self._feeds[ref]
        for feed in self._feeds.values():
            if ref == feed.url or ref in feed.aliases:
                return feed
        return None

    @_locked
    def tags(self) -> list[str]:
        return sorted({t for f in self._feeds.values() for t in f.tags}, key=str.casefold)

    # Read and bookmark state -----------------------------------------------------------------
    def _set_state(self, name: str, ids: Iterable[str], value: bool) -> list[str]:
        changed = [
            i for i in dict.fromkeys(ids)
            if i in self._articles and getattr(self._articles[i], name) != value
        ]
        if changed:
            self.journal.set(name, changed, value)
            for article_id in changed:
                setattr(self._articles[article_id], name, value)
            self._changed("state")
        return changed

    @_writer
    def set_read(self, ids: Iterable[str], value: bool = True) -> list[str]:
        """Durably mark articles read/unread; returns the ids whose state changed."""
        return self._set_state("read", ids, value)

    @_writer
    def set_bookmarked(self, ids: Iterable[str], value: bool = True) -> list[str]:
        """Durably (fsync before return) set bookmarks; returns the ids that changed."""
        return self._set_state("bookmarked", ids, value)

    # Local articles ---------------------------------------------------------------------
    @_writer
    def add_local_articles(self, items: Sequence[LocalArticleInput]) -> list[tuple[Article, bool]]:
        """Add imported articles; the same content again gives the existing article."""
        self._ensure_db()
        now = to_iso(utc_now())
        results: list[tuple[Article, bool]] = []
        upserts: dict[str, dict] = {}
        for item in items:
            content_hash = short_hash(item.title, item.author, item.body, length=16)
            article_id = short_hash("local", content_hash)
            existing = self._articles.get(article_id)
            if existing is not None:
                results.append((existing, False))
                continue
            article = Article(
                id=article_id, title=item.title, author=item.author, link=item.link,
                published=item.published, added_at=now, source="local",
                content_hash=content_hash,
            )
            self.bodies.put_local(article_id, item.body)
            upserts[article_id] = _article_row(article)
            self._articles[article_id] = article
            self._by_feed.setdefault(None, []).append(article_id)
            results.append((article, True))
        if upserts:
            self.bodies.sync_local()
            try:
                self._table("articles").apply(upserts)
                self._flush_db()
            except BaseException:
                for article_id in upserts:
                    self._articles.pop(article_id, None)
                self._reindex_feed(None)
                raise
            self._reindex_feed(None)
            self._changed("articles")
        return results

    # Feeds ------------------------------------------------------------------------------
    @_writer
    def add_feed(self, url: str, *, title: str = "", tags: Sequence[str] = ()) -> Feed:
        existing = self.feed(url)
        if existing is not None:
            raise LibraryError(f"Already subscribed to {url} (feed {existing.id}).")
        return self.add_feeds([(url, title, tags, "")])[0]

    @_writer
    def add_feeds(self, items: Sequence[tuple[str, str, Sequence[str], str]]) -> list[Feed]:
        """Subscribe to many (url, title, tags, site_url) in one write; known URLs are skipped."""
        self._ensure_db()
        added: list[Feed] = []
        seen: set[str] = set()
        for url, title, tags, site_url in items:
            if url in seen or self.feed(url) is not None:
                continue
            seen.add(url)
            feed = Feed(id=Feed.make_id(url), url=url, title=title, site_url=site_url,
                        tags=list(dict.fromkeys(t for t in tags if t)),
                        added_at=to_iso(utc_now()))
            while feed.id in self._feeds or any(f.id == feed.id for f in added):
                feed.id = short_hash("feed", feed.id, length=8)  # a rare id collision
            added.append(feed)
        if added:
            self._table("feeds").apply({f.id: f.to_dict() for f in added})
            self._flush_db()
            for feed in added:
                self._feeds[feed.id] = feed
            self._changed("feeds")
        return added

    @_writer
    def update_feeds(self, feeds: Sequence[Feed]) -> None:
        """Save feed metadata (title, tags, validators, errors) in one write."""
        self._ensure_db()
        known = [f for f in feeds if f.id in self._feeds]
        self._table("feeds").apply({f.id: f.to_dict() for f in known})
        self._flush_db()
        for feed in known:
            self._feeds[feed.id] = feed
        self._changed("feeds")

    @_writer
    def edit_feed(self, feed_id: str, *, title: str | None = None,
                  tags: Sequence[str] | None = None) -> Feed:
        """Rename a feed or replace its tags (None: leave as is). A title the user sets is
        kept by later refreshes; an empty one is filled from the feed at the next refresh."""
        feed = self._feeds.get(feed_id)
        if feed is None:
            raise LibraryError(f"No feed {feed_id}.")
        changed = replace(feed, tags=list(feed.tags), aliases=list(feed.aliases))
        if title is not None:
            changed.title = clean_line(title)
        if tags is not None:
            cleaned = (clean_line(tag).lstrip("#").strip() for tag in tags)
            changed.tags = list(dict.fromkeys(tag for tag in cleaned if tag))
        self._ensure_db()
        self._table("feeds").apply({feed_id: changed.to_dict()})
        self._flush_db()
        self._feeds[feed_id] = changed
        self._changed("feeds")
        return changed

    @_writer
    def remove_feed(self, feed_id: str) -> tuple[int, int]:
        """Unsubscribe; bookmarked and quoted articles stay. Returns (removed, kept)."""
        feed = self._feeds.get(feed_id)
        if feed is None:
            raise LibraryError(f"No feed {feed_id}.")
        keep = self.journal.sets["bookmarked"] | self.quotes.article_ids()
        ids = list(self._by_feed.get(feed_id, []))
        kept = {i for i in ids if i in keep}
        removed = [i for i in ids if i not in kept]
        # Order matters for a crash: kept bodies are safe as local files before the metadata
        # changes, and the feed's body file goes only once no stored article needs it.
        self.bodies.keep_as_local(feed_id, kept)
        self._table("articles").apply(removals=removed)
        self._table("feeds").apply(removals=[feed_id])
        self._flush_db()
        self.bodies.delete_feed(feed_id)
        del self._feeds[feed_id]
        self._staged_bodies.pop(feed_id, None)
        for article_id in removed:
            del self._articles[article_id]
        self.journal.forget(set(removed))
        self._by_feed[feed_id] = [i for i in ids if i in kept]  # still newest first
        if not self._by_feed[feed_id]:
            del self._by_feed[feed_id]
        self._all_sorted = None
        self._changed("feeds")
        self._changed("articles")
        return len(removed), len(kept)

    @_locked
    def content_hashes(self, feed_id: str) -> dict[str, str]:
        """article id -> content hash for a feed's articles (to tell changed entries)."""
        return {i: self._articles[i].content_hash for i in self._by_feed.get(feed_id, [])
                if i in self._articles}

    @_writer
    def mark_staged(self, feed_id: str, hashes: dict[str, str]) -> None:
        """Bodies another process wrote for this feed (see stage_bodies); drop cached copies."""
        self.bodies.forget_cached(feed_id)
        self._staged_bodies.setdefault(feed_id, {}).update(hashes)

    def stage_bodies(self, feed_id: str, entries: Sequence[EntryLike]) -> int:
        """Write a feed's new and changed bodies ahead of `apply_refresh`.

        A refresh calls this as each feed is parsed, so the body files are written while
        other feeds are still downloading; `apply_refresh` then only writes the metadata.
        Bodies on disk that no metadata names yet are harmless (a crash here loses nothing
        the next refresh does not bring back). Returns how many bodies were written.
        """
        if self.readonly:
            raise ReadOnlyLibrary()
        with self._lock:  # decide under the library's lock ...
            if feed_id not in self._feeds:
                return 0
            _ids, updates, hashes = bodies_to_stage(feed_id, entries,
                                                    self.content_hashes(feed_id))
        if updates:  # ... write under the body files' own lock only
            self.bodies.put_feed(feed_id, updates, set())
        with self._lock:
            if feed_id not in self._feeds:  # unsubscribed meanwhile: no orphan file
                self.bodies.delete_feed(feed_id)
                return 0
            self._staged_bodies.setdefault(feed_id, {}).update(hashes)
        return len(updates)

    def replace_body(self, article_id: str, markup: str, base: str, *, text: str | None = None,
                     expected_hash: str | None = None) -> None:
        """Store a new body (HTML `markup`, relative links against `base`) for an article,
        such as the full text fetched from its web page (reader.feeds.fulltext).

        `text`: the readable text of that markup, if the caller has it already (it is not
        converted again). `expected_hash`: the article's content hash when the caller read
        its body; if a refresh changed the entry since, its new body stays and this one is
        refused (LibraryError).

        The content hash stays the feed's: a refresh that brings the same entry again skips
        it (the new body stays), one that brings a changed entry replaces the body with the
        feed's version. Saved quotes keep their own text and are found again in the new one.

        Like `stage_bodies`, the library's lock is held only to decide and to notify: the
        conversion runs outside any lock and the file is written under the body files' own.
        """
        from reader.feeds.urls import is_http_url
        from reader.text.body import BodySource, StoredBody

        changed = "The article changed while its page was fetched; try again."
        if self.readonly:
            raise ReadOnlyLibrary()
        with self._lock:  # decide under the library's lock ...
            article = self._articles.get(article_id)
            if article is None:
                raise LibraryError(f"No article {article_id}.")
            if not is_http_url(article.link):
                raise LibraryError("This article has no web link, so its body is not replaced.")
            feed_id = article.feed_id if article.feed_id in self._feeds else None
            pending = self._staged_bodies.get(feed_id or "", {})
            if (expected_hash is not None and article.content_hash != expected_hash) or (
                    article_id in pending):  # a refresh has written its new body already
                raise LibraryError(changed)
        source = BodySource.of(markup, "html", base)  # ... convert outside any lock ...
        if text is None:
            text = source.to_text()
        if not text.strip():
            raise LibraryError("The new article text is empty; the article was left as it is.")
        new = source.stored()
        before: StoredBody | None = None
        if feed_id is not None:  # ... write under the body files' own lock
            with self.bodies.lock:
                # Read the file again: another process (a refresh's worker) may have
                # rewritten it, and a stale cached copy must not be written back over that.
                self.bodies.forget_cached(feed_id)
                before = self.bodies.feed_bodies(feed_id).get(article_id)
                self.bodies.put_feed(feed_id, {article_id: new}, set())
            self.bodies.sync_feeds()
        else:  # a local article, or one kept after its feed went: one text file
            self.bodies.put_local(article_id, text)
            self.bodies.sync_local()
        with self._lock:  # ... and take the library's lock again only to check and notify
            article = self._articles.get(article_id)
            gone = feed_id is not None and feed_id not in self._feeds
            if gone:  # unsubscribed meanwhile: no orphan body file
                self.bodies.delete_feed(feed_id)
            raced = article is not None and not gone and (
                (expected_hash is not None and article.content_hash != expected_hash)
                or article_id in self._staged_bodies.get(feed_id or "", {}))
            if article is not None and not gone and not raced:
                self._changed("articles")
                return

        def take_back() -> None:
            """Undo this write unless another has replaced it since (the newer one stays)."""
            assert feed_id is not None
            with self.bodies.lock:
                self.bodies.forget_cached(feed_id)
                if self.bodies.feed_bodies(feed_id).get(article_id) == new:
                    if before is None:
                        self.bodies.put_feed(feed_id, {}, {article_id})
                    else:
                        self.bodies.put_feed(feed_id, {article_id: before}, set())
            self.bodies.sync_feeds()

        if article is None:  # pruned by a refresh, or its feed went without it meanwhile
            if not gone:
                take_back()
            raise LibraryError("The article was removed while its page was fetched.")
        if gone:  # kept after its feed went (bookmarked, quoted): its own text file now
            self.bodies.put_local(article_id, text)
            self.bodies.sync_local()
            with self._lock:
                self._changed("articles")
            return
        # A refresh stored the entry's new version while this body was written: whichever
        # was written last is on disk; if it is this one, the refreshed body goes back.
        take_back()
        with self._lock:
            self._changed("articles")
        raise LibraryError(changed)

    @_writer
    def apply_refresh(self, changes: Sequence[FeedChange]) -> dict[str, StoreResult]:
        """Store a refresh: new and changed entries, feed metadata, retention; one write.

        An entry is identified by (feed, guid); when its content changes it is updated in
        place and keeps its read, bookmark and quote state.
        """
        with _gc_paused():
            return self._apply_refresh(changes)

    def _apply_refresh(self, changes: Sequence[FeedChange]) -> dict[str, StoreResult]:
        self._ensure_db()
        now = to_iso(utc_now())
        results: dict[str, StoreResult] = {}
        upserts: dict[str, list] = {}
        removals: list[str] = []
        feed_docs: dict[str, dict] = {}
        protected = self.journal.sets["bookmarked"] | self.quotes.article_ids()
        body_writes: list[tuple[str, dict, set[str]]] = []
        staged_any = bool(self._staged_bodies)
        for change in changes:
            feed = change.feed
            current = self._feeds.get(feed.id)
            if current is None:
                continue  # removed while the refresh ran
            feed = _with_user_edits(feed, current, change.before)
            result = results.setdefault(feed.id, StoreResult())
            feed_docs[feed.id] = feed.to_dict()
            if not change.entries:
                continue
            body_updates: dict[str, str | list] = {}
            staged = self._staged_bodies.pop(feed.id, {})  # written already by stage_bodies
            seen: set[str] = set()
            new_ids: list[str] = []
            updated_ids: list[str] = []
            for entry in change.entries:
                article_id = short_hash(feed.id, entry.guid)
                if article_id in seen:
                    continue
                seen.add(article_id)
                existing = self._articles.get(article_id)
                if existing is not None and existing.content_hash == entry.content_hash:
                    continue
                article = Article(
                    id=article_id, title=entry.title, feed_id=feed.id, author=entry.author,
                    link=entry.link, published=entry.published or (
                        existing.published if existing else now),
                    added_at=existing.added_at if existing else now, source="feed",
                    guid=entry.guid, content_hash=entry.content_hash,
                    enclosures=list(entry.enclosures),
                    read=existing.read if existing else False,
                    bookmarked=existing.bookmarked if existing else False,
                )
                if staged.get(article_id) != entry.content_hash:
                    body_updates[article_id] = _stored_body(entry)
                upserts[article_id] = _article_row(article)
                self._articles[article_id] = article
                if existing is None:
                    new_ids.append(article_id)
                    self._by_feed.setdefault(feed.id, []).append(article_id)
                else:
                    updated_ids.append(article_id)
            self._reindex_feed(feed.id)
            pruned = self._prune(feed.id, protected)
            removals.extend(pruned)
            # An entry older than what retention keeps is not news: it was never stored, so
            # it counts neither as new now nor as removed.
            gone = set(pruned)
            stored_new = [i for i in new_ids if i not in gone]
            result.removed += len(gone) - (len(new_ids) - len(stored_new))
            new_ids = stored_new
            result.new_ids.extend(new_ids)
            result.new += len(new_ids)
            result.updated += sum(1 for i in updated_ids if i not in gone)
            if body_updates or pruned:
                body_writes.append((feed.id, body_updates, set(pruned)))
        if body_writes:  # bodies first: metadata never names a body that is not on disk
            self.bodies.put_feeds(body_writes)
        if body_writes or staged_any:
            self.bodies.sync_feeds()
        for article_id in removals:
            upserts.pop(article_id, None)
        self._table("articles").apply(upserts, removals)
        self._table("feeds").apply(feed_docs)
        self._flush_db()
        for feed_id, doc in feed_docs.items():
            self._feeds[feed_id] = Feed.from_dict(doc)
        self.journal.forget(set(removals))
        self._all_sorted = None
        self._changed("feeds")
        if upserts or removals:
            self._changed("articles")
        return results

    def _prune(self, feed_id: str, protected: set[str]) -> list[str]:
        ids = self._by_feed.get(feed_id, [])
        if len(ids) <= self.keep_per_feed:
            return []
        keep, pruned = [], []
        for index, article_id in enumerate(ids):
            if index < self.keep_per_feed or article_id in protected:
                keep.append(article_id)
            else:
                pruned.append(article_id)
        self._by_feed[feed_id] = keep
        for article_id in pruned:
            del self._articles[article_id]
        return pruned

    # Quotes -----------------------------------------------------------------------------
    @_locked
    def saved_quotes(self, article_id: str | None = None) -> list[Quote]:
        if article_id is not None:
            return self.quotes.for_article(article_id)
        return sorted(self.quotes.by_id.values(), key=lambda q: (q.created_at or "", q.id))

    @_locked
    def quote(self, quote_id: str) -> Quote | None:
        found = self.quotes.by_id.get(quote_id)
        if found is not None or len(quote_id) < 4:
            return found
        matches = [q for key, q in self.quotes.by_id.items() if key.startswith(quote_id)]
        return matches[0] if len(matches) == 1 else None

    @_writer
    def save_quote(
        self, article_id: str, start: int, end: int, *, speaker: str | None = None,
        kind: str = "full", note: str | None = None, tags: Sequence[str] | None = None,
        origin: str = "user", speaker_mention: str = "", cue: str = "",
        text: str | None = None,
    ) -> Quote:
        """Save a passage of an article.

        `text` is what the user saw: if the article changed since (a refresh updated it in
        place), the passage is looked up again and refused if it is gone. Saving a span
        that is already saved keeps its note, tags and speaker unless new ones are given.
        """
        article = self._articles.get(article_id)
        if article is None:
            raise LibraryError(f"No article {article_id}.")
        body = self.bodies.get(article_id, article.feed_id)
        if text is not None and not span_holds(body, start, end, text):
            found = locate(body, text, near=start)
            if found is None:
                raise LibraryError("The article has changed since it was shown; open it "
                                   "again and choose the passage anew.")
            start, end = found
        if not (0 <= start < end <= len(body)):
            raise LibraryError("That passage is outside the article text.")
        now = to_iso(utc_now())
        quote_id = Quote.make_id(article_id, start, end)
        existing = self.quotes.by_id.get(quote_id)
        keep = existing or Quote(id="", article_id="", text="", start=0, end=0)
        quote = Quote(
            id=quote_id, article_id=article_id,
            text=text if text is not None else body[start:end], start=start, end=end,
            speaker=speaker if speaker is not None else keep.speaker,
            kind=kind if existing is None or origin == existing.origin else existing.kind,
            note=note if note is not None else keep.note,
            tags=list(dict.fromkeys(t for t in tags if t)) if tags is not None else keep.tags,
            origin=existing.origin if existing else origin,
            speaker_mention=speaker_mention or keep.speaker_mention, cue=cue or keep.cue,
            prefix=body[max(0, start - 32):start], suffix=body[end:end + 32],
            created_at=existing.created_at if existing else now, updated_at=now,
        )
        self.quotes.put(quote)
        self._changed("quotes")
        return quote

    @_writer
    def update_quote(self, quote_id: str, *, note: str | None = None,
                     tags: Sequence[str] | None = None, speaker: str | None = None) -> Quote:
        quote = self.quotes.by_id.get(quote_id)
        if quote is None:
            raise LibraryError(f"No saved quote {quote_id}.")
        updated = Quote.from_dict(quote.to_dict())
        if note is not None:
            updated.note = note
        if tags is not None:
            updated.tags = list(dict.fromkeys(t for t in tags if t))
        if speaker is not None:
            updated.speaker = speaker
        updated.updated_at = to_iso(utc_now())
        self.quotes.put(updated)
        self._changed("quotes")
        return updated

    @_writer
    def delete_quote(self, quote_id: str) -> Quote:
        quote = self.quotes.delete(quote_id)
        if quote is None:
            raise LibraryError(f"No saved quote {quote_id}.")
        self._changed("quotes")
        return quote


def _articles_to_rows(library: Library) -> None:
    """Schema 1 -> 2: article documents become rows (see ARTICLE_ROW)."""
    table = library._table("articles")
    rows = {
        doc_id: _article_row(Article.from_dict({**doc, "id": doc_id}))
        for doc_id, doc in table.raw().items()
    }

    def replace_all(stored: dict) -> None:
        stored.clear()
        stored.update(rows)

    table._update_table(replace_all)


MIGRATIONS: dict[int, Callable[[Library], None]] = {
    0: lambda library: None,  # 0 -> 1: a new library; nothing to convert
    1: _articles_to_rows,  # 1 -> 2
}


def restore_backup(data_dir: Path) -> list[str]:
    """Replace each damaged library file by its backup; the damaged file is kept aside.

    Returns the names restored. Raises LibraryError when a damaged file has no usable backup
    (and then leaves that file as it was), or LibraryLocked while Reader runs.
    """
    restored: list[str] = []
    if not data_dir.is_dir():
        return restored
    lock = WriterLock(data_dir)  # never swap files under a running Reader
    lock.acquire()
    try:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for _ in range(len(JSON_FILES) + 1):
            damaged = _first_damaged(data_dir)
            if damaged is None:
                break
            name = damaged.name
            backup = damaged.with_name(name + ".bak")
            if not backup.exists():
                raise LibraryError(f"{name} is damaged and has no backup.")
            original = damaged.read_bytes()
            aside = data_dir / f"{name}.damaged-{stamp}"
            shutil.copy2(damaged, aside)
            atomic_write(damaged, backup.read_bytes())
            again = _first_damaged(data_dir)
            if again is not None and again.name == name:  # the backup is no better
                atomic_write(damaged, original)
                aside.unlink()
                raise LibraryError(f"{name} and its backup are both damaged.")
            restored.append(name)
    finally:
        lock.release()
    return restored


def _first_damaged(data_dir: Path) -> Path | None:
    """The library file a read-only open finds damaged, if any (the same checks as open)."""
    try:
        Library.open(data_dir, readonly=True).close()
    except LibraryDamaged as error:
        return error.path
    return None
