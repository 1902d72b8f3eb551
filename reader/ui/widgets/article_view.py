"""The detail pane: headline, byline, date, link and the body, with a passage cursor.

The body is one `Static` per paragraph (so the cursor can scroll its paragraph into view and
a redraw touches one paragraph). `j`/`k` move a sentence cursor, `v` anchors it to extend a
passage over several sentences, `s` saves the passage (or the mouse selection) as a quote.
"""

from __future__ import annotations

from bisect import bisect_right

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from reader.models import Article, Feed
from reader.text.sentences import paragraph_spans, sentence_spans

MAX_PARAGRAPH_WIDGETS = 400  # beyond this the rest of a huge body is one block


class Paragraph(Static):
    """One paragraph of the body; knows where it starts in the article text."""

    def __init__(self, text: str, start: int) -> None:
        super().__init__(Content(text), markup=False, classes="para")
        self.text = text
        self.start = start

    def offset_of(self, line: int, column: int) -> int:
        """Article offset of a (line, column) position in this paragraph's raw lines."""
        lines = self.text.split("\n")
        line = max(0, min(line, len(lines) - 1))
        before = sum(len(part) + 1 for part in lines[:line])
        return self.start + before + max(0, min(column, len(lines[line])))


class ArticleView(VerticalScroll, can_focus=True):
    BINDINGS = [
        Binding("j,down", "next_sentence", "Next sentence", show=False, id="detail.down"),
        Binding("k,up", "previous_sentence", "Prev sentence", show=False, id="detail.up"),
        Binding("v", "toggle_anchor", "Extend", id="detail.extend"),
        Binding("s", "save_passage", "Save passage", id="detail.save"),
        Binding("escape", "clear_anchor", "Clear", show=False, id="detail.clear"),
        # "1" stands for all nine in the help screen (bindings without a description are
        # not listed there).
        *[Binding(str(n), f"open_link_number({n})", "Open link 1-9 (Links list)" if n == 1
                  else "", show=False, id=f"detail.open_link_{n}") for n in range(1, 10)],
        Binding("g,home", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G,end", "scroll_end", "Bottom", show=False, id="detail.bottom"),
    ]

    class OpenLink(Message):
        """The user asked to open link `number` of the article's Links list."""

        def __init__(self, number: int, url: str | None) -> None:
            super().__init__()
            self.number = number
            self.url = url

    class SavePassage(Message):
        def __init__(self, article_id: str, start: int, end: int) -> None:
            super().__init__()
            self.article_id = article_id
            self.start = start
            self.end = end

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: Article | None = None
        self.body = ""
        self.sentences: list[tuple[int, int]] = []
        self._sentence_starts: list[int] = []
        self.cursor: int | None = None
        self.anchor: int | None = None
        self.highlight: tuple[int, int] | None = None
        self._paragraphs: list[Paragraph] = []

    def compose(self):
        yield Static(Content("No article open."), id="article-title", markup=False)
        yield Static("", id="article-meta", markup=False)

    # Showing ---------------------------------------------------------------------------
    def show_article(self, article: Article | None, body: str, feed: Feed | None) -> None:
        self.article = article
        self.body = body
        self.cursor = None
        self.anchor = None
        self.highlight = None
        title = self.query_one("#article-title", Static)
        meta = self.query_one("#article-meta", Static)
        for paragraph in self._paragraphs:
            paragraph.remove()
        self._paragraphs = []
        if article is None:
            title.update(Content("No article open."))
            meta.update(Content(""))
            return
        title.update(Content.from_markup("[b]$star$title[/b]", title=article.title or "(untitled)",
                                         star="★ " if article.bookmarked else ""))
        meta.update(self._meta(article, feed))
        self.sentences = sentence_spans(body)
        self._sentence_starts = [start for start, _ in self.sentences]
        spans = paragraph_spans(body)
        if len(spans) > MAX_PARAGRAPH_WIDGETS:
            head, tail = spans[:MAX_PARAGRAPH_WIDGETS - 1], spans[MAX_PARAGRAPH_WIDGETS - 1:]
            spans = [*head, (tail[0][0], tail[-1][1])]
        self._paragraphs = [Paragraph(body[start:end], start) for start, end in spans]
        if not self._paragraphs:
            self._paragraphs = [Paragraph("(This article has no text.)", 0)]
        self.mount_all(self._paragraphs)
        self.scroll_home(animate=False)

    def _meta(self, article: Article, feed: Feed | None) -> Content:
        parts = [article.author, feed.title if feed else "",
                 (article.published or article.added_at or "")[:10]]
        line = " · ".join(p for p in parts if p)
        pieces = [Content.from_markup("[dim]$line[/]", line=line)] if line else []
        if article.link:
            pieces.append(Content.from_markup("[dim]$link[/]", link=article.link))
        for enclosure in article.enclosures:
            pieces.append(Content.from_markup(
                "[dim]enclosure: $url $type[/]", url=enclosure.get("url", ""),
                type=enclosure.get("type", "")))
        return Content("\n").join(pieces) if pieces else Content("")

    def refresh_title(self, article: Article) -> None:
        if self.article is not None and article.id == self.article.id:
            self.article = article
            self.query_one("#article-title", Static).update(Content.from_markup(
                "[b]$star$title[/b]", title=article.title or "(untitled)",
                star="★ " if article.bookmarked else ""))

    # Cursor and highlight ------------------------------------------------------------------
    def passage(self) -> tuple[int, int] | None:
        """The span to save: the mouse selection, else the sentence cursor (and anchor)."""
        selected = self._selection_span()
        if selected is not None:
            return selected
        if self.cursor is None or not self.sentences:
            return None
        first = self.cursor if self.anchor is None else min(self.cursor, self.anchor)
        last = self.cursor if self.anchor is None else max(self.cursor, self.anchor)
        return self.sentences[first][0], self.sentences[last][1]

    def _selection_span(self) -> tuple[int, int] | None:
        starts, ends = [], []
        for paragraph in self._paragraphs:
            selection = paragraph.text_selection
            if selection is None:
                continue
            if selection.start is None:
                starts.append(paragraph.start)
            else:
                starts.append(paragraph.offset_of(selection.start.y, selection.start.x))
            if selection.end is None:
                ends.append(paragraph.start + len(paragraph.text))
            else:
                ends.append(paragraph.offset_of(selection.end.y, selection.end.x))
        if not starts:
            return None
        start, end = min(starts), max(ends)
        while start < end and self.body[start].isspace():
            start += 1
        while end > start and self.body[end - 1].isspace():
            end -= 1
        return (start, end) if end > start else None

    def _redraw(self) -> None:
        marked = self.passage() if self.cursor is not None else None
        for paragraph in self._paragraphs:
            content = Content(paragraph.text)
            para_end = paragraph.start + len(paragraph.text)
            for span, style in ((self.highlight, "reverse"), (marked, "underline b")):
                if span is None:
                    continue
                start, end = max(span[0], paragraph.start), min(span[1], para_end)
                if start < end:
                    content = content.stylize(style, start - paragraph.start,
                                              end - paragraph.start)
            paragraph.update(content)

    def _paragraph_at(self, offset: int) -> Paragraph | None:
        for paragraph in self._paragraphs:
            if paragraph.start <= offset <= paragraph.start + len(paragraph.text):
                return paragraph
        return self._paragraphs[-1] if self._paragraphs else None

    def _scroll_to_offset(self, offset: int) -> None:
        paragraph = self._paragraph_at(offset)
        if paragraph is not None:
            self.scroll_to_widget(paragraph, animate=False, top=False)

    def set_cursor(self, index: int | None) -> None:
        if not self.sentences:
            return
        self.cursor = None if index is None else max(0, min(index, len(self.sentences) - 1))
        self._redraw()
        if self.cursor is not None:
            self._scroll_to_offset(self.sentences[self.cursor][0])

    def show_highlight(self, span: tuple[int, int] | None) -> None:
        """Mark a quote's span (from the quote pane) and scroll to it."""
        self.highlight = span
        self._redraw()
        if span is not None:
            self._scroll_to_offset(span[0])

    # Actions -----------------------------------------------------------------------------
    def action_next_sentence(self) -> None:
        if self.cursor is None:
            self.set_cursor(self._first_visible_sentence())
        else:
            self.set_cursor(self.cursor + 1)

    def action_previous_sentence(self) -> None:
        if self.cursor is None:
            self.set_cursor(self._first_visible_sentence())
        else:
            self.set_cursor(self.cursor - 1)

    def _first_visible_sentence(self) -> int:
        for paragraph in self._paragraphs:
            if paragraph.virtual_region.y >= self.scroll_y:
                return max(0, bisect_right(self._sentence_starts, paragraph.start) - 1)
        return 0

    def action_toggle_anchor(self) -> None:
        if self.cursor is None:
            self.set_cursor(self._first_visible_sentence())
        self.anchor = None if self.anchor is not None else self.cursor
        self._redraw()

    def action_clear_anchor(self) -> None:
        self.anchor = None
        self.screen.clear_selection()
        self._redraw()

    def action_open_link_number(self, number: int) -> None:
        """Digits 1-9 open the article's numbered links, as newsboat's keys do."""
        from reader.text.html import numbered_links

        self.post_message(self.OpenLink(number, numbered_links(self.body).get(number)))

    def action_save_passage(self) -> None:
        if self.article is None:
            return
        span = self.passage()
        if span is None:
            self.notify("Move the sentence cursor with j/k (or select text) first.",
                        markup=False)
            return
        self.post_message(self.SavePassage(self.article.id, *span))
