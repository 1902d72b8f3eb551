"""Read local article files (plain text in the sample layout, Markdown, HTML) into articles.

The plain-text layout: line 1 the headline, a blank line, the byline in capitals, a blank
line, then paragraphs separated by blank lines. The body text is kept verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reader.text.clean import clean_line, clean_text

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_BY_PREFIX = re.compile(r"^\s*by\s+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")  # letters only: OSEI-MENSAH -> Osei-Mensah, O’NEILL -> O’Neill


@dataclass(slots=True)
class PlainArticle:
    title: str
    author: str
    body: str


def _is_byline(block: str) -> bool:
    letters = [c for c in block if c.isalpha()]
    return (
        bool(letters)
        and "\n" not in block.strip()
        and len(block) <= 120
        and all(not c.islower() for c in letters)
    )


def byline_to_author(byline: str) -> str:
    """"BY ANDALIB AKHTER" -> "Andalib Akhter" (title case, "By" dropped)."""
    name = _BY_PREFIX.sub("", clean_line(byline))
    return " ".join(
        _WORD.sub(lambda m: m.group().capitalize(), part) if part.isupper() else part
        for part in name.split(" ")
    )


def parse_plain_article(raw: str) -> PlainArticle:
    """Split text in the sample layout into headline, author and verbatim body.

    A missing byline (second block not in capitals) leaves the author empty and keeps that
    block in the body, so no text is ever lost.
    """
    text = clean_text(raw).strip("\n")
    blocks = _BLANK_LINES.split(text, maxsplit=2)
    title = clean_line(blocks[0]) if blocks else ""
    rest = blocks[1:]
    author = ""
    if rest and _is_byline(rest[0]):
        author = byline_to_author(rest[0])
        rest = rest[1:]
    body = "\n\n".join(rest) if len(rest) <= 1 else rest[0] + "\n\n" + rest[1]
    return PlainArticle(title=title, author=author, body=body.strip("\n"))
