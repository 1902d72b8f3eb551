"""Feeds in the TUI: refresh with progress, sidebar, add dialog, open link, mark all read."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input

from reader.library.store import Library, LocalArticleInput
from reader.ui.app import ReaderApp
from reader.ui.screens.dialogs import ConfirmDialog, FeedDialog, InfoDialog, TextDialog
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.feed_sidebar import FeedSidebar, Scope

from . import feedserver
from .feedgen import atom, rss
from .test_tui import SIZE, settle, until_dialog

feed_server = feedserver.feed_server

ITEMS = [(f"g{i}", f"Story {i}", f"<p>Body {i}. It goes on.</p>") for i in range(3)]


def messages(app: ReaderApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def library(data_dir: Path):
    lib = Library.open(data_dir)
    yield lib
    lib.close()


async def test_refresh_all_shows_progress_and_summary(library: Library, feed_server) -> None:
    feed_server.static("/a.xml", rss("Alpha", ITEMS))
    feed_server.static("/b.xml", atom("Beta", ITEMS[:2]), content_type="application/atom+xml")
    feed_server.status("/c.xml", 500)
    for path in ("/a.xml", "/b.xml", "/c.xml"):
        library.add_feed(feed_server.url(path))
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert app.screen.has_class("-sidebar")  # feeds exist: the sidebar shows
        await pilot.press("R")
        await settle(pilot, app)
        assert any("5 new in 2 feeds" in m and "1 failed" in m for m in messages(app))
        assert len(app.screen.query_one(ArticleList).article_ids) == 5
        sidebar = app.screen.query_one(FeedSidebar)
        rows = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert any(r.startswith("! ") and "c.xml" in r for r in rows)  # error marker
        assert any("Alpha" in r and "3" in r for r in rows)  # unread count
        # Feed details show the error.
        sidebar.focus()
        sidebar.highlighted = next(i for i, r in enumerate(rows) if "c.xml" in r)
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InfoDialog)
        assert any("500" in line for line in app.screen.lines)
        await pilot.press("escape")
        # Choosing a feed filters the list.
        sidebar.highlighted = next(i for i, r in enumerate(rows) if "Beta" in r)
        await pilot.press("enter")
        await settle(pilot, app)
        ids = app.screen.query_one(ArticleList).article_ids
        assert len(ids) == 2 and all(library.article(i).feed_id for i in ids)


async def test_a_long_feed_title_is_cut_short_and_keeps_its_count(library: Library) -> None:
    library.add_feed("http://127.0.0.1:9/long.xml", title="The Daily Chronicle of " * 6)
    library.add_feed("http://127.0.0.1:9/short.xml", title="Short")
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        sidebar = app.screen.query_one(FeedSidebar)
        assert sidebar.option_count == 5  # all, unread, bookmarks and the two feeds
        # One screen row per option: the long title does not wrap onto a second row.
        assert sidebar.virtual_size.height == sidebar.option_count
        rows = [sidebar.render_line(y).text.strip() for y in range(sidebar.option_count)]
        long_row = next(r for r in rows if "The Daily" in r)
        assert long_row.endswith("…")
        assert long_row.split()[0] == "0"  # the unread count stays in view
        assert "0 Short" in rows


async def test_sidebar_edits_and_unsubscribes_a_feed(library: Library, feed_server) -> None:
    feed_server.static("/a.xml", rss("Alpha", ITEMS))
    feed_server.static("/b.xml", rss("Beta", ITEMS[:2]))
    alpha = library.add_feed(feed_server.url("/a.xml"))
    beta = library.add_feed(feed_server.url("/b.xml"))
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("R")
        await settle(pilot, app)
        kept = next(a for a in library.articles(feed_id=alpha.id) if a.title == "Story 1")
        library.set_bookmarked([kept.id])
        sidebar = app.screen.query_one(FeedSidebar)
        sidebar.focus()
        sidebar.highlighted = sidebar.scopes.index(Scope("feed", alpha.id))
        # E: a new title and tags; the sidebar shows them at once.
        await pilot.press("E")
        await until_dialog(pilot, app, FeedDialog)
        title_input = app.screen.query_one("#title", Input)
        assert title_input.value == "Alpha"
        title_input.value = ""
        await pilot.press(*"My Alpha", "enter", *"#world, Tech News", "enter")
        await settle(pilot, app)
        assert (library.feed(alpha.id).title, library.feed(alpha.id).tags) == (
            "My Alpha", ["world", "Tech News"])
        rows = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert any("My Alpha" in r for r in rows) and "# world" in rows
        # Saving again without touching the tags keeps a tag with a space in one piece.
        await pilot.press("E")
        await until_dialog(pilot, app, FeedDialog)
        assert app.screen.query_one("#tags", Input).value == "world, Tech News"
        await pilot.press("enter", "enter")
        await settle(pilot, app)
        assert library.feed(alpha.id).tags == ["world", "Tech News"]
        # escape cancels an edit: nothing changes.
        await pilot.press("E")
        await until_dialog(pilot, app, FeedDialog)
        await pilot.press(*"zzz", "escape")
        await settle(pilot, app)
        assert library.feed(alpha.id).title == "My Alpha"
        # d asks first; n keeps the feed.
        sidebar.highlighted = sidebar.scopes.index(Scope("feed", alpha.id))
        await pilot.press("d")
        await until_dialog(pilot, app, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot, app)
        assert library.feed(alpha.id) is not None
        # y unsubscribes: its articles go except the bookmarked one; the other feed stays.
        await pilot.press("d")
        await until_dialog(pilot, app, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot, app)
        assert library.feed(alpha.id) is None and library.feed(beta.id) is not None
        assert library.article(kept.id) is not None and library.count() == 3
        assert any("Unsubscribed from My Alpha: 2 articles removed, 1 kept." in m
                   for m in messages(app))
        # On a row that is not a feed, E says what to do instead of failing.
        sidebar.highlighted = 0
        await pilot.press("E")
        await settle(pilot, app)
        assert not isinstance(app.screen, FeedDialog)
        assert any("Highlight a feed first" in m for m in messages(app))


async def test_scheduled_refresh_fetches_only_due_feeds(library: Library, feed_server) -> None:
    feed_server.static("/slow.xml", rss("Slow", ITEMS).replace(b"<channel>",
                                                                b"<channel><ttl>120</ttl>"))
    feed_server.static("/fast.xml", rss("Fast", ITEMS[:1]))
    for path in ("/slow.xml", "/fast.xml"):
        library.add_feed(feed_server.url(path))
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("R")  # by hand: everything
        await settle(pilot, app)
        assert [len(feed_server.requests_for(p)) for p in ("/slow.xml", "/fast.xml")] == [1, 1]
        app.screen._scheduled_refresh()  # what the interval timer calls
        await settle(pilot, app)
        assert [len(feed_server.requests_for(p)) for p in ("/slow.xml", "/fast.xml")] == [1, 2]
        slow = next(f for f in library.feeds() if f.title == "Slow")
        app.screen.action_feed_details(slow.id)
        await until_dialog(pilot, app, InfoDialog)
        assert any("wait 120 minutes" in line for line in app.screen.lines)
        assert any(line.startswith("Scheduled refreshes skip it until: ")
                   for line in app.screen.lines)


async def test_keys_work_while_a_refresh_runs(library: Library, feed_server) -> None:
    import threading

    library.add_local_articles([LocalArticleInput(f"Local {i}", "", "Text.") for i in range(3)])
    release = threading.Event()

    def held_back(handler) -> None:  # answers only once the test has used the keys
        release.wait(10)
        handler.reply(200, rss("Slow", ITEMS[:1]))

    feed_server.route("/slow.xml", held_back)
    library.add_feed(feed_server.url("/slow.xml"))
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        articles.focus()
        first = articles.current_id
        await pilot.press("R")
        await pilot.pause(0.1)
        assert app.screen._refreshing
        await pilot.press("j")
        await pilot.pause(0.05)
        assert articles.current_id != first  # the UI answered during the refresh
        assert app.screen._refreshing
        release.set()
        await settle(pilot, app)
        assert not app.screen._refreshing
        assert library.counts(library.feeds()[0].id) == (1, 1)


async def test_add_feed_dialog_validates_and_subscribes(library: Library, feed_server) -> None:
    library.add_local_articles([LocalArticleInput("Local", "", "Text.")])
    feed_server.static("/new.xml", rss("Fresh Feed", ITEMS))
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("a")
        await until_dialog(pilot, app, TextDialog)
        await pilot.press(*"ftp://nope", "enter")
        await settle(pilot, app)
        assert library.feeds() == []
        assert any("http" in m for m in messages(app))
        await pilot.press("a")
        await until_dialog(pilot, app, TextDialog)
        app.screen.query_one("#value").value = feed_server.url("/new.xml")
        await pilot.press("enter")
        await settle(pilot, app)
        [feed] = library.feeds()
        assert feed.title == "Fresh Feed"
        assert library.counts(feed.id) == (3, 3)  # fetched at once


async def test_open_link_only_http(library: Library, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("BROWSER", raising=False)
    library.add_local_articles([
        LocalArticleInput("Good", "", "Text.", link="https://news.example/story",
                          published="2025-01-02T00:00:00Z"),
        LocalArticleInput("Bad", "", "Text.", link="javascript:alert(1)",
                          published="2025-01-01T00:00:00Z"),
    ])
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        assert opened == ["https://news.example/story"]
        await pilot.press("j")
        await settle(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        assert opened == ["https://news.example/story"]
        assert any("Only http and https" in m for m in messages(app))


async def test_mark_all_shown_read_asks_first(library: Library) -> None:
    library.add_local_articles([LocalArticleInput(f"T{i}", "", "Text.") for i in range(4)])
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("A")
        await until_dialog(pilot, app, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot, app)
        assert all(not a.read for a in library.articles())
        await pilot.press("A")
        await until_dialog(pilot, app, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot, app)
        assert all(a.read for a in library.articles())


async def test_next_unread_crosses_feeds(library: Library, feed_server) -> None:
    feed_server.static("/a.xml", rss("Alpha", ITEMS[:1]))
    feed_server.static("/b.xml", rss("Beta", ITEMS[:2]))
    alpha = library.add_feed(feed_server.url("/a.xml"))
    beta = library.add_feed(feed_server.url("/b.xml"))
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("R")
        await settle(pilot, app)
        library.set_read([a.id for a in library.articles(feed_id=alpha.id)])
        sidebar = app.screen.query_one(FeedSidebar)
        sidebar.focus()
        sidebar.highlighted = sidebar.scopes.index(next(s for s in sidebar.scopes
                                                        if s.value == alpha.id))
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert app.screen.scope.value == beta.id
        current = library.article(app.screen.query_one(ArticleList).current_id)
        assert current.feed_id == beta.id and current.read


async def test_scheduled_refresh_runs_on_its_interval(library: Library, feed_server) -> None:
    from reader.config import Config

    feed_server.static("/a.xml", rss("Alpha", ITEMS))
    library.add_feed(feed_server.url("/a.xml"))
    app = ReaderApp(library, config=Config(refresh_interval_minutes=0.3 / 60))
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(40):  # bounded: up to ~4 s
            await pilot.pause(0.1)
            if library.count():
                break
        await settle(pilot, app)
        assert library.count() == 3


async def test_open_link_without_a_desktop_copies_it(library: Library, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    library.add_local_articles([LocalArticleInput("Good", "", "Text.",
                                                  link="https://news.example/story")])
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("o")
        await settle(pilot, app)
        assert opened == []  # no console browser started on the TUI's terminal
        assert app.clipboard == "https://news.example/story"


async def test_digits_open_the_numbered_links(library: Library, feed_server,
                                              monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url, *a, **k: opened.append(url) or True)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delenv("BROWSER", raising=False)
    html = ('<p>Read <a href="https://a.example/report">the report</a> and '
            '<a href="javascript:alert(1)">this</a> and <a href="/rel">that</a>.</p>')
    feed_server.static("/l.xml", rss("L", [("l1", "Links", html)]))
    library.add_feed(feed_server.url("/l.xml"))
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("R")
        await settle(pilot, app)
        app.screen.open_article(library.articles()[0].id, focus_detail=True)
        await settle(pilot, app)
        await pilot.press("1", "2", "9")
        await settle(pilot, app)
        assert opened == ["https://a.example/report", feed_server.url("/rel")]
        assert any("no link [9]" in n.message for n in app._notifications)
