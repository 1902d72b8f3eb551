"""Quote exports: Markdown, Readwise CSV, JSON, CSL-JSON, BibTeX, filters and citation helpers."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from reader.export.citation import (
    Name,
    bibtex_escape,
    bibtex_title,
    cite_key,
    plain_citation,
    split_authors,
    unique_keys,
)
from reader.export.quotes import (
    FORMATS,
    QuoteRecord,
    export_quotes,
    filter_records,
    load_quotes_json,
    md_escape,
    text_fragment,
)
from reader.models import Article, Feed, Quote

NOW = datetime(2025, 11, 25, 21, 10, tzinfo=UTC)

FEED = Feed(id="f1", url="https://news.example.com/feed.xml", title="The Daily & Co")
SEED = Article(
    id="a1",
    title="Ink 10-year framework for US-India major defence partnership",
    feed_id="f1",
    author="Andalib Akhter",
    link="https://news.example.com/2025/ink?id=7&src=rss",
    published="2025-11-01T08:30:00Z",
    source="feed",
)
LOCAL = Article(
    id="a2",
    title="Straße, café & 中文 notes",
    author="Jan van der Berg",
    link="file:///home/me/notes.txt",
    published="2024-03-09T00:00:00Z",
)
SINGLE = Article(
    id="a3",
    title="The interview",
    author="Cher",
    link="http://old.example.org/interview",
    published="2023-07-04T12:00:00Z",
    source="feed",
)
ANON = Article(id="a4", title="R&D: 50% of $5 #1 under_score {x} ~ ^ \\ NASA", author="")

MULTI = (
    "First paragraph, with é and ß.\nStill the first paragraph.\n\n"
    "Second paragraph 中文 😀 ends here."
)
MD_TEXT = (
    "# not a heading\n- not a list *bold* _it_ `code` [link](x) <b>html</b>\n1. item\n> nested"
)


def q(qid: str, article: Article, text: str, start: int, **kw) -> Quote:
    kw.setdefault("created_at", "2025-11-25T21:05:00Z")
    return Quote(id=qid, article_id=article.id, text=text, start=start, end=start + len(text), **kw)


QUOTES = {
    "hegseth": q(
        "q1",
        SEED,
        "our defence ties have never been stronger.",
        1898,
        speaker="Pete Hegseth",
        kind="full",
        cue="stating",
        note='Key line, "verbatim".',
        tags=["defence", "us india", "#policy"],
        origin="auto",
        speaker_mention="Mr. Hegseth",
        prefix="…, stating that “",
        suffix="”\n\nIndia and the US",
    ),
    "singh": q(
        "q2",
        SEED,
        "provide policy direction to the entire spectrum of the India-US defence relationship, "
        'he said, calling it “historic” and ‘unprecedented’ — "really".',
        900,
        speaker="Rajnath Singh",
        kind="partial",
        created_at="2025-11-20T10:00:00Z",
    ),
    "multi": q("q3", SEED, MULTI, 2500, speaker="", kind="full", note="two\nlines"),
    "phrase": q("q4", SEED, "major pillar", 120, speaker="Rajnath Singh", kind="phrase"),
    "markdown": q("q5", LOCAL, MD_TEXT, 10, speaker="A. *Star* Person", tags=["md"]),
    "formula": q("q6", SINGLE, "=SUM(A1:A2) and more", 5, speaker="Cher", created_at=None),
    "minus": q("q7", SINGLE, "-5 degrees, she said", 50, speaker="cher", kind="partial"),
    "bib": q("q8", ANON, "50% of R&D costs $5 #1 under_score {brace} ~t ^c \\b", 0),
}


def records() -> list[QuoteRecord]:
    """Deliberately out of order: articles SEED, LOCAL, SINGLE, ANON by first appearance."""
    order = ["multi", "markdown", "hegseth", "formula", "singh", "bib", "phrase", "minus"]
    feeds = {"a1": FEED}
    out = []
    for name in order:
        quote = QUOTES[name]
        article = {"a1": SEED, "a2": LOCAL, "a3": SINGLE, "a4": ANON}[quote.article_id]
        out.append(QuoteRecord(quote, article, feeds.get(article.id)))
    return out


# Articles by first appearance, quotes inside an article by start offset.
ARTICLE_ORDER = ["a1", "a2", "a3", "a4"]
EXPECTED_ORDER = ["q4", "q2", "q1", "q3", "q5", "q6", "q7", "q8"]


# ---------------------------------------------------------------------------------------------
# Common


def test_formats_constant():
    assert FORMATS == ("markdown", "readwise", "json", "csl", "bibtex", "ris", "apa", "mla",
                       "chicago")


@pytest.mark.parametrize("fmt", ["docx", "", "mark down"])
def test_unknown_format_raises_value_error_with_one_sentence(fmt):
    with pytest.raises(ValueError) as info:
        export_quotes(records(), fmt, now=NOW)
    message = str(info.value)
    assert message.endswith(".") and "\n" not in message
    assert "markdown" in message and "bibtex" in message


def test_format_name_is_case_insensitive():
    assert export_quotes(records(), " JSON ", now=NOW) == export_quotes(records(), "json", now=NOW)


def test_empty_record_list_gives_valid_empty_output_for_each_format():
    md = export_quotes([], "markdown", now=NOW)
    assert md.startswith("# Quotes\n") and "0 quotes" in md and "## " not in md
    rows = list(csv.reader(io.StringIO(export_quotes([], "readwise", now=NOW))))
    assert rows == [["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]]
    doc = json.loads(export_quotes([], "json", now=NOW))
    assert doc == {"format": "reader-quotes/1", "exported_at": "2025-11-25T21:10:00Z",
                   "articles": []}  # fmt: skip
    assert json.loads(export_quotes([], "csl", now=NOW)) == []
    assert export_quotes([], "bibtex", now=NOW) == ""
    assert load_quotes_json(export_quotes([], "json", now=NOW)) == []


def test_naive_now_is_utc_and_default_now_works():
    naive = export_quotes([], "json", now=datetime(2025, 1, 2, 3, 4, 5))
    assert json.loads(naive)["exported_at"] == "2025-01-02T03:04:05Z"
    assert json.loads(export_quotes([], "json"))["exported_at"].endswith("Z")


# ---------------------------------------------------------------------------------------------
# Readwise CSV


def readwise_rows(**kw) -> tuple[str, list[dict]]:
    text = export_quotes(records(), "readwise", now=NOW, **kw)
    return text, list(csv.DictReader(io.StringIO(text, newline="")))


def test_readwise_header_is_exact():
    text, _ = readwise_rows()
    assert text.split("\r\n", 1)[0] == "Highlight,Title,Author,URL,Note,Location,Date"


def test_readwise_rows_field_by_field():
    _, rows = readwise_rows()
    assert [r["Location"] for r in rows] == [str(_quote(i).start) for i in EXPECTED_ORDER]
    by_text = {r["Highlight"]: r for r in rows}
    for quote_id in EXPECTED_ORDER:
        quote = _quote(quote_id)
        article = {"a1": SEED, "a2": LOCAL, "a3": SINGLE, "a4": ANON}[quote.article_id]
        row = by_text[quote.text]  # verbatim: commas, quotes, newlines, emoji all survive
        assert row["Title"] == article.title
        assert row["Author"] == article.author
        assert row["Location"] == str(quote.start)
        url = article.link if article.link.startswith("http") else ""
        assert row["URL"] == url
        expected_date = "2025-11-25 21:05:00" if quote.created_at == "2025-11-25T21:05:00Z" else ""
        if quote.id == "q2":
            expected_date = "2025-11-20 10:00:00"
        assert row["Date"] == expected_date
    assert by_text[MULTI]["Highlight"].count("\n") == 3
    assert by_text[QUOTES["hegseth"].text]["Author"] == "Andalib Akhter"  # byline, not speaker


def test_readwise_note_puts_tags_first_then_speaker_then_user_note():
    _, rows = readwise_rows()
    by_id = {r["Highlight"]: r["Note"] for r in rows}
    note = by_id[QUOTES["hegseth"].text]
    # single-word tags only, as Readwise inline tags; "us india" cannot be one
    assert note == '.defence .policy — Pete Hegseth (full)\nKey line, "verbatim".'
    assert by_id[QUOTES["singh"].text] == "— Rajnath Singh (partial)"
    assert by_id[MULTI] == "two\nlines"  # no speaker: no attribution part
    assert by_id[MD_TEXT] == ".md — A. *Star* Person (full)"


def test_readwise_formula_guard_off_by_default_and_available():
    _, rows = readwise_rows()
    texts = [r["Highlight"] for r in rows]
    assert "=SUM(A1:A2) and more" in texts and "-5 degrees, she said" in texts
    _, guarded = readwise_rows(guard_formulas=True)
    texts = [r["Highlight"] for r in guarded]
    assert "'=SUM(A1:A2) and more" in texts and "'-5 degrees, she said" in texts
    assert "our defence ties have never been stronger." in texts


def test_readwise_uses_rfc4180_quoting():
    text, _ = readwise_rows()
    assert '"provide policy direction' in text  # comma inside -> quoted
    assert '""really""' in text  # doubled double quote
    assert text.endswith("\r\n")


# ---------------------------------------------------------------------------------------------
# JSON


def test_json_is_lossless_field_by_field():
    doc = json.loads(export_quotes(records(), "json", now=NOW))
    assert doc["format"] == "reader-quotes/1"
    assert doc["exported_at"] == "2025-11-25T21:10:00Z"
    assert [a["id"] for a in doc["articles"]] == ARTICLE_ORDER
    first = doc["articles"][0]
    assert set(first) == {"id", "title", "author", "link", "published", "feed", "source", "quotes"}
    assert first["feed"] == {"id": "f1", "title": "The Daily & Co", "url": FEED.url}
    assert doc["articles"][1]["feed"] is None
    assert first["author"] == "Andalib Akhter" and first["published"] == SEED.published
    assert doc["articles"][1]["link"] == LOCAL.link  # kept verbatim, even non-http
    seen = [qd for a in doc["articles"] for qd in a["quotes"]]
    assert [qd["id"] for qd in seen] == EXPECTED_ORDER
    for data in seen:
        original = _quote(data["id"]).to_dict()
        assert set(data) == set(original)
        for field, value in original.items():
            assert data[field] == value, field


def test_json_loads_back_into_records():
    back = load_quotes_json(export_quotes(records(), "json", now=NOW))
    assert [r.quote.id for r in back] == EXPECTED_ORDER
    for record in back:
        assert record.quote == _quote(record.quote.id)
    seed = next(r for r in back if r.article.id == "a1")
    assert seed.feed == Feed(id="f1", url=FEED.url, title=FEED.title)
    assert seed.article.feed_id == "f1" and seed.article.title == SEED.title
    again = export_quotes(back, "json", now=NOW)
    assert again == export_quotes(records(), "json", now=NOW)


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"format": "other"}', '{"format": "reader-quotes/1"}']
)
def test_load_quotes_json_rejects_other_documents(text):
    with pytest.raises(ValueError):
        load_quotes_json(text)


# ---------------------------------------------------------------------------------------------
# CSL-JSON


def test_csl_items_one_per_quoted_article():
    items = json.loads(export_quotes(records(), "csl", now=NOW))
    assert [i["type"] for i in items] == ["article-newspaper"] * 4
    seed, local, single, anon = items
    assert seed["id"] == "akhter2025ink"
    assert seed["title"] == SEED.title
    assert seed["author"] == [{"family": "Akhter", "given": "Andalib"}]
    assert seed["container-title"] == "The Daily & Co"
    assert seed["issued"] == {"date-parts": [[2025, 11, 1]]}
    assert seed["URL"] == SEED.link
    assert seed["accessed"] == {"date-parts": [[2025, 11, 25]]}
    assert local["author"] == [
        {"family": "Berg", "given": "Jan", "non-dropping-particle": "van der"}
    ]
    assert local["id"] == "vanderberg2024strasse"
    assert "URL" not in local and "container-title" not in local  # file: link, no feed
    assert single["author"] == [{"family": "Cher"}]
    assert single["URL"] == SINGLE.link and single["issued"] == {"date-parts": [[2023, 7, 4]]}
    assert "author" not in anon and "issued" not in anon
    assert anon["id"] == "anonndr"


# ---------------------------------------------------------------------------------------------
# BibTeX


def bib_entries(text: str) -> dict[str, dict[str, str]]:
    """Entries by key, fields by name (values as written, outer braces removed)."""
    entries = {}
    for match in re.finditer(r"@article\{([^,]+),\n(.*?)\n\}\n", text, re.S):
        fields = {}
        for line in match.group(2).split(",\n"):
            name, _, value = line.partition("=")
            value = value.strip()
            fields[name.strip()] = value[1:-1] if value.startswith("{") else value
        entries[match.group(1)] = fields
    return entries


def assert_balanced(text: str) -> None:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


def test_bibtex_entries_and_fields():
    text = export_quotes(records(), "bibtex", now=NOW)
    assert text.count("@article{") == 4
    for chunk in text.split("\n\n"):
        assert_balanced(chunk)
    entries = bib_entries(text)
    assert list(entries) == ["akhter2025ink", "vanderberg2024strasse", "cher2023interview",
                             "anonndr"]  # fmt: skip
    seed = entries["akhter2025ink"]
    assert seed["author"] == "Akhter, Andalib"
    assert seed["title"] == "Ink 10-year framework for {US}-{India} major defence partnership"
    assert seed["journal"] == r"The Daily \& Co"
    assert seed["year"] == "2025" and seed["month"] == "nov"
    assert seed["url"] == SEED.link
    assert seed["note"] == "Accessed: 2025-11-25"
    local = entries["vanderberg2024strasse"]
    assert local["author"] == "van der Berg, Jan"
    assert "url" not in local and "journal" not in local
    assert local["month"] == "mar"
    assert local["title"] == r"Straße, café \& 中文 notes"
    assert set(entries["anonndr"]) == {"title", "note"}


def test_bibtex_escapes_every_special():
    title = bib_entries(export_quotes(records(), "bibtex", now=NOW))["anonndr"]["title"]
    assert title == (
        r"R\&{D}: 50\% of \$5 \#1 under\_score \textbraceleft{}x\textbraceright{} "
        r"\textasciitilde{} \textasciicircum{} \textbackslash{} {NASA}"
    )
    unescaped = re.sub(r"\\(textbraceleft|textbraceright|textasciitilde|textasciicircum|"
                       r"textbackslash)\{\}|\\[&%$#_]", "", title)  # fmt: skip
    assert not re.search(r"[&%$#_~^\\]", unescaped)


def test_cite_keys_are_deduplicated_with_letter_suffixes():
    twin = Article(id="a9", title="Ink again", author="Andalib Akhter",
                   published="2025-01-05T00:00:00Z", link="https://x.example/b")  # fmt: skip
    extra = [QuoteRecord(q("q9", twin, "another quote", 3), twin, None)]
    text = export_quotes(records() + extra, "bibtex", now=NOW)
    assert "@article{akhter2025ink," in text and "@article{akhter2025inka," in text
    items = json.loads(export_quotes(records() + extra, "csl", now=NOW))
    assert [i["id"] for i in items][-1] == "akhter2025inka"


# ---------------------------------------------------------------------------------------------
# Markdown


def markdown() -> str:
    return export_quotes(records(), "markdown", now=NOW)


def quote_blocks(md: str) -> list[list[str]]:
    """Runs of consecutive lines starting with ">"."""
    blocks, current = [], []
    for line in md.split("\n"):
        if line.startswith(">"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    return blocks


def test_markdown_sections_and_byline():
    md = markdown()
    headings = [line for line in md.split("\n") if line.startswith("## ")]
    assert headings == [
        "## Ink 10-year framework for US-India major defence partnership",
        "## Straße, café & 中文 notes",
        "## The interview",
        "## R&D: 50% of $5 #1 under\\_score {x} \\~ ^ \\\\ NASA",
    ]
    assert (
        "*Andalib Akhter* · The Daily & Co · 2025-11-01 · <https://news.example.com/2025/ink?id=7&src=rss>"
        in md.split("\n")
    )
    assert "*Jan van der Berg* · 2024-03-09" in md.split("\n")  # file: link not shown


def test_markdown_blockquotes_prefix_every_line_and_attribute():
    blocks = quote_blocks(markdown())
    assert len(blocks) == len(EXPECTED_ORDER)
    for block in blocks:
        for line in block:
            assert line == ">" or line.startswith("> ")
        assert block[-2] == ">"
        assert block[-1].startswith("> — ")
    hegseth = blocks[EXPECTED_ORDER.index("q1")]
    assert hegseth[0] == "> “our defence ties have never been stronger.”"
    assert hegseth[-1].startswith("> — **Pete Hegseth** [↗](https://news.example.com/")
    multi = blocks[EXPECTED_ORDER.index("q3")]
    assert multi[:4] == [
        "> “First paragraph, with é and ß.",
        "> Still the first paragraph.",
        ">",  # the blank line inside the quote stays inside the blockquote
        "> Second paragraph 中文 😀 ends here.”",
    ]
    assert multi[-1].startswith("> — *speaker unknown* [↗](")
    assert blocks[EXPECTED_ORDER.index("q2")][0].startswith("> … “provide policy")
    assert blocks[EXPECTED_ORDER.index("q4")][0] == "> … major pillar"
    local = blocks[EXPECTED_ORDER.index("q5")]
    assert local[-1] == r"> — **A. \*Star\* Person**"  # no link: the article has no http URL


def test_markdown_note_and_tags_follow_the_quote():
    lines = markdown().split("\n")
    attribution = next(n for n, line in enumerate(lines) if line.startswith("> — **Pete"))
    assert lines[attribution + 1 : attribution + 5] == [
        "",
        'Key line, "verbatim".',
        "",
        "#defence #us-india #policy",
    ]
    multi = next(n for n, line in enumerate(lines) if line.startswith("> — *speaker unknown*"))
    assert lines[multi + 1 : multi + 4] == ["", "two", "lines"]


def test_markdown_escapes_specials_but_keeps_unicode_quotes():
    block = quote_blocks(markdown())[EXPECTED_ORDER.index("q5")]
    assert block[:4] == [
        r"> “\# not a heading",
        r"> \- not a list \*bold\* \_it\_ \`code\` \[link\](x) \<b>html\</b>",
        r"> 1\. item",
        r"> \> nested”",
    ]
    singh = quote_blocks(markdown())[EXPECTED_ORDER.index("q2")][0]
    assert '“historic” and ‘unprecedented’ — "really".' in singh
    # Removing the backslash escapes gives the original text back.
    body = [line[2:] for line in block[:4]]
    body[0], body[-1] = body[0][1:], body[-1][:-1]
    assert re.sub(r"\\(.)", r"\1", "\n".join(body)) == MD_TEXT


def test_markdown_renders_as_blockquotes_without_stray_structure():
    html = MarkdownIt("commonmark").render(markdown())
    assert html.count("<blockquote>") == len(EXPECTED_ORDER)
    assert "<h1>Quotes</h1>" in html and html.count("<h2>") == 4 and html.count("<h1>") == 1
    assert "<ul>" not in html and "<ol>" not in html and "<code>" not in html
    assert "<em>bold" not in html and "<b>html" not in html
    assert "&lt;b&gt;html&lt;/b&gt;" in html


def fragment_terms(md_link_line: str) -> list[str]:
    url = re.search(r"\[↗\]\(([^)]*)\)", md_link_line).group(1)
    base, _, directive = url.partition("#:~:text=")
    assert base.startswith("http") and directive
    assert "-" not in directive and "&" not in directive and " " not in directive
    return [unquote(term) for term in directive.split(",")]


def test_markdown_text_fragment_links_decode_to_the_quote_words():
    blocks = quote_blocks(markdown())
    short = fragment_terms(blocks[EXPECTED_ORDER.index("q1")][-1])
    assert short == ["our defence ties have never been stronger."]
    start, end = fragment_terms(blocks[EXPECTED_ORDER.index("q2")][-1])
    words = " ".join(QUOTES["singh"].text.split())
    assert start == "provide policy direction to" and words.startswith(start)
    assert end == 'and ‘unprecedented’ — "really".' and words.endswith(end)
    start, end = fragment_terms(blocks[EXPECTED_ORDER.index("q3")][-1])
    assert start == "First paragraph, with é" and end == "中文 😀 ends here."


def test_text_fragment_encodes_dash_comma_ampersand():
    directive = text_fragment("US-India, R&D")
    assert directive == "text=US%2DIndia%2C%20R%26D"
    assert text_fragment("  \n ") == ""
    assert text_fragment("one two\n\nthree") == "text=one%20two,three"


def test_md_escape_line_starts():
    assert md_escape("+ a\n= b\n2) c\n   # d") == "\\+ a\n\\= b\n2\\) c\n\\# d"
    assert md_escape("AT&T &amp; more") == "AT&T \\&amp; more"


# ---------------------------------------------------------------------------------------------
# Grouping and filters


def test_duplicate_records_are_exported_once():
    doubled = records() + records()[:3]
    assert export_quotes(doubled, "json", now=NOW) == export_quotes(records(), "json", now=NOW)


def test_filter_by_article_tag_and_speaker():
    recs = records()
    assert {r.quote.id for r in filter_records(recs, article_id="a3")} == {"q6", "q7"}
    assert [r.quote.id for r in filter_records(recs, tag="DEFENCE")] == ["q1"]
    assert [r.quote.id for r in filter_records(recs, tag="policy")] == ["q1"]  # stored "#policy"
    assert [r.quote.id for r in filter_records(recs, tag="us india")] == ["q1"]
    assert {r.quote.id for r in filter_records(recs, speaker="singh")} == {"q2", "q4"}
    assert {r.quote.id for r in filter_records(recs, speaker="CHER")} == {"q6", "q7"}
    assert filter_records(recs, speaker="nobody") == []
    both = filter_records(recs, article_id="a1", speaker="raj")
    assert {r.quote.id for r in both} == {"q2", "q4"}
    assert filter_records(recs) == recs


def test_filter_since_compares_created_at():
    recs = records()
    since_date = {r.quote.id for r in filter_records(recs, since=date(2025, 11, 21))}
    assert since_date == {"q1", "q3", "q4", "q5", "q7", "q8"}  # q2 older, q6 has no date
    aware = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
    assert "q2" in {r.quote.id for r in filter_records(recs, since=aware)}
    naive = datetime(2025, 11, 20, 10, 0, 1)
    assert "q2" not in {r.quote.id for r in filter_records(recs, since=naive)}


# ---------------------------------------------------------------------------------------------
# Citation helpers


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Andalib Akhter", [Name(family="Akhter", given="Andalib")]),
        ("By ANDALIB AKHTER", [Name(family="Akhter", given="Andalib")]),
        ("Akhter, Andalib", [Name(family="Akhter", given="Andalib")]),
        ("Cher", [Name(family="Cher")]),
        ("", []),
        ("Jan van der Berg", [Name(family="Berg", given="Jan", particle="van der")]),
        ("van der Berg, Jan", [Name(family="Berg", given="Jan", particle="van der")]),
        ("Martin Luther King, Jr.", [Name(family="King", given="Martin Luther", suffix="Jr.")]),
        ("jane@example.com (Jane Doe)", [Name(family="Doe", given="Jane")]),
        ("Reuters Staff", [Name(literal="Reuters Staff")]),
        (
            "Jane Doe, Tom Roe and Ann Lee",
            [Name("Doe", "Jane"), Name("Roe", "Tom"), Name("Lee", "Ann")],
        ),
        ("Jane Doe & Tom Roe", [Name("Doe", "Jane"), Name("Roe", "Tom")]),
        ("Gabriel García Márquez", [Name(family="Márquez", given="Gabriel García")]),
        ("习近平", [Name(family="习近平")]),
    ],
)
def test_split_authors(byline, expected):
    assert split_authors(byline) == expected


def test_cite_key_folds_to_ascii():
    art = Article(id="x", title="Über die Straße", author="Jürgen Müßig",
                  published="2020-01-01T00:00:00Z")  # fmt: skip
    assert cite_key(art) == "mussig2020uber"
    org = Article(id="y", title="A 2024 storm", author="The Associated Press")
    assert cite_key(org) == "associatedndstorm"
    assert unique_keys([art, art, art]) == ["mussig2020uber", "mussig2020ubera", "mussig2020uberb"]


def test_bibtex_helpers():
    assert bibtex_escape("a & b % c $ d # e _ f { g } h ~ i ^ j \\ k") == (
        r"a \& b \% c \$ d \# e \_ f \textbraceleft{} g \textbraceright{} h "
        r"\textasciitilde{} i \textasciicircum{} j \textbackslash{} k"
    )
    assert bibtex_title("Ink US-India") == "Ink {US}-{India}"
    assert bibtex_title("iPhone sales") == "{iPhone} sales"


def _quote(quote_id: str) -> Quote:
    return next(v for v in QUOTES.values() if v.id == quote_id)


def test_plain_citation_for_the_clipboard():
    text = plain_citation(QUOTES["hegseth"].text, "Pete Hegseth", SEED, FEED)
    assert text == (
        "“our defence ties have never been stronger.”\n"
        "— Pete Hegseth, quoted in Andalib Akhter, “Ink 10-year framework for US-India major "
        "defence partnership”, The Daily & Co, 2025-11-01, " + SEED.link
    )
    assert plain_citation("x", None, LOCAL, None) == (
        "“x”\n— Jan van der Berg, “Straße, café & 中文 notes”, 2024-03-09"
    )
    assert plain_citation("x", "Ann", ANON, None).startswith("“x”\n— Ann, quoted in “R&D")
    assert plain_citation(" x ", "", Article(id="e", title=""), None) == "“x”"
    assert plain_citation("x", "Ann", Article(id="e", title=""), None) == "“x”\n— Ann"
