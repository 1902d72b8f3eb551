"""The main screen: sidebar, article list, detail and quote panes, and every reader action.

Blocking work (disk reads and writes, quote extraction) runs in threads through
`asyncio.to_thread` inside workers, so the UI answers keys meanwhile; a failed write is
shown as a notification and the UI only shows a change once it is on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import webbrowser
from collections.abc import Callable
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, OptionList, ProgressBar, Static
from textual.worker import get_current_worker

from reader.config import Config
from reader.library.store import Library
from reader.models import Article
from reader.quotes.views import QuoteView, article_quote_views, saved_view
from reader.ui.screens.dialogs import (
    ConfirmDialog,
    FeedDialog,
    InfoDialog,
    NoteDialog,
    TextDialog,
)
from reader.ui.screens.help import HelpScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.article_view import ArticleView
from reader.ui.widgets.feed_sidebar import FeedSidebar, Scope
from reader.ui.widgets.quote_pane import QuotePane

NARROW_WIDTH = 110
FILTER_DELAY = 0.25

def graphical_browser_possible() -> bool:
    """Is there a desktop to open a browser on? (Not over SSH without X, not on a console.)"""
    if sys.platform in ("darwin", "win32"):
        return True
    if os.environ.get("BROWSER", "").split(":")[0].rsplit("/", 1)[-1] in (
            "w3m", "lynx", "links", "elinks", "www-browser"):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


WELCOME = """Welcome to Reader.

Your library is empty. To fill it:

  • import articles:   reader import story.txt notes.md page.html
  • subscribe to feeds: press a here, or run  reader add https://example.org/feed.xml
  • import an OPML file of subscriptions:  reader import subscriptions.opml
  • or try the demo:   reader --demo

Press ? for every key, q to quit."""


class MainScreen(Screen[None]):
    BINDINGS = [
        Binding("J", "next_article", "Next article", show=False, id="reader.next_article"),
        Binding("K", "previous_article", "Prev article", show=False,
                id="reader.previous_article"),
        Binding("n", "next_unread", "Next unread", id="reader.next_unread"),
        Binding("p", "previous_unread", "Prev unread", show=False, id="reader.previous_unread"),
        Binding("N", "toggle_read", "Toggle read", show=False, id="reader.toggle_read"),
        Binding("b", "toggle_bookmark", "Bookmark", id="reader.bookmark"),
        Binding("B", "bookmarks_only", "Bookmarks only", show=False, id="reader.bookmarks_only"),
        # priority: handled as the key arrives, so the keys typed right after it are known
        # to be filter text even before the box has focus (see on_key)
        Binding("slash", "filter", "Filter", id="reader.filter", priority=True),
        Binding("space", "page_down", "Page down", show=False, id="reader.page_down"),
        Binding("tab", "app.focus_next", "Next pane", show=False, id="reader.next_pane"),
        Binding("shift+tab", "app.focus_previous", "Prev pane", show=False,
                id="reader.previous_pane"),
        Binding("f", "toggle_sidebar", "Feeds", id="reader.sidebar"),
        Binding("x", "toggle_quotes", "Quote pane", show=False, id="reader.quote_pane"),
        Binding("r", "refresh_feed", "Refresh feed", show=False, id="reader.refresh"),
        Binding("R", "refresh_all", "Refresh all", id="reader.refresh_all"),
        Binding("a", "add_feed", "Add feed", show=False, id="reader.add_feed"),
        Binding("A", "mark_all_read", "Mark shown read", show=False, id="reader.mark_all_read"),
        Binding("o", "open_link", "Open in browser", show=False, id="reader.open_link"),
        Binding("F", "full_text", "Full text", show=False, id="reader.full_text"),
        Binding("L", "quote_library", "Quote library", show=False, id="reader.quote_library"),
        Binding("e", "export", "Export", show=False, id="reader.export"),
    ]

    def __init__(self, library: Library, *, demo: bool = False,
                 config: Config | None = None) -> None:
        super().__init__()
        self.library = library
        self.demo = demo
        self.config = config or Config()
        self.scope = Scope("all")
        self.bookmarks_only = False
        self.filter_text = ""
        self.current_id: str | None = None
        self._filter_timer: Timer | None = None
        self._refreshing = False
        self._filter_pending = False
        # Searching the article text for the filter (enter in the filter box): the filter
        # asked for, the last result (its key, the ids) and the key being searched. A key
        # holds everything the result depends on, so a stale result is never shown.
        self._text_wanted = ""
        self._text_found: tuple[tuple, frozenset[str]] | None = None
        self._text_searching: tuple | None = None

    # Layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with Horizontal(id="panes"):
            yield FeedSidebar(id="sidebar")
            with Vertical(id="list-column"):
                filter_input = Input(placeholder="Filter by title, author or feed…", id="filter")
                filter_input.can_focus = False
                yield filter_input
                yield ArticleList(id="articles")
            yield ArticleView(id="detail")
            yield QuotePane(id="quotes")
        yield Static(Content(WELCOME), id="welcome", markup=False)
        yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    @property
    def article_list(self) -> ArticleList:
        return self.query_one("#articles", ArticleList)

    @property
    def detail(self) -> ArticleView:
        return self.query_one("#detail", ArticleView)

    @property
    def quote_pane(self) -> QuotePane:
        return self.query_one("#quotes", QuotePane)

    @property
    def sidebar(self) -> FeedSidebar:
        return self.query_one("#sidebar", FeedSidebar)

    def on_mount(self) -> None:
        self.query_one("#detail").border_title = "Article"
        self.query_one("#quotes").border_title = "Quotes"
        self.query_one("#list-column").border_title = "Articles"
        self.sidebar.border_title = "Feeds"
        self.set_class(bool(self.library.feeds()), "-sidebar")
        self.reload(first=True)
        minutes = self.config.refresh_interval_minutes
        if minutes > 0:
            self.set_interval(minutes * 60, self._scheduled_refresh, name="scheduled-refresh")

    def _scheduled_refresh(self) -> None:
        """The interval refresh: only feeds that are due (ttl, Cache-Control, Retry-After);
        silent when there is nothing to do or a refresh is running."""
        from reader.feeds.service import due_feeds

        due = due_feeds(self.library.feeds())
        if due and not self._refreshing:
            self._run_refresh(due)

    def on_screen_resume(self) -> None:
        """Back from the quote library or a dialog: titles and quotes may have changed."""
        if self.is_mounted:
            self._update_titles(len(self.article_list.article_ids))
            if self.current_id and self.detail.article is not None:
                self._requote(self.current_id)

    @work(group="requote", exclusive=True, exit_on_error=False)
    async def _requote(self, article_id: str) -> None:
        await self._refresh_quotes(article_id)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH, "-narrow")

    # Loading the list ----------------------------------------------------------------------
    def _query(self) -> list[Article]:
        kwargs = self._scope_filters()
        also: frozenset[str] = frozenset()
        if self._text_shown():
            also = self._text_found[1]  # type: ignore[index]
        articles = self.library.articles(search=self.filter_text or None, also=also, **kwargs)
        if self.bookmarks_only and self.scope.kind != "bookmarks":
            articles = [a for a in articles if a.bookmarked]
        return articles

    def _scope_filters(self) -> dict[str, Any]:
        """library.articles arguments for what the sidebar chose."""
        scope = self.scope
        kwargs: dict[str, Any] = {}
        if scope.kind == "feed":
            kwargs["feed_id"] = scope.value
        elif scope.kind == "tag":
            kwargs["tag"] = scope.value
        elif scope.kind == "local":
            kwargs["local"] = True
        elif scope.kind == "unread":
            kwargs["unread"] = True
        elif scope.kind == "bookmarks":
            kwargs["bookmarked"] = True
        return kwargs

    def _source_of(self) -> Callable[[Article], str]:
        feeds = {f.id: f for f in self.library.feeds()}

        def source(article: Article) -> str:
            feed = feeds.get(article.feed_id or "")
            if feed is not None:
                return feed.title or feed.url
            return article.author or "local file"

        return source

    def reload(self, first: bool = False) -> None:
        """Rebuild sidebar and list from the library (in memory: fast)."""
        empty = self.library.count() == 0 and not self.library.feeds()
        self.set_class(empty, "-empty")
        self.sidebar.show_library(self.library, self.scope)
        self._search_text_if_wanted()
        articles = self._query()
        keep = self.article_list.current_id or self.current_id
        self.article_list.show_articles(articles, self._source_of(), keep=keep)
        self._update_titles(len(articles))
        if first:
            if empty:
                return
            self.article_list.focus()
            if self.article_list.current_id:
                self.preview(self.article_list.current_id)
        elif not articles:
            self.detail.show_article(None, "", None)
            self.quote_pane.show_quotes(None, [])

    def _update_titles(self, shown: int) -> None:
        names = {"all": "All articles", "unread": "Unread", "bookmarks": "Bookmarks",
                 "local": "Local files"}
        if self.scope.kind == "feed":
            feed = self.library.feed(self.scope.value)
            name = (feed.title or feed.url) if feed else "Feed"
        elif self.scope.kind == "tag":
            name = f"#{self.scope.value}"
        else:
            name = names.get(self.scope.kind, "Articles")
        parts = [name, f"{shown} shown"]
        if self.bookmarks_only:
            parts.append("bookmarks only")
        if self.filter_text:
            parts.append(f"filter: {self.filter_text}")
            if self._text_searching == self._text_key():
                parts.append("searching the text…")
            elif self._text_shown():
                parts.append("titles and text")
        if self.demo:
            parts.append("demo copy: your library is untouched")
        self.app.sub_title = " · ".join(parts)
        self.query_one("#list-column").border_title = f"Articles ({shown})"

    # Opening articles ----------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#articles")
    def _list_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        article_id = self.article_list.current_id
        if article_id and article_id != self.current_id:
            self.preview(article_id)

    @on(OptionList.OptionSelected, "#articles")
    def _list_selected(self, event: OptionList.OptionSelected) -> None:
        article_id = self.article_list.current_id
        if article_id:
            self.open_article(article_id, focus_detail=True)

    def preview(self, article_id: str) -> None:
        self.current_id = article_id
        self._load_article(article_id, False, False)

    def open_article(self, article_id: str, focus_detail: bool = False) -> None:
        self.current_id = article_id
        self.article_list.move_to(article_id)
        self._load_article(article_id, True, focus_detail)

    @work(exclusive=True, group="open", exit_on_error=False)
    async def _load_article(self, article_id: str, mark_read: bool, focus: bool) -> None:
        article = self.library.article(article_id)
        if article is None:
            return
        try:  # one trip to a thread: read the body, then find its quotes
            body, views = await asyncio.to_thread(self._read_article, article_id)
        except Exception as error:  # a damaged body file must not kill the app
            self.notify(f"Could not read the article: {error}", severity="error", markup=False)
            return
        feed = self.library.feed(article.feed_id) if article.feed_id else None
        self.detail.show_article(article, body, feed)
        self.quote_pane.show_quotes(article_id, views)
        if focus:
            self.detail.focus()
        if mark_read and not article.read:
            self._mark_read(article_id)

    @work(group="write", exit_on_error=False)
    async def _mark_read(self, article_id: str) -> None:
        """Not part of the (exclusive) open worker: moving on must not cancel it."""
        if await self._write(self.library.set_read, [article_id], True):
            self._refresh_article(article_id)
            self.sidebar.show_library(self.library, self.scope)

    async def _write(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a library write in a thread; show a failure instead of raising."""
        try:
            return await asyncio.to_thread(function, *args, **kwargs)
        except Exception as error:
            self.notify(f"Not saved: {error}", title="Write failed", severity="error",
                        markup=False)
            return None

    def _refresh_article(self, article_id: str) -> None:
        article = self.library.article(article_id)
        if article is not None:
            self.article_list.refresh_article(article)
            self.detail.refresh_title(article)

    def _step(self, delta: int, predicate: Callable[[Article], bool] | None = None) -> None:
        ids = self.article_list.article_ids
        if not ids:
            return
        current = self.article_list.current_id
        index = ids.index(current) if current in ids else (-1 if delta > 0 else len(ids))
        index += delta
        while 0 <= index < len(ids):
            article = self.library.article(ids[index])
            if article is not None and (predicate is None or predicate(article)):
                self.open_article(article.id)
                return
            index += delta
        if predicate is not None:
            if delta > 0 and self.article_list.overflow:
                self.notify(f"The list shows the newest {len(ids)} articles; "
                            f"{self.article_list.overflow} older ones are reached by picking a "
                            "feed (f) or filtering (/).", markup=False)
                return
            self._step_feed(delta)

    def _step_feed(self, delta: int) -> None:
        """n/p past the end of a feed go on to the next feed with a visible unread article."""
        if self.scope.kind != "feed":
            self.notify("No more unread articles.", markup=False)
            return
        ordered = self.library.feeds()
        position = next((i for i, f in enumerate(ordered) if f.id == self.scope.value), 0)
        candidates = ordered[position + 1:] if delta > 0 else list(reversed(ordered[:position]))
        original = self.scope
        for feed in candidates:
            if not self.library.counts(feed.id)[0]:
                continue
            self.scope = Scope("feed", feed.id)
            unread = [a for a in self._query() if not a.read]
            if unread:
                self.reload()
                self.open_article(unread[0 if delta > 0 else -1].id)
                return
        self.scope = original
        self.notify("No more unread articles.", markup=False)

    def action_next_article(self) -> None:
        self._step(1)

    def action_previous_article(self) -> None:
        self._step(-1)

    def action_next_unread(self) -> None:
        self._step(1, lambda a: not a.read)

    def action_previous_unread(self) -> None:
        self._step(-1, lambda a: not a.read)

    def action_page_down(self) -> None:
        self.detail.scroll_page_down()

    # State changes -----------------------------------------------------------------------
    def _target(self) -> Article | None:
        article_id = self.current_id or self.article_list.current_id
        return self.library.article(article_id) if article_id else None

    @work(group="write", exit_on_error=False)
    async def action_toggle_read(self) -> None:
        article = self._target()
        if article is None:
            return
        await self._write(self.library.set_read, [article.id], not article.read)
        self._refresh_article(article.id)
        self.sidebar.show_library(self.library, self.scope)

    @work(group="write", exit_on_error=False)
    async def action_toggle_bookmark(self) -> None:
        article = self._target()
        if article is None:
            return
        changed = await self._write(self.library.set_bookmarked, [article.id],
                                    not article.bookmarked)
        if changed:
            self._refresh_article(article.id)
            state = "Bookmarked" if article.bookmarked else "Bookmark removed"
            self.notify(f"{state}: {article.title}", markup=False, timeout=2)
            if self.bookmarks_only or self.scope.kind == "bookmarks":
                self.reload()

    def action_bookmarks_only(self) -> None:
        self.bookmarks_only = not self.bookmarks_only
        self.reload()

    @work(group="write", exit_on_error=False)
    async def action_mark_all_read(self) -> None:
        ids = [i for i in self.article_list.article_ids
               if (a := self.library.article(i)) is not None and not a.read]
        if not ids:
            self.notify("Everything shown is already read.", markup=False)
            return
        confirmed = await self.app.push_screen_wait(
            ConfirmDialog(f"Mark {len(ids)} shown articles as read?", yes="Mark read"))
        if confirmed:
            await self._write(self.library.set_read, ids, True)
            self.reload()

    # Filter ------------------------------------------------------------------------------
    def action_filter(self) -> None:
        # The box is always laid out (zero height while unused) and only focusable while
        # filtering, so focus moves at once and no typed key goes to the list meanwhile.
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus:
            filter_input.insert_text_at_cursor("/")
            return
        filter_input.can_focus = True
        self.add_class("-filtering")
        self._filter_pending = True
        filter_input.focus()

    def on_key(self, event: events.Key) -> None:
        """Keys typed after `/` but before the filter box has focus belong to the filter."""
        if self._filter_pending and event.is_printable and event.character:
            filter_input = self.query_one("#filter", Input)
            filter_input.insert_text_at_cursor(event.character)
            event.stop()
            event.prevent_default()

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        # Keys already on their way to the list when the box took focus still arrive after
        # that focus change, so typing ends only when the box loses focus.
        if event.widget.id == "filter":
            self._filter_pending = False

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(FILTER_DELAY, self._apply_filter)

    def _apply_filter(self) -> None:
        self.filter_text = self.query_one("#filter", Input).value.strip()
        self.reload()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        """enter: the filter as typed, then the article text too (in a thread)."""
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._text_wanted = self.filter_text
        self._apply_filter()  # reloads, which starts the text search
        if not self.filter_text:
            self._close_filter()
        event.input.can_focus = False
        self.article_list.focus()

    def _text_key(self) -> tuple:
        return (self.filter_text, self.scope, self.bookmarks_only, self.library.change_count)

    def _text_shown(self) -> bool:
        """Whether the list includes text matches: asked for (enter) and still current."""
        return (bool(self.filter_text) and self._text_wanted == self.filter_text
                and self._text_found is not None and self._text_found[0] == self._text_key())

    def _search_text_if_wanted(self) -> None:
        """Search the text for the filter the user asked for, in what the list shows now,
        unless that result is at hand or on its way (runs again after a scope change or a
        refresh, since the key changes)."""
        if not self.filter_text or self._text_wanted != self.filter_text:
            return
        key = self._text_key()
        if key == self._text_searching or (self._text_found and self._text_found[0] == key):
            return
        self._text_searching = key
        scope_ids = [a.id for a in self.library.articles(**self._scope_filters())]
        self._search_text(key, scope_ids)

    @work(thread=True, exclusive=True, group="text-search", exit_on_error=False)
    def _search_text(self, key: tuple, ids: list[str]) -> None:
        worker = get_current_worker()
        try:
            found = self.library.text_matches(key[0], ids,
                                              should_stop=lambda: worker.is_cancelled)
        except Exception as error:
            self.app.call_from_thread(self.notify, f"Searching the text failed: {error}",
                                      severity="error", markup=False)
            found = set()
        if not worker.is_cancelled:
            self.app.call_from_thread(self._text_search_done, key, frozenset(found))

    def _text_search_done(self, key: tuple, found: frozenset[str]) -> None:
        if self._text_searching == key:
            self._text_searching = None
        self._text_found = (key, found)
        if key == self._text_key():  # still what the list shows
            self.reload()

    def _close_filter(self) -> None:
        self.remove_class("-filtering")
        self.query_one("#filter", Input).can_focus = False

    def key_escape(self) -> None:
        filter_input = self.query_one("#filter", Input)
        if filter_input.has_focus or self.filter_text:
            filter_input.value = ""
            self.filter_text = ""
            self._text_wanted = ""
            self._close_filter()
            self.reload()
            self.article_list.focus()

    # Panes -------------------------------------------------------------------------------
    def action_toggle_sidebar(self) -> None:
        self.toggle_class("-sidebar")
        if self.has_class("-sidebar"):
            self.sidebar.focus()
        elif self.sidebar.has_focus:
            self.article_list.focus()

    def action_toggle_quotes(self) -> None:
        """Wide: the quote pane shows until hidden. Narrow: hidden until shown."""
        self.toggle_class("-narrow-quotes" if self.has_class("-narrow") else "-hide-quotes")

    @on(OptionList.OptionSelected, "#sidebar")
    def _scope_selected(self, event: OptionList.OptionSelected) -> None:
        scope = self.sidebar.current
        if scope is not None:
            self.scope = scope
            self.current_id = None
            self.reload()
            self.article_list.focus()
            if self.article_list.current_id:
                self.preview(self.article_list.current_id)

    def action_help(self) -> None:
        groups = [
            ("Anywhere", [*self.app.BINDINGS, *self.BINDINGS]),
            ("Article list", ArticleList.BINDINGS),
            ("Article (detail pane)", ArticleView.BINDINGS),
            ("Quote pane", QuotePane.BINDINGS),
            ("Feed sidebar", FeedSidebar.BINDINGS),
        ]
        shown = [(title, [b for b in bindings if isinstance(b, Binding)])
                 for title, bindings in groups]
        self.app.push_screen(HelpScreen(shown, keymap=self.config.keys))

    # Quotes ------------------------------------------------------------------------------
    @on(OptionList.OptionHighlighted, "#quotes")
    def _quote_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        view = self.quote_pane.current
        if view is not None and self.detail.article is not None:
            self.detail.show_highlight((view.start, view.end))

    @on(ArticleView.SavePassage)
    def _save_passage(self, event: ArticleView.SavePassage) -> None:
        from reader.models import Quote

        text = self.detail.body[event.start:event.end]
        existing = self.library.quote(Quote.make_id(event.article_id, event.start, event.end))

        def saved(result: tuple[str, list[str]] | None) -> None:
            if result is not None:
                self._save_quote(event.article_id, event.start, event.end, result[0], result[1],
                                 text=text)

        title = "Edit the saved passage" if existing else "Save passage as a quote"
        self.app.push_screen(NoteDialog(title, text, existing.note if existing else "",
                                        existing.tags if existing else []), saved)

    @work(group="write", exit_on_error=False)
    async def _save_quote(self, article_id: str, start: int, end: int, note: str,
                          tags: list[str], view: QuoteView | None = None,
                          text: str | None = None) -> None:
        kwargs: dict[str, Any] = {"note": note, "tags": tags, "text": text}
        if view is not None:
            kwargs.update(speaker=view.speaker, kind=view.kind, origin="auto",
                          speaker_mention=view.speaker_mention, cue=view.cue, text=view.text)
        quote = await self._write(self.library.save_quote, article_id, start, end, **kwargs)
        if quote is not None:
            self.notify("Quote saved.", markup=False, timeout=2)
            self.detail.action_clear_anchor()
        await self._refresh_quotes(article_id)

    def _read_article(self, article_id: str) -> tuple[str, list[QuoteView]]:
        """In a worker thread: the body and its quotes (an extractor bug: saved ones only)."""
        body = self.library.body(article_id)
        saved = self.library.saved_quotes(article_id)
        try:
            return body, article_quote_views(article_id, body, saved)
        except Exception as error:
            self.app.call_from_thread(self.notify, f"Quote extraction failed: {error}",
                                      severity="warning", markup=False)
            return body, [saved_view(q, body) for q in saved]

    async def _quote_views(self, article_id: str, body: str) -> list[QuoteView]:
        """Extracted and saved quotes, computed in a thread; an extractor bug shows saved ones."""
        saved = self.library.saved_quotes(article_id)
        try:
            return await asyncio.to_thread(article_quote_views, article_id, body, saved)
        except Exception as error:
            self.notify(f"Quote extraction failed: {error}", severity="warning", markup=False)
            return [saved_view(q, body) for q in saved]

    async def _refresh_quotes(self, article_id: str) -> None:
        if article_id != self.current_id:
            return
        views = await self._quote_views(article_id, self.detail.body)
        self.quote_pane.show_quotes(article_id, views)

    @on(QuotePane.Action)
    def _quote_action(self, event: QuotePane.Action) -> None:
        view = event.view
        if event.action == "save":
            if view.saved:
                self.notify("Already saved; enter edits its note.", markup=False)
            else:
                self._save_quote(view.article_id, view.start, view.end, "", [], view)
        elif event.action == "edit":
            self._edit_quote(view)
        elif event.action == "delete":
            self._delete_quote(view)
        elif event.action == "copy":
            self._copy_quote(view)

    def _edit_quote(self, view: QuoteView) -> None:
        def done(result: tuple[str, list[str]] | None) -> None:
            if result is None:
                return
            if view.saved and view.id:
                self._update_quote(view, result[0], result[1])
            else:
                self._save_quote(view.article_id, view.start, view.end, result[0], result[1],
                                 view)

        title = "Edit note and tags" if view.saved else "Save quote with a note"
        self.app.push_screen(NoteDialog(title, view.text, view.note, view.tags), done)

    @work(group="write", exit_on_error=False)
    async def _update_quote(self, view: QuoteView, note: str, tags: list[str]) -> None:
        if await self._write(self.library.update_quote, view.id, note=note, tags=tags):
            await self._refresh_quotes(view.article_id)

    @work(group="write", exit_on_error=False)
    async def _delete_quote(self, view: QuoteView) -> None:
        if not view.saved or not view.id:
            self.notify("Only saved quotes can be deleted.", markup=False)
            return
        excerpt = view.text if len(view.text) < 120 else view.text[:117] + "…"
        question = f"Delete this saved quote?\n“{excerpt}”"
        if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Delete")):
            return
        if await self._write(self.library.delete_quote, view.id) is not None:
            self.notify("Quote deleted.", markup=False, timeout=2)
            await self._refresh_quotes(view.article_id)

    def _copy_quote(self, view: QuoteView) -> None:
        from reader.export.citation import plain_citation

        article = self.library.article(view.article_id)
        if article is None:
            return
        feed = self.library.feed(article.feed_id) if article.feed_id else None
        text = plain_citation(view.text, view.speaker, article, feed)
        self.app.copy_to_clipboard(text)
        self.notify("Copied the quote with its citation.", markup=False, timeout=2)

    # Links -------------------------------------------------------------------------------
    def action_open_link(self) -> None:
        article = self._target()
        if article is None or not article.link:
            self.notify("This article has no link.", markup=False)
            return
        self._open_url(article.link)

    # Full text of a truncated article ---------------------------------------------------
    _full_text_pending: frozenset[str] = frozenset()  # article ids being fetched

    @work(group="fulltext", exit_on_error=False)
    async def action_full_text(self) -> None:
        """Fetch the article's web page, keep its main text as the body, show it again."""
        from reader.feeds.fulltext import store_full_text

        article = self._target()
        if article is None:
            self.notify("Pick an article first.", markup=False)
            return
        if not article.link:
            self.notify("This article has no link, so there is no page to fetch.",
                        markup=False)
            return
        if article.id in self._full_text_pending:
            self.notify("The full text of this article is already being fetched.",
                        markup=False)
            return
        self._full_text_pending = self._full_text_pending | {article.id}
        self.notify("Fetching the full text…", markup=False, timeout=2)
        try:
            stored = await store_full_text(self.library, article.id)
        except Exception as error:  # FullTextError, LibraryError: one sentence each
            self.notify(str(error) or type(error).__name__, title="Full text not stored",
                        severity="error", markup=False)
            return
        finally:
            self._full_text_pending = self._full_text_pending - {article.id}
        self.notify(f"Full text: {stored.chars} characters.", markup=False)
        if self.current_id == article.id:
            self.preview(article.id)  # show (and quote) the new text

    @on(ArticleView.OpenLink)
    def _open_numbered_link(self, event: ArticleView.OpenLink) -> None:
        if event.url is None:
            self.notify(f"This article has no link [{event.number}].", markup=False)
            return
        self._open_url(event.url)

    def _open_url(self, url: str) -> None:
        """http(s) only, never through a shell; without a desktop, copy it instead."""
        from reader.feeds.urls import is_safe_link

        if not is_safe_link(url) or url.startswith("mailto:"):
            self.notify("Only http and https links are opened.", severity="warning",
                        markup=False)
            return
        if not graphical_browser_possible():
            # A console browser (w3m, lynx) would fight the TUI for this terminal.
            self.app.copy_to_clipboard(url)
            self.notify(f"No graphical browser here; link copied: {url}", markup=False)
            return
        self._open_in_browser(url)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_in_browser(self, url: str) -> None:
        try:
            opened = webbrowser.open(url)
        except Exception as error:
            opened = False
            self.app.call_from_thread(self.notify, f"Could not open a browser: {error}",
                                      severity="error", markup=False)
            return
        if not opened:
            self.app.call_from_thread(self.notify, f"No browser found; the link is {url}",
                                      markup=False)

    # Feeds (refresh, add, details) ---------------------------------------------------------
    def action_refresh_all(self) -> None:
        self._refresh(None)

    def action_refresh_feed(self) -> None:
        feed_ids: list[str] | None = None
        if self.scope.kind == "feed":
            feed_ids = [self.scope.value]
        else:
            article = self._target()
            if article is not None and article.feed_id:
                feed_ids = [article.feed_id]
        if feed_ids is None:
            self.notify("Pick a feed first (f shows the feeds).", markup=False)
            return
        self._refresh(feed_ids)

    def _refresh(self, feed_ids: list[str] | None) -> None:
        if self._refreshing:
            self.notify("A refresh is already running.", markup=False)
            return
        feeds = [f for f in self.library.feeds() if feed_ids is None or f.id in feed_ids]
        if not feeds:
            self.notify("No feeds yet: press a to add one.", markup=False)
            return
        self._run_refresh(feeds)

    @work(group="refresh", exit_on_error=False)
    async def _run_refresh(self, feeds: list) -> None:
        from reader.feeds.service import refresh_feeds

        self._refreshing = True
        progress = self.query_one("#progress", ProgressBar)
        progress.update(total=len(feeds), progress=0)
        self.add_class("-refreshing")

        def advance(_result: object) -> None:
            progress.advance(1)

        try:
            report = await refresh_feeds(self.library, feeds, on_result=advance,
                                         concurrency=self.config.concurrency,
                                         ignore=self.config.ignore)
        except Exception as error:
            self.notify(f"Refresh failed: {error}", severity="error", markup=False)
            return
        finally:
            self._refreshing = False
            self.remove_class("-refreshing")
        self.reload()
        shown = self.detail.article
        if shown is not None and self.current_id == shown.id:
            now = self.library.article(shown.id)
            if now is not None and now.content_hash != shown.content_hash:
                self.preview(shown.id)  # updated in place: show (and quote) the new text
        severity = "warning" if report.failed else "information"
        self.notify(report.summary(), markup=False, severity=severity)

    def action_add_feed(self) -> None:
        self._add_feed_dialog()

    @work(group="add", exit_on_error=False)
    async def _add_feed_dialog(self) -> None:
        from reader.feeds.service import add_subscription_async
        from reader.feeds.urls import check_feed_url

        dialog = TextDialog("Add a feed", placeholder="https://example.org/feed.xml or a page")
        url = await self.app.push_screen_wait(dialog)
        if not url:
            return
        try:
            url = check_feed_url(url)
        except ValueError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.notify(f"Looking up {url} …", markup=False, timeout=2)
        try:
            feed, others = await add_subscription_async(self.library, url)
        except Exception as error:
            self.notify(str(error), title="Feed not added", severity="error", markup=False)
            return
        message = f"Subscribed to {feed.title or feed.url}."
        if others:
            message += f" The page offers {len(others)} more feeds."
        self.notify(message, markup=False)
        self.add_class("-sidebar")
        self.scope = Scope("feed", feed.id)
        self.reload()
        self._refresh([feed.id])

    def action_feed_details(self, feed_id: str) -> None:
        feed = self.library.feed(feed_id)
        if feed is None:
            return
        unread, total = self.library.counts(feed.id)
        lines = [
            f"URL: {feed.url}",
            f"Site: {feed.site_url or '-'}",
            f"Tags: {', '.join(feed.tags) or '-'}",
            f"Articles: {total} ({unread} unread)",
            f"Last fetched: {feed.last_fetched or 'never'}",
            f"Status: {'gone (410): no longer polled' if feed.gone else 'active'}",
            f"Last error: {feed.last_error or 'none'}",
        ]
        if feed.aliases:
            lines.append(f"Moved from: {', '.join(feed.aliases)}")
        if feed.retry_after:
            lines.append(f"Next poll not before: {feed.retry_after}")
        if feed.ttl_minutes:
            lines.append(f"The feed asks readers to wait {feed.ttl_minutes} minutes (ttl).")
        if feed.fresh_until:
            lines.append(f"Scheduled refreshes skip it until: {feed.fresh_until}")
        self.app.push_screen(InfoDialog(feed.title or feed.url, lines))

    def _feed_in_view(self, feed_id: str | None) -> str | None:
        """The feed an edit means: the one given (the sidebar's), else the one shown, else
        the current article's."""
        if feed_id is None and self.scope.kind == "feed":
            feed_id = self.scope.value
        if feed_id is None:
            article = self._target()
            feed_id = article.feed_id if article is not None else None
        if feed_id is None or self.library.feed(feed_id) is None:
            self.notify("Pick a feed first (f shows the feeds).", markup=False)
            return None
        return feed_id

    def action_edit_feed(self, feed_id: str | None = None) -> None:
        feed_id = self._feed_in_view(feed_id)
        if feed_id is not None:
            self._edit_feed(feed_id)

    @work(group="write", exit_on_error=False)
    async def _edit_feed(self, feed_id: str) -> None:
        feed = self.library.feed(feed_id)
        if feed is None:
            return
        answer = await self.app.push_screen_wait(FeedDialog(feed.url, feed.title, feed.tags))
        if answer is None:
            return
        title, tags = answer
        try:
            changed = await asyncio.to_thread(self.library.edit_feed, feed_id, title=title,
                                              tags=tags)
        except Exception as error:
            self.notify(f"The feed was not changed: {error}", severity="error", markup=False)
            return
        self.notify(f"Saved {changed.title or changed.url}.", markup=False)
        self.reload()

    def action_remove_feed(self, feed_id: str | None = None) -> None:
        feed_id = self._feed_in_view(feed_id)
        if feed_id is not None:
            self._remove_feed(feed_id)

    @work(group="write", exit_on_error=False)
    async def _remove_feed(self, feed_id: str) -> None:
        feed = self.library.feed(feed_id)
        if feed is None:
            return
        if self._refreshing:
            self.notify("Wait for the refresh to finish.", markup=False)
            return
        _unread, total = self.library.counts(feed_id)
        name = feed.title or feed.url
        question = (f"Unsubscribe from {name}? Its {total} articles go, except bookmarked "
                    "ones and those with saved quotes.")
        if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Unsubscribe")):
            return
        if self._refreshing:  # a scheduled refresh may have begun while the dialog was open
            self.notify("A refresh started meanwhile: unsubscribe once it is done.",
                        markup=False)
            return
        try:
            removed, kept = await asyncio.to_thread(self.library.remove_feed, feed_id)
        except Exception as error:
            self.notify(f"Not unsubscribed: {error}", severity="error", markup=False)
            return
        message = f"Unsubscribed from {name}: {removed} articles removed"
        self.notify(message + (f", {kept} kept." if kept else "."), markup=False)
        if self.scope == Scope("feed", feed_id):
            self.scope = Scope("all")
        self.reload()

    # Quote library and export (screens of their own) ---------------------------------------
    def action_quote_library(self) -> None:
        try:
            from reader.ui.screens.quote_library import QuoteLibraryScreen
        except ImportError:
            self.notify("The quote library is not available yet.", markup=False)
            return
        self.app.push_screen(QuoteLibraryScreen(self.library), self._after_library)

    def _after_library(self, article_id: str | None) -> None:
        if article_id:
            self.scope = Scope("all")
            self.bookmarks_only = False
            self.filter_text = ""
            self.query_one("#filter", Input).value = ""
            self._close_filter()
            self.reload()
            self.open_article(article_id, focus_detail=True)

    def action_export(self) -> None:
        try:
            from reader.ui.screens.export_dialog import ExportDialog
        except ImportError:
            self.notify("Export is not available yet.", markup=False)
            return
        self.app.push_screen(ExportDialog(self.library, self.current_id))

    def focus_pane(self, pane_id: str) -> None:
        with contextlib.suppress(NoMatches):
            self.query_one(f"#{pane_id}").focus()
