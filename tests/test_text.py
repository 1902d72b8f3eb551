"""Plain-text article layout, bylines, cleaning, sentences and the Markdown/HTML importers."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from reader.text.articles import byline_to_author, parse_plain_article
from reader.text.clean import clean_line, clean_text
from reader.text.importer import ImportProblem, parse_markdown, read_article
from reader.text.sentences import paragraph_spans, sentence_spans

from .conftest import ARTICLES, DATA


def test_plain_layout_keeps_body_verbatim() -> None:
    raw = (DATA / "seed-article.txt").read_text(encoding="utf-8")
    article = parse_plain_article(raw)
    assert article.title == "Ink 10-year framework for US-India major defence partnership"
    assert article.author == "Andalib Akhter"
    assert article.body.startswith("India’s Defence Minister")
    assert "“our defence ties have never been stronger.”" in article.body
    assert article.body in raw.replace("\r\n", "\n")


def test_missing_byline_keeps_every_paragraph() -> None:
    article = parse_plain_article("Headline here\n\nFirst paragraph.\n\nSecond one.\n")
    assert (article.title, article.author) == ("Headline here", "")
    assert article.body == "First paragraph.\n\nSecond one."


@pytest.mark.parametrize(("byline", "author"), [
    ("ANDALIB AKHTER", "Andalib Akhter"),
    ("BY DANIEL OSEI-MENSAH", "Daniel Osei-Mensah"),
    ("SEÁN O’NEILL", "Seán O’Neill"),
    ("by Jane Doe", "Jane Doe"),
])
def test_byline_to_author(byline: str, author: str) -> None:
    assert byline_to_author(byline) == author


def test_cleaning_strips_controls_and_keeps_layout() -> None:
    hostile = "A\x1b]0;x\x07B\x9b31mC\u202eD\u200bE\x00F"
    assert clean_line(hostile) == "A]0;xB31mCDEF"
    assert clean_line("  two\n lines\tand  spaces ") == "two lines and spaces"
    assert clean_text("p1\r\n\r\np2\tx\x1b[2J") == "p1\n\np2\tx[2J"
    assert clean_line("[@click=app.quit]x") == "[@click=app.quit]x"  # markup stays literal text


def _reference_clean_line(text: str) -> str:
    """The slow path alone: what clean_line did before it had a fast path."""
    import re
    import unicodedata

    bad = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                     "\u2066-\u2069\ufeff]")
    text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = bad.sub("", unicodedata.normalize("NFC", text))
    return re.sub(r"\s+", " ", text).strip()


def _reference_clean_text(text: str) -> str:
    import re
    import unicodedata

    bad = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e"
                     "\u2066-\u2069\ufeff]")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return bad.sub("", unicodedata.normalize("NFC", text))


def test_cleaning_fast_paths_agree_with_the_full_rules_over_all_of_unicode() -> None:
    """Every code point, alone and between words, cleans exactly as the regex rules do."""
    for start in range(0, 0x110000, 512):  # bounded: 2,176 blocks of 512 code points
        chars = [chr(c) for c in range(start, start + 512) if not 0xD800 <= c < 0xE000]
        for text in ("".join(chars), "a " + " b ".join(chars) + "  c\n"):
            assert clean_line(text) == _reference_clean_line(text)
            assert clean_text(text) == _reference_clean_text(text)
        picked = [ch for i, ch in enumerate(chars)
                  if i % 7 == 0 or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")]
        for ch in picked:
            for text in (f"x{ch}y", f"{ch}\n{ch}\tz", f" {ch} "):
                assert clean_line(text) == _reference_clean_line(text), hex(ord(ch))
                assert clean_text(text) == _reference_clean_text(text), hex(ord(ch))


def test_sentences_stay_inside_paragraphs_and_skip_abbreviations() -> None:
    text = "Mr. Pete Hegseth spoke. He said “we will.” Then left!\n\nDr. Ruiz, e.g. a vet, agreed."
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == ["Mr. Pete Hegseth spoke.", "He said “we will.”", "Then left!",
                         "Dr. Ruiz, e.g. a vet, agreed."]
    assert [text[s:e] for s, e in paragraph_spans(text)][1] == "Dr. Ruiz, e.g. a vet, agreed."
    assert sentence_spans("") == [] and sentence_spans("\n\n\n") == []


def test_markdown_and_html_import() -> None:
    md = read_article(ARTICLES / "market-notes.md")
    assert (md.title, md.author) == ("Grain prices ease as harvest estimates rise", "Priya Raman")
    assert md.body.startswith("Wheat futures fell")
    setext = parse_markdown("Big News\n========\n\n*By Ana Lima*\n\nText here.")
    assert (setext.title, setext.author, setext.body) == ("Big News", "Ana Lima", "Text here.")
    html = read_article(ARTICLES / "museum.html")
    assert html.title == "Museum reopens its glass hall"
    assert html.author == "Anna Kovacs"
    assert html.link == "https://news.example.org/museum-glass-hall"
    assert "alert" not in html.body and html.body.startswith("The city museum reopened")


def test_headline_without_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "only-title.txt"
    path.write_text("Just a headline\n", encoding="utf-8")
    with pytest.raises(ImportProblem, match="no article text"):
        read_article(path)
