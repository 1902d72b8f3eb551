"""Plain-text reference entries in APA 7, MLA 9 and Chicago 17 (notes-bibliography), with the
in-text citations written under each quote.

Hand-written templates rather than a CSL processor: three styles, one item type (a news
article), no dependency. A quote cites the article; its speaker is a secondary source
("Singh, as cited in Akhter, 2025"), never an author. Plain text cannot carry italics, so the
publication name is written plainly.
"""

from __future__ import annotations

import re
from datetime import datetime

from reader.export.citation import (
    Name,
    is_organisation,
    publication_name,
    published_datetime,
    split_authors,
    split_name,
    web_url,
)
from reader.models import Article, Feed
from reader.text.clean import clean_line

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
# MLA 9 abbreviates months longer than four letters ("Sept." included); May/June/July stay whole.
MLA_MONTHS = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.",
              "Nov.", "Dec.")  # fmt: skip
UNTITLED = "[Untitled article]"


def _end(text: str) -> str:
    """`text` closed by a period, unless it already ends with . ? or ! (no "?." or "..")."""
    return text if text.endswith((".", "?", "!")) else text + "."


def _surname(name: Name) -> str:
    return name.literal or name.full_family


def _speaker_surname(speaker: str) -> str:
    """What an in-text citation calls the speaker: "Singh" for "Rajnath Singh".

    An organisation is kept whole; the speaker is one party, so "and" does not split it.
    """
    text = clean_line(speaker or "")
    if not text or is_organisation(text):
        return text
    return split_name(text).full_family or text


def _is_author(speaker: str, names: list[Name]) -> bool:
    """Whether the speaker is one of the article's own authors (then it is no secondary source)."""
    text = clean_line(speaker or "")
    if not text:
        return False
    said = split_name(text)
    for name in names:
        if name.literal and name.literal.casefold() == text.casefold():
            return True
        if (
            not name.literal
            and name.full_family.casefold() == said.full_family.casefold()
            and name.given.casefold() == said.given.casefold()
        ):
            return True
    return False


def _short_authors(names: list[Name], conjunction: str) -> str:
    """In-text author: "Akhter", "Akhter & Singh" / "Akhter and Singh", "Akhter et al."."""
    if not names:
        return ""
    if len(names) == 1:
        return _surname(names[0])
    if len(names) == 2:
        return f"{_surname(names[0])} {conjunction} {_surname(names[1])}"
    return f"{_surname(names[0])} et al."


# ---------------------------------------------------------------------------------------------
# Title case (MLA and Chicago headline style)

MINOR_WORDS = frozenset(
    {"a", "an", "the", "and", "but", "or", "for", "nor", "on", "at", "to", "by", "of", "in",
     "up", "as"}
)  # fmt: skip
_EDGE_PUNCT = re.compile(r"^\W+|\W+$")


def title_case(title: str) -> str:
    """Headline-style capitalisation for MLA and Chicago titles.

    Every word gets a capital first letter except the minor words in `MINOR_WORDS`, which are
    lowercased unless they are the first or last word or start a subtitle (after ":", "?", "!"
    or a dash). Each part of a hyphenated compound is treated as a word ("10-Year",
    "State-of-the-Art"). Nothing else is lowercased: all-caps words ("US", "NATO"), words with
    inner capitals ("iPhone") and words starting with a digit ("2nd") are kept as they are, so
    acronyms survive a headline that the feed already capitalised.
    """
    words = clean_line(title).split(" ")
    out: list[str] = []
    force = True  # the first word, and the first word of a subtitle
    for index, word in enumerate(words):
        last_word = index == len(words) - 1
        parts = word.split("-")
        cased = []
        for j, part in enumerate(parts):
            first_part = j == 0
            last_part = j == len(parts) - 1
            cased.append(_title_word(part, (first_part and force) or (last_word and last_part)))
        out.append("-".join(cased))
        force = word in ("—", "–") or word.endswith((":", "?", "!", "—"))
    return " ".join(out)


def _title_word(word: str, force: bool) -> str:
    start = next((i for i, c in enumerate(word) if c.isalnum()), None)
    if start is None or not word[start].isalpha():
        return word  # punctuation only, or "10", "2nd"
    bare = _EDGE_PUNCT.sub("", word)
    letters = [c for c in bare if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word  # "US", "NATO", "U.S."
    if any(c.isupper() for c in bare[1:]):
        return word  # "iPhone", "McDonald"
    if not force and bare.lower() in MINOR_WORDS:
        return word.lower()
    return word[:start] + word[start].upper() + word[start + 1 :]


# ---------------------------------------------------------------------------------------------
# APA 7


def _initials(given: str) -> str:
    """APA initials: "Andalib" -> "A.", "Mary Jane" -> "M. J.", "Jean-Paul" -> "J.-P.",
    "J.R.R." -> "J. R. R."."""
    out = []
    for token in re.split(r"[\s.]+", given):
        letters = []
        for piece in token.split("-"):
            first = next((c for c in piece if c.isalnum()), "")
            if first:
                letters.append(first.upper() + ".")
        if letters:
            out.append("-".join(letters))
    return " ".join(out)


def apa_name(name: Name) -> str:
    """ "Akhter, A.", "van der Berg, J.", "King, M. L., Jr."; an organisation as written."""
    if name.literal:
        return name.literal
    text = name.full_family
    initials = _initials(name.given)
    if initials:
        text += ", " + initials
    if name.suffix:
        text += ", " + name.suffix
    return text


def apa_authors(names: list[Name]) -> str:
    """APA 7 author list: "A, & B" for two; up to 20 "A, B, & C"; 21 or more: the first 19,
    ". . ." and the last author (APA 9.8). Empty for no authors."""
    parts = [apa_name(n) for n in names]
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) <= 20:
        return ", ".join(parts[:-1]) + ", & " + parts[-1]
    return ", ".join(parts[:19]) + ", . . . " + parts[-1]


def apa_reference(article: Article, feed: Feed | None) -> str:
    """An APA 7 reference for a news article, as plain text.

        Akhter, A. (2025, November 1). Ink 10-year framework for US-India major defence
        partnership. The Daily. https://example.com/a

    The title is kept as the feed gives it (APA wants sentence case, which cannot be derived
    safely: proper nouns would be lost). Plain text cannot show italics, so the publication is
    written plainly rather than with Markdown asterisks. No author: the title takes the author
    position; no date: "(n.d.)"; a publication identical to the (organisation) author is left
    out; the URL only if http(s).
    """
    names = split_authors(article.author)
    title = _end(clean_line(article.title) or UNTITLED)
    published = published_datetime(article)
    when = "(n.d.)"
    if published is not None:
        when = f"({published.year}, {MONTHS[published.month - 1]} {published.day})"
    publication = publication_name(feed)
    organisation = names[0].literal if len(names) == 1 else ""
    if organisation and organisation.casefold() == publication.casefold():
        publication = ""  # a site name identical to the (group) author is not repeated
    parts = [_end(apa_authors(names)), when + ".", title] if names else [title, when + "."]
    if publication:
        parts.append(_end(publication))
    url = web_url(article.link)
    if url:
        parts.append(url)
    return " ".join(parts)


def apa_in_text(article: Article, speaker: str = "") -> str:
    """ "(Singh, as cited in Akhter, 2025)": the speaker is cited through the article (APA 8.6).

    Without a speaker, or when the speaker wrote the article, the article itself:
    "(Akhter, 2025)". Two authors "A & B", three or more "A et al."; no author: the title in
    quotation marks; no date: "n.d.".
    """
    names = split_authors(article.author)
    who = _short_authors(names, "&") or f"“{title_case(clean_line(article.title) or UNTITLED)}”"
    published = published_datetime(article)
    year = str(published.year) if published else "n.d."
    said = "" if _is_author(speaker, names) else _speaker_surname(speaker)
    return f"({said}, as cited in {who}, {year})" if said else f"({who}, {year})"


# ---------------------------------------------------------------------------------------------
# MLA 9 and Chicago 17 (notes-bibliography, bibliography entry)


def _inverted(name: Name) -> str:
    """ "Akhter, Andalib", "van der Berg, Jan", "King, Martin Luther, Jr.", "Cher"."""
    if name.literal:
        return name.literal
    text = name.full_family
    if name.given:
        text += ", " + name.given
    if name.suffix:
        text += ", " + name.suffix
    return text


def _natural(name: Name, suffix_comma: bool) -> str:
    """ "Rajnath Singh"; MLA writes "Martin Luther King, Jr.", Chicago "Martin Luther King Jr."."""
    if name.literal:
        return name.literal
    text = " ".join(p for p in (name.given, name.full_family) if p)
    if name.suffix:
        text += (", " if suffix_comma else " ") + name.suffix
    return text


def mla_authors(names: list[Name]) -> str:
    """MLA 9: the first author inverted; "and" before a second; "et al." for three or more."""
    if not names:
        return ""
    if len(names) == 1:
        return _inverted(names[0])
    if len(names) == 2:
        return f"{_inverted(names[0])}, and {_natural(names[1], True)}"
    return f"{_inverted(names[0])}, et al."


def mla_date(moment: datetime) -> str:
    """ "1 Nov. 2025"."""
    return f"{moment.day} {MLA_MONTHS[moment.month - 1]} {moment.year}"


def _quoted_title(article: Article) -> str:
    """ "“Ink 10-Year Framework.”" (the period inside the marks), or the untitled placeholder."""
    title = clean_line(article.title)
    return f"“{_end(title_case(title))}”" if title else _end(UNTITLED)


def mla_reference(
    article: Article, feed: Feed | None, *, accessed: datetime | None = None
) -> str:
    """An MLA 9 works-cited entry for a news article, as plain text.

        Akhter, Andalib. “Ink 10-Year Framework for US-India Major Defence Partnership.”
        The Daily, 1 Nov. 2025, https://example.com/a.

    The container (publication), date and URL are one comma-separated element list closed by a
    period; missing ones are skipped. Without a publication date MLA asks for the access date,
    so `accessed` is added then ("Accessed 25 Nov. 2025."). The URL keeps its scheme.
    """
    names = split_authors(article.author)
    parts = [_end(mla_authors(names))] if names else []
    parts.append(_quoted_title(article))
    published = published_datetime(article)
    container = [
        publication_name(feed),
        mla_date(published) if published else "",
        web_url(article.link),
    ]
    container = [c for c in container if c]
    if container:
        parts.append(", ".join(container) + ".")
    if published is None and accessed is not None:
        parts.append(f"Accessed {mla_date(accessed)}.")
    return " ".join(parts)


def mla_in_text(article: Article, speaker: str = "") -> str:
    """ "(qtd. in Akhter)": MLA's indirect source, for words the article quotes from a speaker.

    Without a speaker (or when the speaker is the author) the article is the direct source:
    "(Akhter)". Two authors "A and B", three or more "A et al."; no author: the title in
    quotation marks.
    """
    names = split_authors(article.author)
    who = _short_authors(names, "and") or f"“{title_case(clean_line(article.title) or UNTITLED)}”"
    indirect = clean_line(speaker or "") and not _is_author(speaker, names)
    return f"(qtd. in {who})" if indirect else f"({who})"


def chicago_authors(names: list[Name]) -> str:
    """Chicago 17 bibliography: first author inverted, the others in natural order, "and"
    before the last; more than ten authors: the first seven and "et al." (CMOS 14.76)."""
    if not names:
        return ""
    if len(names) > 10:
        shown = [_inverted(names[0])] + [_natural(n, False) for n in names[1:7]]
        return ", ".join(shown) + ", et al."
    if len(names) == 1:
        return _inverted(names[0])
    if len(names) == 2:
        return f"{_inverted(names[0])}, and {_natural(names[1], False)}"
    rest = [_natural(n, False) for n in names[1:]]
    return ", ".join([_inverted(names[0]), *rest[:-1]]) + ", and " + rest[-1]


def chicago_date(moment: datetime) -> str:
    """ "November 1, 2025"."""
    return f"{MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


def chicago_reference(
    article: Article, feed: Feed | None, *, accessed: datetime | None = None
) -> str:
    """A Chicago 17 notes-bibliography entry (bibliography form) for a news article.

        Akhter, Andalib. “Ink 10-Year Framework for US-India Major Defence Partnership.”
        The Daily, November 1, 2025. https://example.com/a.

    An unsigned article starts with the publication, which stands in for the author
    (CMOS 14.207); without a date the access date is given instead ("Accessed November 25,
    2025."), before the URL.
    """
    names = split_authors(article.author)
    publication = publication_name(feed)
    published = published_datetime(article)
    when = chicago_date(published) if published else ""
    if names:
        parts = [_end(chicago_authors(names)), _quoted_title(article)]
        tail = ", ".join(p for p in (publication, when) if p)
    elif publication:
        parts = [_end(publication), _quoted_title(article)]
        tail = when
    else:
        parts = [_quoted_title(article)]
        tail = when
    if tail:
        parts.append(_end(tail))
    if published is None and accessed is not None:
        parts.append(f"Accessed {chicago_date(accessed)}.")
    url = web_url(article.link)
    if url:
        parts.append(url + ".")
    return " ".join(parts)
