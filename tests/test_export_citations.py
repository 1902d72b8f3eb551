"""Citation exports for researchers: RIS (EndNote/Zotero/Mendeley) and APA, MLA, Chicago lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.export.citation import split_authors
from reader.export.quotes import FORMATS, QuoteRecord, export_quotes
from reader.export.references import (
    apa_in_text,
    apa_name,
    apa_reference,
    chicago_reference,
    mla_in_text,
    mla_reference,
    title_case,
)
from reader.export.ris import ris_value
from reader.models import Article, Feed, Quote

from .conftest import DATA
from .test_cli import assert_one_clear_error, run
from .test_export_quotes import LOCAL, MULTI, NOW, QUOTES, SEED, q, records

URL = "https://news.example.com/2025/ink?id=7&src=rss"
PUBLICATION = Feed(id="fp", url="https://news.example.com/feed.xml", title="Publication Name")
TITLE = "Ink 10-year framework for US-India major defence partnership"
SAMPLE = Article(
    id="s1",
    title=TITLE,
    feed_id="fp",
    author="Akhter, Andalib",
    link=URL,
    published="2025-11-01T08:30:00Z",
    source="feed",
)
FAMILIES = [
    "Adams", "Baker", "Clark", "Davis", "Evans", "Fox", "Green", "Hall", "Irwin", "Jones",
    "Kent", "Lewis", "Moore", "Nash", "Owen", "Price", "Quinn", "Reed", "Smith", "Turner",
    "Usher",
]  # fmt: skip
HOSTILE = "\nER  - \nTY  - JOUR"


def article(**changes) -> Article:
    fields = {
        "id": SAMPLE.id, "title": SAMPLE.title, "feed_id": SAMPLE.feed_id,
        "author": SAMPLE.author, "link": SAMPLE.link, "published": SAMPLE.published,
        "source": SAMPLE.source,
    }  # fmt: skip
    fields.update(changes)
    return Article(**fields)


def byline(count: int) -> str:
    """ "Ann Adams, Bob Baker and Cy Clark": given names start with the family's letter."""
    names = [f"{family[0]}{'xyz'[i % 3]}n {family}" for i, family in enumerate(FAMILIES[:count])]
    return names[0] if count == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# ---------------------------------------------------------------------------------------------
# A tiny RIS reader, strict about the line structure

RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])  - (.*)$")


def parse_ris(text: str) -> list[list[tuple[str, str]]]:
    """Records as (tag, value) lists. Fails on anything that is not clean RIS."""
    assert "\n" not in text.replace("\r\n", "") and "\r" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[-1] == ""  # the text ends with a line end
    lines = lines[:-1]
    # No other character a reader could take for a line break (NEL, U+2028, VT, FF, ...).
    assert len(text.splitlines()) == len(lines)
    records: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] | None = None
    previous = ""
    for line in lines:
        if line == "":
            assert current is None and previous.startswith("ER  - ")  # blank only after ER
            previous = line
            continue
        match = RIS_LINE.match(line)
        assert match, f"not a RIS tag line: {line!r}"
        tag, value = match.groups()
        if tag == "TY":
            assert current is None, "TY inside a record"
            current = []
        assert current is not None, f"{tag} outside a record"
        if tag == "ER":
            assert value == ""
            records.append(current)
            current = None
        else:
            current.append((tag, value))
        previous = line
    assert current is None, "record without ER"
    return records


def values(record: list[tuple[str, str]], tag: str) -> list[str]:
    return [value for t, value in record if t == tag]


def ris_of(*items: tuple[Article, Feed | None, list[Quote]]) -> list[list[tuple[str, str]]]:
    recs = [QuoteRecord(quote, art, feed) for art, feed, quotes in items for quote in quotes]
    text = export_quotes(recs, "ris", now=NOW)
    return parse_ris(text)


def sample_quotes(art: Article = SAMPLE) -> list[Quote]:
    return [
        q("c1", art, "our defence ties have never been stronger.", 300, speaker="Pete Hegseth",
          note="Key line", tags=["#defence", "us india"]),
        q("c2", art, "provide policy direction", 100, speaker="Rajnath Singh"),
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# RIS


def test_formats_include_the_citation_formats():
    assert {"ris", "apa", "mla", "chicago"} <= set(FORMATS)
    assert export_quotes(records(), " RIS ", now=NOW) == export_quotes(records(), "ris", now=NOW)
    for fmt in ("ris", "apa", "mla", "chicago"):
        assert export_quotes([], fmt, now=NOW) == ""


def test_ris_record_fields_for_the_sample_article():
    [record] = ris_of((SAMPLE, PUBLICATION, sample_quotes()))
    assert record[0] == ("TY", "NEWS")
    assert values(record, "AU") == ["Akhter, Andalib"]
    assert values(record, "TI") == [TITLE]
    assert values(record, "T2") == ["Publication Name"]
    assert values(record, "DA") == ["2025/11/01/"]
    assert values(record, "PY") == ["2025"]
    assert values(record, "UR") == [URL]
    assert values(record, "Y2") == ["2025/11/25/"]
    # one note per quote, in text order, the speaker named but never an author
    assert values(record, "N1") == [
        "“provide policy direction” — Rajnath Singh",
        "“our defence ties have never been stronger.” — Pete Hegseth "
        "(note: Key line; tags: defence, us india)",
    ]
    assert [t for t, _ in record] == ["TY", "AU", "TI", "T2", "DA", "PY", "UR", "Y2", "N1", "N1"]


def test_ris_whole_text_has_crlf_lines_and_blank_line_after_each_record():
    text = export_quotes(records(), "ris", now=NOW)
    assert text.startswith("TY  - NEWS\r\n")
    assert text.count("ER  - \r\n\r\n") == 4 and text.endswith("ER  - \r\n\r\n")
    parsed = parse_ris(text)
    assert [values(r, "TI")[0] for r in parsed] == [
        SEED.title, LOCAL.title, "The interview", "R&D: 50% of $5 #1 under_score {x} ~ ^ \\ NASA"
    ]
    assert sum(len(values(r, "N1")) for r in parsed) == len(QUOTES)


def test_ris_two_authors_in_byline_order():
    art = article(author="Andalib Akhter and Rajnath Singh")
    [record] = ris_of((art, PUBLICATION, sample_quotes(art)))
    assert values(record, "AU") == ["Akhter, Andalib", "Singh, Rajnath"]
    assert not any("Hegseth" in a for a in values(record, "AU"))


def test_ris_organisation_byline_is_one_corporate_author():
    art = article(author="Reuters Staff")
    [record] = ris_of((art, PUBLICATION, sample_quotes(art)))
    # trailing comma: EndNote's mark for a corporate name; Zotero reads it as one field
    assert values(record, "AU") == ["Reuters Staff,"]


def test_ris_particles_and_suffixes():
    art = article(author="Jan van der Berg and Martin Luther King, Jr.")
    [record] = ris_of((art, None, sample_quotes(art)))
    assert values(record, "AU") == ["van der Berg, Jan", "King, Martin Luther, Jr."]


def test_ris_missing_date_keeps_access_date():
    art = article(published=None)
    [record] = ris_of((art, PUBLICATION, sample_quotes(art)))
    assert values(record, "DA") == [] and values(record, "PY") == []
    assert values(record, "Y2") == ["2025/11/25/"]


@pytest.mark.parametrize("feed", [None, Feed(id="fp", url="https://x.example/feed", title="")])
def test_ris_missing_feed_title_drops_t2(feed):
    art = article()
    [record] = ris_of((art, feed, sample_quotes(art)))
    assert values(record, "T2") == []
    assert values(record, "TI") == [TITLE]


@pytest.mark.parametrize(
    "link", ["file:///home/me/notes.txt", "javascript:alert(1)", "/relative/path", "", "http://"]
)
def test_ris_non_http_link_dropped(link):
    art = article(link=link)
    [record] = ris_of((art, PUBLICATION, sample_quotes(art)))
    assert values(record, "UR") == []


def test_ris_multi_paragraph_quote_and_note_collapse_to_one_line():
    [record, *_] = parse_ris(export_quotes(records(), "ris", now=NOW))
    assert (
        "“First paragraph, with é and ß. Still the first paragraph. Second paragraph 中文 😀 "
        "ends here.” (note: two lines)"
    ) in values(record, "N1")
    assert "\n" in MULTI  # the fixture really spans paragraphs


def test_ris_injection_cannot_forge_a_record():
    feed = Feed(id="fh", url="https://evil.example/feed", title="Evil" + HOSTILE + "\r\nT2  - x")
    art = article(
        title="Headline" + HOSTILE,
        author="Eve Doe" + HOSTILE,
        link=URL + HOSTILE,
        feed_id="fh",
    )
    quote = q("h1", art, "quote" + HOSTILE + "\u2028ER  - \x85TY  - BOOK\x0b\x0c", 0,
              speaker="Mallory" + HOSTILE, note="note" + HOSTILE, tags=["t" + HOSTILE])
    text = export_quotes([QuoteRecord(quote, art, feed)], "ris", now=NOW)
    [record] = parse_ris(text)  # exactly one record: no forged ER/TY line
    assert text.count("TY  - ") == 1 and text.count("ER  - ") == 1
    assert values(record, "TI") == ["Headline ER - TY - JOUR"]
    assert values(record, "T2") == ["Evil ER - TY - JOUR T2 - x"]
    [note] = values(record, "N1")
    assert note.startswith("“quote ER - TY - JOUR ER - TY - BOOK”")
    assert "note: note ER - TY - JOUR" in note
    assert values(record, "UR") == [URL + "%20ER%20-%20TY%20-%20JOUR"]  # spaces encoded


def test_ris_value_is_one_line_for_every_line_break_character():
    for breaker in ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
                    "\u2028", "\u2029", "\t"]:  # fmt: skip
        value = ris_value(f"a{breaker}ER  - b")
        assert len(f"TI  - {value}".splitlines()) == 1, repr(breaker)
        assert "ER  - " not in value


def test_ris_asterisk_removed_from_author_and_publication():
    feed = Feed(id="fa", url="https://x.example/feed", title="The *Daily*")
    art = article(author="Ann *Star* Lee", feed_id="fa")
    [record] = ris_of((art, feed, sample_quotes(art)))
    assert values(record, "T2") == ["The Daily"]
    assert all("*" not in a for a in values(record, "AU"))


# ---------------------------------------------------------------------------------------------
# APA, MLA, Chicago: the sample article


def test_apa_reference_for_the_sample():
    assert apa_reference(SAMPLE, PUBLICATION) == (
        "Akhter, A. (2025, November 1). Ink 10-year framework for US-India major defence "
        f"partnership. Publication Name. {URL}"
    )


def test_mla_reference_for_the_sample():
    assert mla_reference(SAMPLE, PUBLICATION, accessed=NOW) == (
        "Akhter, Andalib. “Ink 10-Year Framework for US-India Major Defence Partnership.” "
        f"Publication Name, 1 Nov. 2025, {URL}."
    )


def test_chicago_reference_for_the_sample():
    assert chicago_reference(SAMPLE, PUBLICATION, accessed=NOW) == (
        "Akhter, Andalib. “Ink 10-Year Framework for US-India Major Defence Partnership.” "
        f"Publication Name, November 1, 2025. {URL}."
    )


def test_in_text_citations_cite_the_speaker_through_the_article():
    assert apa_in_text(SAMPLE, "Rajnath Singh") == "(Singh, as cited in Akhter, 2025)"
    assert mla_in_text(SAMPLE, "Rajnath Singh") == "(qtd. in Akhter)"
    assert apa_in_text(SAMPLE, "") == "(Akhter, 2025)"
    assert mla_in_text(SAMPLE, "") == "(Akhter)"
    # the author quoting herself is no secondary source
    assert apa_in_text(SAMPLE, "Andalib Akhter") == "(Akhter, 2025)"
    two = article(author="Andalib Akhter and Rajnath Singh")
    three = article(author=byline(3))
    assert apa_in_text(two, "Pete Hegseth") == "(Hegseth, as cited in Akhter & Singh, 2025)"
    assert mla_in_text(two, "Pete Hegseth") == "(qtd. in Akhter and Singh)"
    assert apa_in_text(three, "Pete Hegseth") == "(Hegseth, as cited in Adams et al., 2025)"
    assert mla_in_text(three, "Pete Hegseth") == "(qtd. in Adams et al.)"
    undated = article(author="", published=None, title="war of words")
    assert apa_in_text(undated, "Pete Hegseth") == "(Hegseth, as cited in “War of Words”, n.d.)"


# ---------------------------------------------------------------------------------------------
# Author rules


def test_apa_author_counts():
    def head(count: int) -> str:
        ref = apa_reference(article(author=byline(count)), PUBLICATION)
        return ref[: ref.index(" (2025, November 1).")]

    assert [n.family for n in split_authors(byline(21))] == FAMILIES  # the fixture splits right
    assert head(1) == "Adams, A."
    assert head(2) == "Adams, A., & Baker, B."
    assert head(3) == "Adams, A., Baker, B., & Clark, C."
    twenty = head(20)
    assert twenty.endswith(", Smith, S., & Turner, T.") and twenty.count("&") == 1
    assert twenty.count(", ") == 39  # 20 "Family, I." joined by ", " (19) + one per name (20)
    expected_21 = ", ".join(f"{f}, {f[0]}." for f in FAMILIES[:19]) + ", . . . Usher, U."
    assert head(21) == expected_21
    assert "Turner" not in head(21) and "&" not in head(21)


def test_mla_and_chicago_author_counts():
    def mla(count: int) -> str:
        return mla_reference(article(author=byline(count)), PUBLICATION).split(" “")[0]

    def chicago(count: int) -> str:
        return chicago_reference(article(author=byline(count)), PUBLICATION).split(" “")[0]

    assert mla(1) == "Adams, Axn."
    assert mla(2) == "Adams, Axn, and Byn Baker."
    assert mla(3) == "Adams, Axn, et al."
    assert chicago(2) == "Adams, Axn, and Byn Baker."
    assert chicago(3) == "Adams, Axn, Byn Baker, and Czn Clark."
    assert chicago(10).endswith(", and Jxn Jones.")
    eleven = chicago(11)
    assert eleven.endswith("Gxn Green, et al.") and "Hall" not in eleven


@pytest.mark.parametrize(
    ("author", "apa"),
    [
        ("Andalib Akhter", "Akhter, A."),
        ("Jean-Paul Sartre", "Sartre, J.-P."),
        ("Mary Jane Watson", "Watson, M. J."),
        ("J.R.R. Tolkien", "Tolkien, J. R. R."),
        ("Jan van der Berg", "van der Berg, J."),
        ("Martin Luther King, Jr.", "King, M. L., Jr."),
        ("Cher", "Cher"),
        ("Reuters Staff", "Reuters Staff"),
    ],
)
def test_apa_names(author, apa):
    [name] = split_authors(author)
    assert apa_name(name) == apa


def test_organisation_author_same_as_publication_is_not_repeated_in_apa():
    org = article(author="Reuters Staff")
    assert apa_reference(org, PUBLICATION).startswith("Reuters Staff. (2025, November 1). Ink")
    same = Feed(id="fp", url="https://x.example/feed", title="Reuters Staff")
    assert apa_reference(org, same) == (
        f"Reuters Staff. (2025, November 1). {TITLE}. {URL}"
    )


# ---------------------------------------------------------------------------------------------
# Missing parts


def test_no_author():
    art = article(author="")
    assert apa_reference(art, PUBLICATION) == (
        f"{TITLE}. (2025, November 1). Publication Name. {URL}"
    )
    assert mla_reference(art, PUBLICATION) == (
        "“Ink 10-Year Framework for US-India Major Defence Partnership.” "
        f"Publication Name, 1 Nov. 2025, {URL}."
    )
    # an unsigned news article: the publication stands in for the author (Chicago)
    assert chicago_reference(art, PUBLICATION) == (
        "Publication Name. “Ink 10-Year Framework for US-India Major Defence Partnership.” "
        f"November 1, 2025. {URL}."
    )
    assert chicago_reference(art, None).startswith("“Ink 10-Year Framework")


def test_no_date():
    art = article(published=None)
    assert apa_reference(art, PUBLICATION) == (
        f"Akhter, A. (n.d.). {TITLE}. Publication Name. {URL}"
    )
    assert mla_reference(art, PUBLICATION, accessed=NOW).endswith(
        f"” Publication Name, {URL}. Accessed 25 Nov. 2025."
    )
    assert chicago_reference(art, PUBLICATION, accessed=NOW).endswith(
        f"” Publication Name. Accessed November 25, 2025. {URL}."
    )
    assert "Accessed" not in mla_reference(SAMPLE, PUBLICATION, accessed=NOW)


def test_no_publication_no_link_no_date_no_author():
    bare = Article(id="b", title="Plain words")
    assert apa_reference(bare, None) == "Plain words. (n.d.)."
    assert mla_reference(bare, None) == "“Plain Words.”"
    assert chicago_reference(bare, None) == "“Plain Words.”"
    untitled = Article(id="u", title="", author="Cher")
    assert apa_reference(untitled, None) == "Cher. (n.d.). [Untitled article]."


def test_title_ending_in_question_mark_gets_no_extra_period():
    art = article(title="Why now?")
    apa = apa_reference(art, PUBLICATION)
    assert apa.endswith(f"(2025, November 1). Why now? Publication Name. {URL}")
    assert "“Why Now?” Publication Name, 1 Nov. 2025" in mla_reference(art, PUBLICATION)
    assert "“Why Now?” Publication Name, November 1, 2025." in chicago_reference(art, PUBLICATION)


@pytest.mark.parametrize(
    ("month", "mla", "chicago"),
    [(1, "Jan.", "January"), (2, "Feb.", "February"), (3, "Mar.", "March"), (4, "Apr.", "April"),
     (5, "May", "May"), (6, "June", "June"), (7, "July", "July"), (8, "Aug.", "August"),
     (9, "Sept.", "September"), (10, "Oct.", "October"), (11, "Nov.", "November"),
     (12, "Dec.", "December")],
)  # fmt: skip
def test_month_names(month, mla, chicago):
    art = article(published=f"2024-{month:02d}-09T12:00:00Z")
    assert f", 9 {mla} 2024, " in mla_reference(art, PUBLICATION)
    assert f", {chicago} 9, 2024. " in chicago_reference(art, PUBLICATION)
    assert f"(2024, {chicago} 9)." in apa_reference(art, PUBLICATION)


# ---------------------------------------------------------------------------------------------
# Title case


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (TITLE, "Ink 10-Year Framework for US-India Major Defence Partnership"),
        ("the end of the road: a new era", "The End of the Road: A New Era"),
        ("what it comes down to", "What It Comes Down To"),
        ("state-of-the-art weapons", "State-of-the-Art Weapons"),
        ("Defence Will Remain A Major Pillar Of India-US Relations",
         "Defence Will Remain a Major Pillar of India-US Relations"),
        ("why the US and NATO disagree", "Why the US and NATO Disagree"),
        ("iPhone sales rise in the UK", "iPhone Sales Rise in the UK"),
        ("U.S. troops head to the 2nd front", "U.S. Troops Head to the 2nd Front"),
        ("a ‘historic’ day (for some)", "A ‘Historic’ Day (for Some)"),
        ("as up or by nor but an at on in of to", "As up or by nor but an at on in of To"),
        ("", ""),
    ],
)  # fmt: skip
def test_title_case(title, expected):
    assert title_case(title) == expected


# ---------------------------------------------------------------------------------------------
# Whole reference lists


def test_reference_lists_put_quotes_under_their_article():
    recs = [QuoteRecord(quote, SAMPLE, PUBLICATION) for quote in sample_quotes()]
    recs.append(QuoteRecord(q("c3", SAMPLE, "no one said\n\nthis", 500), SAMPLE, PUBLICATION))
    apa = export_quotes(recs, "apa", now=NOW)
    assert apa.split("\n") == [
        "References",
        "",
        apa_reference(SAMPLE, PUBLICATION),
        "    “provide policy direction” — Rajnath Singh (Singh, as cited in Akhter, 2025)",
        "    “our defence ties have never been stronger.” — Pete Hegseth "
        "(Hegseth, as cited in Akhter, 2025)",
        "    “no one said this” (Akhter, 2025)",
        "",
    ]
    mla = export_quotes(recs, "mla", now=NOW).split("\n")
    assert mla[:3] == ["Works Cited", "", mla_reference(SAMPLE, PUBLICATION, accessed=NOW)]
    assert mla[3] == "    “provide policy direction” — Rajnath Singh (qtd. in Akhter)"
    assert mla[5] == "    “no one said this” (Akhter)"
    chicago = export_quotes(recs, "chicago", now=NOW).split("\n")
    assert chicago[:3] == ["Bibliography", "", chicago_reference(SAMPLE, PUBLICATION)]
    assert chicago[3:6] == [
        "    “provide policy direction” — Rajnath Singh",
        "    “our defence ties have never been stronger.” — Pete Hegseth",
        "    “no one said this”",
    ]


def test_reference_lists_are_alphabetical_plain_text():
    zulu = article(id="z", author="Zoe Zulu", title="Last")
    adams = article(id="a", author="Ann Adams", title="First")
    unsigned = article(id="t", author="", title="The middle one", published=None)
    recs = [QuoteRecord(q(f"z{a.id}", a, "words", 0, speaker="Bo Bee"), a, PUBLICATION)
            for a in (zulu, unsigned, adams)]  # fmt: skip
    for fmt in ("apa", "mla", "chicago"):
        text = export_quotes(recs, fmt, now=NOW)
        entries = [line for line in text.split("\n")[2:] if line and not line.startswith(" ")]
        order = [next(n for n in ("Adams", "Zulu", "iddle") if n in e) for e in entries]
        # "The middle one" files under "m" (APA, MLA: a leading "The" is ignored); Chicago
        # starts an unsigned article with the publication, "Publication Name": under "p"
        assert order == ["Adams", "iddle", "Zulu"], fmt
        assert "*" not in text and "\r" not in text
        assert all(c.isprintable() for c in text.replace("\n", ""))


def test_reference_lists_strip_control_characters_and_markdown_free_publication():
    feed = Feed(id="fp", url="https://x.example/feed", title="The\tDaily\x1b[31m")
    art = article(title="Big\nnews", author="Ann\u202e Adams")
    recs = [QuoteRecord(q("k1", art, "said\x00 this", 0, speaker="Bo\x07 Bee"), art, feed)]
    for fmt in ("apa", "mla", "chicago"):
        text = export_quotes(recs, fmt, now=NOW)
        assert all(c.isprintable() for c in text.replace("\n", "")), fmt
        assert len(text.split("\n")) == 5  # heading, blank, reference, one quote, final ""


# ---------------------------------------------------------------------------------------------
# CLI end to end


def test_cli_exports_ris_and_reference_lists(data_dir: Path, tmp_path: Path) -> None:
    article_id = run("import", str(DATA / "seed-article.txt"), data_dir=data_dir).stdout.split()[0]
    assert run("quotes", "save", article_id, "2", "--note", "the pillar\nline",
               data_dir=data_dir).returncode == 0  # fmt: skip
    assert run("quotes", "save", article_id, "4", data_dir=data_dir).returncode == 0

    result = run("export", "quotes", "--format", "ris", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    # `run` reads stdout in text mode, which turns CR LF into LF; the file below keeps CR LF.
    [record] = parse_ris(result.stdout.replace("\n", "\r\n"))
    assert values(record, "AU") == ["Akhter, Andalib"]
    assert values(record, "TI") == [TITLE]
    assert values(record, "UR") == [] and values(record, "DA") == []  # a local file, no date
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/", values(record, "Y2")[0])
    notes = values(record, "N1")
    assert len(notes) == 2
    assert notes[0].endswith("— Rajnath Singh (note: the pillar line)")
    assert notes[1] == "“our defence ties have never been stronger.” — Pete Hegseth"

    target = tmp_path / "quotes.ris"
    written = run("export", "quotes", "--format", "ris", "-o", str(target), data_dir=data_dir)
    assert written.returncode == 0, written.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"TY  - NEWS\r\n") and raw.endswith(b"ER  - \r\n\r\n")
    assert _without_y2(parse_ris(raw.decode("utf-8"))) == _without_y2([record])
    again = run("export", "quotes", "--format", "ris", "-o", str(target), data_dir=data_dir)
    assert_one_clear_error(again)
    assert target.read_bytes() == raw

    apa = run("export", "quotes", "--format", "apa", data_dir=data_dir).stdout
    assert apa.startswith(
        "References\n\nAkhter, A. (n.d.). Ink 10-year framework for US-India major defence "
        "partnership.\n"
    )
    assert "(Hegseth, as cited in Akhter, n.d.)" in apa


def _without_y2(recs: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """The access date can change between two runs (midnight); everything else may not."""
    return [[field for field in rec if field[0] != "Y2"] for rec in recs]


def test_cli_bad_format_is_one_sentence_and_exit_1(data_dir: Path) -> None:
    run("import", str(DATA / "seed-article.txt"), data_dir=data_dir)
    result = run("export", "quotes", "--format", "endnote", data_dir=data_dir)
    assert result.returncode == 1
    assert_one_clear_error(result)
    assert "ris" in result.stderr and "chicago" in result.stderr
    assert result.stdout == ""


def test_accessed_default_is_now():
    before = f"{datetime.now(UTC):%Y/%m/%d}/"
    text = export_quotes([QuoteRecord(sample_quotes()[0], SAMPLE, PUBLICATION)], "ris")
    after = f"{datetime.now(UTC):%Y/%m/%d}/"
    [record] = parse_ris(text)
    assert values(record, "Y2")[0] in {before, after}
