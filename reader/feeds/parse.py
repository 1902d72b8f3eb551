"""Parse RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed 1.0/1.1 into plain, cleaned entries.

Two paths (notes/storage-feeds-security.md §3.3):

* Fast path: the document is parsed once with a strict lxml parser that never resolves
  entities, never loads a DTD, never touches the network and keeps libxml2's size and depth
  limits (huge_tree=False). If that succeeds the tree is walked here directly. A hand walk
  (rather than fastfeedparser) because it is as fast, reuses the tree the well-formedness
  check already built, and gives what fastfeedparser does not: xml:base resolution, the
  format version, and `content:encoded` vs `description` under our control.
* Tolerant path: anything that is not well-formed XML (bare '&', undefined entities, a wrong
  declared encoding, truncation) goes to `feedparser.parse(io.BytesIO(body))`. Always a
  stream: given bytes or a str, feedparser opens local files and URLs (§5.2).

JSON Feed has its own small mapper (feedparser ignores `authors[]` and `date_modified`).

Every string leaving this module has been through `clean_line` / `clean_text`; bodies are
readable text from `reader.text.html.html_to_text`; links are absolute http(s) or "".
Entity references the strict parser kept unexpanded (an XXE or a billion-laughs payload that
stays within libxml2's limits) are never expanded: a known HTML entity name becomes its
character, anything else is dropped. Within one document the FIRST entry with a given guid
wins (feeds list newest first); later duplicates are dropped.

Parsing is CPU work: from async code call it through `asyncio.to_thread`.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import html as _html
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.entities import html5 as _HTML5_ENTITIES
from typing import Any
from xml.sax.saxutils import escape as _xml_escape

import orjson
from lxml import etree

from reader.feeds.discover import sniff
from reader.feeds.urls import resolve_http
from reader.models import short_hash, to_iso
from reader.text.body import BodySource, StoredBody
from reader.text.clean import clean_line
from reader.text.html import html_to_line

__all__ = ["FeedParseError", "ParsedEntry", "ParsedFeed", "parse_feed"]

ATOM10 = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
MEDIA = "{http://search.yahoo.com/mrss/}"
SY = "{http://purl.org/rss/1.0/modules/syndication/}"
# Child tags the RSS walk compares against, built once (a refresh compares ~45,000 of them).
_CONTENT_ENCODED = CONTENT + "encoded"
_RSS_PUBLISHED = frozenset({"pubDate", DC + "date", DCTERMS + "issued", DCTERMS + "created"})
_RSS_UPDATED = frozenset({DCTERMS + "modified", "{" + ATOM10 + "}updated"})
_DC_CREATOR = DC + "creator"
_MEDIA_CONTENT = MEDIA + "content"
_MEDIA_GROUP = MEDIA + "group"
_ATOM_LINK = "{" + ATOM10 + "}link"
_SY_PERIOD_MINUTES = {"hourly": 60, "daily": 1440, "weekly": 10080, "monthly": 43200,
                      "yearly": 525600}  # fmt: skip
XHTML = "http://www.w3.org/1999/xhtml"

_ENTITY_REF = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_HTML_START = re.compile(rb"<html[\s>]", re.IGNORECASE)
_XML_DECLARED_ENCODING = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")
_LATIN1_NAMES = {b"iso-8859-1", b"latin-1", b"latin1", b"iso8859-1", b"windows-1252", b"cp1252",
                 b"us-ascii", b"ascii"}  # fmt: skip
_CANONICAL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")
_MAX_GUID = 512  # longer ids are hashed: they end up in indexes and file names


@dataclass(slots=True)
class ParsedEntry:
    guid: str  # identity: guid/id, else link, else content_hash
    title: str
    link: str  # absolute http(s) URL or ""
    author: str
    published: str | None  # ISO UTC "YYYY-MM-DDTHH:MM:SSZ": published, else updated
    body: BodySource  # the body as fetched; readable text on demand (`text`)
    enclosures: list[dict] = field(default_factory=list)  # {"url", "type", "length"}
    content_hash: str = ""  # short_hash(title, body): tells the store an entry changed
    updated: str | None = None  # ISO UTC of the entry's own "updated", if any

    @property
    def text(self) -> str:
        """Readable body text (converted when asked: a refresh stores the markup)."""
        return self.body.to_text()

    def stored_body(self) -> StoredBody:
        return self.body.stored()


@dataclass(slots=True)
class ParsedFeed:
    title: str
    site_url: str
    format: str  # rss09x rss10 rss20 atom03 atom10 json10 json11 (or feedparser's name)
    entries: list[ParsedEntry] = field(default_factory=list)
    ttl_minutes: int | None = None  # how long the feed asks readers to wait (RSS ttl, sy:)


class FeedParseError(Exception):
    """The document is not a feed we can read; str(e) is one sentence for the user."""


# --------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------
def parse_feed(body: bytes, url: str, content_type: str = "") -> ParsedFeed:
    """Parse a fetched document. `url` is the final URL (the base for relative links)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    body = bytes(body)
    if not body.strip(b" \t\r\n\x00\xef\xbb\xbf\xfe\xff"):
        raise FeedParseError("The document is empty.")
    kind = sniff(body)
    if kind == "html":
        raise FeedParseError("This is an HTML page, not a feed.")
    if kind in ("json", "json-feed") or (kind == "" and "json" in content_type.lower()):
        return _parse_json(body, url)
    root = _strict_root(body, url)
    if root is not None:
        feed = _from_tree(root, url, b"xml:base" in body)
        if feed is not None:
            return feed
    return _parse_tolerant(body, url, content_type)


# --------------------------------------------------------------------------------------
# shared helpers
# --------------------------------------------------------------------------------------
def _strict_parser(encoding: str | None = None) -> etree.XMLParser:
    return etree.XMLParser(
        encoding=encoding,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        recover=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def _utf8_labelled_latin1(body: bytes) -> bool:
    """True for the common mislabel "declared ISO-8859-1/windows-1252, written in UTF-8".

    libxml2 would decode it without complaint into mojibake ("CafÃ©"). Non-ASCII Latin-1
    text almost never happens to be valid UTF-8, so valid UTF-8 wins. (The reverse mislabel
    fails the strict parse and the tolerant path recovers it.)
    """
    match = _XML_DECLARED_ENCODING.match(body, 0, 200)
    if not match or match.group(1).lower() not in _LATIN1_NAMES or body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _strict_root(body: bytes, url: str) -> etree._Element | None:
    encoding = "utf-8" if _utf8_labelled_latin1(body) else None
    try:
        return etree.fromstring(body, _strict_parser(encoding), base_url=url or None)
    except (etree.XMLSyntaxError, ValueError):
        return None


def _feedparser_date(value: str) -> Any:
    """feedparser's date parser (it knows ~15 odd formats; private, so optional), imported
    on first use: well-formed feeds never need feedparser, and importing it costs 10 ms of
    every `reader refresh`."""
    try:
        from feedparser.datetimes import _parse_date
    except ImportError:  # pragma: no cover - a future feedparser
        return None
    return _parse_date(value)


def _date(value: str | None) -> str | None:
    """Any date a feed uses (RFC 822, RFC 3339, W3C-DTF, feedparser's odd ones) -> ISO UTC."""
    value = (value or "").strip()
    if not value:
        return None
    moment: datetime | None = None
    if len(value) == 20 and _CANONICAL_DATE.match(value):  # already our form
        try:
            moment = datetime.fromisoformat(value)  # validates it
        except ValueError:
            return None  # "2024-13-01T...": not a date (feedparser would roll it over)
        return value if moment.year >= 1000 else None
    try:
        moment = datetime.fromisoformat(value.upper() if "t" in value[8:12] else value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            moment = None
    if moment is None:
        try:
            parsed = _feedparser_date(value)
            if parsed:
                moment = datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            moment = None
    if moment is None:
        return None
    try:
        iso = to_iso(moment)
    except (ValueError, OverflowError):
        return None
    return iso if iso and 1000 <= moment.year <= 9999 else None


def _struct_date(parsed: Any) -> str | None:
    if not parsed:
        return None
    try:
        return to_iso(datetime(*parsed[:6], tzinfo=UTC))
    except (TypeError, ValueError, OverflowError):
        return None


def _length(value: Any) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _enclosure(base: str, url: Any, kind: Any, length: Any) -> dict | None:
    href = resolve_http(base, url if isinstance(url, str) else "")
    if not href:
        return None
    return {
        "url": href,
        "type": clean_line(kind if isinstance(kind, str) else ""),
        "length": _length(length),
    }


def _body(markup: str, kind: str, base: str) -> BodySource:
    """A body as fetched: kind is "html" (also: unknown, sniffed) or "text"."""
    return BodySource.of(markup, kind, base)


def _title(value: str, kind: str) -> str:
    if kind == "html":
        return html_to_line(value)
    if kind == "rss" and "&" in value:  # double-escaped entities ("AT&amp;amp;T") are common
        value = _ENTITY_REF.sub(lambda m: _html.unescape(m.group(0)), value)
    return clean_line(value)


class _Entries:
    """Collects entries, dropping empty ones and later duplicates of a guid."""

    def __init__(self) -> None:
        self.entries: list[ParsedEntry] = []
        self._seen: set[str] = set()

    def add(
        self,
        *,
        guid: str,
        title: str,
        link: str,
        author: str,
        published: str | None,
        updated: str | None,
        body: BodySource,
        enclosures: list[dict],
    ) -> None:
        if not (title or not body.empty or link or enclosures):
            return
        content_hash = short_hash(title, body.kind, body.markup)
        guid = clean_line(guid) or link or content_hash
        if len(guid) > _MAX_GUID:
            guid = "sha1:" + short_hash(guid, length=40)
        if guid in self._seen:
            return
        self._seen.add(guid)
        self.entries.append(
            ParsedEntry(
                guid=guid,
                title=title,
                link=link,
                author=clean_line(author),
                published=published or updated,
                body=body,
                enclosures=enclosures,
                content_hash=content_hash,
                updated=updated,
            )
        )


# --------------------------------------------------------------------------------------
# the lxml walk
# --------------------------------------------------------------------------------------
def _entity(node: etree._Entity) -> str:
    """An unexpanded entity reference: its HTML character if it names one, else nothing."""
    return _HTML5_ENTITIES.get(f"{node.name};", "")


def _text(el: etree._Element | None) -> str:
    """The text of an element (child markup flattened, entity references handled)."""
    if el is None:
        return ""
    if not len(el):
        return el.text or ""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child, etree._Entity):
            parts.append(_entity(child))
        elif isinstance(child.tag, str):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _markup(el: etree._Element) -> str:
    """An element holding HTML: escaped HTML text, or inline (X)HTML elements."""
    if not len(el):
        return el.text or ""
    if all(isinstance(child, etree._Entity) for child in el):
        return _text(el)  # escaped HTML that uses an entity from an unloaded DTD
    parts = [_xml_escape(el.text or "")]
    parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in el)
    return "".join(parts)


def _split(tag: str) -> tuple[str, str]:
    if tag[:1] == "{":
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _from_tree(root: etree._Element, url: str, has_base: bool) -> ParsedFeed | None:
    tag = root.tag
    if not isinstance(tag, str):
        return None
    ns, local = _split(tag)
    if local == "rss" and ns == "":
        return _rss(root, url, has_base)
    if local == "RDF" and ns == RDF:
        return _rdf(root, url, has_base)
    if local == "feed" and ns in (ATOM10, ATOM03):
        return _atom(root, ns, url, has_base)
    if local.lower() == "html":
        raise FeedParseError("This is an HTML page, not a feed.")
    return None  # let feedparser have a look before giving up


def _rss(root: etree._Element, url: str, has_base: bool) -> ParsedFeed:
    version = (root.get("version") or "").strip()
    fmt = "rss09x" if version.startswith("0.9") else "rss20"
    channel = root.find("channel")
    if channel is None:
        channel = root
    items = [child for child in channel if child.tag == "item"]
    if channel is not root:
        items.extend(child for child in root if child.tag == "item")
    return _rss_feed(channel, items, "", fmt, url, has_base)


def _rdf(root: etree._Element, url: str, has_base: bool) -> ParsedFeed | None:
    for ns, fmt in ((RSS10, "rss10"), (RSS090, "rss09x")):
        channel = root.find(f"{{{ns}}}channel")
        items = root.findall(f"{{{ns}}}item")
        if channel is not None or items:
            if channel is not None:
                items.extend(channel.findall(f"{{{ns}}}item"))
            holder = channel if channel is not None else root
            return _rss_feed(holder, items, ns, fmt, url, has_base)
    return None


def _key(tag: Any, main_ns: str) -> str:
    """A child's tag, with the feed's own namespace (or none) reduced to the local name."""
    if not isinstance(tag, str):
        return ""
    if tag[:1] != "{":
        return tag
    if main_ns and tag.startswith("{" + main_ns + "}"):
        return tag[len(main_ns) + 2 :]
    return tag


def _rss_feed(
    channel: etree._Element,
    items: Iterable[etree._Element],
    main_ns: str,
    fmt: str,
    url: str,
    has_base: bool,
) -> ParsedFeed:
    title = link = ""
    ttl = period = frequency = ""
    for child in channel:
        key = _key(child.tag, main_ns)
        if key == "title" and not title:
            title = _title(_text(child), "rss")
        elif key == "link" and not link:
            link = resolve_http(channel.base if has_base else url, _text(child))
        elif key == "ttl":
            ttl = _text(child)
        elif key == SY + "updatePeriod":
            period = _text(child)
        elif key == SY + "updateFrequency":
            frequency = _text(child)
    collected = _Entries()
    for item in items:
        _rss_item(item, main_ns, item.base if has_base else url, collected)
    return ParsedFeed(title=title, site_url=link, format=fmt, entries=collected.entries,
                      ttl_minutes=_ttl_minutes(ttl, period, frequency))


def _ttl_minutes(ttl: str, period: str = "", frequency: str = "") -> int | None:
    """RSS `<ttl>` (minutes), else the syndication module's period / frequency ("daily", 2:
    every 720 minutes); None when absent or unreadable."""
    ttl = ttl.strip()
    if ttl.isascii() and ttl.isdigit() and len(ttl) <= 9:  # not "²": isdigit, but no int
        return int(ttl)
    minutes = _SY_PERIOD_MINUTES.get(period.strip().lower())
    if minutes is None:
        return None
    count = frequency.strip()
    times = int(count) if count.isascii() and count.isdigit() and len(count) <= 9 else 1
    return minutes // max(1, times)


def _rss_item(item: etree._Element, main_ns: str, base: str, out: _Entries) -> None:
    title = link = guid = author = creator = content = summary = ""
    published = updated = None
    permalink = ""
    enclosures: list[dict] = []
    for child in item:
        key = _key(child.tag, main_ns)
        if not key:
            continue
        if key == "title":
            title = title or _text(child)
        elif key == "link":
            link = link or _text(child)
        elif key == "description":
            summary = summary or _markup(child)
        elif key == _CONTENT_ENCODED:
            content = content or _markup(child)
        elif key == "guid":
            if not guid:
                guid = _text(child).strip()
                if (child.get("isPermaLink") or "true").strip().lower() != "false":
                    permalink = guid
        elif key in _RSS_PUBLISHED:
            published = published or _date(_text(child))
        elif key in _RSS_UPDATED:
            updated = updated or _date(_text(child))
        elif key == "author":
            author = author or _rss_author(_text(child))
        elif key == _DC_CREATOR:
            creator = creator or _text(child)
        elif key == "enclosure":
            found = _enclosure(base, child.get("url"), child.get("type"), child.get("length"))
            if found:
                enclosures.append(found)
        elif key in (_MEDIA_CONTENT, _MEDIA_GROUP):
            medias = [child] if key == _MEDIA_CONTENT else child.iter(_MEDIA_CONTENT)
            for media in medias:
                found = _enclosure(base, media.get("url"), media.get("type"), media.get("fileSize"))
                if found and all(e["url"] != found["url"] for e in enclosures):
                    enclosures.append(found)
        elif key == _ATOM_LINK and child.get("rel") == "enclosure":
            found = _enclosure(base, child.get("href"), child.get("type"), child.get("length"))
            if found:
                enclosures.append(found)
    if not guid:
        guid = (item.get(f"{{{RDF}}}about") or "").strip()
    # A permalink guid counts only if it is already absolute: "12345" is not a link.
    url = resolve_http(base, link) or resolve_http("", permalink)
    out.add(
        guid=guid,
        title=_title(title, "rss"),
        link=url,
        author=creator or author,
        published=published,
        updated=updated,
        body=_body(content or summary, "html", base),
        enclosures=enclosures,
    )


def _rss_author(value: str) -> str:
    """RSS <author> is "email (Name)" by the spec: show the name when there is one."""
    value = value.strip()
    if value.endswith(")") and "(" in value:
        name = value[value.index("(") + 1 : -1].strip()
        if name:
            return name
    return value


def _atom_text(el: etree._Element | None) -> tuple[str, str]:
    """(value, "html" | "text") of an Atom 1.0 or 0.3 text construct."""
    if el is None:
        return "", "text"
    kind = (el.get("type") or "text").strip().lower()
    mode = (el.get("mode") or "").strip().lower()  # Atom 0.3
    if mode == "base64":
        try:
            value = base64.b64decode(_text(el), validate=False).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            value = ""
        return value, "text" if kind in ("text", "text/plain") else "html"
    if kind in ("xhtml", "application/xhtml+xml"):
        return _markup(el), "html"
    if "/" in kind and not kind.startswith("text/") and not kind.endswith("xml"):
        return "", "text"  # base64 media (Atom 1.0 §4.1.3.3): nothing to read
    if kind in ("html", "text/html") or mode == "escaped":
        return _markup(el), "html"
    if len(el) and any(isinstance(child.tag, str) for child in el):
        return _markup(el), "html"  # Atom 0.3 mode="xml" with inline markup
    return _text(el), "text"


def _atom_author(el: etree._Element, ns: str) -> str:
    names = []
    for author in el.iterchildren(f"{{{ns}}}author"):
        name = clean_line(_text(author.find(f"{{{ns}}}name")))
        if not name:
            name = clean_line(_text(author.find(f"{{{ns}}}email")))
        if name:
            names.append(name)
    return ", ".join(names)


def _atom_link(el: etree._Element, ns: str, url: str, has_base: bool) -> str:
    best = ""
    for link in el.iterchildren(f"{{{ns}}}link"):
        rel = (link.get("rel") or "alternate").strip().lower()
        if rel != "alternate":
            continue
        href = resolve_http(link.base if has_base else url, link.get("href"))
        if not href:
            continue
        kind = (link.get("type") or "").lower()
        if not kind or "html" in kind:
            return href
        best = best or href
    return best


def _atom(root: etree._Element, ns: str, url: str, has_base: bool) -> ParsedFeed:
    fmt = "atom10" if ns == ATOM10 else "atom03"
    value, kind = _atom_text(root.find(f"{{{ns}}}title"))
    title = _title(value, kind)
    site = _atom_link(root, ns, url, has_base)
    feed_author = _atom_author(root, ns)
    collected = _Entries()
    q = f"{{{ns}}}"
    published_tags = frozenset({q + "published", q + "issued", q + "created"})
    updated_tags = frozenset({q + "updated", q + "modified"})
    id_tag, title_tag, content_tag = q + "id", q + "title", q + "content"
    summary_tag, link_tag = q + "summary", q + "link"
    for entry in root.iterchildren(q + "entry"):
        base = entry.base if has_base else url
        guid = author = ""
        published = updated = None
        content_el = summary_el = title_el = None
        enclosures: list[dict] = []
        for child in entry:
            tag = child.tag
            if tag == id_tag:
                guid = guid or _text(child).strip()
            elif tag == title_tag:
                title_el = title_el if title_el is not None else child
            elif tag == content_tag:
                content_el = content_el if content_el is not None else child
            elif tag == summary_tag:
                summary_el = summary_el if summary_el is not None else child
            elif tag in published_tags:
                published = published or _date(_text(child))
            elif tag in updated_tags:
                updated = updated or _date(_text(child))
            elif tag == link_tag and (child.get("rel") or "").strip().lower() == "enclosure":
                found = _enclosure(
                    child.base if has_base else base,
                    child.get("href"),
                    child.get("type"),
                    child.get("length"),
                )
                if found:
                    enclosures.append(found)
        author = _atom_author(entry, ns) or feed_author
        if content_el is not None and content_el.get("src"):
            content_el = None  # out-of-line content: nothing to show but the summary
        body = _body("", "text", base)
        for el in (content_el, summary_el):
            if el is not None:
                value, kind = _atom_text(el)
                body = _body(value, kind, el.base if has_base else base)
                if not body.empty:
                    break
        value, kind = _atom_text(title_el)
        collected.add(
            guid=guid,
            title=_title(value, kind),
            link=_atom_link(entry, ns, base, has_base),
            author=author,
            published=published,
            updated=updated,
            body=body,
            enclosures=enclosures,
        )
    return ParsedFeed(title=title, site_url=site, format=fmt, entries=collected.entries)


# --------------------------------------------------------------------------------------
# JSON Feed
# --------------------------------------------------------------------------------------
def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _json_authors(holder: dict) -> str:
    authors = holder.get("authors")
    if not isinstance(authors, list):
        single = holder.get("author")  # JSON Feed 1.0
        authors = [single] if isinstance(single, dict) else []
    names = [clean_line(_str(a.get("name"))) for a in authors if isinstance(a, dict)]
    return ", ".join(name for name in names if name)


def _parse_json(body: bytes, url: str) -> ParsedFeed:
    data = body[3:] if body.startswith(b"\xef\xbb\xbf") else body
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            doc = json.loads(data.decode("utf-8", "replace"))
        except (ValueError, RecursionError):
            raise FeedParseError("This JSON document is broken (not valid JSON).") from None
    if not isinstance(doc, dict):
        raise FeedParseError("This JSON document is not a JSON Feed.")
    version = _str(doc.get("version"))
    if "jsonfeed.org/version/1.1" in version:
        fmt = "json11"
    elif "jsonfeed.org/version/1" in version or isinstance(doc.get("items"), list):
        fmt = "json10"
    else:
        raise FeedParseError("This JSON document is not a JSON Feed.")
    feed_author = _json_authors(doc)
    collected = _Entries()
    items = doc.get("items")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        raw_id = item.get("id")  # a string by the spec; numbers seen in the wild
        numeric = isinstance(raw_id, int | float) and not isinstance(raw_id, bool)
        guid = raw_id if isinstance(raw_id, str) else str(raw_id) if numeric else ""
        link = resolve_http(url, _str(item.get("url"))) or resolve_http(
            url, _str(item.get("external_url"))
        )
        if _str(item.get("content_html")):
            body = BodySource.of(item["content_html"], "html", url)
        elif _str(item.get("content_text")):
            body = BodySource.of(item["content_text"], "text")
        else:
            body = BodySource.of(_str(item.get("summary")), "text")
        enclosures = []
        attachments = item.get("attachments")
        for att in attachments if isinstance(attachments, list) else []:
            if isinstance(att, dict):
                found = _enclosure(
                    url, att.get("url"), att.get("mime_type"), att.get("size_in_bytes")
                )
                if found:
                    enclosures.append(found)
        collected.add(
            guid=guid,
            title=clean_line(_str(item.get("title"))),
            link=link,
            author=_json_authors(item) or feed_author,
            published=_date(_str(item.get("date_published"))),
            updated=_date(_str(item.get("date_modified"))),
            body=body,
            enclosures=enclosures,
        )
    return ParsedFeed(
        title=clean_line(_str(doc.get("title"))),
        site_url=resolve_http(url, _str(doc.get("home_page_url"))),
        format=fmt,
        entries=collected.entries,
    )


# --------------------------------------------------------------------------------------
# tolerant path: feedparser, always on a stream
# --------------------------------------------------------------------------------------
_FEEDPARSER_FORMATS = {
    "rss090": "rss09x",
    "rss091n": "rss09x",
    "rss091u": "rss09x",
    "rss092": "rss09x",
    "rss093": "rss09x",
    "rss094": "rss09x",
    "rss10": "rss10",
    "rss20": "rss20",
    "rss": "rss20",
    "atom01": "atom03",
    "atom02": "atom03",
    "atom03": "atom03",
    "atom10": "atom10",
    "atom": "atom10",
}


def _fp_link(entry: Any, url: str) -> str:
    """The entry's link; one feedparser took from a permalink guid counts only if it is
    absolute, as on the strict path ("12345" is an id, not a page)."""
    link = entry.get("link") or ""
    if dict.get(entry, "guidislink") and link == entry.get("id"):
        return resolve_http("", link)
    return resolve_http(url, link)


def _fp_kind(detail: Any) -> str:
    kind = str((detail or {}).get("type") or "").lower()
    return "text" if kind == "text/plain" else "html"


_feedparser_module: Any = None


def _feedparser() -> Any:
    """feedparser, imported when a malformed feed first needs it, and told to keep ids as
    written: it resolves a permalink guid such as "12345" against the feed's URL
    ("https://site/12345"), which the strict path does not, and the same entry would get a
    second identity whenever its feed went from well-formed to malformed."""
    global _feedparser_module
    if _feedparser_module is None:
        import feedparser

        try:  # a private class: if a new feedparser moves it, a test says so
            from feedparser.mixin import _FeedParserMixin as Mixin

            Mixin.can_be_relative_uri = Mixin.can_be_relative_uri - {"id"}
        except (ImportError, AttributeError, TypeError):  # pragma: no cover - a new feedparser
            pass
        _feedparser_module = feedparser
    return _feedparser_module


def _parse_tolerant(body: bytes, url: str, content_type: str) -> ParsedFeed:
    headers = {"content-location": url} if url else {}
    if content_type:
        headers["content-type"] = content_type
    result = _feedparser().parse(
        io.BytesIO(body),  # never bytes/str: feedparser would open them as a path or URL
        response_headers=headers,
        sanitize_html=False,  # html_to_text drops scripts & co. itself, faster
        resolve_relative_uris=False,  # links in bodies are resolved by html_to_text
    )
    version = result.get("version") or ""
    entries = result.get("entries") or []
    if not version and not entries:
        if _HTML_START.search(body, 0, 4096):
            raise FeedParseError("This is an HTML page, not a feed.")
        raise FeedParseError("This document is not an RSS, Atom or JSON feed.")
    info = result.get("feed") or {}
    collected = _Entries()
    for entry in entries:
        base = url
        markup, kind = "", "html"
        for content in entry.get("content") or []:
            if content.get("value"):
                markup, kind = content["value"], _fp_kind(content)
                base = content.get("base") or url
                break
        if not markup and entry.get("summary"):
            detail = entry.get("summary_detail") or {}
            markup, kind = entry["summary"], _fp_kind(detail)
            base = detail.get("base") or url
        enclosures = []
        for enc in entry.get("enclosures") or []:
            found = _enclosure(url, enc.get("href"), enc.get("type"), enc.get("length"))
            if found:
                enclosures.append(found)
        author = (entry.get("author_detail") or {}).get("name") or entry.get("author") or ""
        title_kind = "html" if _fp_kind(entry.get("title_detail")) == "html" else "text"
        collected.add(
            guid=str(entry.get("id") or ""),
            title=_title(entry.get("title") or "", title_kind),
            link=_fp_link(entry, url),
            author=author,
            published=_struct_date(entry.get("published_parsed")),
            # dict.get: FeedParserDict.get("updated_parsed") falls back to the published
            # date (with a DeprecationWarning), which would make every entry "updated"
            updated=_struct_date(dict.get(entry, "updated_parsed")),
            body=_body(markup, kind, base),
            enclosures=enclosures,
        )
    title_kind = "html" if _fp_kind(info.get("title_detail")) == "html" else "text"
    return ParsedFeed(
        ttl_minutes=_ttl_minutes(str(info.get("ttl") or ""), str(info.get("sy_updateperiod") or ""),
                                 str(info.get("sy_updatefrequency") or "")),
        title=_title(info.get("title") or "", title_kind),
        site_url=resolve_http(url, info.get("link") or ""),
        format=_FEEDPARSER_FORMATS.get(version, version or "unknown"),
        entries=collected.entries,
    )
