"""Full text of truncated feed articles: fetched from the article's page on a real server on
127.0.0.1, extracted, stored, kept across refreshes, and refused cleanly for bad pages."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from reader.feeds.fetch import Fetcher
from reader.feeds.fulltext import (
    MIN_CHARS,
    FullTextError,
    decode_page,
    extract_article,
    fetch_full_text,
    page_encoding,
    prose_length,
    store_full_text,
)
from reader.feeds.service import refresh_feeds
from reader.library.errors import LibraryError
from reader.library.store import Library, LocalArticleInput
from reader.models import short_hash
from reader.quotes.views import article_quote_views, extracted_quotes
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
            started = time.monotonic()
            with pytest.raises(FullTextError) as caught:
                await store_full_text(library, article_id, fetcher)
            message = str(caught.value)
            one_sentence(message)
            assert fragment in message, (path, message)
            assert time.monotonic() - started < 10, path
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


def test_extraction_time_for_a_100_kb_page() -> None:
    page = article_page([*PARAGRAPHS] * 130).decode()
    assert 90_000 < len(page.encode()) < 200_000
    started = time.perf_counter()
    markup = extract_article(decode_page(page.encode(), "text/html"))
    seconds = time.perf_counter() - started
    assert PARAGRAPHS[0] in html_text(markup)
    assert seconds < 2.0  # ~0.05 s here; generous for a slow CI machine


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
