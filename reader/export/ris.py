"""RIS records (`TY  - NEWS`) for EndNote, Zotero and Mendeley: one per quoted article, each
saved quote a note (N1) on it. Every value is kept on one line, so text from a feed can never
start a tag line of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from reader.export.citation import (
    Name,
    publication_name,
    published_datetime,
    quote_line,
    split_authors,
    web_url,
)
from reader.models import Article, Feed, Quote
from reader.text.clean import clean_line

RIS_NEWLINE = "\r\n"
_RIS_TAG = re.compile(r"[A-Z][A-Z0-9]")
# Anything a reader could take for a line end; `clean_line` already removes or collapses all of
# them, this is the last guard before a value is written after a tag.
_RIS_BREAKS = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def ris_value(text: str, *, name_field: bool = False) -> str:
    """`text` as a single-line RIS value: controls removed, newlines/tabs collapsed to spaces.

    A value can never contain a line break, so hostile text ("x\\nER  - \\nTY  - JOUR") stays
    inside its own tag line. `name_field` also drops "*", which the RIS spec forbids in
    author and periodical-name fields.
    """
    value = _RIS_BREAKS.sub(" ", clean_line(text or ""))
    if name_field:
        value = " ".join(value.replace("*", " ").split())
    return value.strip()


def ris_line(tag: str, value: str) -> str:
    """ "TI  - value" (two uppercase letters/digits, two spaces, hyphen, space)."""
    if not _RIS_TAG.fullmatch(tag):
        raise ValueError(f"{tag!r} is not a RIS tag.")
    return f"{tag}  - {value}"


def ris_name(name: Name) -> str:
    """ "Family, Given[, Suffix]" per the RIS spec; an organisation with a trailing comma.

    The comma is EndNote's mark for a corporate author (kept whole, never turned into
    initials); Zotero reads a name with nothing after its comma as a single-field name.
    """
    if name.literal:
        return ris_value(name.literal, name_field=True) + ","
    parts = [name.full_family]
    if name.given:
        parts.append(name.given)
    if name.suffix:
        parts.append(name.suffix)
    return ris_value(", ".join(parts), name_field=True)


def ris_note(quote: Quote) -> str:
    """One quote as an N1 note: “text” — Speaker (note: ...; tags: a, b).

    Zotero imports every N1 of a record as a separate child note, so each saved quote becomes
    its own note under the article. The label is a lowercase "note:" on purpose: Zotero's RIS
    import rewrites N1 values that begin with ProCite labels such as "Notes:".
    """
    extras = []
    note = clean_line(quote.note)
    if note:
        extras.append(f"note: {note}")
    tags = [clean_line(t).lstrip("#.") for t in quote.tags]
    tags = [t for t in tags if t]
    if tags:
        extras.append("tags: " + ", ".join(tags))
    text = quote_line(quote)
    if extras:
        text += " (" + "; ".join(extras) + ")"
    return ris_value(text)


def ris_record(
    article: Article, feed: Feed | None, quotes: Iterable[Quote], *, accessed: datetime
) -> str:
    """One RIS record (`TY  - NEWS` ... `ER  - `, then a blank line), CRLF line ends.

    Tags: AU per author, TI, T2 (the feed title: Zotero maps T2 of a NEWS record to the
    newspaper's publication title), DA "YYYY/MM/DD/" and PY "YYYY", UR (http(s) only),
    Y2 the access date, and one N1 note per quote (`ris_note`). Empty fields are left out.
    Lines end with CR LF because the RIS specification requires it and Zotero writes RIS that
    way; readers that expect LF (Zotero, Mendeley, EndNote) accept CR LF too.
    """
    lines = [ris_line("TY", "NEWS")]
    for name in split_authors(article.author):
        value = ris_name(name)
        if value.strip(","):
            lines.append(ris_line("AU", value))
    title = ris_value(article.title)
    if title:
        lines.append(ris_line("TI", title))
    publication = ris_value(publication_name(feed), name_field=True)
    if publication:
        lines.append(ris_line("T2", publication))
    published = published_datetime(article)
    if published is not None:
        lines.append(ris_line("DA", f"{published:%Y/%m/%d}/"))
        lines.append(ris_line("PY", f"{published:%Y}"))
    url = ris_value(web_url(article.link)).replace(" ", "%20")
    if url:
        lines.append(ris_line("UR", url))
    lines.append(ris_line("Y2", f"{accessed:%Y/%m/%d}/"))
    for quote in quotes:
        note = ris_note(quote)
        if note:
            lines.append(ris_line("N1", note))
    lines.append(ris_line("ER", ""))
    return RIS_NEWLINE.join(lines) + RIS_NEWLINE + RIS_NEWLINE
