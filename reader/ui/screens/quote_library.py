"""`L`: every saved quote across the library, searchable; `enter` opens its article."""

from __future__ import annotations

import asyncio

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from reader.export.quotes import QuoteRecord
from reader.export.service import quote_records
from reader.library.store import Library
from reader.quotes.search import search
from reader.ui.screens.dialogs import ConfirmDialog, NoteDialog

HINT = ("Search words in quote, speaker or note; filters: speaker:NAME tag:TAG feed:NAME "
        "article:ID")


def _row(record: QuoteRecord) -> Content:
    quote, article, feed = record.quote, record.article, record.feed
    source = " · ".join(p for p in (article.title, feed.title if feed else "",
                                    (article.published or article.added_at or "")[:10]) if p)
    note = f"note: {quote.note}" if quote.note else ""
    tags = " ".join(f"#{t}" for t in quote.tags)
    return Content.from_markup(
        "“$text”\n  [b]— $speaker[/b]  [dim]$source[/]\n  [i]$note[/i] [dim]$tags[/]",
        text=quote.text, speaker=quote.speaker or "speaker unknown", source=source,
        note=note, tags=tags,
    )


class QuoteLibraryScreen(Screen[str | None]):
    """Dismisses with the id of the article to open, or None."""

    BINDINGS = [
        Binding("escape", "back", "Back", id="quotelib.back"),
        Binding("slash", "search", "Search", id="quotelib.search"),
        Binding("e", "edit", "Note/tags", id="quotelib.edit"),
        Binding("d", "delete", "Delete", id="quotelib.delete"),
        Binding("y", "copy", "Copy", id="quotelib.copy"),
    ]

    def __init__(self, library: Library) -> None:
        super().__init__()
        self.library = library
        self.records: list[QuoteRecord] = []
        self.shown: list[QuoteRecord] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Input(placeholder="Search quotes…", id="quote-search")
        yield Static(Content(HINT), id="quote-hint", markup=False)
        yield OptionList(id="quote-list", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.app.sub_title = "Quote library"
        self.records = quote_records(self.library)
        self._show()
        self.query_one("#quote-list").focus()

    def _show(self) -> None:
        text = self.query_one("#quote-search", Input).value
        self.shown = search(self.records, text)
        listing = self.query_one("#quote-list", OptionList)
        if self.shown:
            listing.set_options([Option(_row(r)) for r in self.shown])
            listing.highlighted = 0
        else:
            empty = "No saved quotes match." if self.records else (
                "No saved quotes yet: in an article press s on a quote or a passage.")
            listing.set_options([Option(Content(empty), disabled=True)])
        count = f"{len(self.shown)} of {len(self.records)} saved quotes"
        self.query_one("#quote-hint", Static).update(Content(f"{count} · {HINT}"))

    @on(Input.Changed, "#quote-search")
    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.2, self._show)

    @on(Input.Submitted, "#quote-search")
    def _submitted(self) -> None:
        self._show()
        self.query_one("#quote-list").focus()

    @property
    def current(self) -> QuoteRecord | None:
        index = self.query_one("#quote-list", OptionList).highlighted
        if index is None or index >= len(self.shown):
            return None
        return self.shown[index]

    @on(OptionList.OptionSelected, "#quote-list")
    def _open(self) -> None:
        record = self.current
        if record is not None:
            self.dismiss(record.article.id)

    def action_back(self) -> None:
        search_box = self.query_one("#quote-search", Input)
        if search_box.has_focus and search_box.value:
            search_box.value = ""
            self._show()
            return
        self.dismiss(None)

    def action_search(self) -> None:
        self.query_one("#quote-search", Input).focus()

    def action_copy(self) -> None:
        from reader.export.citation import plain_citation

        record = self.current
        if record is not None:
            self.app.copy_to_clipboard(plain_citation(
                record.quote.text, record.quote.speaker, record.article, record.feed))
            self.notify("Copied the quote with its citation.", markup=False, timeout=2)

    @work(group="quotelib", exit_on_error=False)
    async def action_edit(self) -> None:
        record = self.current
        if record is None:
            return
        quote = record.quote
        result = await self.app.push_screen_wait(
            NoteDialog("Edit note and tags", quote.text, quote.note, quote.tags))
        if result is None:
            return
        try:
            await asyncio.to_thread(self.library.update_quote, quote.id, note=result[0],
                                    tags=result[1])
        except Exception as error:
            self.notify(f"Not saved: {error}", severity="error", markup=False)
            return
        self.records = quote_records(self.library)
        self._show()

    @work(group="quotelib", exit_on_error=False)
    async def action_delete(self) -> None:
        record = self.current
        if record is None:
            return
        text = record.quote.text
        excerpt = text if len(text) < 120 else text[:117] + "…"
        if not await self.app.push_screen_wait(
                ConfirmDialog(f"Delete this saved quote?\n“{excerpt}”", yes="Delete")):
            return
        try:
            await asyncio.to_thread(self.library.delete_quote, record.quote.id)
        except Exception as error:
            self.notify(f"Not deleted: {error}", severity="error", markup=False)
            return
        self.records = quote_records(self.library)
        self._show()
