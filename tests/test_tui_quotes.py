"""The quote pane, the quote library and the export dialog, driven with Pilot."""

from __future__ import annotations

import csv
from pathlib import Path

from textual.widgets import Input, OptionList, Select

from reader.library.store import Library
from reader.ui.app import ReaderApp
from reader.ui.screens.dialogs import NoteDialog
from reader.ui.screens.export_dialog import ExportDialog
from reader.ui.screens.quote_library import QuoteLibraryScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.quote_pane import QuotePane

from .test_tui import SIZE, settle, until_dialog


def harbour_id(library: Library) -> str:
    return next(a.id for a in library.articles() if a.title.startswith("Council"))


async def open_harbour(pilot, app: ReaderApp, library: Library) -> QuotePane:
    await settle(pilot, app)
    app.screen.open_article(harbour_id(library))
    await settle(pilot, app)
    return app.screen.query_one(QuotePane)


async def test_pane_shows_extracted_quotes_and_highlights(filled_library: Library) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_harbour(pilot, app, filled_library)
        speakers = [v.speaker for v in pane.views]
        assert "Dana Whitfield" in speakers and "Ivo Brandt" in speakers
        assert all(not v.saved for v in pane.views)
        body = filled_library.body(harbour_id(filled_library))
        pane.focus()
        await pilot.press("j")
        await settle(pilot, app)
        view = pane.current
        detail = app.screen.query_one(ArticleView)
        assert detail.highlight == (view.start, view.end)
        assert body[view.start:view.end] == view.text


async def test_save_edit_copy_extracted_quote(filled_library: Library) -> None:
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_harbour(pilot, app, filled_library)
        pane.focus()
        brandt = next(i for i, v in enumerate(pane.views) if v.speaker == "Ivo Brandt")
        pane.highlighted = brandt
        await pilot.press("s")
        await settle(pilot, app)
        [saved] = filled_library.saved_quotes(harbour_id(filled_library))
        assert saved.speaker == "Ivo Brandt" and saved.origin == "auto"
        assert saved.text == "Nobody has seen the full costs,"
        assert pane.views[brandt].saved
        await pilot.press("enter")
        await until_dialog(pilot, app, NoteDialog)
        await pilot.press(*"check figures", "enter", *"budget council", "enter")
        await settle(pilot, app)
        [edited] = filled_library.saved_quotes()
        assert edited.note == "check figures" and edited.tags == ["budget", "council"]
        assert edited.id == saved.id
        await pilot.press("y")
        await settle(pilot, app)
        assert "Nobody has seen the full costs," in app.clipboard
        assert "Ivo Brandt" in app.clipboard and "Council approves harbour" in app.clipboard


async def test_quote_library_search_and_open(filled_library: Library) -> None:
    ids = {a.title[:7]: a.id for a in filled_library.articles()}
    body = filled_library.body(ids["Council"])
    start = body.index("This bridge")
    filled_library.save_quote(ids["Council"], start, start + 11, speaker="Dana Whitfield",
                              tags=["bridge"])
    reef = filled_library.body(ids["Divers "])
    start = reef.index("real but")
    filled_library.save_quote(ids["Divers "], start, start + 8, speaker="Leila Farouk",
                              note="fragile")
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("L")
        await settle(pilot, app)
        assert isinstance(app.screen, QuoteLibraryScreen)
        assert len(app.screen.shown) == 2
        await pilot.press("slash", *"speaker:farouk", "enter")
        await settle(pilot, app)
        assert [r.quote.speaker for r in app.screen.shown] == ["Leila Farouk"]
        search_box = app.screen.query_one(Input)
        search_box.value = "tag:bridge"
        await pilot.press("slash", "enter")
        await settle(pilot, app)
        assert [r.quote.speaker for r in app.screen.shown] == ["Dana Whitfield"]
        search_box.value = "fragile"  # the note
        await pilot.press("slash", "enter")
        await settle(pilot, app)
        assert [r.quote.speaker for r in app.screen.shown] == ["Leila Farouk"]
        app.screen.query_one(OptionList).focus()
        await pilot.press("enter")
        await settle(pilot, app)
        assert not isinstance(app.screen, QuoteLibraryScreen)
        assert app.screen.query_one(ArticleList).current_id == ids["Divers "]
        assert app.screen.query_one(ArticleView).article.id == ids["Divers "]


async def test_export_dialog_writes_and_refuses_overwrite(filled_library: Library,
                                                          tmp_path: Path) -> None:
    article_id = harbour_id(filled_library)
    body = filled_library.body(article_id)
    start = body.index("This bridge")
    filled_library.save_quote(article_id, start, start + 11, speaker="Dana Whitfield",
                              note="a, \"b\"\nc")
    target = tmp_path / "out.csv"
    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("e")
        await until_dialog(pilot, app, ExportDialog)
        dialog = app.screen
        dialog.query_one("#format", Select).value = "readwise"
        await pilot.pause()
        dialog.query_one("#path", Input).value = str(target)
        await pilot.click("#do-export")
        await settle(pilot, app)
        rows = list(csv.DictReader(target.open(encoding="utf-8", newline="")))
        assert rows[0]["Highlight"] == "This bridge"
        assert rows[0]["Author"] == "Marta Oyelaran"
        assert 'a, "b"\nc' in rows[0]["Note"]
        assert not isinstance(app.screen, ExportDialog)
        before = target.read_bytes()
        await pilot.press("e")
        await until_dialog(pilot, app, ExportDialog)
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.click("#do-export")
        await settle(pilot, app)
        assert isinstance(app.screen, ExportDialog)  # stays open with the error
        assert "--force" in str(app.screen.query_one("#export-error").render()) or \
            "exists" in str(app.screen.query_one("#export-error").render())
        assert target.read_bytes() == before
        await pilot.press("escape")


async def test_pane_follows_deletes_made_in_the_quote_library(filled_library: Library) -> None:
    from reader.ui.screens.dialogs import ConfirmDialog

    app = ReaderApp(filled_library)
    async with app.run_test(size=SIZE) as pilot:
        pane = await open_harbour(pilot, app, filled_library)
        pane.focus()
        pane.highlighted = 0
        await pilot.press("s")
        await settle(pilot, app)
        assert any(v.saved for v in pane.views)
        await pilot.press("L")
        await settle(pilot, app)
        await pilot.press("d")
        await until_dialog(pilot, app, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot, app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert filled_library.saved_quotes() == []
        assert not any(v.saved for v in pane.views)  # the pane shows the library as it is
