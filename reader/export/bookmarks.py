"""Export bookmarked articles: a Markdown list, JSON, or a Netscape bookmark file for browsers.

Articles are written in the order given. Pure functions to text; `files.write_export` writes.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

from reader.export.quotes import md_escape, md_url, web_url
from reader.models import Article, Feed, from_iso, utc_now
from reader.text.clean import clean_line

BOOKMARK_FORMATS = ("markdown", "json", "html")


def export_bookmarks(
    articles: list[tuple[Article, Feed | None]], fmt: str, *, now: datetime | None = None
) -> str:
    """The bookmarks in `fmt` (one of BOOKMARK_FORMATS). Raises ValueError for an unknown one."""
    name = (fmt or "").strip().lower()
    if name not in BOOKMARK_FORMATS:
        raise ValueError(
            f"Unknown bookmark export format {fmt!r}; choose one of {', '.join(BOOKMARK_FORMATS)}."
        )
    moment = _utc(now) if now is not None else utc_now()
    if name == "markdown":
        return bookmarks_markdown(articles, now=moment)
    if name == "json":
        return bookmarks_json(articles)
    return bookmarks_html(articles, now=moment)


def bookmarks_markdown(
    articles: list[tuple[Article, Feed | None]], *, now: datetime | None = None
) -> str:
    """ "# Bookmarks", then "- [Title](url) — author, feed, YYYY-MM-DD" per article.

    Non-http(s) links are not linked ("- Title — ..."); empty parts are left out.
    """
    moment = _utc(now) if now is not None else utc_now()
    n = len(articles)
    out = [
        "# Bookmarks",
        "",
        f"*Exported {moment:%Y-%m-%d %H:%M} UTC · {n} article{'' if n == 1 else 's'}*",
    ]
    if articles:
        out.append("")
    for article, feed in articles:
        title = md_escape(clean_line(article.title) or "(untitled)")
        url = web_url(article.link)
        item = f"[{title}]({md_url(url)})" if url else title
        details = [md_escape(clean_line(article.author))]
        if feed is not None:
            details.append(md_escape(clean_line(feed.title)))
        published = from_iso(article.published)
        if published is not None:
            details.append(f"{published:%Y-%m-%d}")
        details = [d for d in details if d]
        out.append(f"- {item}" + (" — " + ", ".join(details) if details else ""))
    return "\n".join(out) + "\n"


def bookmarks_json(articles: list[tuple[Article, Feed | None]]) -> str:
    """A JSON array of `Article.public_dict()` objects, each with `feed_title` (or null)."""
    items = []
    for article, feed in articles:
        data = article.public_dict()
        data["feed_title"] = feed.title if feed is not None else None
        items.append(data)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def bookmarks_html(
    articles: list[tuple[Article, Feed | None]], *, now: datetime | None = None
) -> str:
    """The Netscape bookmark file every browser imports (Firefox, Chrome, Safari, Edge).

    One `<DT><A HREF=... ADD_DATE=...>Title</A>` per article, followed by a `<DD>` line with
    "author · feed" when known. ADD_DATE (Unix seconds) is when the article entered the
    library (`added_at`), else its publication time, else the export time. Text and URLs are
    HTML-escaped. Articles without an http(s) link are SKIPPED: a browser cannot open them,
    and an entry without HREF is dropped or misread by importers.
    """
    moment = _utc(now) if now is not None else utc_now()
    out = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        "<!-- This is an automatically generated file.",
        "     It will be read and overwritten.",
        "     DO NOT EDIT! -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
    ]
    for article, feed in articles:
        url = web_url(article.link)
        if not url:
            continue
        added = from_iso(article.added_at) or from_iso(article.published) or moment
        title = clean_line(article.title) or url
        out.append(
            f'    <DT><A HREF="{html.escape(url, quote=True)}" '
            f'ADD_DATE="{int(added.timestamp())}">{html.escape(title, quote=True)}</A>'
        )
        details = [clean_line(article.author)]
        if feed is not None:
            details.append(clean_line(feed.title))
        details = [d for d in details if d]
        if details:
            out.append(f"    <DD>{html.escape(' · '.join(details), quote=True)}")
    out.append("</DL><p>")
    return "\n".join(out) + "\n"


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
