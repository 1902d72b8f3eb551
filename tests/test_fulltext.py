"""Full text of truncated feed articles: fetched from the article's page on a real server on
127.0.0.1, extracted, stored, kept across refreshes, and refused cleanly for bad pages."""

from __future__ import annotations

import asyncio
import logging
import re
import threading
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from reader.feeds import fulltext
from reader.feeds.fetch import Fetcher
from reader.feeds.fulltext import (
    MAX_NESTED_TEXT,
    MAX_PAGE_CHARS,
    MAX_PAGE_TAGS,
    MIN_CHARS,
    PAGE_ACCEPT,
    FullTextError,
    check_page_size,
    decode_page,
    extract_article,
    fetch_full_text,
    nested_text,
    page_encoding,
    prose_length,
    shares_words,
    store_full_text,
)
from reader.feeds.service import refresh_feeds
from reader.library.errors import LibraryError, ReadOnlyLibrary
from reader.library.store import FeedChange, Library, LocalArticleInput
from reader.models import short_hash
from reader.quotes.views import article_quote_views, extracted_quotes
from reader.text.body import BodySource
from reader.ui.app import ReaderApp, known_binding_ids
from reader.ui.commands import COMMANDS
from reader.ui.main_screen import MainScreen

from . import feedserver
from .test_cli import assert_one_clear_error, run
from .test_tui import SIZE, screen_text, settle

feed_server = feedserver.feed_server

SUMMARY = "<p>The harbour bridge reopened on Monday after two years of repairs.</p>"
PARAGRAPHS = [
    "The harbour bridge reopened to traffic on Monday morning, two years after a storm tore "
    "away part of its deck and cut the old town off from the port.",
    "“We will rebuild,” the mayor said. “We promised that the night of the storm, and today "
    "we have kept that promise to every family on both sides of the water.”",
    "Engineers replaced forty metres of steel and concrete and strengthened the piers against "
    "the tides, which have grown higher every winter.",
    "Shop owners on the waterfront said the closure had halved their trade. “It was a long "
    "two years,” said Marta Lopes, who runs a bakery by the old ferry stop.",
    "The ferry service that replaced the bridge will run until the end of the month, the port "
    "authority said in a statement.",
]
BOILERPLATE = ["Subscribe today", "Celebrity chef opens diner", "All rights reserved",
               "Advertisement", "var tracking"]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def article_page(paragraphs: list[str] = PARAGRAPHS, *, charset: str = "utf-8",
                 meta: bool = True, extra: str = "") -> bytes:
    """A realistic news page: head, script, nav, the article, a sidebar, a footer."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    head_meta = f'<meta charset="{charset}">' if meta else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head>{head_meta}<title>Harbour bridge reopens | The Daily Tide</title>
<link rel="stylesheet" href="/site.css"><script>var tracking = "nav footer";</script></head>
<body>
<header class="site-header"><a href="/">The Daily Tide</a>
<nav class="menu"><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/subscribe">Subscribe today</a></li></ul></nav></header>
<div id="main">
<article class="post">
<h1>Harbour bridge reopens after two years of repairs</h1>
<div class="entry-content">
{body}
<p>Read <a href="storm-2023.html">our coverage of the storm</a>.</p>
{extra}
</div>
</article>
<aside class="sidebar"><h3>Most read</h3><ul><li><a href="/a">Celebrity chef opens diner</a></li>
<li><a href="/b">Ten best beaches this summer</a></li></ul>
<div class="ad">Advertisement: buy the new Lumen tablet now</div></aside>
</div>
<footer class="site-footer"><p>© 2025 The Daily Tide. All rights reserved. Privacy policy.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li></ul></footer>
</body></html>"""
    return page.encode(charset, "xmlcharrefreplace")


def rss_with_links(items: list[tuple[str, str, str, str]]) -> bytes:
    """items: (guid, title, html summary, link)."""
    parts = [f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title>"
             f"<link>{escape(link)}</link><pubDate>Mon, 0{1 + i} Sep 2025 10:00:00 GMT</pubDate>"
             f"<description>{escape(body)}</description></item>"
             for i, (g, t, body, link) in enumerate(items)]
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            "<title>The Daily Tide</title><link>https://tide.example/</link>"
            f"{''.join(parts)}</channel></rss>").encode()


def fast_fetcher(**kwargs) -> Fetcher:
    options = {"concurrency": 4, "connect_timeout": 2, "read_timeout": 1, "deadline": 3}
    return Fetcher(**{**options, **kwargs})


@pytest.fixture
def library(data_dir: Path):
    lib = Library.open(data_dir)
    yield lib
    lib.close()


async def refresh(library: Library) -> None:
    async with fast_fetcher() as fetcher:
        await refresh_feeds(library, None, fetcher=fetcher)


async def subscribe(library: Library, server, page_path: str = "/news/bridge.html",
                    summary: str = SUMMARY) -> str:
    """A feed whose one truncated entry (its guid: the path) links `page_path`; refreshed.
    Returns the article id."""
    server.static("/feed.xml", rss_with_links(
        [(page_path, "Harbour bridge reopens", summary, server.url(page_path))]))
    feed = library.feed(server.url("/feed.xml")) or library.add_feed(server.url("/feed.xml"))
    await refresh(library)
    return short_hash(feed.id, page_path)


def one_sentence(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message
    assert message.endswith("."), message
    assert len(message) < 200, message


# Extraction ---------------------------------------------------------------------------------
async def test_full_text_replaces_the_summary_with_the_article(library: Library,
                                                               feed_server) -> None:
    feed_server.static("/news/bridge.html", article_page(), content_type="text/html")
    feed_server.redirect("/story/1", "/news/bridge.html", 302)
    article_id = await subscribe(library, feed_server, "/story/1")
    before = library.body(article_id)
    assert before == html_text(SUMMARY)
    hash_before = library.article(article_id).content_hash
    async with fast_fetcher() as fetcher:
        stored = await store_full_text(library, article_id, fetcher)
    body = library.body(article_id)
    assert stored.chars == len(body) and stored.was == len(before)
    for paragraph in PARAGRAPHS:
        assert paragraph in body
    for junk in BOILERPLATE:
        assert junk not in body
    # Relative links resolve against the page's final URL (after the redirect).
    assert f"[1] {feed_server.url('/news/storm-2023.html')}" in body
    # Stored like any feed body: markup and base, converted when read.
    feed_id = library.article(article_id).feed_id
    kind, markup, base = library.bodies.feed_bodies(feed_id)[article_id]
    assert (kind, base) == ("html", feed_server.url("/news/bridge.html"))
    assert "<p>" in markup and "Subscribe today" not in markup
    assert library.article(article_id).content_hash == hash_before
    # The quote pane's extractor finds the mayor's quote (and Marta Lopes's, attributed).
    quotes = extracted_quotes(body)
    assert any(q.text.startswith("We will rebuild") for q in quotes)
    assert any(q.speaker == "Marta Lopes" for q in quotes)
    # And it is on disk: a read-only open (another process) reads the same text.
    again = Library.open(library.data_dir, readonly=True)
    try:
        assert again.body(article_id) == body
    finally:
        again.close()


def html_text(markup: str) -> str:
    from reader.text.html import html_to_text

    return html_to_text(markup)


async def test_refresh_keeps_the_full_text_until_the_entry_changes(library: Library,
                                                                   feed_server) -> None:
    feed_server.static("/news/bridge.html", article_page(), content_type="text/html")
    article_id = await subscribe(library, feed_server)
    async with fast_fetcher() as fetcher:
        await store_full_text(library, article_id, fetcher)
    full = library.body(article_id)
    # The same feed again (a 200, not a 304: parsed and compared): the entry is unchanged,
    # apply_refresh skips it, the full text stays.
    feed_requests = len(feed_server.requests_for("/feed.xml"))
    await refresh(library)
    assert len(feed_server.requests_for("/feed.xml")) == feed_requests + 1
    assert library.body(article_id) == full
    # The feed changes the entry: its new version replaces the body (documented).
    changed = "<p>Update: the bridge closed again on Tuesday for an inspection.</p>"
    await subscribe(library, feed_server, summary=changed)
    assert library.body(article_id) == html_text(changed)


async def test_a_saved_quote_is_still_saved_in_the_full_text(library: Library,
                                                             feed_server) -> None:
    summary = "<p>“We will rebuild,” the mayor said as the bridge reopened on Monday.</p>"
    feed_server.static("/news/bridge.html", article_page(), content_type="text/html")
    article_id = await subscribe(library, feed_server, summary=summary)
    body = library.body(article_id)
    [view] = article_quote_views(article_id, body, [])
    quote = library.save_quote(article_id, view.start, view.end, text=view.text,
                               note="opening line")
    async with fast_fetcher() as fetcher:
        await store_full_text(library, article_id, fetcher)
    full = library.body(article_id)
    assert full != body and full.index("We will rebuild") != body.index("We will rebuild")
    views = article_quote_views(article_id, full, library.saved_quotes(article_id))
    saved = [v for v in views if v.saved]
    assert len(saved) == 1 and saved[0].id == quote.id and saved[0].note == "opening line"
    assert saved[0].n is not None  # matched with the extracted quote at its new place
    assert full[saved[0].start:saved[0].end] == quote.text
    # The quote itself was not rewritten.
    assert library.quote(quote.id).text == quote.text


def _entry(summary: str, link: str = "https://tide.example/bridge"):
    from reader.feeds.parse import ParsedEntry
    from reader.text.body import BodySource

    body = BodySource.of(summary, "html", link)
    return ParsedEntry(guid="bridge", title="Harbour bridge reopens", link=link, author="",
                       published="2025-09-01T10:00:00Z", body=body,
                       content_hash=short_hash("Harbour bridge reopens", body.kind, body.markup))


@pytest.mark.parametrize("staged", [False, True])
def test_the_store_keeps_a_replaced_body_for_an_unchanged_entry(library: Library,
                                                                staged: bool) -> None:
    """apply_refresh (and stage_bodies before it) skip an entry whose content hash equals
    the stored one; replace_body keeps that hash, so only a changed entry replaces it."""
    from reader.library.store import FeedChange

    feed = library.add_feed("https://tide.example/feed.xml")

    def refresh_with(entry) -> None:
        if staged:
            library.stage_bodies(feed.id, [entry])
        library.apply_refresh([FeedChange(library.feed(feed.id), [entry])])

    refresh_with(_entry(SUMMARY))
    article_id = short_hash(feed.id, "bridge")
    full = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    library.replace_body(article_id, full, "https://tide.example/news/bridge.html")
    assert library.body(article_id) == html_text(full)
    refresh_with(_entry(SUMMARY))
    assert library.body(article_id) == html_text(full)
    refresh_with(_entry("<p>Update: closed again.</p>"))
    assert library.body(article_id) == "Update: closed again."
    # A text search cached before the change sees it changed.
    count = library.change_count
    library.replace_body(article_id, full, "https://tide.example/news/bridge.html")
    assert library.change_count > count
    assert library.text_matches("forty metres of steel", [article_id]) == {article_id}
    # An article kept after its feed went (bookmarked) keeps a new body in its own file.
    library.set_bookmarked([article_id])
    library.remove_feed(feed.id)
    library.replace_body(article_id, "<p>Kept, and now whole.</p>", "https://tide.example/")
    assert library.body(article_id) == "Kept, and now whole."
    assert not (library.data_dir / "bodies" / "feeds" / f"{feed.id}.json").exists()


# Bad input ----------------------------------------------------------------------------------
NO_ARTICLE = (b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>"
              b"<nav><a href='/'>Home</a> <a href='/login'>Log in</a></nav>"
              b"<div class='login'><p>Please sign in.</p></div>"
              b"<footer>Copyright 2025</footer></body></html>")
JSON_BODY = b'{"title": "Harbour bridge reopens", "body": "' + b"x" * 500 + b'"}'


def _bad_pages(server) -> dict[str, str]:
    """path -> a fragment of the expected sentence."""
    server.status("/missing.html", 404)
    server.hang("/slow.html")
    server.static("/report.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40,
                  content_type="application/pdf")
    server.static("/binary.html", b"\x00\x01\x02\xff" * 2000, content_type="text/html")
    server.static("/data.json", JSON_BODY, content_type="application/json")
    server.static("/json-as-html", JSON_BODY, content_type="text/html")
    server.static("/empty.html", b"", content_type="text/html")
    server.static("/blank.html", b" \n\t ", content_type="text/html")
    server.static("/login.html", NO_ARTICLE, content_type="text/html")
    server.static("/comment.html", b"<!-- nothing but a comment -->", content_type="text/html")
    server.static("/deep.html", b"<div>" * 5000 + b"deep" + b"</div>" * 5000,
                  content_type="text/html")
    server.static("/big.html", article_page(extra="<p>" + "more words " * 30000 + "</p>"),
                  content_type="text/html")
    server.static("/feed-again.xml", b"<rss version='2.0'><channel></channel></rss>",
                  content_type="application/rss+xml")
    server.static("/image.png", b"\x89PNG\r\n\x1a\n" + bytes(500), content_type="image/png")
    server.redirect("/to-ftp", "ftp://files.example/article.txt")
    return {
        "/missing.html": "404 Not Found",
        "/slow.html": "stopped answering",
        "/report.pdf": "a PDF document, not a web page",
        "/binary.html": "binary data",
        "/data.json": "a JSON document, not a web page",
        "/json-as-html": "a JSON document, not a web page",
        "/empty.html": "page is empty",
        "/blank.html": "page is empty",
        "/login.html": "No article text found",
        "/comment.html": "No article text found",
        "/deep.html": "No article text found",
        "/big.html": "The page is larger than 64 KiB",
        "/feed-again.xml": "a feed, not a web page",
        "/image.png": "an image, not a web page",
        "/to-ftp": "not an http(s) address",
    }


async def test_bad_pages_end_as_one_sentence_and_keep_the_body(library: Library, feed_server,
                                                              capfd) -> None:
    expected = _bad_pages(feed_server)
    async with fast_fetcher(max_bytes=64 * 1024, read_timeout=0.5) as fetcher:
        for path, fragment in expected.items():
            article_id = await subscribe(library, feed_server, path)
            before = library.body(article_id)
            with pytest.raises(FullTextError) as caught:
                await store_full_text(library, article_id, fetcher)
            message = str(caught.value)
            one_sentence(message)
            assert fragment in message, (path, message)
            assert library.body(article_id) == before, path
    # readability's own traceback logging never reaches the terminal.
    _out, err = capfd.readouterr()
    assert "Traceback" not in err and "error getting summary" not in err.lower()


async def test_links_that_cannot_be_fetched(library: Library) -> None:
    [(no_link, _), (script, _), (web, _)] = library.add_local_articles([
        LocalArticleInput(title="Notes", author="me", body="My own notes."),
        LocalArticleInput(title="Trap", author="x", body="Click.", link="javascript:alert(1)"),
        LocalArticleInput(title="Saved page", author="y", body="A clipping.",
                          link="https://example.invalid/page"),
    ])
    async with fast_fetcher() as fetcher:
        with pytest.raises(FullTextError, match="no link") as caught:
            await store_full_text(library, no_link.id, fetcher)
        one_sentence(str(caught.value))
        with pytest.raises(FullTextError, match=r"not an http\(s\) address") as caught:
            await store_full_text(library, script.id, fetcher)
        one_sentence(str(caught.value))
        with pytest.raises(FullTextError, match="not an http"):
            await fetch_full_text("file:///etc/passwd", fetcher)
        with pytest.raises(FullTextError, match="no link"):
            await fetch_full_text("", fetcher)
    assert library.body(no_link.id) == "My own notes."
    assert library.body(script.id) == "Click."
    # The library refuses too: a body is replaced only for an article with a web link.
    for article in (no_link, script):
        with pytest.raises(LibraryError, match="no web link"):
            library.replace_body(article.id, "<p>" + "x" * 300 + "</p>", "https://e.example/")
    with pytest.raises(LibraryError, match="No article"):
        library.replace_body("nonexistent", "<p>x</p>", "")
    with pytest.raises(LibraryError, match="empty"):
        library.replace_body(web.id, "<p> </p>", "https://example.invalid/page")
    # A local article with a web link keeps its new text in its own file.
    library.replace_body(web.id, "<p>The whole page, <a href='/more'>more</a>.</p>",
                         "https://example.invalid/page")
    assert library.body(web.id) == (
        "The whole page, more[1].\n\nLinks:\n[1] https://example.invalid/more")


async def test_a_longer_summary_is_never_replaced_by_a_shorter_page(library: Library,
                                                                    feed_server) -> None:
    long_summary = "".join(f"<p>{p}</p>" for p in [*PARAGRAPHS, *PARAGRAPHS])
    feed_server.static("/news/bridge.html", article_page(), content_type="text/html")
    article_id = await subscribe(library, feed_server, summary=long_summary)
    before = library.body(article_id)
    async with fast_fetcher() as fetcher:
        with pytest.raises(FullTextError, match="no more text") as caught:
            await store_full_text(library, article_id, fetcher)
    one_sentence(str(caught.value))
    assert library.body(article_id) == before


async def test_a_hostile_page_is_stored_as_plain_clean_text(library: Library,
                                                            feed_server) -> None:
    hostile = [
        "Escape \x1b]0;pwned\x07 and \x1b[31mred\x1b[0m text in a long enough paragraph to "
        "count as article content for the extractor to keep it whole.",
        "Bidi \u202etxet desrever\u202c and zero\u200bwidth and &#x1b;[2J spelled escapes "
        "stay out of the stored text however the page writes them.",
        "Markup [@click=app.quit]click me[/] and [bold]bold[/bold] is shown literally, "
        "never run, “We will rebuild,” the mayor said, in a long paragraph.",
    ]
    feed_server.static("/news/bridge.html", article_page([*hostile, *PARAGRAPHS[:2]]),
                       content_type="text/html; charset=utf-8")
    article_id = await subscribe(library, feed_server)
    async with fast_fetcher() as fetcher:
        await store_full_text(library, article_id, fetcher)
    body = library.body(article_id)
    assert CONTROL.search(body) is None
    assert "[@click=app.quit]click me[/]" in body and "[bold]bold[/bold]" in body
    assert "txet desrever" in body
    feed_id = library.article(article_id).feed_id
    _kind, markup, _base = library.bodies.feed_bodies(feed_id)[article_id]
    assert CONTROL.search(markup) is None


def test_extraction_never_raises_and_never_prints(capfd) -> None:
    odd = ["", "   ", "<html></html>", "just text", "\x00\x01bin\ufffd", "<div>" * 5000 + "x",
           "<!-- c -->", "<?xml version='1.0'?><x/>", "<p>" + "a" * 10 + "</p>",
           "<html><body><nav>" + "menu " * 100 + "</nav></body></html>"]
    logging.getLogger().setLevel(logging.DEBUG)  # even a root logger that shows everything
    try:
        for html in odd:
            result = extract_article(html)
            assert isinstance(result, str)
            assert prose_length(html_text(result)) < MIN_CHARS
    finally:
        logging.getLogger().setLevel(logging.WARNING)
    _out, err = capfd.readouterr()
    assert err == ""


def test_page_encodings() -> None:
    text = "Café “quoted” — naïve"
    latin = f"<html><head><meta charset='iso-8859-1'></head><p>{text}</p>".encode("cp1252")
    assert page_encoding(latin, "text/html") == "cp1252"  # WHATWG: latin-1 means cp1252
    assert text in decode_page(latin, "text/html")
    # The Content-Type charset wins over the page's <meta>.
    koi = "<meta charset='utf-8'><p>Привет</p>".encode("koi8-r")
    assert "Привет" in decode_page(koi, "text/html; charset=KOI8-R")
    # http-equiv form.
    pragma = (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
              + "<p>Привет</p>".encode("cp1251"))
    assert "Привет" in decode_page(pragma, "text/html")
    # BOMs, unknown labels, nothing declared, bad bytes.
    assert decode_page("<p>é</p>".encode("utf-16"), "text/html") == "<p>é</p>"
    assert decode_page(b"\xef\xbb\xbf<p>\xc3\xa9</p>", "text/html") == "<p>é</p>"
    assert page_encoding(b"<p>x</p>", "text/html; charset=no-such-thing") == "utf-8"
    assert page_encoding(b"<meta charset='utf-16'><p>x</p>", "text/html") == "utf-8"
    assert decode_page(b"<p>\xff\xfe ok\x1b</p>", "text/html") == "<p>\ufffd\ufffd ok</p>"


@pytest.mark.parametrize(("label", "codec", "text"), [
    # Characters only the Windows supersets have, which browsers use for these labels.
    ("shift_jis", "cp932", "丸数字の①と②"), ("sjis", "cp932", "①"), ("x-sjis", "cp932", "①"),
    ("euc-kr", "cp949", "똠방각하"), ("gb2312", "gb18030", "𠀀 and 鎔"),
    ("gbk", "gb18030", "€"), ("x-gbk", "gb18030", "€"), ("tis-620", "cp874", "€ ภาษาไทย"),
    ("iso-8859-11", "cp874", "€ ภาษาไทย"), ("iso-8859-1", "cp1252", "“€”"),
    ("latin1", "cp1252", "“€”"), ("us-ascii", "cp1252", "“€”"), ("ascii", "cp1252", "“€”"),
])
def test_whatwg_charset_labels(label: str, codec: str, text: str) -> None:
    page = f"<html><body><p>{text}</p></body></html>".encode(codec)
    assert page_encoding(page, f"text/html; charset={label.upper()}") == codec
    assert f"<p>{text}</p>" in decode_page(page, f"text/html; charset={label}")
    meta = f"<meta charset='{label}'>".encode() + page  # the same label in a <meta>
    assert f"<p>{text}</p>" in decode_page(meta, "text/html")


async def test_pages_labelled_shift_jis_and_euc_kr_read_right(library: Library,
                                                              feed_server) -> None:
    for path, codec, label, word in [("/jp.html", "cp932", "shift_jis", "①"),
                                     ("/kr.html", "cp949", "euc-kr", "똠")]:
        paragraphs = [f"{p} ({word})" for p in PARAGRAPHS]
        feed_server.static(path, article_page(paragraphs, charset=codec, meta=False),
                           content_type=f"text/html; charset={label}")
        article_id = await subscribe(library, feed_server, path)
        async with fast_fetcher() as fetcher:
            await store_full_text(library, article_id, fetcher)
        body = library.body(article_id)
        assert f"{PARAGRAPHS[2]} ({word})" in body and "\ufffd" not in body


async def test_a_windows_1252_page_reads_right(library: Library, feed_server) -> None:
    paragraphs = [p.replace("forty", "forty (café’s)") for p in PARAGRAPHS]
    feed_server.static("/news/bridge.html", article_page(paragraphs, charset="cp1252",
                                                         meta=False),
                       content_type="text/html; charset=windows-1252")
    article_id = await subscribe(library, feed_server)
    async with fast_fetcher() as fetcher:
        await store_full_text(library, article_id, fetcher)
    body = library.body(article_id)
    assert "forty (café’s)" in body and "“We will rebuild,” the mayor said." in body


def test_a_100_kb_page_is_extracted() -> None:
    """(Its speed is measured in bench/bench_fulltext.py, not asserted here.)"""
    page = article_page([*PARAGRAPHS] * 130).decode()
    assert 90_000 < len(page.encode()) < 200_000
    markup = extract_article(decode_page(page.encode(), "text/html"))
    assert PARAGRAPHS[0] in html_text(markup)


# Pages that are not the article ------------------------------------------------------------
# A summary with more than 8 distinct words of 4+ letters, all of them in PARAGRAPHS[0].
LONG_SUMMARY = ("<p>The harbour bridge reopened to traffic on Monday morning, two years after "
                "a storm tore away part of its deck.</p>")
COOKIE_WALL = b"""<!DOCTYPE html><html><head><title>Before you continue</title></head><body>
<div class="consent"><h1>We value your privacy</h1>
<p>We and our 842 partners use cookies and similar technologies to store and access information
on your device, to measure how our services are used, and to show you personalised advertising
and content.</p>
<p>By choosing Accept all you agree to this. You can change your choices at any time by visiting
Privacy settings, and you can object to processing based on legitimate interest.</p>
<p><a href="/accept">Accept all</a> <a href="/reject">Reject all</a></p></div>
</body></html>"""
_SECTIONS = ["News", "World", "Business", "Technology", "Science", "Health", "Sport", "Culture",
             "Opinion", "Travel", "Food", "Weather"]
_MENU = "".join(f"<div class='menu-item'><a href='/{s.lower()}/{i}'>{s} stories, page {i}</a>"
                "</div>" for i in range(1, 6) for s in _SECTIONS)
# No article anywhere, long menus: readability turns the menus' <div>s into paragraphs and
# picks <body> itself.
MENUS_ONLY = (f"<!DOCTYPE html><html><head><title>The Daily Tide</title></head><body>"
              f"<div class='top-links'>{_MENU}</div><div class='login'><p>Please sign in.</p>"
              f"</div><div class='bottom-links'>{_MENU}</div></body></html>").encode()
# A plain page: the article's paragraphs right in <body>; readability picks <body> too.
BARE_ARTICLE = ("<!DOCTYPE html><html><head><title>Harbour</title></head><body>"
                "<h1>Harbour bridge reopens</h1>"
                + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
                + "<p>Read <a href='/storm.html'>our coverage of the storm</a>.</p>"
                + "</body></html>").encode()


def test_readability_picks_body_for_menus_and_plain_pages() -> None:
    """The shape the body check relies on, and the two pages it must tell apart."""
    from readability import Document

    for page in (MENUS_ONLY, BARE_ARTICLE):
        raw = Document(page.decode()).summary(html_partial=True)
        assert raw.startswith('<div><body id="readabilityBody">'), raw[:60]
    # Unchecked, the menus would pass for an article (plenty of "text").
    raw = Document(MENUS_ONLY.decode()).summary(html_partial=True)
    assert prose_length(html_text(raw)) > 10 * MIN_CHARS
    assert extract_article(MENUS_ONLY.decode()) == ""
    kept = html_text(extract_article(BARE_ARTICLE.decode()))
    assert all(paragraph in kept for paragraph in PARAGRAPHS)


def test_shares_words() -> None:
    summary = html_text(LONG_SUMMARY)
    assert shares_words(summary, "\n\n".join(PARAGRAPHS))
    assert not shares_words(summary, html_text(COOKIE_WALL.decode()))
    # Case-folded, letters only; words of 3 letters or fewer do not count.
    words = "alpha bravo charlie delta echo foxtrot golf hotel"
    assert shares_words(words, "ALPHA Bravo CHARLIE delta and so on")  # 4 of 8: half
    assert not shares_words(words, "alpha bravo charlie and so on")  # 3 of 8
    # Letters only: digits, "_" and "-" end a word ("alpha1" holds "alpha").
    assert shares_words(words, "alpha1 bravo_ x-charlie 2delta")
    assert not shares_words(words, "alph4 brav0 charlie delt_a")
    # Words of 3 letters or fewer are not counted, on either side.
    assert not shares_words(words + " cat dog sun", "alpha bravo charlie cat dog sun")
    # Fewer than 8 distinct words: nothing to compare, anything goes.
    assert shares_words("alpha bravo charlie delta echo foxtrot golf golf GOLF", "other")
    assert shares_words("the cat sat on a mat by the door and ran off to see", "other")
    # The "Links:" list of either text is not the article's words.
    linked = (words.replace("golf hotel", "golf[1] hotel[2]")
              + "\n\nLinks:\n[1] https://golf.example/\n[2] https://hotel.example/")
    assert not shares_words(linked, "alpha bravo charlie\n\nLinks:\n[1] https://delta.example/")


async def test_a_cookie_wall_does_not_replace_the_summary(library: Library,
                                                          feed_server) -> None:
    feed_server.static("/consent.html", COOKIE_WALL, content_type="text/html")
    feed_server.redirect("/news/bridge.html", "/consent.html", 302)
    article_id = await subscribe(library, feed_server, summary=LONG_SUMMARY)
    before = library.body(article_id)
    # Long enough to pass every other check: the relevance check is what refuses it.
    wall = prose_length(html_text(extract_article(COOKIE_WALL.decode())))
    assert wall >= MIN_CHARS and wall > prose_length(before)
    async with fast_fetcher() as fetcher:
        with pytest.raises(FullTextError) as caught:
            await store_full_text(library, article_id, fetcher)
    assert str(caught.value) == ("The page does not look like this article (it shares few "
                                 "words with it); the article was left as it is.")
    one_sentence(str(caught.value))
    assert library.body(article_id) == before
    # The article itself, with the same summary, passes.
    feed_server.static("/news/bridge.html", article_page(), content_type="text/html")
    async with fast_fetcher() as fetcher:
        await store_full_text(library, article_id, fetcher)
    assert PARAGRAPHS[3] in library.body(article_id)


async def test_a_page_of_menus_is_no_article_but_a_plain_page_is(library: Library,
                                                                  feed_server) -> None:
    feed_server.static("/menus.html", MENUS_ONLY, content_type="text/html")
    feed_server.static("/plain.html", BARE_ARTICLE, content_type="text/html")
    menus_id = await subscribe(library, feed_server, "/menus.html")
    before = library.body(menus_id)
    async with fast_fetcher() as fetcher:
        with pytest.raises(FullTextError, match=r"^No article text found on the page\.$"):
            await store_full_text(library, menus_id, fetcher)
        assert library.body(menus_id) == before
        plain_id = await subscribe(library, feed_server, "/plain.html")
        await store_full_text(library, plain_id, fetcher)
    body = library.body(plain_id)
    assert all(paragraph in body for paragraph in PARAGRAPHS)
    assert f"[1] {feed_server.url('/storm.html')}" in body


async def test_a_page_is_asked_for_as_html(library: Library, feed_server) -> None:
    feed_server.static("/news/bridge.html", article_page(), content_type="text/html")
    article_id = await subscribe(library, feed_server)
    async with fast_fetcher() as fetcher:
        await store_full_text(library, article_id, fetcher)
    (page,) = feed_server.requests_for("/news/bridge.html")
    assert page.headers["accept"] == PAGE_ACCEPT
    assert page.headers["accept"].startswith("text/html")
    assert all("text/html" not in r.headers["accept"]
               for r in feed_server.requests_for("/feed.xml"))


# Pages too big to extract -------------------------------------------------------------------
def _nested(depth: int, fill: str, tags: int) -> str:
    """`tags` <div>s in stacks `depth` deep, `fill` text in each."""
    stack = ("<div>" + fill) * depth + "</div>" * depth
    return "<html><body>" + stack * max(1, tags // depth) + "</body></html>"


def test_page_size_limits() -> None:
    # The counts the limits use.
    assert nested_text("<html><body><div>abc<div>de</div>f</div></body></html>") == (
        3 * 3 + 2 * 4 + 1 * 3)  # html > body > div > div
    assert nested_text("<html><body><script>" + "x" * 1000 + "</script>ab<!-- " + "y" * 1000
                       + " --></body></html>") == 2 * 2  # scripts and comments do not count
    assert nested_text("") == 0
    check_page_size("x" * MAX_PAGE_CHARS)
    check_page_size("<p>a</p>" * MAX_PAGE_TAGS)
    check_page_size("< a <1 <" * MAX_PAGE_TAGS)  # only "<" and a letter is a tag
    with pytest.raises(FullTextError, match="too large") as caught:
        check_page_size("x" * (MAX_PAGE_CHARS + 1))
    one_sentence(str(caught.value))
    with pytest.raises(FullTextError, match="too many elements") as caught:
        check_page_size("<p>a</p>" * (MAX_PAGE_TAGS + 1))
    one_sentence(str(caught.value))
    deep = _nested(200, "words and more words here. ", 10_000)
    assert len(deep) < MAX_PAGE_CHARS and deep.count("<div>") < MAX_PAGE_TAGS
    assert nested_text(deep) > MAX_NESTED_TEXT
    with pytest.raises(FullTextError, match="nested too deeply") as caught:
        check_page_size(deep)
    one_sentence(str(caught.value))


@pytest.mark.parametrize(("path", "page", "fragment"), [
    # 300,000 tiny paragraphs: 2.4 million characters.
    ("/huge.html", b"<html><body>" + b"<p>a</p>" * 300_000 + b"</body></html>",
     "The page is too large to find its article in (over 2,000,000 characters)."),
    # Under 2 MB, but 45,000 paragraphs.
    ("/many.html", b"<html><body>" + b"<p>word</p>" * 45_000 + b"</body></html>",
     f"The page has too many elements to find its article in (over {MAX_PAGE_TAGS:,} tags)."),
    # Under both, but text in <div>s 200 deep.
    ("/deep.html", _nested(200, "words and more words here. ", 10_000).encode(),
     "The page's text is nested too deeply to find its article in."),
], ids=["characters", "tags", "nesting"])
async def test_pages_too_big_to_extract_are_refused_first(library: Library, feed_server,
                                                          monkeypatch, path: str,
                                                          page: bytes, fragment: str) -> None:
    feed_server.static(path, page, content_type="text/html")
    article_id = await subscribe(library, feed_server, path)
    before = library.body(article_id)

    def never(html: str) -> str:
        raise AssertionError("readability ran on a page over the limits")

    monkeypatch.setattr(fulltext, "extract_article", never)
    async with fast_fetcher() as fetcher:
        with pytest.raises(FullTextError) as caught:
            await store_full_text(library, article_id, fetcher)
    assert str(caught.value) == fragment
    assert library.body(article_id) == before


def test_the_limits_are_tight_around_the_worst_pages() -> None:
    """Nested <div>s full of text are the slowest pages for readability: one just under the
    limits passes the check, a slightly denser one does not (bench/bench_fulltext.py times
    both kinds)."""
    page = _nested(25, "words and more. ", MAX_PAGE_TAGS - 100)
    check_page_size(page)  # under every limit ...
    assert nested_text(page) > MAX_NESTED_TEXT * 0.95  # ... but only just
    with pytest.raises(FullTextError, match="nested too deeply"):
        check_page_size(_nested(25, "words, more words.", MAX_PAGE_TAGS - 100))


# The article changes while its page is fetched ----------------------------------------------
async def test_a_refresh_during_the_fetch_wins(library: Library, feed_server) -> None:
    """The page answers only once a refresh has brought a changed entry: the refreshed body
    stays, and the full text is refused."""
    asked, release = threading.Event(), threading.Event()

    def slow_page(handler) -> None:
        asked.set()
        release.wait(10)
        handler.reply(200, article_page(), content_type="text/html")

    feed_server.route("/news/bridge.html", slow_page)
    article_id = await subscribe(library, feed_server)
    changed = "<p>Update: the bridge closed again on Tuesday for an inspection.</p>"
    try:
        async with fast_fetcher(read_timeout=10, deadline=15) as fetcher:
            task = asyncio.create_task(store_full_text(library, article_id, fetcher))
            assert await asyncio.to_thread(asked.wait, 5)
            await subscribe(library, feed_server, summary=changed)  # a refresh
            assert library.body(article_id) == html_text(changed)
            release.set()
            with pytest.raises(LibraryError) as caught:
                await asyncio.wait_for(task, 10)
    finally:
        release.set()
    assert str(caught.value) == "The article changed while its page was fetched; try again."
    assert library.body(article_id) == html_text(changed)
    assert len(feed_server.requests_for("/news/bridge.html")) == 1


FULL = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
PAGE_URL = "https://tide.example/news/bridge.html"


def _feed_with_article(library: Library) -> tuple[str, str]:
    feed = library.add_feed("https://tide.example/feed.xml")
    library.apply_refresh([FeedChange(library.feed(feed.id), [_entry(SUMMARY)])])
    return feed.id, short_hash(feed.id, "bridge")


def _lock_is_free(library: Library) -> bool:
    """Whether another thread can take the library's lock right now."""
    got: list[bool] = []

    def take() -> None:
        if library._lock.acquire(timeout=2):
            library._lock.release()
            got.append(True)

    thread = threading.Thread(target=take)
    thread.start()
    thread.join(5)
    return got == [True]


def test_replace_body_converts_and_writes_outside_the_library_lock(library: Library,
                                                                    monkeypatch) -> None:
    feed_id, article_id = _feed_with_article(library)
    seen: list[tuple[str, bool]] = []
    to_text, put_feed = BodySource.to_text, library.bodies.put_feed

    def converting(self) -> str:
        seen.append(("convert", _lock_is_free(library)))
        return to_text(self)

    def writing(*args, **kwargs) -> None:
        seen.append(("write", _lock_is_free(library)))
        put_feed(*args, **kwargs)

    monkeypatch.setattr(BodySource, "to_text", converting)
    monkeypatch.setattr(library.bodies, "put_feed", writing)
    count = library.change_count
    library.replace_body(article_id, FULL, PAGE_URL)
    assert seen == [("convert", True), ("write", True)]
    assert library.change_count == count + 1
    # Given the text, it converts nothing.
    seen.clear()
    library.replace_body(article_id, FULL + "<p>More.</p>", PAGE_URL,
                         text=html_text(FULL + "<p>More.</p>"))
    assert seen == [("write", True)]
    assert library.body(article_id) == html_text(FULL + "<p>More.</p>")
    assert library.bodies.feed_bodies(feed_id)[article_id][1].endswith("<p>More.</p>")


def test_replace_body_refuses_a_read_only_library_and_a_changed_article(
        library: Library, monkeypatch) -> None:
    feed_id, article_id = _feed_with_article(library)
    old_hash = library.article(article_id).content_hash
    library.flush()
    readonly = Library.open(library.data_dir, readonly=True)
    try:
        with pytest.raises(ReadOnlyLibrary):
            readonly.replace_body(article_id, FULL, PAGE_URL)
    finally:
        readonly.close()
    library.apply_refresh([FeedChange(library.feed(feed_id), [_entry("<p>Update.</p>")])])
    with pytest.raises(LibraryError, match=r"^The article changed while its page was fetched"):
        library.replace_body(article_id, FULL, PAGE_URL, expected_hash=old_hash)
    assert library.body(article_id) == "Update."
    # A refresh has staged a new body but not stored the entry yet: refused too, before
    # anything is written.
    library.stage_bodies(feed_id, [_entry("<p>Second update.</p>")])
    new_hash = library.article(article_id).content_hash
    writes: list[str] = []
    monkeypatch.setattr(library.bodies, "put_feed", lambda *a, **k: writes.append(a[0]))
    with pytest.raises(LibraryError, match="changed while"):
        library.replace_body(article_id, FULL, PAGE_URL, expected_hash=new_hash)
    assert writes == []
    monkeypatch.undo()
    library.apply_refresh([FeedChange(library.feed(feed_id), [_entry("<p>Second update.</p>")])])
    assert library.body(article_id) == "Second update."
    library.replace_body(article_id, FULL, PAGE_URL,
                         expected_hash=library.article(article_id).content_hash)
    assert library.body(article_id) == html_text(FULL)


@pytest.mark.parametrize("staged", [False, True])
def test_a_refresh_between_the_check_and_the_write_wins(library: Library, monkeypatch,
                                                        staged: bool) -> None:
    """The refresh lands while the new body is converted: its body is put back over the
    full text, the full text is refused."""
    feed_id, article_id = _feed_with_article(library)
    expected = library.article(article_id).content_hash
    update = _entry("<p>Update: closed again.</p>")
    of = BodySource.of.__func__

    def refreshing(cls, markup: str, kind: str, base: str = "") -> BodySource:
        if markup == FULL:  # the full text being stored; not the refresh's own bodies
            if staged:
                library.stage_bodies(feed_id, [update])
            else:
                library.apply_refresh([FeedChange(library.feed(feed_id), [update])])
        return of(cls, markup, kind, base)

    monkeypatch.setattr(BodySource, "of", classmethod(refreshing))
    with pytest.raises(LibraryError, match="changed while"):
        library.replace_body(article_id, FULL, PAGE_URL, text=html_text(FULL),
                             expected_hash=expected)
    assert library.body(article_id) == "Update: closed again."
    if staged:
        library.apply_refresh([FeedChange(library.feed(feed_id), [update])])
    assert library.article(article_id).content_hash == update.content_hash
    assert library.body(article_id) == "Update: closed again."
    again = Library.open(library.data_dir, readonly=True)  # and so it is on disk
    try:
        assert again.body(article_id) == "Update: closed again."
    finally:
        again.close()


@pytest.mark.parametrize("kept", [False, True])
def test_unsubscribed_while_storing_leaves_no_feed_body_file(library: Library, monkeypatch,
                                                             kept: bool) -> None:
    feed_id, article_id = _feed_with_article(library)
    if kept:
        library.set_bookmarked([article_id])
    feed_file = library.data_dir / "bodies" / "feeds" / f"{feed_id}.json"
    assert feed_file.exists()
    of = BodySource.of.__func__

    def unsubscribing(cls, markup: str, kind: str, base: str = "") -> BodySource:
        library.remove_feed(feed_id)
        return of(cls, markup, kind, base)

    monkeypatch.setattr(BodySource, "of", classmethod(unsubscribing))
    if kept:  # kept after its feed went: the new body goes to its own file
        library.replace_body(article_id, FULL, PAGE_URL)
        assert library.body(article_id) == html_text(FULL)
    else:
        with pytest.raises(LibraryError) as caught:
            library.replace_body(article_id, FULL, PAGE_URL)
        assert str(caught.value) == "The article was removed while its page was fetched."
    assert not feed_file.exists()
    assert library.article(article_id) is not None if kept else library.article(article_id) is None


def test_pruned_while_storing_leaves_no_body_behind(library: Library, monkeypatch) -> None:
    """Retention drops the article while its new body is converted: the body written for
    it is taken back out of the feed's file."""
    from reader.feeds.parse import ParsedEntry

    feed_id, article_id = _feed_with_article(library)
    newer = ParsedEntry(guid="newer", title="Ferry service ends", link="https://tide.example/f",
                        author="", published="2025-09-09T10:00:00Z",
                        body=BodySource.of("<p>The ferry stops.</p>", "html"),
                        content_hash="newer-1")
    of = BodySource.of.__func__

    def pruning(cls, markup: str, kind: str, base: str = "") -> BodySource:
        if markup == FULL:
            library.keep_per_feed = 1
            library.apply_refresh([FeedChange(library.feed(feed_id), [newer])])
        return of(cls, markup, kind, base)

    monkeypatch.setattr(BodySource, "of", classmethod(pruning))
    with pytest.raises(LibraryError) as caught:
        library.replace_body(article_id, FULL, PAGE_URL)
    assert str(caught.value) == "The article was removed while its page was fetched."
    assert library.article(article_id) is None
    library.bodies.forget_cached(feed_id)
    assert set(library.bodies.feed_bodies(feed_id)) == {short_hash(feed_id, "newer")}


# CLI ----------------------------------------------------------------------------------------
async def test_cli_fulltext(feed_server, data_dir: Path) -> None:
    feed_server.static("/news/bridge.html", article_page(), content_type="text/html")
    feed_server.status("/gone.html", 404)
    feed_server.static("/feed.xml", rss_with_links([
        ("bridge", "Harbour bridge reopens", SUMMARY, feed_server.url("/news/bridge.html")),
        ("gone", "A removed story", SUMMARY, feed_server.url("/gone.html")),
    ]))
    library = Library.open(data_dir)
    try:
        library.add_feed(feed_server.url("/feed.xml"))
        await refresh(library)
        ids = {a.title: a.id for a in library.articles()}
        was = len(library.body(ids["Harbour bridge reopens"]))
    finally:
        library.close()
    done = run("fulltext", ids["Harbour bridge reopens"][:6], data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    match = re.fullmatch(r"Full text stored: (\d+) characters \(was (\d+)\)\.\n", done.stdout)
    assert match is not None, done.stdout
    assert int(match.group(2)) == was and int(match.group(1)) > 4 * was
    assert done.stderr == ""
    shown = run("show", ids["Harbour bridge reopens"], data_dir=data_dir)
    assert PARAGRAPHS[1] in shown.stdout and "Subscribe today" not in shown.stdout
    quotes = run("quotes", "--article", ids["Harbour bridge reopens"], data_dir=data_dir)
    assert "We will rebuild" in quotes.stdout
    failed = run("fulltext", ids["A removed story"], data_dir=data_dir)
    assert_one_clear_error(failed)
    assert failed.returncode == 1 and "404" in failed.stderr and failed.stdout == ""
    assert_one_clear_error(run("fulltext", "nosuchid", data_dir=data_dir))
    helptext = run("--help")
    assert "fulltext" in helptext.stdout


# TUI ----------------------------------------------------------------------------------------
def test_the_key_and_the_palette_entry_exist() -> None:
    assert "reader.full_text" in known_binding_ids()
    assert any(b.key == "F" and b.action == "full_text" for b in MainScreen.BINDINGS)
    assert ("Full text", "Fetch the whole article from its web page (F)",
            "full_text") in COMMANDS
    assert all(hasattr(MainScreen, f"action_{action}") for _t, _h, action in COMMANDS)


async def test_tui_full_text_key(library: Library, feed_server) -> None:
    feed_server.static("/news/bridge.html", article_page(), content_type="text/html")
    article_id = await subscribe(library, feed_server)
    [(local, _)] = library.add_local_articles(
        [LocalArticleInput(title="My notes", author="me", body="Notes without a link.")])
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        screen = app.screen
        screen.open_article(article_id)
        await settle(pilot, app)
        assert screen.detail.body == html_text(SUMMARY)
        assert not any(v.text.startswith("We will rebuild") for v in screen.quote_pane.views)
        await pilot.press("F")
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert "Fetching the full text…" in messages
        assert any(re.fullmatch(r"Full text: \d+ characters\.", m) for m in messages), messages
        assert PARAGRAPHS[1] in screen.detail.body
        assert "Subscribe today" not in screen.detail.body
        assert any(v.text.startswith("We will rebuild") for v in screen.quote_pane.views)
        assert "We will rebuild" in screen_text(app)
        # An article without a link: one notification, nothing changes.
        screen.open_article(local.id)
        await settle(pilot, app)
        app.clear_notifications()
        await pilot.press("F")
        await settle(pilot, app)
        assert [n.message for n in app._notifications] == [
            "This article has no link, so there is no page to fetch."]
        assert screen.detail.body == "Notes without a link."
        assert library.body(local.id) == "Notes without a link."
        assert app.is_running


async def test_tui_shows_failures_and_hostile_text_literally(library: Library,
                                                             feed_server) -> None:
    hostile = ("Markup [@click=app.quit]click me[/] and \x1b[2J escapes are shown as text, "
               "never run; “We will rebuild,” the mayor said in a long enough paragraph.")
    feed_server.static("/news/bridge.html", article_page([hostile, *PARAGRAPHS]),
                       content_type="text/html")
    feed_server.status("/gone.html", 404)
    gone_id = await subscribe(library, feed_server, "/gone.html")
    article_id = await subscribe(library, feed_server, "/news/bridge.html")
    app = ReaderApp(library)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        screen.open_article(gone_id)
        await settle(pilot, app)
        before = screen.detail.body
        await pilot.press("F")
        await settle(pilot, app)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "404" in errors[0].message
        assert screen.detail.body == before == library.body(gone_id)
        # A hostile page: shown as text, nothing in it runs.
        screen.open_article(article_id)
        await settle(pilot, app)
        await pilot.press("F")
        await settle(pilot, app)
        assert "[@click=app.quit]click me[/]" in screen.detail.body
        assert CONTROL.search(screen.detail.body) is None
        assert "[@click=app.quit]click me[/]" in screen_text(app)
        assert app.is_running
