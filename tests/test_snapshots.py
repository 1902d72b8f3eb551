"""Screenshots of the real app compared with reviewed SVGs (pytest --snapshot-update)."""

from __future__ import annotations

from pathlib import Path

from reader.library.store import Library
from reader.ui.app import ReaderApp

from .conftest import fixed_articles


def make_app(data_dir: Path) -> ReaderApp:
    library = Library.open(data_dir)
    if not library.count():
        library.add_local_articles(fixed_articles())
    return ReaderApp(library)


async def _wait(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_main_three_panes_120x40(snap_compare, data_dir: Path) -> None:
    async def run_before(pilot) -> None:
        await _wait(pilot)
        await pilot.press("j", "enter")
        await _wait(pilot)

    assert snap_compare(make_app(data_dir), terminal_size=(120, 40), run_before=run_before)


def test_narrow_80x24(snap_compare, data_dir: Path) -> None:
    assert snap_compare(make_app(data_dir), terminal_size=(80, 24), run_before=_wait)


def test_help_screen(snap_compare, data_dir: Path) -> None:
    async def run_before(pilot) -> None:
        await _wait(pilot)
        await pilot.press("question_mark")
        await _wait(pilot)

    assert snap_compare(make_app(data_dir), terminal_size=(120, 40), run_before=run_before)


def test_quote_pane_with_a_saved_quote(snap_compare, data_dir: Path) -> None:
    app = make_app(data_dir)
    library = app.library
    article = next(a for a in library.articles() if a.title.startswith("Council"))
    body = library.body(article.id)
    start = body.index("Nobody has seen")
    library.save_quote(article.id, start, start + len("Nobody has seen the full costs,"),
                       speaker="Ivo Brandt", note="ask for the costing", tags=["budget"],
                       origin="auto")

    async def run_before(pilot) -> None:
        await _wait(pilot)
        pilot.app.screen.open_article(article.id)
        await _wait(pilot)
        await pilot.press("tab", "tab", "j")
        await _wait(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
