"""The article list: an OptionList (virtualised; ListView does not scale, notes §6).

Rows are built from `Content` with template variables, so a hostile title such as
`[@click=app.quit]x` is shown literally and clicking it does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.models import Article

# More rows than anyone scrolls; feeds, tags and the filter reach the rest. OptionList wraps
# every row to measure it, so this bounds a list rebuild to ~0.15 s at 100,000 articles.
MAX_ROWS = 2000


def _row(article: Article, source: str) -> Content:
    """Title on the first line (bold while unread); state, source and date below it.

    Built with `Content.assemble` (no markup parsing: untrusted titles stay literal, and it
    is ten times faster than templates, which matters when 5,000 rows are rebuilt).
    """
    flags = ("●" if not article.read else "○") + (" ★" if article.bookmarked else "")
    when = (article.published or article.added_at or "")[:10]
    meta = " · ".join(part for part in (source, when) if part)
    title = article.title or "(untitled)"
    return Content.assemble((title, "bold") if not article.read else title, "\n",
                            (f"{flags} {meta}", "dim"))


class ArticleList(OptionList):
    """Article ids are kept in `article_ids`, row for row."""

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("g,home", "first", "Top", show=False, id="list.top"),
        Binding("G,end", "last", "Bottom", show=False, id="list.bottom"),
        Binding("enter", "select", "Open", id="list.open"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.article_ids: list[str] = []
        self.overflow = 0
        self._source_of: Callable[[Article], str] = lambda article: article.author

    def show_articles(self, articles: Sequence[Article], source_of: Callable[[Article], str],
                      keep: str | None = None) -> None:
        """Replace the rows; keep the cursor on article `keep` when it is still listed."""
        self._source_of = source_of
        shown = articles[:MAX_ROWS]
        self.overflow = len(articles) - len(shown)
        self.article_ids = [a.id for a in shown]
        options: list[Option] = [Option(_row(a, source_of(a)), id=a.id) for a in shown]
        if self.overflow:
            options.append(Option(Content(
                f"… {self.overflow} older articles: pick a feed or filter with /"
            ), disabled=True))
        self.set_options(options)
        if keep is not None and keep in self.article_ids:
            self.highlighted = self.article_ids.index(keep)
        elif self.article_ids:
            self.highlighted = 0

    def refresh_article(self, article: Article) -> None:
        """Redraw one row after its read or bookmark state changed."""
        try:
            index = self.article_ids.index(article.id)
        except ValueError:
            return
        self.replace_option_prompt_at_index(index, _row(article, self._source_of(article)))

    @property
    def current_id(self) -> str | None:
        index = self.highlighted
        if index is None or index >= len(self.article_ids):
            return None
        return self.article_ids[index]

    def move_to(self, article_id: str) -> None:
        if article_id in self.article_ids:
            self.highlighted = self.article_ids.index(article_id)
