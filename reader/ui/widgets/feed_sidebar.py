"""The feed sidebar: smart views, tags and feeds with unread counts and error markers."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.library.store import Library


@dataclass(frozen=True, slots=True)
class Scope:
    """What the article list shows: kind is all, unread, bookmarks, local, tag or feed."""

    kind: str = "all"
    value: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


class FeedSidebar(OptionList):
    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="sidebar.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="sidebar.up"),
        Binding("i", "feed_info", "Feed details", id="sidebar.info"),
        Binding("E", "edit_feed", "Edit feed", id="sidebar.edit"),
        Binding("d,delete", "remove_feed", "Unsubscribe", id="sidebar.remove"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.scopes: list[Scope] = []
        self._shown: Scope | None = None  # the scope of the last show_library

    def show_library(self, library: Library, current: Scope) -> None:
        rows: list[tuple[Scope, Content]] = []
        total_unread = library.unread_total()
        rows.append((Scope("all"), Content.from_markup("[b]All articles[/b]")))
        rows.append((Scope("unread"),
                     Content.from_markup("Unread  [dim]$n[/]", n=str(total_unread))))
        rows.append((Scope("bookmarks"), Content("★ Bookmarks")))
        local_unread, local_total = library.counts(None)
        if local_total:
            rows.append((Scope("local"), Content.from_markup(
                "Local files  [dim]$n[/]", n=f"{local_unread}/{local_total}")))
        for tag in library.tags():
            rows.append((Scope("tag", tag), Content.from_markup("# $tag", tag=tag)))
        for feed in library.feeds():
            unread, _total = library.counts(feed.id)
            marker = "!" if feed.last_error or feed.gone else " "
            # The count comes first, in a fixed column, so that a long title is cut short
            # (text-wrap: nowrap in the stylesheet) rather than pushing the count away.
            template = "$marker[dim]$n[/] [b]$title[/b]" if unread else "$marker[dim]$n[/] $title"
            rows.append((Scope("feed", feed.id), Content.from_markup(
                template, marker=marker, title=feed.title or feed.url, n=f"{unread:>3}")))
        # The cursor stays on the row it was on (found again by what it is: rows move when a
        # tag appears) unless what the list shows changed, then it goes there.
        kept = self.current if current == self._shown else None
        self._shown = current
        keep = self.highlighted
        self.scopes = [scope for scope, _ in rows]
        self.set_options([Option(content) for _, content in rows])
        if kept in self.scopes:
            self.highlighted = self.scopes.index(kept)
        elif current in self.scopes:
            self.highlighted = self.scopes.index(current)
        elif keep is not None and keep < len(self.scopes):
            self.highlighted = keep

    @property
    def current(self) -> Scope | None:
        index = self.highlighted
        if index is None or index >= len(self.scopes):
            return None
        return self.scopes[index]

    def action_feed_info(self) -> None:
        scope = self.current
        if scope is not None and scope.kind == "feed":
            self.screen.action_feed_details(scope.value)  # type: ignore[attr-defined]

    def action_edit_feed(self) -> None:
        if (feed_id := self._feed_id()) is not None:
            self.screen.action_edit_feed(feed_id)  # type: ignore[attr-defined]

    def action_remove_feed(self) -> None:
        if (feed_id := self._feed_id()) is not None:
            self.screen.action_remove_feed(feed_id)  # type: ignore[attr-defined]

    def _feed_id(self) -> str | None:
        """The highlighted feed: here the row under the cursor is what the user means."""
        scope = self.current
        if scope is None or scope.kind != "feed":
            self.notify("Highlight a feed first.", markup=False)
            return None
        return scope.value
