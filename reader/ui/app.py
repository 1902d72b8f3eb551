"""The Textual app: holds the library, global keys, the keymap and the stylesheet."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from textual.app import App, InvalidThemeError
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from reader.config import Config
from reader.library.store import Library
from reader.ui.commands import ReaderCommands
from reader.ui.main_screen import MainScreen


def stylesheet_path() -> Path:
    """styles/app.tcss, shipped inside the package as reader.styles (editable or not)."""
    return Path(str(resources.files("reader.styles").joinpath("app.tcss")))


def known_binding_ids() -> set[str]:
    """Every binding id the keymap can name."""
    from reader.ui.screens import dialogs, export_dialog, help, quote_library
    from reader.ui.widgets.article_list import ArticleList
    from reader.ui.widgets.article_view import ArticleView
    from reader.ui.widgets.feed_sidebar import FeedSidebar
    from reader.ui.widgets.quote_pane import QuotePane

    classes = [ReaderApp, MainScreen, ArticleList, ArticleView, QuotePane, FeedSidebar,
               help.HelpScreen, dialogs.ConfirmDialog, dialogs.NoteDialog, dialogs.FeedDialog,
               dialogs.TextDialog, dialogs.InfoDialog, quote_library.QuoteLibraryScreen,
               export_dialog.ExportDialog]
    return {b.id for cls in classes for b in cls.BINDINGS if isinstance(b, Binding) and b.id}


class ReaderApp(App[None]):
    TITLE = "Reader"
    CSS_PATH = [stylesheet_path()]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
    ]

    def __init__(self, library: Library, *, demo: bool = False,
                 config: Config | None = None) -> None:
        super().__init__()
        self.library = library
        self.demo = demo
        self.config = config or Config()
        library.keep_per_feed = self.config.keep_per_feed

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self.library, demo=self.demo, config=self.config)

    def on_mount(self) -> None:
        if self.config.keys:
            unknown = sorted(set(self.config.keys) - known_binding_ids())
            if unknown:
                self.notify(f"The keymap names unknown bindings: {', '.join(unknown)} "
                            "(the ids are listed in the README).", severity="warning",
                            markup=False, timeout=10)
            self.set_keymap(self.config.keys)
        if self.config.theme:
            try:
                self.theme = self.config.theme
            except InvalidThemeError:
                self.notify(f"Unknown theme {self.config.theme!r}; using the default.",
                            severity="warning", markup=False)

    def action_help(self) -> None:
        screen = self.screen
        if isinstance(screen, MainScreen):
            screen.action_help()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Last line of defence: a worker that failed is shown, never fatal."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(f"Something went wrong: {event.worker.error}", severity="error",
                        markup=False)
