"""The full text of a truncated feed article, fetched from its web page.

Many feeds carry only a summary; the quotations a user collects are in the article itself.
`fetch_full_text` fetches the article's page with the project's `Fetcher` (http(s) only,
timeouts, the 10 MiB cap, redirects by hand), refuses answers that are not web pages,
extracts the main content with readability-lxml in a thread (25-45 ms for a 100 KB page,
0.3-0.5 s per MB on one core) and returns that HTML fragment with the page's final URL as
the base for relative links. The readable text always comes from
`reader.text.html.html_to_text`, the same converter feed bodies go through, so quotes are
found in it the same way.

`store_full_text` is what the CLI (`reader fulltext`) and the TUI (F) run: read the current
text, fetch, keep the new body only if it is longer, store it (`Library.replace_body`).

Every failure is a `FullTextError` whose str() is one sentence for the user; a hostile page
(binary, empty, huge, deeply nested, full of controls) ends as one of those, never as another
exception. No Textual import here.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import re
import time
from dataclasses import dataclass

from reader.feeds.discover import sniff
from reader.feeds.fetch import Fetcher
from reader.feeds.urls import is_http_url, shown_url
from reader.library.errors import LibraryError, ReadOnlyLibrary
from reader.library.store import Library
from reader.text.body import BodySource
from reader.text.html import html_to_text

__all__ = ["MIN_CHARS", "FullText", "FullTextError", "fetch_full_text", "prose_length",
           "store_full_text"]

# readability logs a traceback (`log.exception`) when a page cannot be parsed; with no
# logging set up, Python's last-resort handler would print it on stderr, over the TUI and
# after the CLI's one sentence. The failure is reported as a FullTextError instead.
logging.getLogger("readability").addHandler(logging.NullHandler())
logging.getLogger("readability").propagate = False

MIN_CHARS = 200  # less readable text than this is not an article
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types servers wrongly send for web pages: accepted when the body starts like HTML.
_VAGUE_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
_SNIFF_BYTES = 4096
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]{1,40})",
                           re.IGNORECASE)
# WHATWG encoding labels whose real meaning differs from Python's codec of the same name.
_WHATWG = {"iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "l1": "cp1252",
           "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252",
           "x-user-defined": "cp1252"}
# C0 controls but \t \n \r, and DEL: never text, and libxml2 stops at some of them.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


class FullTextError(Exception):
    """The full text could not be had; str(error) is one sentence for the user."""


@dataclass(frozen=True, slots=True)
class FullText:
    markup: str  # the extracted article, an HTML fragment (controls removed)
    base_url: str  # the page's final URL, for relative links
    text: str  # readable text (html_to_text of markup)
    page_bytes: int  # size of the page as received
    seconds: float  # fetching and extracting


@dataclass(frozen=True, slots=True)
class StoredFullText:
    article_id: str
    chars: int  # readable text now stored
    was: int  # readable text before
    seconds: float


def prose_length(text: str) -> int:
    """Characters of a readable text without its trailing "Links:" list."""
    marker = text.rfind("\n\nLinks:\n")
    if marker < 0 and text.startswith("Links:\n"):
        return 0
    return len(text if marker < 0 else text[:marker])


def _media_type(content_type: str) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _codec(label: str) -> str | None:
    """A Python codec for an encoding label, or None if unknown."""
    label = label.strip().strip("\"'").lower()
    label = _WHATWG.get(label, label)
    if not label:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _charset_param(content_type: str) -> str:
    for param in (content_type or "").split(";")[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip("\"'")
    return ""


def page_encoding(body: bytes, content_type: str) -> str:
    """The codec to decode a page with: a byte-order mark, else the Content-Type charset,
    else a <meta> charset in the first 4 KB, else UTF-8 (WHATWG's order, simplified)."""
    if body.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if body.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    declared = _codec(_charset_param(content_type))
    if declared:
        return declared
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    if match:
        found = _codec(match.group(1).decode("ascii", "replace"))
        # A <meta> readable as ASCII cannot be in UTF-16/32: the spec reads it as UTF-8.
        if found and not found.startswith(("utf-16", "utf-32")):
            return found
    return "utf-8"


def decode_page(body: bytes, content_type: str) -> str:
    """The page as text (undecodable bytes replaced), C0 controls removed."""
    encoding = page_encoding(body, content_type)
    try:
        text = body.decode(encoding, "replace")
    except (LookupError, ValueError):  # a codec that fails even with "replace"
        text = body.decode("utf-8", "replace")
    return text.translate(_CONTROLS)


def _kind_of(media: str) -> str:
    """How to name a media type in a sentence ("a PDF document")."""
    if media == "application/pdf":
        return "a PDF document"
    if media in ("application/json", "application/feed+json") or media.endswith("+json"):
        return "a JSON document"
    if media.endswith(("rss+xml", "atom+xml", "rdf+xml")):
        return "a feed"
    if media.startswith("image/"):
        return "an image"
    if media.startswith(("audio/", "video/")):
        return "a media file"
    return f"a file of type {shown_url(media)[:60]}"


def check_web_page(body: bytes, content_type: str) -> None:
    """Raise FullTextError unless the answer is an HTML page."""
    media = _media_type(content_type)
    if not body or not body.strip():
        raise FullTextError("The article's page is empty.")
    kind = sniff(body)
    if media in _HTML_TYPES:
        if kind in ("json", "json-feed", "rss", "atom", "rdf"):
            raise FullTextError("The article's link leads to "
                                f"{'a JSON document' if 'json' in kind else 'a feed'}, "
                                "not a web page.")
    elif media in _VAGUE_TYPES:
        if kind != "html":
            raise FullTextError("The article's link does not lead to a web page.")
    else:
        raise FullTextError(f"The article's link leads to {_kind_of(media)}, not a web page.")
    head = body[:_SNIFF_BYTES]
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = page_encoding(body, content_type)
        if not encoding.startswith(("utf-16", "utf-32")):
            raise FullTextError("The article's link leads to binary data, not a web page.")


def extract_article(html: str) -> str:
    """The main content of a page as an HTML fragment ("" if readability finds none).

    CPU-bound (lxml and readability's scoring): call it in a thread. Never raises.
    """
    from readability import Document

    try:
        markup = Document(html).summary(html_partial=True)
    except Exception:  # readability.readability.Unparseable, lxml errors, RecursionError
        return ""
    if not isinstance(markup, str):
        return ""
    # No paragraph scored as content: readability hands back the whole <body> (menus,
    # footers and all). That is a page without an article, not the article.
    if markup.lstrip()[:5].lower() == "<body":
        return ""
    return markup


def _page_error(error: str) -> str:
    """The fetcher's sentences speak of feeds; here it is an article's page."""
    error = error or "The article's page could not be fetched."
    return (error.replace("The feed is larger", "The page is larger")
            .replace("the feed has been removed", "the page has been removed")
            .replace("Only http and https feed addresses", "Only http and https links")
            .replace("The feed address", "The article's link"))


async def fetch_full_text(url: str, fetcher: Fetcher, *, current_text: str = "") -> FullText:
    """Fetch `url` and extract its article; raise FullTextError (one sentence) if there is
    no article text on it, or no more than `current_text` (what the article has now)."""
    url = (url or "").strip()
    if not url:
        raise FullTextError("This article has no link, so there is no page to fetch.")
    if not is_http_url(url):
        raise FullTextError(f"The article's link {shown_url(url)} is not an http(s) address; "
                            "only web pages can be fetched.")
    started = time.perf_counter()
    result = await fetcher.fetch(url)
    if result.status != "ok" or result.body is None:
        raise FullTextError(_page_error(result.error))
    body = result.body
    check_web_page(body, result.content_type)
    base = result.final_url or url

    def extract() -> tuple[str, str]:
        markup = BodySource.of(extract_article(decode_page(body, result.content_type)),
                               "html", base).markup
        return markup, html_to_text(markup, base)

    markup, text = await asyncio.to_thread(extract)
    found = prose_length(text)
    if found < MIN_CHARS:
        raise FullTextError("No article text found on the page.")
    if found <= prose_length(current_text):
        raise FullTextError("The page has no more text than the article already has; "
                            "the article was left as it is.")
    return FullText(markup=markup, base_url=base, text=text, page_bytes=len(body),
                    seconds=time.perf_counter() - started)


async def store_full_text(library: Library, article_id: str,
                          fetcher: Fetcher | None = None) -> StoredFullText:
    """Fetch the full text of an article's page and store it as the article's body.

    Raises FullTextError or LibraryError (one sentence each); the stored body is untouched
    unless the new text is longer than the current one.
    """
    started = time.perf_counter()
    if library.readonly:
        raise ReadOnlyLibrary()
    article = library.article(article_id)
    if article is None:
        raise LibraryError(f"No article {article_id}.")
    if not article.link:
        raise FullTextError("This article has no link, so there is no page to fetch.")
    current = await asyncio.to_thread(library.body, article.id)
    own = fetcher is None
    active = fetcher or Fetcher(concurrency=2)
    try:
        if own:
            await active.__aenter__()
        full = await fetch_full_text(article.link, active, current_text=current)
    finally:
        if own:
            await active.__aexit__(None, None, None)
    await asyncio.to_thread(library.replace_body, article.id, full.markup, full.base_url)
    stored = await asyncio.to_thread(library.body, article.id)
    return StoredFullText(article_id=article.id, chars=len(stored), was=len(current),
                          seconds=time.perf_counter() - started)
