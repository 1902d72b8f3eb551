"""`e`: export saved quotes — choose the format, the scope and the file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static

from reader.export.files import ExportError, write_export
from reader.export.service import export_text
from reader.library.store import Library

FORMAT_CHOICES = [
    ("Markdown (.md)", "markdown"),
    ("Readwise CSV (.csv)", "readwise"),
    ("JSON, lossless (.json)", "json"),
    ("CSL-JSON for Zotero/Pandoc (.json)", "csl"),
    ("BibTeX (.bib)", "bibtex"),
    ("RIS for EndNote/Zotero/Mendeley (.ris)", "ris"),
    ("APA 7 reference list (.txt)", "apa"),
    ("MLA 9 works cited (.txt)", "mla"),
    ("Chicago 17 bibliography (.txt)", "chicago"),
]
# The three reference lists are all text: the style in the name keeps one from replacing another.
EXTENSIONS = {"markdown": ".md", "readwise": ".csv", "json": ".json", "csl": ".csl.json",
              "bibtex": ".bib", "ris": ".ris", "apa": ".apa.txt", "mla": ".mla.txt",
              "chicago": ".chicago.txt"}


def default_path(fmt: str) -> str:
    return str(Path.home() / f"reader-quotes{EXTENSIONS[fmt]}")


class ExportDialog(ModalScreen[Path | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, library: Library, article_id: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.library = library
        self.article_id = article_id
        self._path_edited = False

    def compose(self) -> ComposeResult:
        article = self.library.article(self.article_id) if self.article_id else None
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(Content("Export saved quotes"), classes="dialog-title")
            yield Select(FORMAT_CHOICES, value="markdown", allow_blank=False, id="format")
            with RadioSet(id="scope"):
                yield RadioButton(Content(f"All saved quotes ({len(self.library.saved_quotes())})"),
                                  value=True, id="scope-all")
                label = f"This article: {article.title[:50]}" if article else "This article"
                yield RadioButton(Content(label), id="scope-article", disabled=article is None)
            yield Input(placeholder="Only quotes with this tag (optional)", id="tag")
            yield Input(default_path("markdown"), placeholder="File to write", id="path")
            yield Checkbox(Content("Overwrite an existing file"), id="force")
            yield Static(Content(""), id="export-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Export"), variant="primary", id="do-export")
                yield Button(Content("Cancel"), id="cancel")

    @on(Select.Changed, "#format")
    def _format_changed(self, event: Select.Changed) -> None:
        path = self.query_one("#path", Input)
        if not self._path_edited:
            path.value = default_path(str(event.value))

    @on(Input.Changed, "#path")
    def _path_changed(self, event: Input.Changed) -> None:
        if event.value != default_path(str(self.query_one("#format", Select).value)):
            self._path_edited = True

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#do-export")
    @on(Input.Submitted, "#path")
    def _export(self) -> None:
        self._run_export()

    @work(exclusive=True, group="export", exit_on_error=False)
    async def _run_export(self) -> None:
        fmt = str(self.query_one("#format", Select).value)
        scope_article = self.query_one("#scope-article", RadioButton).value
        tag = self.query_one("#tag", Input).value.strip().lstrip("#") or None
        path = self.query_one("#path", Input).value.strip()
        force = self.query_one("#force", Checkbox).value
        error = self.query_one("#export-error", Static)
        if not path:
            error.update(Content("Give a file to write."))
            return

        def do_export() -> Path:
            text = export_text(self.library, "quotes", fmt,
                               article=self.article_id if scope_article else None, tag=tag)
            return write_export(text, Path(path).expanduser(), force=force)

        try:
            written = await asyncio.to_thread(do_export)
        except (ExportError, ValueError, OSError) as problem:
            message = str(problem).replace("use --force to overwrite it",
                                           "tick “Overwrite an existing file” to replace it")
            error.update(Content(message))
            return
        self.notify(f"Exported to {written}", markup=False)
        self.dismiss(written)
