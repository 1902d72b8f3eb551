"""Feed autodiscovery: is this response a feed, and which feeds does this page announce?

`reader add https://example.org/` gets a web page far more often than a feed. The flow
(notes/field.md §4.3): if `looks_like_feed` says the response is a feed, use it; otherwise
offer `find_feed_links` (the page's <link rel="alternate">), then `common_feed_urls` as a
last resort. Candidates are validated by fetching and parsing them, not here.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree

from reader.feeds.urls import resolve_http
from reader.text.clean import clean_line
from reader.text.html import safe_html_parser

__all__ = ["common_feed_urls", "find_feed_links", "looks_like_feed", "sniff"]

FEED_CONTENT_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)
# What <link rel="alternate" type=...> may announce. application/json is in the brief and
# in the wild (JSON Feed before its own type), but WordPress announces its REST API with it
# on every page, so /wp-json/ targets are skipped.
_LINK_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)
_FEED_KINDS = frozenset({"rss", "atom", "rdf", "json-feed"})
_JSON_FEED_VERSION = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/')
_NAME = re.compile(r"<([A-Za-z_][\w:.-]*)")
_SNIFF_BYTES = 4096
_COMMON_PATHS = ("/feed", "/rss", "/rss.xml", "/atom.xml", "/index.xml", "/feed.xml",
                 "/feed.json", "/?feed=rss2")  # fmt: skip


def _head_text(body: bytes) -> str:
    head = body[:_SNIFF_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    return head.decode("latin-1")


def sniff(body: bytes) -> str:
    """What the start of a document is: "rss", "atom", "rdf", "json-feed", "json", "html",
    "xml" (some other root) or "" (neither markup nor JSON).

    Looks only at the first 4 KB and at the first element's name (after the XML
    declaration, comments and a DOCTYPE), so it is cheap enough to run on every response.
    """
    text = _head_text(body).lstrip("\ufeff \t\r\n\x00")
    if text[:1] in ("{", "["):
        return "json-feed" if _JSON_FEED_VERSION.search(text) else "json"
    if text[:1] != "<":
        return ""
    pos = 0
    size = len(text)
    while pos < size:
        while pos < size and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
            if end < 0:
                return "xml"
            pos = end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
            if end < 0:
                return "xml"
            pos = end + 3
        elif text.startswith("<!", pos):
            if text[pos + 2 : pos + 14].lower().startswith("doctype html"):
                return "html"
            end = _doctype_end(text, pos)
            if end < 0:
                return "xml"
            pos = end + 1
        else:
            match = _NAME.match(text, pos)
            if not match:
                return ""
            local = match.group(1).rpartition(":")[2].lower()
            if local in ("rss", "rdf"):
                return local
            if local == "feed":
                return "atom"
            if local in ("html", "head", "body"):
                return "html"
            return "xml"
    return ""


def _doctype_end(text: str, pos: int) -> int:
    """Index of the '>' closing a DOCTYPE (skipping an internal subset in [...])."""
    depth = 0
    for index in range(pos, len(text)):
        char = text[index]
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == ">" and depth <= 0:
            return index
    return -1


def _media_type(content_type: str) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def looks_like_feed(body: bytes, content_type: str) -> bool:
    """True if the response is a feed: by its first element or JSON Feed version, or by a
    feed media type when the body does not contradict it (an HTML error page never is)."""
    kind = sniff(body or b"")
    if kind in _FEED_KINDS:
        return True
    if kind == "html":
        return False
    return _media_type(content_type) in FEED_CONTENT_TYPES and kind != ""


def _html_parser(encoding: str | None) -> etree.HTMLParser:
    return safe_html_parser(encoding)


def _utf8_or_none(data: bytes) -> str | None:
    """UTF-8 when the page decodes as UTF-8 (libxml2 would guess Latin-1 without a
    <meta charset>); otherwise None, so libxml2 follows the page's own declaration."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"


def find_feed_links(html: bytes | str, page_url: str) -> list[tuple[str, str]]:
    """(absolute URL, title) of each feed a page announces with <link rel="alternate">, in
    document order, duplicates removed. <base href> is honoured; only http(s) targets."""
    if not html:
        return []
    if isinstance(html, str):
        data, encoding = html.encode("utf-8", "replace"), "utf-8"
    else:
        data, encoding = bytes(html), _utf8_or_none(bytes(html))
    parser = _html_parser(encoding)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    base = page_url
    for element in root.iter("base"):
        href = (element.get("href") or "").strip()
        if href:
            try:
                base = urljoin(page_url, clean_line(href))
            except ValueError:
                base = page_url
            break
    found: list[tuple[str, str]] = []
    seen: set[str] = set()
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        if "alternate" not in rels and "feed" not in rels:
            continue
        kind = _media_type(link.get("type") or "")
        if kind not in _LINK_TYPES:
            continue
        url = resolve_http(base, link.get("href"))
        if not url or url in seen:
            continue
        if kind == "application/json" and "/wp-json/" in url:
            continue
        seen.add(url)
        found.append((url, clean_line(link.get("title") or "")))
    return found


def common_feed_urls(page_url: str) -> list[str]:
    """Conventional feed locations on the page's site, to try when a page announces none."""
    parts = urlsplit(page_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return []
    root = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    return [root + path for path in _COMMON_PATHS]
