"""What `reader export` and the TUI's export dialog produce, straight from the library."""

from __future__ import annotations

from datetime import date

from reader.export.bookmarks import BOOKMARK_FORMATS, export_bookmarks
from reader.export.quotes import FORMATS, QuoteRecord, export_quotes, filter_records
from reader.library.store import Library

DEFAULT_FORMAT = {"quotes": "markdown", "bookmarks": "markdown", "opml": "opml"}


def quote_records(library: Library) -> list[QuoteRecord]:
    """Every saved quote with its article and feed, articles newest first."""
    records = []
    for quote in library.saved_quotes():
        article = library.article(quote.article_id)
        if article is None:
            continue  # its article is gone; the quote stays in the library file
        feed = library.feed(article.feed_id) if article.feed_id else None
        records.append(QuoteRecord(quote=quote, article=article, feed=feed))
    records.sort(key=lambda r: (r.article.published or r.article.added_at or ""), reverse=True)
    return records


def export_text(
    library: Library, what: str, fmt: str | None = None, *, article: str | None = None,
    tag: str | None = None, speaker: str | None = None, since: date | None = None,
) -> str:
    """The exported document as text; ValueError (one sentence) for a bad choice."""
    fmt = (fmt or DEFAULT_FORMAT[what]).lower()
    if what == "quotes":
        if fmt not in FORMATS:
            raise ValueError(f"Unknown quote format {fmt!r}; choose one of {', '.join(FORMATS)}.")
        article_id = None
        if article:
            found = library.article(article)
            if found is None:
                raise ValueError(f"No article {article!r}; `reader articles` lists the ids.")
            article_id = found.id
        records = filter_records(quote_records(library), article_id=article_id, tag=tag,
                                 speaker=speaker, since=since)
        return export_quotes(records, fmt)
    if what == "bookmarks":
        if fmt not in BOOKMARK_FORMATS:
            raise ValueError(
                f"Unknown bookmark format {fmt!r}; choose one of {', '.join(BOOKMARK_FORMATS)}."
            )
        articles = library.articles(bookmarked=True)
        pairs = [(a, library.feed(a.feed_id) if a.feed_id else None) for a in articles]
        return export_bookmarks(pairs, fmt)
    if what == "opml":
        if fmt != "opml":
            raise ValueError("Subscriptions export only as OPML (--format opml).")
        from reader.feeds.opml import write_opml

        return write_opml([(f.url, f.title, list(f.tags), f.site_url) for f in library.feeds()])
    raise ValueError(f"Cannot export {what!r}; choose quotes, opml or bookmarks.")
