"""Reader's actions in the command palette (ctrl+p), next to Textual's own commands."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

COMMANDS: list[tuple[str, str, str]] = [
    ("Refresh all feeds", "Fetch every feed now (R)", "refresh_all"),
    ("Refresh this feed", "Fetch the current feed (r)", "refresh_feed"),
    ("Add a feed", "Subscribe to a feed or a page that links one (a)", "add_feed"),
    ("Full text", "Fetch the whole article from its web page (F)", "full_text"),
    ("Quote library", "Every saved quote, searchable (L)", "quote_library"),
    ("Export quotes", "Markdown, Readwise, JSON, CSL, BibTeX, RIS, APA, MLA, Chicago (e)",
     "export"),
    ("Edit feed", "Title and tags of the current feed (E in the sidebar)", "edit_feed"),
    ("Unsubscribe", "From the current feed, after asking (d in the sidebar)", "remove_feed"),
    ("Bookmarks only", "Show only bookmarked articles, or everything again (B)",
     "bookmarks_only"),
    ("Toggle feed sidebar", "Show or hide the feeds (f)", "toggle_sidebar"),
    ("Toggle quote pane", "Show or hide the quotes (x)", "toggle_quotes"),
    ("Mark shown articles read", "Everything in the list, after asking (A)", "mark_all_read"),
    ("Filter articles", "By title, author or feed (/)", "filter"),
    ("Keys", "Every key Reader knows (?)", "help"),
]


class ReaderCommands(Provider):
    """Reader actions, run on the main screen."""

    def _run(self, action: str) -> None:
        from reader.ui.main_screen import MainScreen

        screen = self.app.screen
        if isinstance(screen, MainScreen):
            getattr(screen, f"action_{action}")()

    async def discover(self) -> Hits:
        for title, help_text, action in COMMANDS:
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, action in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action),
                          help=help_text)
