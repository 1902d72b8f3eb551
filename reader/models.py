"""Plain data shared by the core, the CLI and the TUI (no Textual import here).

Feeds, articles and saved quotes are small slotted dataclasses so 100,000 of them stay cheap;
`to_dict`/`from_dict` give the exact shape stored on disk and printed by `--json`.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

QUOTE_KINDS = ("full", "partial", "phrase")


def short_hash(*parts: str, length: int = 12) -> str:
    """A stable hex id from text parts (sha1 is fine: ids, not security)."""
    digest = hashlib.sha1("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:length]


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def to_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a trailing Z, or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    elif moment.utcoffset():
        moment = moment.astimezone(UTC)
    # Formatted by hand: strftime costs 3 us, and a refresh formats three dates an entry.
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
            f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")


def from_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(slots=True)
class Enclosure:
    url: str
    type: str = ""
    length: int | None = None


@dataclass(slots=True)
class Feed:
    """A subscription. `url` is where it is fetched now; `aliases` are URLs it moved from."""

    id: str
    url: str
    title: str = ""
    site_url: str = ""
    tags: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    etag: str = ""
    last_modified: str = ""
    last_fetched: str | None = None  # ISO UTC of the last attempt that reached the server
    last_error: str = ""
    gone: bool = False  # 410: never polled again
    retry_after: str | None = None  # ISO UTC before which we must not poll (429/503)
    added_at: str | None = None
    ttl_minutes: int | None = None  # the feed's own <ttl> (or sy: period), last time it said
    fresh_until: str | None = None  # ISO UTC: scheduled refreshes skip the feed until then

    @staticmethod
    def make_id(url: str) -> str:
        return short_hash("feed", url, length=8)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Feed:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass(slots=True)
class Article:
    """Metadata of one article. The readable body lives in its own file (see library.bodies)."""

    id: str
    title: str
    feed_id: str | None = None  # None for local (imported) articles
    author: str = ""
    link: str = ""
    published: str | None = None  # ISO UTC: published, else updated, else first seen
    added_at: str | None = None
    source: str = "local"  # "feed" or "local"
    guid: str = ""  # identity inside its feed (guid/id, else link, else content hash)
    content_hash: str = ""
    enclosures: list[dict] = field(default_factory=list)
    # State kept in the state journal, merged in memory (never stored in the big file).
    read: bool = False
    bookmarked: bool = False

    STATE_FIELDS = ("read", "bookmarked")

    def to_dict(self) -> dict:
        """The stored metadata document (without read/bookmark state)."""
        data = asdict(self)
        for name in self.STATE_FIELDS:
            data.pop(name, None)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Article:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    def public_dict(self) -> dict:
        """The `--json` shape DESIGN.md fixes for an article."""
        return {
            "id": self.id,
            "feed_id": self.feed_id,
            "title": self.title,
            "author": self.author,
            "link": self.link,
            "published": self.published,
            "read": self.read,
            "bookmarked": self.bookmarked,
            "source": self.source,
        }


@dataclass(slots=True)
class Quote:
    """A saved quotation (or passage) of an article, with character offsets into its text."""

    id: str
    article_id: str
    text: str
    start: int
    end: int
    speaker: str = ""
    kind: str = "full"
    note: str = ""
    tags: list[str] = field(default_factory=list)
    origin: str = "user"  # "auto" (saved from extraction) or "user" (passage chosen by hand)
    speaker_mention: str = ""
    cue: str = ""
    prefix: str = ""
    suffix: str = ""
    created_at: str | None = None
    updated_at: str | None = None

    @staticmethod
    def make_id(article_id: str, start: int, end: int) -> str:
        return short_hash("quote", article_id, str(start), str(end))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Quote:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)
