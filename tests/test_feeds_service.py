"""Subscribing and refreshing against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.feeds.fetch import Fetcher
from reader.feeds.service import (
    add_subscription_async,
    due_feeds,
    import_opml_file,
    refresh_feeds,
)
from reader.library.errors import LibraryError
from reader.library.store import Library
from reader.models import from_iso

from . import feedserver
from .feedgen import atom, json_feed, page_with_feeds, rss

feed_server = feedserver.feed_server

ITEMS = [(f"g{i}", f"Story {i}", f"<p>Body of story {i} with <b>bold</b> text.</p>")
         for i in range(5)]


def fast_fetcher() -> Fetcher:
    return Fetcher(concurrency=8, connect_timeout=2, read_timeout=2, deadline=4)


async def refresh(library: Library, feeds=None):
    async with fast_fetcher() as fetcher:
        return await refresh_feeds(library, feeds, fetcher=fetcher)


@pytest.fixture
def library(data_dir: Path):
    lib = Library.open(data_dir)
    yield lib
    lib.close()


async def test_add_feed_url_and_page_discovery(library: Library, feed_server) -> None:
    feed_server.static("/rss.xml", rss("Harbour News", ITEMS))
    feed_server.static("/atom.xml", atom("Atom Side", ITEMS), content_type="application/atom+xml")
    feed_server.static("/page.html", page_with_feeds(
        ("/atom.xml", "application/atom+xml", "Atom Side"),
        ("/rss.xml", "application/rss+xml", "RSS Side")), content_type="text/html")
    feed_server.static("/plain.html", b"<html><head><title>x</title></head></html>",
                       content_type="text/html")
    async with fast_fetcher() as fetcher:
        feed, others = await add_subscription_async(library, feed_server.url("/rss.xml"),
                                                    tags=["local"], fetcher=fetcher)
        assert feed.title == "Harbour News" and feed.tags == ["local"]
        assert others == []
        with pytest.raises(LibraryError, match="Already subscribed"):
            await add_subscription_async(library, feed_server.url("/rss.xml"), fetcher=fetcher)
        with pytest.raises(LibraryError, match="Already subscribed"):
            # the page's first feed is new, but asking twice for the same page URL is fine;
            # the second discovery finds the atom feed already subscribed
            await add_subscription_async(library, feed_server.url("/page.html"), fetcher=fetcher)
            await add_subscription_async(library, feed_server.url("/page.html"), fetcher=fetcher)
        page_feed = library.feed(feed_server.url("/atom.xml"))
        assert page_feed is not None and page_feed.title == "Atom Side"
        with pytest.raises(LibraryError, match="neither a feed nor a page"):
            await add_subscription_async(library, feed_server.url("/plain.html"), fetcher=fetcher)
        with pytest.raises(ValueError):
            await add_subscription_async(library, "file:///etc/passwd", fetcher=fetcher)
        with pytest.raises(ValueError):
            await add_subscription_async(library, "javascript:alert(1)", fetcher=fetcher)


async def test_refresh_stores_then_304_and_updates_in_place(library: Library, feed_server) -> None:
    feed_server.static("/a.xml", rss("A", ITEMS), etag='"v1"')
    feed = library.add_feed(feed_server.url("/a.xml"))
    first = await refresh(library)
    [result] = first.results
    assert result.status == "new" and result.new == 5
    assert library.counts(feed.id) == (5, 5)
    articles = library.articles(feed_id=feed.id)
    story = next(a for a in articles if a.title == "Story 2")
    assert library.body(story.id).startswith("Body of story 2 with")
    assert story.link == "https://site.example/g2" and story.published.endswith("Z")

    second = await refresh(library)
    assert second.results[0].status == "not_modified"
    assert feed_server.requests_for("/a.xml")[-1].headers.get("if-none-match") == '"v1"'
    assert "Reader/" in feed_server.requests_for("/a.xml")[-1].headers["user-agent"]

    # The entry changes: updated in place, keeping read, bookmark and a saved quote.
    library.set_bookmarked([story.id])
    library.set_read([story.id])
    quote = library.save_quote(story.id, 0, 4)
    changed = [(g, t, b) if g != "g2" else (g, "Story 2 (corrected)", b) for g, t, b in ITEMS]
    feed_server.static("/a.xml", rss("A", changed), etag='"v2"')
    third = await refresh(library)
    assert third.results[0].status == "updated" and third.results[0].updated == 1
    again = library.article(story.id)
    assert again.title == "Story 2 (corrected)"
    assert again.read and again.bookmarked
    assert library.saved_quotes(story.id)[0].id == quote.id
    assert library.count() == 5


async def test_one_broken_feed_does_not_stop_the_others(library: Library, feed_server) -> None:
    feed_server.static("/good.xml", rss("Good", ITEMS))
    feed_server.static("/atom.xml", atom("Atom", ITEMS[:2]), content_type="application/atom+xml")
    feed_server.static("/json.json", json_feed("Json", ITEMS[:3]),
                       content_type="application/feed+json")
    feed_server.static("/broken.xml", b"<rss><channel><title>Bro", content_type="text/xml")
    feed_server.static("/html.xml", b"<!DOCTYPE html><html><body>no</body></html>",
                       content_type="text/html")
    feed_server.status("/missing.xml", 404)
    feed_server.status("/boom.xml", 500)
    feed_server.hang("/hang.xml")
    for path in ("/good.xml", "/atom.xml", "/json.json", "/broken.xml", "/html.xml",
                 "/missing.xml", "/boom.xml", "/hang.xml"):
        library.add_feed(feed_server.url(path))
    report = await refresh(library)
    status = {r.url.rsplit("/", 1)[1]: r for r in report.results}
    assert status["good.xml"].new == 5
    assert status["atom.xml"].new == 2
    assert status["json.json"].new == 3
    assert status["missing.xml"].status == "error" and "404" in status["missing.xml"].error
    assert status["boom.xml"].status == "error" and "500" in status["boom.xml"].error
    assert status["html.xml"].status == "error" and "HTML" in status["html.xml"].error
    assert status["hang.xml"].status == "error"
    # the tolerant parser may recover nothing (no entries) or refuse it; never a crash
    assert status["broken.xml"].status in ("error", "new", "unchanged")
    assert report.failed >= 4
    assert "10 new in 3 feeds" in report.summary() or report.new >= 10
    bad = library.feed(feed_server.url("/missing.xml"))
    assert bad.last_error and bad.last_fetched
    # A later good fetch clears the error.
    feed_server.static("/missing.xml", rss("Back", ITEMS[:1]))
    await refresh(library, [library.feed(feed_server.url("/missing.xml"))])
    assert library.feed(feed_server.url("/missing.xml")).last_error == ""


async def test_gone_and_retry_after_stop_polling(library: Library, feed_server) -> None:
    feed_server.status("/gone.xml", 410)
    feed_server.status("/busy.xml", 429, headers={"Retry-After": "3600"})
    library.add_feed(feed_server.url("/gone.xml"))
    library.add_feed(feed_server.url("/busy.xml"))
    report = await refresh(library)
    assert {r.status for r in report.results} == {"gone", "error"}
    assert library.feed(feed_server.url("/gone.xml")).gone
    assert library.feed(feed_server.url("/busy.xml")).retry_after
    before = (len(feed_server.requests_for("/gone.xml")),
              len(feed_server.requests_for("/busy.xml")))
    again = await refresh(library)
    assert {r.status for r in again.results} == {"gone", "skipped"}
    after = (len(feed_server.requests_for("/gone.xml")),
             len(feed_server.requests_for("/busy.xml")))
    assert after == before  # neither was asked again


async def test_permanent_move_is_saved_with_alias(library: Library, feed_server) -> None:
    feed_server.redirect("/old.xml", "/mid.xml", 301)
    feed_server.redirect("/mid.xml", "/new.xml", 308)
    feed_server.static("/new.xml", rss("Moved", ITEMS[:2]))
    feed_server.redirect("/temp.xml", "/new2.xml", 302)
    feed_server.static("/new2.xml", rss("Temp", ITEMS[:1]))
    moved = library.add_feed(feed_server.url("/old.xml"))
    temp = library.add_feed(feed_server.url("/temp.xml"))
    await refresh(library)
    assert library.feed(moved.id).url == feed_server.url("/new.xml")
    assert feed_server.url("/old.xml") in library.feed(moved.id).aliases
    assert library.feed(feed_server.url("/old.xml")).id == moved.id  # the alias still finds it
    assert library.feed(temp.id).url == feed_server.url("/temp.xml")
    assert library.counts(moved.id) == (2, 2)


async def test_hostile_feed_is_cleaned_before_storage(library: Library, feed_server) -> None:
    items = [("h1", "\x1b]0;pwned\x07[@click=app.quit]Click \u202emoc.evil", "<p>x\x1b[2Jy</p>")]
    body = rss("Evil\x1b[31m feed", items).replace(b"<link>https://site.example/h1</link>",
                                                     b"<link>javascript:alert(1)</link>")
    feed_server.static("/evil.xml", body)
    feed = library.add_feed(feed_server.url("/evil.xml"))
    report = await refresh(library)
    assert report.results[0].new == 1  # raw ESC is illegal XML; the tolerant parser recovers
    [article] = library.articles(feed_id=feed.id)
    for text in (article.title, library.body(article.id), library.feed(feed.id).title):
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "[@click=app.quit]" in article.title
    assert article.link == ""


async def test_retention_keeps_newest_but_never_bookmarked(library: Library, feed_server) -> None:
    library.keep_per_feed = 3
    feed_server.static("/r.xml", rss("R", ITEMS[:3]))
    feed = library.add_feed(feed_server.url("/r.xml"))
    await refresh(library)
    oldest = min(library.articles(feed_id=feed.id), key=lambda a: a.published)
    library.set_bookmarked([oldest.id])
    feed_server.static("/r.xml", rss("R", [(f"n{i}", f"New {i}", "<p>n</p>") for i in range(3)]
                                      ))
    await refresh(library)
    ids = {a.id for a in library.articles(feed_id=feed.id)}
    assert oldest.id in ids
    assert len(ids) == 4  # three newest + the bookmarked one


def test_opml_import_adds_tags_and_skips_known(library: Library, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="News"><outline text="A" type="rss" xmlUrl="https://a.example/feed"/>'
        '<outline text="Cmd" type="rss" xmlUrl="exec:rm -rf ~"/></outline>'
        '<outline text="B" type="rss" xmlUrl="https://b.example/feed"/>'
        "</body></opml>", encoding="utf-8")
    added, known, warnings = import_opml_file(library, opml)
    assert (added, known) == (2, 0)
    assert any("exec:" in w for w in warnings)
    assert library.feed("https://a.example/feed").tags == ["News"]
    assert import_opml_file(library, opml)[:2] == (0, 2)
    with pytest.raises(LibraryError):
        import_opml_file(library, tmp_path / "missing.opml")
    (tmp_path / "junk.opml").write_text("not xml at all")
    with pytest.raises(LibraryError):
        import_opml_file(library, tmp_path / "junk.opml")


async def test_refresh_runs_concurrently(library: Library, feed_server) -> None:
    import threading
    import time

    lock = threading.Lock()
    in_flight = [0, 0]  # now, most at once

    def slow(handler) -> None:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(0.3)
        with lock:
            in_flight[0] -= 1
        handler.reply(200, rss("Slow", ITEMS[:1]))

    for index in range(6):
        feed_server.route(f"/slow{index}.xml", slow)
        library.add_feed(feed_server.url(f"/slow{index}.xml"))
    report = await refresh(library)
    assert report.new == 6
    assert in_flight[1] >= 4  # fetched side by side, not one after another


async def test_bodies_are_stored_as_fetched_and_read_as_text(library: Library, feed_server,
                                                              data_dir: Path) -> None:
    import orjson

    html = '<p>See <a href="/report">the report</a>.</p><script>alert(1)</script><p>Two.</p>'
    feed_server.static("/h.xml", rss("H", [("h1", "Linked", html)]))
    feed = library.add_feed(feed_server.url("/h.xml"))
    await refresh(library)
    [article] = library.articles(feed_id=feed.id)
    stored = orjson.loads((data_dir / "bodies" / "feeds" / f"{feed.id}.json").read_bytes())
    assert stored[article.id][0] == "html"  # converted on read, not at refresh
    text = library.body(article.id)
    assert text.startswith("See the report[1].\n\nTwo.")
    assert "alert" not in text
    assert "[1] https://site.example/report" in text or "[1] http" in text
    assert library.body(article.id) == text  # the same text every time: quote offsets hold


async def test_unchanged_refresh_reuses_connections(library: Library, feed_server) -> None:
    for index in range(3):
        feed_server.static(f"/k{index}.xml", rss("K", ITEMS[:1]), etag=f'"k{index}"')
        library.add_feed(feed_server.url(f"/k{index}.xml"))
    await refresh(library)
    async with Fetcher(concurrency=1, connect_timeout=2, read_timeout=2, deadline=4) as f:
        await refresh_feeds(library, fetcher=f)
    ports = {feed_server.requests_for(f"/k{i}.xml")[-1].client_port for i in range(3)}
    statuses = [r.status for r in (await refresh(library)).results]
    assert statuses == ["not_modified"] * 3
    assert len(ports) == 1  # three 304s over one kept-alive connection


def _die() -> None:
    import os

    os._exit(3)  # a worker killed at birth (out of memory, kill -9): the pool breaks


async def test_feeds_of_a_lost_worker_are_refreshed_here(library: Library, feed_server) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from reader.feeds.service import _refresh_in_workers

    for index in range(4):
        feed_server.static(f"/w{index}.xml", rss(f"W{index}", ITEMS[:2]))
        library.add_feed(feed_server.url(f"/w{index}.xml"))
    pool = ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork"),
                               initializer=_die)
    try:
        pairs = await _refresh_in_workers(pool, library, library.feeds(), "2025-01-01T00:00:00Z",
                                          concurrency=4)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    assert sorted(outcome.status for outcome, _ in pairs) == ["unchanged"] * 4
    stored = library.apply_refresh([change for _, change in pairs])
    assert sum(result.new for result in stored.values()) == 8
    article = library.articles()[0]
    assert library.body(article.id).startswith("Body of story")


async def test_ttl_and_cache_control_make_scheduled_refreshes_wait(library: Library,
                                                                   feed_server) -> None:
    """The longer of the server's max-age and the feed's ttl, capped at a day, marks a feed
    fresh; due_feeds (what scheduled refreshes fetch) leaves it out, a manual refresh not."""
    with_ttl = rss("Ttl", ITEMS[:1]).replace(b"<channel>", b"<channel><ttl>90</ttl>")
    feed_server.static("/ttl.xml", with_ttl, etag='"t"', headers={"Cache-Control": "max-age=60"},
                       headers_304={"ETag": '"t"', "Cache-Control": "max-age=60"})
    feed_server.static("/cc.xml", rss("Cc", ITEMS[:1]), headers={"Cache-Control": "max-age=7200"})
    feed_server.static("/huge.xml", rss("Huge", ITEMS[:1]).replace(
        b"<channel>", b"<channel><ttl>999999</ttl>"))
    feed_server.static("/plain.xml", rss("Plain", ITEMS[:1]))
    feed_server.status("/down.xml", 503, headers={"Cache-Control": "max-age=7200"})
    feeds = {name: library.add_feed(feed_server.url(f"/{name}.xml"))
             for name in ("ttl", "cc", "huge", "plain", "down")}
    before = datetime.now(UTC).replace(microsecond=0)
    await refresh(library)
    after = datetime.now(UTC)

    def waits(name: str) -> float | None:
        until = from_iso(library.feed(feeds[name].id).fresh_until)
        return None if until is None else (until - before).total_seconds()

    slack = (after - before).total_seconds() + 1
    assert 90 * 60 <= waits("ttl") <= 90 * 60 + slack  # ttl (90 min) beats max-age (1 min)
    assert 7200 <= waits("cc") <= 7200 + slack
    assert 24 * 3600 <= waits("huge") <= 24 * 3600 + slack  # capped at a day
    assert waits("plain") is None and waits("down") is None  # silent server; failed fetch
    assert library.feed(feeds["ttl"].id).ttl_minutes == 90

    due = {f.id for f in due_feeds(library.feeds())}
    assert due == {feeds["plain"].id, feeds["down"].id}
    later = datetime.now(UTC) + timedelta(hours=25)
    assert len(due_feeds(library.feeds(), later)) == 5  # everything is due after a day

    # A manual refresh still fetches a fresh feed; its 304 keeps the ttl it learnt before.
    requests = len(feed_server.requests_for("/ttl.xml"))
    result = (await refresh(library, [library.feed(feeds["ttl"].id)])).results[0]
    assert result.status == "not_modified"
    assert len(feed_server.requests_for("/ttl.xml")) == requests + 1
    assert 90 * 60 <= waits("ttl") <= 90 * 60 + slack + 5


def test_entries_cross_from_a_worker_unchanged() -> None:
    """Every field of a parsed entry survives the tuple a worker process sends back, also a
    field added to ParsedEntry later (the tuple follows the dataclass's own field list)."""
    import pickle

    from reader.feeds.parse import parse_feed
    from reader.feeds.service import _pack_entry, _unpack_entries

    body = rss("A", ITEMS).replace(
        b"</item>", b'<enclosure url="https://site.example/a.mp3" type="audio/mpeg" '
                    b'length="12"/></item>', 1)
    entries = parse_feed(body, "https://site.example/feed").entries
    assert entries[0].enclosures and entries[0].body.markup
    packed = pickle.loads(pickle.dumps([_pack_entry(e, True) for e in entries]))
    assert _unpack_entries(packed) == entries
    without = _unpack_entries([_pack_entry(e, False) for e in entries])
    assert [e.body.markup for e in without] == [""] * len(entries)  # already on disk
    assert [e.content_hash for e in without] == [e.content_hash for e in entries]
    assert _unpack_entries(None) is None
