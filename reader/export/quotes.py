"""Export saved quotes: Markdown, Readwise CSV, lossless JSON, CSL-JSON, BibTeX, RIS and
plain-text APA / MLA / Chicago reference lists.

Pure functions from `QuoteRecord`s to text (no Textual, no I/O; `files.write_export` writes).

Common rules:
- Quotes are grouped per article. Articles come in the order they first appear in `records`
  (the caller chooses it); inside an article quotes are sorted by `start` (then `end`, `id`).
  A quote id given twice is exported once. The APA/MLA/Chicago lists are the exception for
  article order: a reference list is alphabetical, so they sort their entries.
- Only http(s) links are emitted as links (Markdown, Readwise URL, CSL URL, BibTeX url, RIS UR,
  the reference lists); JSON keeps `link` verbatim because it is lossless.
- The speaker is never an author: it goes into the attribution line (Markdown) or the Note
  (Readwise); citations (CSL, BibTeX, RIS, APA, MLA, Chicago) cite the article, one item per
  quoted article, and name the speaker only next to the quote (RIS note, "as cited in" line).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import quote as _pct

from reader.export.citation import (
    BIBTEX_MONTHS,
    bibtex_escape,
    bibtex_name,
    bibtex_title,
    bibtex_url,
    csl_name,
    quote_line,
    split_authors,
    unique_keys,
    web_url,
)
from reader.export.references import (
    apa_in_text,
    apa_reference,
    chicago_reference,
    mla_in_text,
    mla_reference,
)
from reader.export.ris import ris_record
from reader.models import Article, Feed, Quote, from_iso, to_iso, utc_now
from reader.text.clean import clean_line

FORMATS = ("markdown", "readwise", "json", "csl", "bibtex", "ris", "apa", "mla", "chicago")
JSON_FORMAT_ID = "reader-quotes/1"
READWISE_HEADER = ("Highlight", "Title", "Author", "URL", "Note", "Location", "Date")


@dataclass(frozen=True)
class QuoteRecord:
    """What the exporter gets: a saved quote with its article (and feed, if any)."""

    quote: Quote
    article: Article
    feed: Feed | None = None


@dataclass
class ArticleGroup:
    article: Article
    feed: Feed | None
    quotes: list[Quote]


def export_quotes(
    records: list[QuoteRecord],
    fmt: str,
    *,
    now: datetime | None = None,
    guard_formulas: bool = False,
) -> str:
    """The export of `records` in `fmt` (one of FORMATS) as text.

    `now` is the export/access time (default: the current UTC time). `guard_formulas` applies to
    the Readwise CSV only (see `to_readwise_csv`). Raises ValueError for an unknown format.
    """
    name = (fmt or "").strip().lower()
    if name not in FORMATS:
        raise ValueError(
            f"Unknown quote export format {fmt!r}; choose one of {', '.join(FORMATS)}."
        )
    moment = _utc(now) if now is not None else utc_now()
    if name == "markdown":
        return to_markdown(records, now=moment)
    if name == "readwise":
        return to_readwise_csv(records, guard_formulas=guard_formulas)
    if name == "json":
        return to_json(records, now=moment)
    if name == "csl":
        return to_csl_json(records, now=moment)
    if name == "bibtex":
        return to_bibtex(records, now=moment)
    if name == "ris":
        return to_ris(records, now=moment)
    return to_reference_list(records, name, now=moment)


def filter_records(
    records: Iterable[QuoteRecord],
    *,
    article_id: str | None = None,
    tag: str | None = None,
    speaker: str | None = None,
    since: date | datetime | None = None,
) -> list[QuoteRecord]:
    """The records matching every given criterion (None means "any").

    - `article_id`: exact article id;
    - `tag`: one of the quote's tags, case-insensitive, a leading "#" or "." ignored;
    - `speaker`: case-insensitive substring of the speaker (unknown speakers never match a
      non-empty needle);
    - `since`: `quote.created_at` at or after it; a date means its midnight UTC and a naive
      datetime is UTC. Quotes without `created_at` are left out when `since` is given.
    """
    wanted_tag = tag.strip().lstrip("#.").casefold() if tag is not None else None
    needle = speaker.strip().casefold() if speaker is not None else None
    threshold: datetime | None = None
    if isinstance(since, datetime):
        threshold = _utc(since)
    elif isinstance(since, date):
        threshold = datetime(since.year, since.month, since.day, tzinfo=UTC)
    out = []
    for record in records:
        q = record.quote
        if article_id is not None and record.article.id != article_id:
            continue
        if wanted_tag is not None and wanted_tag not in {
            t.strip().lstrip("#.").casefold() for t in q.tags
        }:
            continue
        if needle is not None and needle not in (q.speaker or "").casefold():
            continue
        if threshold is not None:
            created = from_iso(q.created_at)
            if created is None or created < threshold:
                continue
        out.append(record)
    return out


def group_records(records: Iterable[QuoteRecord]) -> list[ArticleGroup]:
    """Records grouped per article (first-appearance order), quotes by start offset."""
    groups: dict[str, ArticleGroup] = {}
    seen: set[tuple[str, str]] = set()
    for record in records:
        key = (record.article.id, record.quote.id)
        if key in seen:
            continue
        seen.add(key)
        group = groups.get(record.article.id)
        if group is None:
            group = groups[record.article.id] = ArticleGroup(record.article, record.feed, [])
        elif group.feed is None and record.feed is not None:
            group.feed = record.feed
        group.quotes.append(record.quote)
    for group in groups.values():
        group.quotes.sort(key=lambda q: (q.start, q.end, q.id))
    return list(groups.values())


# ---------------------------------------------------------------------------------------------
# Markdown

_MD_INLINE = re.compile(r"([\\`*_\[\]<|~])")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_LINE_START = re.compile(r"^([#>+=-])")
_MD_ORDERED = re.compile(r"^(\d+)([.)])")


def md_escape(text: str) -> str:
    """Escape Markdown-significant characters, line by line; Unicode quotes stay as they are.

    Everywhere: backslash, backtick, `*`, `_`, `[`, `]`, `<`, `|`, `~` and entity-like `&`.
    At a line start: `#`, `>`, `-`, `+`, `=` and "1." / "1)". Leading indentation is dropped
    (it would turn the line into a code block). Lines keep their order; blank lines stay blank.
    """
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.strip()
        line = _MD_INLINE.sub(r"\\\1", line)
        line = _MD_ENTITY.sub(r"\\&", line)
        line = _MD_LINE_START.sub(r"\\\1", line)
        line = _MD_ORDERED.sub(r"\1\\\2", line)
        lines.append(line)
    return "\n".join(lines)


def text_fragment(text: str, *, max_words: int = 8, edge_words: int = 4) -> str:
    """The W3C text directive ("text=...") that finds `text` in the page, or "" for no words.

    A short single-paragraph quote is matched whole (`text=start`); a longer or multi-paragraph
    one by `text=textStart,textEnd`, taking `edge_words` words from the first and the last
    paragraph, so no term spans a block boundary. Terms are percent-encoded with everything but
    ASCII letters, digits and `._~` encoded ("-", ",", "&" included, as the spec requires).
    """
    paragraphs = [p.split() for p in re.split(r"\n\s*\n", text.strip()) if p.split()]
    if not paragraphs:
        return ""
    words = [w for p in paragraphs for w in p]
    if len(paragraphs) == 1 and len(words) <= max_words:
        return "text=" + _fragment_term(words)
    first, last = paragraphs[0], paragraphs[-1]
    if len(paragraphs) == 1:
        k = min(edge_words, len(words) // 2)
        start, end = words[:k], words[-k:]
    else:
        start, end = first[:edge_words], last[-edge_words:]
    return "text=" + _fragment_term(start) + "," + _fragment_term(end)


def _fragment_term(words: list[str]) -> str:
    return _pct(" ".join(words), safe="").replace("-", "%2D")


def text_fragment_url(url: str, text: str) -> str:
    """`url` with a `#:~:text=` directive for `text` (kept after an existing fragment)."""
    directive = text_fragment(text)
    if not directive:
        return url
    return f"{url}{':~:' if '#' in url else '#:~:'}{directive}"


def to_markdown(records: list[QuoteRecord], *, now: datetime | None = None) -> str:
    """A "# Quotes" page: one `##` section per article, then a blockquote per quote.

    Layout of a quote:
        > “text”             (full/partial in curly quotes; partial and phrase start "… ")
        >                    (blank lines inside the quote keep a bare ">")
        > — **Speaker** [↗](url#:~:text=...)      (or "*speaker unknown*"; link: http(s) only)
        <blank>
        the note, escaped (if any)
        <blank>
        #tag #other-tag      (if any; characters outside letters, digits, _ - / become "-")
    """
    moment = _utc(now) if now is not None else utc_now()
    groups = group_records(records)
    count = sum(len(g.quotes) for g in groups)
    out = [
        "# Quotes",
        "",
        f"*Exported {moment:%Y-%m-%d %H:%M} UTC · {_plural(count, 'quote')} "
        f"from {_plural(len(groups), 'article')}*",
    ]
    for group in groups:
        article = group.article
        url = web_url(article.link)
        out += ["", "## " + md_escape(clean_line(article.title) or "(untitled)")]
        meta = []
        if clean_line(article.author):
            meta.append("*" + md_escape(clean_line(article.author)) + "*")
        if group.feed is not None and clean_line(group.feed.title):
            meta.append(md_escape(clean_line(group.feed.title)))
        published = from_iso(article.published)
        if published is not None:
            meta.append(f"{published:%Y-%m-%d}")
        if url:
            meta.append(f"<{md_url(url)}>")
        if meta:
            out += ["", " · ".join(meta)]
        for q in group.quotes:
            out += ["", *_md_quote(q, url)]
    return "\n".join(out) + "\n"


def _md_quote(q: Quote, url: str) -> list[str]:
    body = md_escape(q.text.strip())
    if q.kind in ("full", "partial"):
        body = f"“{body}”"
    if q.kind in ("partial", "phrase"):
        body = "… " + body
    lines = [f"> {line}" if line else ">" for line in body.split("\n")]
    speaker = clean_line(q.speaker)
    attribution = f"> — **{md_escape(speaker)}**" if speaker else "> — *speaker unknown*"
    if url:
        attribution += f" [↗]({md_url(text_fragment_url(url, q.text))})"
    lines += [">", attribution]
    if q.note.strip():
        lines += ["", md_escape(q.note.strip())]
    tags = [_md_tag(t) for t in q.tags]
    tags = [t for t in tags if t != "#"]
    if tags:
        lines += ["", " ".join(tags)]
    return lines


def _md_tag(tag: str) -> str:
    return "#" + re.sub(r"[^\w/-]+", "-", tag.strip().lstrip("#.")).strip("-")


def md_url(url: str) -> str:
    """A URL safe inside `<...>` and `(...)` link destinations."""
    table = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}
    return "".join(table.get(c, c) for c in url)


# ---------------------------------------------------------------------------------------------
# Readwise CSV

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_readwise_csv(records: list[QuoteRecord], *, guard_formulas: bool = False) -> str:
    """Readwise's CSV import: header `Highlight,Title,Author,URL,Note,Location,Date`.

    - Highlight: the quote text verbatim (inner quote marks and newlines kept);
    - Title: the article headline; Author: the article byline (never the speaker);
    - URL: the article link if it is http(s), else empty;
    - Note: the single-word tags as Readwise inline tags (".defence .india"), then
      "— Speaker (kind)" on the same line; the user's note follows on a new line. Tags with
      spaces cannot be inline tags and are left out (the JSON export keeps them);
    - Location: `quote.start`, the character offset of the quote in the article text, so
      Readwise orders highlights as they appear in the article;
    - Date: `quote.created_at` as "YYYY-MM-DD HH:MM:SS" in UTC (empty when unknown).

    RFC 4180 quoting (csv module, CRLF between records, "\\n" inside a cell kept as is).
    `guard_formulas=True` prefixes a cell starting with = + - @ tab or CR with "'" so a
    spreadsheet does not run it; off by default because it alters the text Readwise keeps.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(READWISE_HEADER)
    for group in group_records(records):
        article = group.article
        for q in group.quotes:
            created = from_iso(q.created_at)
            row = [
                q.text,
                clean_line(article.title),
                clean_line(article.author),
                web_url(article.link),
                readwise_note(q),
                str(q.start),
                f"{created:%Y-%m-%d %H:%M:%S}" if created else "",
            ]
            if guard_formulas:
                row = [_guard(cell) for cell in row]
            writer.writerow(row)
    return buffer.getvalue()


def readwise_note(q: Quote) -> str:
    """ ".tag1 .tag2 — Speaker (kind)" then, on its own line, the user's note."""
    head = [f".{t.strip().lstrip('#.')}" for t in q.tags if _single_word(t)]
    speaker = clean_line(q.speaker)
    if speaker:
        head.append(f"— {speaker} ({q.kind})" if q.kind else f"— {speaker}")
    parts = [" ".join(head)] if head else []
    if q.note.strip():
        parts.append(q.note.strip())
    return "\n".join(parts)


def _single_word(tag: str) -> bool:
    return bool(re.fullmatch(r"[\w-]+", tag.strip().lstrip("#.")))


def _guard(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


# ---------------------------------------------------------------------------------------------
# JSON (lossless)


def to_json(records: list[QuoteRecord], *, now: datetime | None = None) -> str:
    """{"format": "reader-quotes/1", "exported_at", "articles": [... "quotes": [Quote.to_dict()]]}.

    Every Quote field is written by `Quote.to_dict`, so `load_quotes_json` gets them all back.
    """
    moment = _utc(now) if now is not None else utc_now()
    articles = []
    for group in group_records(records):
        a, feed = group.article, group.feed
        articles.append(
            {
                "id": a.id,
                "title": a.title,
                "author": a.author,
                "link": a.link,
                "published": a.published,
                "feed": None
                if feed is None
                else {"id": feed.id, "title": feed.title, "url": feed.url},
                "source": a.source,
                "quotes": [q.to_dict() for q in group.quotes],
            }
        )
    doc = {"format": JSON_FORMAT_ID, "exported_at": to_iso(moment), "articles": articles}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def load_quotes_json(text: str) -> list[QuoteRecord]:
    """Records back from `to_json` output. Raises ValueError (one sentence) for anything else."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"The quotes file is not valid JSON ({exc.msg}).") from None
    if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT_ID:
        raise ValueError(f"The file is not a {JSON_FORMAT_ID} quotes export.")
    records = []
    try:
        for item in doc["articles"]:
            feed_data = item.get("feed")
            feed = Feed.from_dict(feed_data) if feed_data else None
            article = Article(
                id=item["id"],
                title=item.get("title", ""),
                feed_id=feed.id if feed else None,
                author=item.get("author", ""),
                link=item.get("link", ""),
                published=item.get("published"),
                source=item.get("source", "local"),
            )
            for data in item.get("quotes", []):
                records.append(QuoteRecord(Quote.from_dict(data), article, feed))
    except (KeyError, TypeError, AttributeError):
        raise ValueError(f"The file is not a well-formed {JSON_FORMAT_ID} export.") from None
    return records


# ---------------------------------------------------------------------------------------------
# Citations: CSL-JSON and BibTeX (one item per quoted article)


def to_csl_json(records: list[QuoteRecord], *, now: datetime | None = None) -> str:
    """A CSL-JSON array of `article-newspaper` items; `accessed` is `now`."""
    moment = _utc(now) if now is not None else utc_now()
    groups = group_records(records)
    items = []
    for group, key in zip(groups, unique_keys([g.article for g in groups]), strict=True):
        a = group.article
        item: dict = {"id": key, "type": "article-newspaper"}
        if clean_line(a.title):
            item["title"] = clean_line(a.title)
        names = split_authors(a.author)
        if names:
            item["author"] = [csl_name(n) for n in names]
        if group.feed is not None and clean_line(group.feed.title):
            item["container-title"] = clean_line(group.feed.title)
        published = from_iso(a.published)
        if published is not None:
            item["issued"] = {"date-parts": [[published.year, published.month, published.day]]}
        url = web_url(a.link)
        if url:
            item["URL"] = url
        item["accessed"] = {"date-parts": [[moment.year, moment.month, moment.day]]}
        items.append(item)
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def to_bibtex(records: list[QuoteRecord], *, now: datetime | None = None) -> str:
    """One `@article` per quoted article (UTF-8; specials escaped, title capitals braced).

    Fields: author ("Family, Given" joined by " and "), title, journal (feed title), year,
    month (macro, unbraced), url (http(s) only, verbatim but for braces/backslash/space),
    note = {Accessed: YYYY-MM-DD}. Fields with no value are left out. No records gives "".
    """
    moment = _utc(now) if now is not None else utc_now()
    groups = group_records(records)
    entries = []
    for group, key in zip(groups, unique_keys([g.article for g in groups]), strict=True):
        a = group.article
        fields: list[tuple[str, str]] = []
        names = split_authors(a.author)
        if names:
            fields.append(("author", "{" + " and ".join(bibtex_name(n) for n in names) + "}"))
        if clean_line(a.title):
            fields.append(("title", "{" + bibtex_title(a.title) + "}"))
        if group.feed is not None and clean_line(group.feed.title):
            fields.append(("journal", "{" + bibtex_escape(group.feed.title) + "}"))
        published = from_iso(a.published)
        if published is not None:
            fields.append(("year", "{" + str(published.year) + "}"))
            fields.append(("month", BIBTEX_MONTHS[published.month - 1]))
        url = web_url(a.link)
        if url:
            fields.append(("url", "{" + bibtex_url(url) + "}"))
        fields.append(("note", "{Accessed: " + f"{moment:%Y-%m-%d}" + "}"))
        body = ",\n".join(f"  {name:<7} = {value}" for name, value in fields)
        entries.append(f"@article{{{key},\n{body}\n}}\n")
    return "\n".join(entries)


def to_ris(records: list[QuoteRecord], *, now: datetime | None = None) -> str:
    """RIS for EndNote, Zotero and Mendeley: one `TY  - NEWS` record per quoted article.

    See `citation.ris_record` for the fields; each saved quote is one `N1` note (Zotero makes
    each a child note of the article). The access date `Y2` is `now`. Lines end with CR LF, as
    the RIS specification requires. No records gives "".
    """
    moment = _utc(now) if now is not None else utc_now()
    return "".join(
        ris_record(g.article, g.feed, g.quotes, accessed=moment) for g in group_records(records)
    )


REFERENCE_HEADINGS = {"apa": "References", "mla": "Works Cited", "chicago": "Bibliography"}


def to_reference_list(
    records: list[QuoteRecord], style: str, *, now: datetime | None = None
) -> str:
    """A plain-text reference list in `style` ("apa", "mla" or "chicago"), UTF-8, LF lines.

        References                                  (Works Cited / Bibliography)

        Akhter, A. (2025, November 1). Ink ... . The Daily. https://example.com/a
            “our defence ties have never been stronger.” — Pete Hegseth (Hegseth, as cited in
            Akhter, 2025)                           (one line per quote)

    One entry per quoted article, sorted alphabetically as the styles require (a leading
    "The", "A" or "An" ignored), each followed by its quotes indented by four spaces: the quote
    in curly quotation marks (paragraphs joined into one line), "— Speaker" when known, then
    APA's "(Singh, as cited in Akhter, 2025)" or MLA's "(qtd. in Akhter)"; Chicago has no
    parenthetical form (it cites in notes). An unattributed quote cites the article directly:
    "(Akhter, 2025)", "(Akhter)". No Markdown: italics cannot be shown in plain text, so
    publication names are written plainly. No records gives "".
    """
    if style not in REFERENCE_HEADINGS:
        raise ValueError(f"Unknown reference style {style!r}; choose apa, mla or chicago.")
    moment = _utc(now) if now is not None else utc_now()
    entries: list[tuple[str, list[str]]] = []
    for group in group_records(records):
        article = group.article
        if style == "apa":
            reference = apa_reference(article, group.feed)
        elif style == "mla":
            reference = mla_reference(article, group.feed, accessed=moment)
        else:
            reference = chicago_reference(article, group.feed, accessed=moment)
        lines = []
        for q in group.quotes:
            line = quote_line(q)
            if style == "apa":
                line += " " + apa_in_text(article, q.speaker)
            elif style == "mla":
                line += " " + mla_in_text(article, q.speaker)
            lines.append("    " + line)
        entries.append((reference, lines))
    if not entries:
        return ""
    entries.sort(key=lambda entry: _alphabetical(entry[0]))
    out = [REFERENCE_HEADINGS[style]]
    for reference, lines in entries:
        out += ["", reference, *lines]
    return "\n".join(out) + "\n"


def _alphabetical(reference: str) -> str:
    key = re.sub(r"^\W+", "", reference).casefold()
    return re.sub(r"^(?:the|an|a)\s+", "", key)


# ---------------------------------------------------------------------------------------------
# Small helpers


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
