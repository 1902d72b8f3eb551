"""The full text of a truncated feed article, fetched from its web page.

Many feeds carry only a summary; the quotations a user collects are in the article itself.
`fetch_full_text` fetches the article's page with the project's `Fetcher` (http(s) only,
timeouts, the 10 MiB cap, redirects by hand; Accept asks for HTML), refuses answers that are
not web pages and pages too big to extract in a few seconds (`check_page_size`), extracts
the main content with readability-lxml in a thread (25-45 ms for a 100 KB page) and returns
that HTML fragment with the page's final URL as the base for relative links. The readable
text always comes from `reader.text.html.html_to_text`, the same converter feed bodies go
through, so quotes are found in it the same way.

`store_full_text` is what the CLI (`reader fulltext`) and the TUI (F) run: read the current
text, fetch, keep the new body only if it is longer and shares enough words with the current
one (`shares_words`: a cookie wall or a login page does not), store it
(`Library.replace_body`) unless a refresh changed the article meanwhile.

Every failure is a `FullTextError` whose str() is one sentence for the user; a hostile page
(binary, empty, huge, deeply nested, full of controls) ends as one of those, never as another
exception. No Textual import here.
"""

from __future__ import annotations

import asyncio
import codecs
import functools
import itertools
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

__all__ = ["MAX_NESTED_TEXT", "MAX_PAGE_CHARS", "MAX_PAGE_TAGS", "MIN_CHARS", "PAGE_ACCEPT",
           "FullText", "FullTextError", "check_page_size", "fetch_full_text", "prose_length",
           "shares_words", "store_full_text"]

# readability logs a traceback (`log.exception`) when a page cannot be parsed; with no
# logging set up, Python's last-resort handler would print it on stderr, over the TUI and
# after the CLI's one sentence. The failure is reported as a FullTextError instead.
logging.getLogger("readability").addHandler(logging.NullHandler())
logging.getLogger("readability").propagate = False

MIN_CHARS = 200  # less readable text than this is not an article
# A web page's fetch asks for HTML: with the feeds' Accept header (no text/html) a server
# that negotiates may answer JSON.
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
# readability's time grows with the page's elements and with its text times the depth it is
# nested at (it reads each element's whole text, several times), and nothing stops it once it
# runs: pages beyond these limits are refused before it starts (in ~0.1 s). Worst cases found
# just under them (2 cores, Python 3.11, lxml 6.1 / libxml2 2.14, whole extraction): <div>s
# nested 10-250 deep with text 3.6-4.2 s, 80-100 MB peak RSS (+45-64 MB); 40,000 paragraphs,
# <div>s or links in 2 MB 0.6-1.6 s, under 100 MB. An ordinary 100 KB page takes ~0.05 s.
# At 50,000 tags and 20,000,000 of nested text, nested <div>s took 5.3-6.2 s: hence these.
MAX_PAGE_CHARS = 2_000_000  # decoded characters
MAX_PAGE_TAGS = 40_000  # "<" followed by a letter
MAX_NESTED_TEXT = 10_000_000  # sum over text of its characters times its nesting depth
# The relevance check: a summary with at least this many distinct words (4+ letters) must
# share at least half of them with the page's text, or the page is not this article.
MIN_WORDS_TO_COMPARE = 8
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types servers wrongly send for web pages: accepted when the body starts like HTML.
_VAGUE_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
_SNIFF_BYTES = 4096
# <meta charset="x"> and <meta http-equiv="Content-Type" content="text/html; charset=x">.
_META_CHARSET = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]{1,40})",
                           re.IGNORECASE)
# WHATWG encoding labels whose real meaning differs from Python's codec of the same name
# (https://encoding.spec.whatwg.org/#names-and-labels): browsers decode "shift_jis" as
# Windows-932, "euc-kr" as Windows-949, "gb2312" as GB18030, "iso-8859-1" as Windows-1252
# and so on, and pages rely on it (①, 똠, curly quotes in a page labelled latin-1).
_WHATWG = {
    **dict.fromkeys(("iso-8859-1", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987",
                     "iso-ir-100", "latin-1", "latin1", "l1", "cp819", "ibm819", "csisolatin1",
                     "us-ascii", "ascii", "ansi_x3.4-1968", "x-user-defined"), "cp1252"),
    **dict.fromkeys(("iso-8859-9", "iso8859-9", "iso88599", "iso_8859-9", "iso_8859-9:1989",
                     "iso-ir-148", "latin5", "l5", "csisolatin5"), "cp1254"),
    **dict.fromkeys(("shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "ms932",
                     "windows-31j", "csshiftjis"), "cp932"),
    **dict.fromkeys(("euc-kr", "euckr", "cseuckr", "korean", "ks_c_5601-1987", "ks_c_5601-1989",
                     "ksc5601", "ksc_5601", "iso-ir-149", "csksc56011987", "windows-949"),
                    "cp949"),
    **dict.fromkeys(("gb2312", "gbk", "x-gbk", "cp936", "ms936", "windows-936", "chinese",
                     "csgb2312", "csiso58gb231280", "gb_2312", "gb_2312-80", "iso-ir-58"),
                    "gb18030"),
    **dict.fromkeys(("tis-620", "iso-8859-11", "iso8859-11", "iso885911", "dos-874",
                     "windows-874"), "cp874"),
    **dict.fromkeys(("big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"), "big5hkscs"),
}
# C0 controls but \t \n \r, and DEL: never text, and libxml2 stops at some of them.
_TAG_START = re.compile(r"<[A-Za-z]")
_WORD = re.compile(r"[^\W\d_]{4,}")  # a run of 4+ letters
_NOT_TEXT = frozenset({"script", "style", "noscript", "template"})  # readability drops them
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


def _parse(html: str):  # -> lxml.html.HtmlElement | None
    """The page as readability's parser reads it (UTF-8 bytes to libxml2's HTML parser)."""
    import lxml.html
    from lxml import etree

    try:
        return lxml.html.document_fromstring(
            html.encode("utf-8", "replace"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, ValueError, TypeError):  # "Document is empty" and the like
        return None


def nested_text(html: str) -> int:
    """The sum over the page's text of its length times the number of elements around it:
    roughly what readability's scoring reads (every element's whole text). Linear, ~0.1 s
    for 2 MB (lxml's parse and one walk)."""
    from lxml import etree

    root = _parse(html)
    if root is None:
        return 0
    total = depth = skipped = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        named = isinstance(element.tag, str)  # not a comment or processing instruction
        if event == "start":
            depth += 1
            if named and element.tag in _NOT_TEXT:
                skipped += 1
            elif named and not skipped and element.text:
                total += len(element.text) * depth
            continue
        depth -= 1
        if named and element.tag in _NOT_TEXT:
            skipped -= 1
        if not skipped and element.tail:
            total += len(element.tail) * depth
    return total


def check_page_size(html: str) -> None:
    """Raise FullTextError if extracting the article of this (decoded) page could take more
    than a few seconds: too many characters, too many tags, text nested too deeply."""
    if len(html) > MAX_PAGE_CHARS:
        raise FullTextError("The page is too large to find its article in "
                            f"(over {MAX_PAGE_CHARS:,} characters).")
    if html.count("<") > MAX_PAGE_TAGS and sum(
            1 for _ in itertools.islice(_TAG_START.finditer(html), MAX_PAGE_TAGS + 1)
    ) > MAX_PAGE_TAGS:
        raise FullTextError("The page has too many elements to find its article in "
                            f"(over {MAX_PAGE_TAGS:,} tags).")
    if nested_text(html) > MAX_NESTED_TEXT:
        raise FullTextError("The page's text is nested too deeply to find its article in.")


def _mostly_links(markup: str) -> bool:
    """Whether most of a fragment's text is link text (menus, lists of other articles)."""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError, TypeError):
        return True
    text = len("".join(root.text_content().split()))
    linked = sum(len("".join(a.text_content().split())) for a in root.iter("a"))
    return text == 0 or linked * 2 > text


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
    head = markup.lstrip()[:40].lower()
    # No paragraph scored as content: readability hands back the whole <body> (menus,
    # footers and all). That is a page without an article, not the article.
    if head.startswith("<body"):
        return ""
    # The <body> itself scored best: "<div><body id="readabilityBody">...". That is an
    # article whose paragraphs sit right in <body> (a plain page), or, when most of the
    # text is links, a page of menus whose link lists readability took for paragraphs.
    if head.startswith("<div><body") and _mostly_links(markup):
        return ""
    return markup


def _words(text: str) -> set[str]:
    """Distinct words of 4+ letters, case-folded, of a readable text without its links."""
    return set(_WORD.findall(text[:prose_length(text)].casefold()))


def shares_words(current_text: str, new_text: str) -> bool:
    """False if `new_text` does not look like the article `current_text` summarises: the
    summary has MIN_WORDS_TO_COMPARE distinct words or more, and fewer than half of them
    are in the new text (a cookie wall, a login or paywall page, another article)."""
    before = _words(current_text)
    if len(before) < MIN_WORDS_TO_COMPARE:
        return True
    return 2 * len(before & _words(new_text)) >= len(before)


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
    result = await fetcher.fetch(url, accept=PAGE_ACCEPT)
    if result.status != "ok" or result.body is None:
        raise FullTextError(_page_error(result.error))
    body = result.body
    check_web_page(body, result.content_type)
    base = result.final_url or url

    def extract() -> tuple[str, str]:
        html = decode_page(body, result.content_type)
        check_page_size(html)
        markup = BodySource.of(extract_article(html), "html", base).markup
        return markup, html_to_text(markup, base)

    markup, text = await asyncio.to_thread(extract)
    found = prose_length(text)
    if found < MIN_CHARS:
        raise FullTextError("No article text found on the page.")
    if found <= prose_length(current_text):
        raise FullTextError("The page has no more text than the article already has; "
                            "the article was left as it is.")
    if not shares_words(current_text, text):
        raise FullTextError("The page does not look like this article (it shares few words "
                            "with it); the article was left as it is.")
    return FullText(markup=markup, base_url=base, text=text, page_bytes=len(body),
                    seconds=time.perf_counter() - started)


async def store_full_text(library: Library, article_id: str,
                          fetcher: Fetcher | None = None) -> StoredFullText:
    """Fetch the full text of an article's page and store it as the article's body.

    Raises FullTextError or LibraryError (one sentence each); the stored body is untouched
    unless the new text is longer than the current one and shares its words, and no refresh
    changed the article while the page was fetched (`Library.replace_body`'s expected_hash).
    """
    started = time.perf_counter()
    if library.readonly:
        raise ReadOnlyLibrary()
    article = library.article(article_id)
    if article is None:
        raise LibraryError(f"No article {article_id}.")
    if not article.link:
        raise FullTextError("This article has no link, so there is no page to fetch.")
    # The content hash before the fetch: a refresh that changes the entry meanwhile wins.
    expected_hash = article.content_hash
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
    await asyncio.to_thread(functools.partial(
        library.replace_body, article.id, full.markup, full.base_url, text=full.text,
        expected_hash=expected_hash))
    # The stored body reads as full.text (the same markup, base and converter).
    return StoredFullText(article_id=article.id, chars=len(full.text), was=len(current),
                          seconds=time.perf_counter() - started)
