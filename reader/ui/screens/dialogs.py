"""Small modal dialogs: confirm, note and tags, a feed's title and tags, single text input,
feed details."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), markup=False, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(f"{self.yes} (y)"), variant="error", id="yes")
                yield Button(Content("Cancel (n)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class NoteDialog(ModalScreen[tuple[str, list[str]] | None]):
    """Note and tags for a quote; enter saves, escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="note.cancel")]

    def __init__(self, title: str, quote_text: str, note: str = "",
                 tags: list[str] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.heading = title
        self.quote_text = quote_text
        self.note = note
        self.tags = tags or []

    def compose(self) -> ComposeResult:
        excerpt = self.quote_text if len(self.quote_text) < 300 else self.quote_text[:297] + "…"
        with Vertical(classes="dialog"):
            yield Label(Content(self.heading), classes="dialog-title")
            yield Static(Content(f"“{excerpt}”"), markup=False, classes="dialog-quote")
            yield Input(self.note, placeholder="Note (optional)", id="note")
            yield Input(" ".join(self.tags), placeholder="Tags, separated by spaces (optional)",
                        id="tags")
            yield Static(Content("enter: save · escape: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "note":
            self.query_one("#tags", Input).focus()
            return
        note = self.query_one("#note", Input).value.strip()
        raw_tags = self.query_one("#tags", Input).value.replace(",", " ").split()
        tags = [tag.lstrip("#") for tag in raw_tags if tag.lstrip("#")]
        self.dismiss((note, tags))

    def action_cancel(self) -> None:
        self.dismiss(None)


class FeedDialog(ModalScreen[tuple[str, list[str]] | None]):
    """A feed's title and tags; enter in the title moves to the tags, enter there saves."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="feed.cancel")]

    def __init__(self, url: str, title: str, tags: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.url = url
        self.title_value = title
        self.tags = tags

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content("Edit feed"), classes="dialog-title")
            yield Static(Content(self.url), markup=False, classes="dialog-quote")
            yield Input(self.title_value, placeholder="Title (empty: the feed's own)",
                        id="title")
            # Commas: a tag can hold spaces (OPML folders such as "Tech News" become tags).
            yield Input(", ".join(self.tags), placeholder="Tags, separated by commas",
                        id="tags")
            yield Static(Content("enter: save · escape: cancel"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "title":
            self.query_one("#tags", Input).focus()
            return
        title = self.query_one("#title", Input).value.strip()
        raw_tags = (tag.strip().lstrip("#").strip()
                    for tag in self.query_one("#tags", Input).value.split(","))
        self.dismiss((title, [tag for tag in raw_tags if tag]))

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextDialog(ModalScreen[str | None]):
    """Ask for one line of text (a feed URL, a path)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="text.cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "",
                 hint: str = "enter: OK · escape: cancel") -> None:
        super().__init__(classes="dialog-screen")
        self.heading = title
        self.placeholder = placeholder
        self.value = value
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.heading), classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="value")
            yield Static(Content(""), id="error", classes="dialog-error")
            yield Static(Content(self.hint), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#value", Input).focus()

    def show_error(self, message: str) -> None:
        self.query_one("#error", Static).update(Content(message))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class InfoDialog(ModalScreen[None]):
    """Read-only text (a feed's details and last error)."""

    BINDINGS = [Binding("escape,q,enter", "close", "Close", id="info.close")]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(classes="dialog-screen")
        self.heading = title
        self.lines = lines

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(self.heading), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(Content("\n".join(self.lines)), markup=False)
            yield Static(Content("escape: close"), classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
