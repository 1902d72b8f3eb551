"""The real App driven with Pilot: navigation, bookmarks, filter, passages, help, demo."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Static

from reader.demo_library import build_demo_library
from reader.library.store import Library, LocalArticleInput
from reader.ui.app import ReaderApp
from reader.ui.screens.dialogs import ConfirmDialog, NoteDialog
from reader.ui.screens.help import HelpScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.quote_pane import QuotePane

from .conftest import HOSTILE_TITLES

SIZE = (120, 40)


async def settle(pilot, app: ReaderApp) -> None:
    """Wait until no worker runs (workers may start others: bounded rounds)."""
    from textual.worker import WorkerState

    for _ in range(20):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return


async def until_dialog(pilot, app: ReaderApp, kind: type) -> None:
    """Wait (bounded) for a dialog a worker is waiting on; its worker never completes first."""
    for _ in range(50):
        await pilot.pause(0.02)
        if isinstance(app.screen, kind):
            return
    raise AssertionError(f"{kind.__name__} did not open")


def screen_text(app: ReaderApp) -> str:
    return "\n".join(str(strip.text) for strip in app.screen._compositor.render_strips())


async def test_opens_on_list_and_navigates(filled_library: Library) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        assert articles.has_focus
        ids = articles.article_ids
        assert len(ids) == 4
        assert articles.current_id == ids[0]
        await pilot.press("j")
        await settle(pilot, app)
        assert articles.current_id == ids[1]
        detail = app.screen.query_one(ArticleView)
        assert detail.article is not None and detail.article.id == ids[1]
        assert not filled_library.article(ids[1]).read  # a preview does not mark read
        await pilot.press("enter")
        await settle(pilot, app)
        assert filled_library.article(ids[1]).read  # opening does
        assert detail.has_focus
        await pilot.press("J")
        await settle(pilot, app)
        assert articles.current_id == ids[2] and filled_library.article(ids[2]).read
        await pilot.press("K")
        await settle(pilot, app)
        assert articles.current_id == ids[1]
        await pilot.press("N")
        await settle(pilot, app)
        assert not filled_library.article(ids[1]).read
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is not None


async def test_next_unread_skips_read_articles(filled_library: Library) -> None:
    ids = [a.id for a in filled_library.articles()]
    filled_library.set_read([ids[1]])
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("n")
        await settle(pilot, app)
        assert app.screen.query_one(ArticleList).current_id == ids[2]
        await pilot.press("p")
        await settle(pilot, app)
        assert app.screen.query_one(ArticleList).current_id == ids[0]


async def test_bookmark_is_durable_and_bookmarks_only(filled_library: Library,
                                                       data_dir: Path) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        await pilot.press("j", "b")
        await settle(pilot, app)
        target = articles.current_id
        assert filled_library.article(target).bookmarked
        reader_view = Library.open(data_dir, readonly=True)  # what is on disk now
        assert [a.id for a in reader_view.articles(bookmarked=True)] == [target]
        await pilot.press("B")
        await settle(pilot, app)
        assert articles.article_ids == [target]
        await pilot.press("B")
        await settle(pilot, app)
        assert len(articles.article_ids) == 4
        await pilot.press("k", "b")  # a second bookmark, then remove it
        await settle(pilot, app)
        await pilot.press("b")
        await settle(pilot, app)
        assert [a.id for a in filled_library.articles(bookmarked=True)] == [target]


async def test_filter_by_text(filled_library: Library) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"harbour", "enter")
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        assert len(articles.article_ids) == 1
        assert filled_library.article(articles.article_ids[0]).title.startswith("Council")
        await pilot.press("escape")
        await settle(pilot, app)
        assert len(articles.article_ids) == 4


async def test_enter_in_the_filter_searches_the_article_text(filled_library: Library) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        await pilot.press("slash", *"coral cover")
        await pilot.pause(0.5)  # the live filter (titles, authors, feeds) has run
        assert articles.article_ids == []
        await pilot.press("enter")
        await settle(pilot, app)
        assert [filled_library.article(i).title[:6] for i in articles.article_ids] == ["Divers"]
        assert "titles and text" in app.sub_title
        # A change in what the list shows searches again: a bookmark (the library changed),
        # then bookmarks only, then everything again.
        reef = articles.article_ids[0]
        filled_library.set_bookmarked([reef])
        await pilot.press("B")
        await settle(pilot, app)
        assert articles.article_ids == [reef] and "titles and text" in app.sub_title
        filled_library.set_bookmarked([reef], False)
        await pilot.press("B")
        await settle(pilot, app)
        assert articles.article_ids == [reef] and "titles and text" in app.sub_title
        # Typing another filter drops the text matches of the old one until enter again.
        await pilot.press("slash")
        app.screen.query_one("#filter", Input).value = "coral cove"
        await pilot.pause(0.5)
        assert articles.article_ids == [] and "titles and text" not in app.sub_title
        await pilot.press("escape")
        await settle(pilot, app)
        assert len(articles.article_ids) == 4
        # After escape the same query searches the text again on enter, and only then.
        await pilot.press("slash", *"coral cover")
        await pilot.pause(0.5)
        assert articles.article_ids == []
        await pilot.press("enter")
        await settle(pilot, app)
        assert articles.article_ids == [reef]


async def test_save_a_passage_then_delete_it(filled_library: Library, data_dir: Path) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        article_id = articles.current_id
        await pilot.press("enter")
        await settle(pilot, app)
        detail = app.screen.query_one(ArticleView)
        assert detail.has_focus
        await pilot.press("j", "v", "j", "s")
        await until_dialog(pilot, app, NoteDialog)
        await pilot.press(*"first two", "enter", *"tagged", "enter")
        await settle(pilot, app)
        saved = filled_library.saved_quotes(article_id)
        assert len(saved) == 1
        body = filled_library.body(article_id)
        first, second = detail.sentences[0], detail.sentences[1]
        assert (saved[0].start, saved[0].end) == (first[0], second[1])
        assert saved[0].text == body[first[0]:second[1]]
        assert saved[0].note == "first two" and saved[0].tags == ["tagged"]
        pane = app.screen.query_one(QuotePane)
        assert any(v.saved and v.id == saved[0].id for v in pane.views)
        # Still there for another process reading the disk.
        assert [q.id for q in Library.open(data_dir, readonly=True).saved_quotes()] == [
            saved[0].id]

        pane.focus()
        pane.highlighted = next(i for i, v in enumerate(pane.views) if v.saved)
        await pilot.press("d")
        await until_dialog(pilot, app, ConfirmDialog)
        await pilot.press("n")  # cancel keeps it
        await settle(pilot, app)
        assert len(filled_library.saved_quotes(article_id)) == 1
        await pilot.press("d")
        await until_dialog(pilot, app, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot, app)
        assert filled_library.saved_quotes(article_id) == []
        assert not any(v.saved for v in pane.views)


async def test_escape_in_note_dialog_saves_nothing(filled_library: Library) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        await pilot.press("j", "s")
        await until_dialog(pilot, app, NoteDialog)
        await pilot.press("escape")
        await settle(pilot, app)
        assert filled_library.saved_quotes() == []


async def test_help_lists_every_key(filled_library: Library) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("question_mark")
        await settle(pilot, app)
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        for label in ("Next article", "Next unread", "Toggle read", "Bookmark", "Bookmarks only",
                      "Filter", "Page down", "Save passage", "Extend", "Quit", "Delete",
                      "Next pane"):
            assert label in text, label
        await pilot.press("escape")
        await settle(pilot, app)
        assert not isinstance(app.screen, HelpScreen)


async def test_every_binding_has_an_id() -> None:
    from reader.ui.main_screen import MainScreen
    from reader.ui.screens import dialogs
    from reader.ui.screens import help as help_screen
    from reader.ui.widgets.feed_sidebar import FeedSidebar

    classes = [ReaderApp, MainScreen, ArticleList, ArticleView, QuotePane, FeedSidebar,
               help_screen.HelpScreen, dialogs.ConfirmDialog, dialogs.NoteDialog,
               dialogs.TextDialog, dialogs.InfoDialog]
    for cls in classes:
        for binding in cls.BINDINGS:
            assert binding.id, f"{cls.__name__}: {binding.key} has no id"


async def test_demo_library_opens_with_articles(tmp_path: Path) -> None:
    library = build_demo_library(tmp_path / "demo")
    app = ReaderApp(library, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        assert len(app.screen.query_one(ArticleList).article_ids) >= 6
        assert "demo" in app.sub_title
    library.close()


async def test_empty_library_shows_welcome(data_dir: Path) -> None:
    library = Library.open(data_dir)
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        welcome = app.screen.query_one("#welcome")
        assert welcome.display
        assert not app.screen.query_one("#panes").display
        text = str(welcome.render())
        assert "reader import" in text and "reader --demo" in text and "add" in text
    library.close()


@pytest.mark.parametrize("title", HOSTILE_TITLES)
async def test_hostile_titles_show_literally_and_clicks_do_nothing(data_dir: Path,
                                                                   title: str) -> None:
    from reader.text.clean import clean_line

    library = Library.open(data_dir)
    body = "Body [@click=app.quit]x"
    library.add_local_articles([LocalArticleInput(clean_line(title), "", body)])
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        shown = str(articles.get_option_at_index(0).prompt)
        assert clean_line(title) in shown
        assert "\x1b" not in shown and "\x9b" not in shown
        for offset in ((4, 1), (8, 1), (12, 1), (4, 2)):
            await pilot.click(ArticleList, offset=offset)
            await pilot.pause()
        await pilot.click("#article-title", offset=(3, 0))
        await pilot.click(".para", offset=(3, 0))
        await settle(pilot, app)
        assert app.is_running
        title_widget = app.screen.query_one("#article-title", Static)
        assert clean_line(title) in str(title_widget.render())
    library.close()


async def test_narrow_terminal_stacks_panes(filled_library: Library) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert app.screen.has_class("-narrow")
        articles = app.screen.query_one("#list-column")
        detail = app.screen.query_one(ArticleView)
        assert detail.region.y > articles.region.y  # stacked, not side by side
        quotes = app.screen.query_one(QuotePane)
        assert not quotes.display  # the quote pane toggles when space is short
        await pilot.press("x")
        await pilot.pause()
        assert quotes.display and quotes.region.y > detail.region.y
        await pilot.press("x")
        await pilot.pause()
        assert not quotes.display


async def test_mouse_selection_saves_that_passage(filled_library: Library) -> None:
    from textual.geometry import Offset
    from textual.selection import Selection

    from reader.ui.widgets.article_view import Paragraph

    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("enter")
        await settle(pilot, app)
        detail = app.screen.query_one(ArticleView)
        paragraphs = list(app.screen.query(Paragraph))
        second = paragraphs[1]
        words = second.text.split(" ")
        # Select from the 2nd word of paragraph 2 to the 4th character of paragraph 3.
        start_col = len(words[0]) + 1
        app.screen.selections = {
            second: Selection(Offset(start_col, 0), None),
            paragraphs[2]: Selection(None, Offset(4, 0)),
        }
        await pilot.pause()
        expected = detail.body[second.start + start_col:paragraphs[2].start + 4]
        await pilot.press("s")
        await until_dialog(pilot, app, NoteDialog)
        await pilot.press("enter", "enter")
        await settle(pilot, app)
        [quote] = filled_library.saved_quotes(detail.article.id)
        assert quote.text == expected.strip()
        assert quote.start == second.start + start_col


async def test_click_opens_article_and_palette_runs_reader_commands(
        filled_library: Library) -> None:
    from textual.command import CommandPalette

    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        await pilot.click(ArticleList, offset=(5, 3))  # the second row's title
        await settle(pilot, app)
        second = articles.article_ids[1]
        assert articles.current_id == second and filled_library.article(second).read
        await pilot.press("ctrl+p")
        await until_dialog(pilot, app, CommandPalette)
        await pilot.press(*"bookmarks only")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.screen.bookmarks_only
        assert articles.article_ids == []


async def test_keys_typed_right_after_slash_go_to_the_filter(filled_library: Library) -> None:
    """A fast typist (or tmux send-keys) gets every key into the box, none to bindings."""
    from textual import events

    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        for key, char in [("slash", "/"), ("h", "h"), ("a", "a"), ("r", "r"), ("b", "b")]:
            app.post_message(events.Key(key, char))  # all queued before any is handled
        await pilot.pause(0.3)
        await settle(pilot, app)
        assert app.screen.query_one("#filter", Input).value == "harb"
        assert filled_library.articles(bookmarked=True) == []  # `b` did not bookmark
        assert len(app.screen.query_one(ArticleList).article_ids) == 1
        await pilot.press("enter", "j")
        await settle(pilot, app)
        assert app.screen.query_one("#filter", Input).value == "harb"  # j moved the list


async def test_demo_keeps_what_you_save_and_never_touches_your_library(tmp_path: Path) -> None:
    """The README's first run: bookmark and save a passage in the demo, quit, reopen."""
    import os

    from reader.demo_library import open_demo_library
    from reader.paths import demo_data_dir

    demo_dir = demo_data_dir()
    library = open_demo_library(demo_dir)
    app = ReaderApp(library, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("b", "enter")
        await settle(pilot, app)
        await pilot.press("j", "s")
        await until_dialog(pilot, app, NoteDialog)
        await pilot.press(*"worth quoting", "enter", "enter")
        await settle(pilot, app)
    library.close()

    again = open_demo_library(demo_dir)  # reopen: both are still there
    try:
        assert len(again.articles()) == 8
        [bookmarked] = again.articles(bookmarked=True)
        [quote] = again.saved_quotes()
        assert quote.article_id == bookmarked.id and quote.note == "worth quoting"
    finally:
        again.close()
    assert not Path(os.environ["READER_DATA_DIR"]).exists()  # the user's library: untouched

    fresh = open_demo_library(demo_dir, reset=True)
    try:
        assert fresh.articles(bookmarked=True) == [] and fresh.saved_quotes() == []
    finally:
        fresh.close()


async def test_opening_updates_the_unread_count_and_help_shows_the_keymap(
        filled_library: Library) -> None:
    from reader.config import Config
    from reader.ui.widgets.feed_sidebar import FeedSidebar

    app = ReaderApp(filled_library, config=Config(keys={"reader.bookmark": "m"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        app.screen.add_class("-sidebar")
        await pilot.press("enter")
        await settle(pilot, app)
        sidebar = app.screen.query_one(FeedSidebar)
        unread_row = str(sidebar.get_option_at_index(1).prompt)
        assert unread_row.endswith("3")  # 4 articles, one opened
        await pilot.press("question_mark")
        await settle(pilot, app)
        text = str(app.screen.query_one(Static).render())
        assert any(line.strip().startswith("m") and "Bookmark" in line
                   for line in text.splitlines())


async def test_next_unread_at_the_row_cap_says_where_the_rest_is(data_dir: Path,
                                                                  monkeypatch) -> None:
    import reader.ui.widgets.article_list as article_list

    monkeypatch.setattr(article_list, "MAX_ROWS", 3)
    library = Library.open(data_dir)
    library.add_local_articles([
        LocalArticleInput(f"T{i}", "", "Text.", published=f"2025-01-{10 + i:02d}T00:00:00Z")
        for i in range(6)])
    app = ReaderApp(library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        articles = app.screen.query_one(ArticleList)
        assert len(articles.article_ids) == 3 and articles.overflow == 3
        await pilot.press("n", "n", "n")
        await settle(pilot, app)
        messages = [n.message for n in app._notifications]
        assert any("3 older ones" in m for m in messages)
        assert not any(m == "No more unread articles." for m in messages)
    library.close()
