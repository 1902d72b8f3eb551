"""The quote pane: the current article's quotes, extracted and saved, told apart."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.quotes.views import QuoteView

KIND_LABEL = {"full": "full", "partial": "partial", "phrase": "phrase"}


def _row(view: QuoteView) -> Content:
    marker = "■" if view.saved else "□"  # ■ saved in the library, □ found in the text
    speaker = view.speaker or "speaker unknown"
    kind = "passage" if view.origin == "user" and view.saved else KIND_LABEL.get(
        view.kind, view.kind)
    extra = "".join(f" #{tag}" for tag in view.tags)
    if view.note:
        extra = f"\n  note: {view.note}{extra}"
    template = "$marker “$text”\n  [b]— $speaker[/b] [dim]· $kind$extra[/]"
    return Content.from_markup(template, marker=marker, text=view.text, speaker=speaker,
                               kind=kind, extra=extra)


class QuotePane(OptionList):
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="quotes.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="quotes.up"),
        Binding("s", "save_quote", "Save quote", id="quotes.save"),
        Binding("enter", "edit_quote", "Note/tags", id="quotes.edit"),
        Binding("d", "delete_quote", "Delete", id="quotes.delete"),
        Binding("y", "copy_quote", "Copy", id="quotes.copy"),
    ]

    class Action(Message):
        """The user asked for `action` on `view` (the screen does the work)."""

        def __init__(self, action: str, view: QuoteView) -> None:
            super().__init__()
            self.action = action
            self.view = view

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.views: list[QuoteView] = []
        self.article_id: str | None = None

    def show_quotes(self, article_id: str | None, views: Sequence[QuoteView]) -> None:
        keep = self.highlighted if article_id == self.article_id else None
        self.article_id = article_id
        self.views = list(views)
        if not self.views:
            self.set_options([Option(Content(
                "No quotations found. In the article, move with j/k and press s to save a "
                "passage."
            ), disabled=True)])
            return
        self.set_options([Option(_row(v)) for v in self.views])
        if keep is not None and keep < len(self.views):
            self.highlighted = keep

    @property
    def current(self) -> QuoteView | None:
        index = self.highlighted
        if index is None or index >= len(self.views):
            return None
        return self.views[index]

    def _post(self, action: str) -> None:
        view = self.current
        if view is not None:
            self.post_message(self.Action(action, view))

    def action_save_quote(self) -> None:
        self._post("save")

    def action_edit_quote(self) -> None:
        self._post("edit")

    def action_delete_quote(self) -> None:
        self._post("delete")

    def action_copy_quote(self) -> None:
        self._post("copy")
