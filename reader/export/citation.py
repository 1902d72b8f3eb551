"""Citation helpers shared by the CSL-JSON, BibTeX, RIS and plain-text (APA/MLA/Chicago) exports.

A quote cites the *article* it was saved from; the speaker is a secondary source and never
becomes an author. Everything here is pure and deterministic:

- `split_authors(byline)` turns a byline into structured names (`Name`), handling "By ...",
  "A and B", "A, B and C", inverted "Family, Given", particles ("Jan van der Berg"), suffixes
  ("Jr."), single names, RSS "mail@example.com (Name)" and obvious organisations
  ("Reuters Staff" -> one literal name, never split into given/family);
- `cite_key(article)` builds "akhter2025ink": first author's family name (particle included)
  as lowercase ASCII, the publication year, and the first significant title word;
  `unique_keys` dedupes keys in export order with "a", "b", ... suffixes;
- `csl_name`, `bibtex_name`, `bibtex_escape`, `bibtex_title`, `bibtex_url`, `BIBTEX_MONTHS`;
- `web_url`, `publication_name`, `quote_line`: shared with `references` (APA, MLA,
  Chicago) and `ris`;
- `plain_citation(text, speaker, article, feed)`: the quote with a one-line source, for the
  clipboard.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from reader.models import Article, Feed, Quote, from_iso
from reader.text.clean import clean_line

# ---------------------------------------------------------------------------------------------
# Names


@dataclass(frozen=True, slots=True)
class Name:
    """One author. `literal` is set (and the rest empty) for organisations."""

    family: str = ""
    given: str = ""
    particle: str = ""  # "van der" in "Jan van der Berg" (CSL non-dropping-particle)
    suffix: str = ""  # "Jr." in "Martin Luther King, Jr."
    literal: str = ""

    @property
    def full_family(self) -> str:
        """Family name with its particle: "van der Berg"."""
        return f"{self.particle} {self.family}".strip()


_BY = re.compile(r"^\s*(?:written\s+)?by[\s:]+", re.IGNORECASE)
_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((?P<name>[^()]+)\)\s*$")
_EMAIL = re.compile(r"^\S+@\S+\.\S+$")
_AND = re.compile(r"\s*(?:;|&|\band\b)\s*", re.IGNORECASE)
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "phd", "ph.d.", "md", "m.d."}
# Lowercase tokens that, inside a name, belong to the family part ("van der Berg").
_PARTICLES = {
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "la", "le", "dos",
    "das", "do", "ten", "ter", "bin", "ibn", "al", "el", "y", "zu", "af", "av",
}  # fmt: skip
# A byline containing one of these words is an organisation, kept whole (never split).
_ORG_WORDS = {
    "staff", "desk", "team", "editors", "editorial", "newsroom", "agency", "agencies",
    "press", "reporters", "correspondents", "bureau", "news", "wire", "wires", "reuters",
    "afp", "bbc",
}  # fmt: skip


def split_authors(byline: str) -> list[Name]:
    """Structured names from a byline; [] when it is empty."""
    text = clean_line(byline or "")
    match = _EMAIL_NAME.match(text)
    if match:
        text = match.group("name").strip()
    text = _BY.sub("", text).strip(" ,;")
    if not text or _EMAIL.match(text):
        return []
    if is_organisation(text):
        return [Name(literal=text)]
    parts = [p.strip(" ,") for p in _AND.split(text) if p.strip(" ,")]
    names: list[str] = []
    for part in parts:
        if "," not in part:
            names.append(part)
            continue
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if len(parts) == 1 and len(pieces) == 2 and _looks_inverted(pieces):
            return [_split_inverted(pieces[0], pieces[1])]
        # "Martin Luther King, Jr." keeps its suffix; otherwise commas separate authors.
        for piece in pieces:
            if names and piece.lower() in _SUFFIXES:
                names[-1] = f"{names[-1]}, {piece}"
            else:
                names.append(piece)
    return [split_name(n) for n in names]


def split_name(name: str) -> Name:
    """One person's name ("Andalib Akhter", "Jan van der Berg", "Cher", "King, Jr., Martin")."""
    name = clean_line(name)
    suffix = ""
    if "," in name:
        head, _, tail = name.partition(",")
        tail = tail.strip()
        if tail.lower() in _SUFFIXES:
            name, suffix = head.strip(), tail
        else:
            return _split_inverted(head.strip(), tail)
    tokens = name.split()
    if not tokens:
        return Name()
    if len(tokens) > 1 and tokens[-1].lower() in _SUFFIXES and not suffix:
        suffix = tokens.pop()
    if name.isupper() and len(tokens) > 1:  # "ANDALIB AKHTER" (a byline in capitals)
        tokens = [t.title() for t in tokens]
    if len(tokens) == 1:
        return Name(family=tokens[0], suffix=suffix)
    # Given names run until the first particle (never the last token).
    for i, token in enumerate(tokens[1:-1], start=1):
        if _is_particle(token):
            j = i
            while j < len(tokens) - 1 and _is_particle(tokens[j]):
                j += 1
            return Name(
                family=" ".join(tokens[j:]),
                given=" ".join(tokens[:i]),
                particle=" ".join(tokens[i:j]),
                suffix=suffix,
            )
    return Name(family=tokens[-1], given=" ".join(tokens[:-1]), suffix=suffix)


def _is_particle(token: str) -> bool:
    return token[0].islower() and token in _PARTICLES


def _looks_inverted(pieces: list[str]) -> bool:
    """ "Akhter, Andalib" (one family word before the comma) rather than "Jane Doe, Tom Roe"."""
    family = pieces[0].split()
    return len(family) == 1 or all(t[0].islower() for t in family[:-1])


def _split_inverted(family: str, given: str) -> Name:
    tokens = family.split()
    particle: list[str] = []
    while len(tokens) > 1 and _is_particle(tokens[0]):
        particle.append(tokens.pop(0))
    suffix = ""
    given_parts = [g.strip() for g in given.split(",")]
    if len(given_parts) == 2 and given_parts[0].lower() in _SUFFIXES:  # "King, Jr., Martin"
        suffix, given = given_parts
    return Name(
        family=" ".join(tokens), given=given.strip(), particle=" ".join(particle), suffix=suffix
    )


def is_organisation(text: str) -> bool:
    return bool({w.lower() for w in re.findall(r"[^\W_]+", text)} & _ORG_WORDS)


def csl_name(name: Name) -> dict:
    """A CSL-JSON name object."""
    if name.literal:
        return {"literal": name.literal}
    out: dict = {"family": name.family}
    if name.given:
        out["given"] = name.given
    if name.particle:
        out["non-dropping-particle"] = name.particle
    if name.suffix:
        out["suffix"] = name.suffix
    return out


def bibtex_name(name: Name) -> str:
    """ "Family, Given" ("van der Berg, Jan"; "King, Jr., Martin"); organisations in braces."""
    if name.literal:
        return "{" + bibtex_escape(name.literal) + "}"
    family = bibtex_escape(name.full_family)
    parts = [family]
    if name.suffix:
        parts.append(bibtex_escape(name.suffix))
    if name.given:
        parts.append(bibtex_escape(name.given))
    elif name.suffix:
        parts.append("")
    return ", ".join(parts)


def plain_citation(text: str, speaker: str | None, article: Article, feed: Feed | None) -> str:
    """The quote in curly quotes, then a line naming speaker and source (for the clipboard).

        “our defence ties have never been stronger.”
        — Pete Hegseth, quoted in Andalib Akhter, “Ink 10-year framework …”, The Daily,
          2025-11-01, https://example.com/a        (one line; unknown parts are left out)

    Without a speaker the line starts with the byline; the link is shown only if http(s).
    """
    parts: list[str] = []
    who = clean_line(speaker or "")
    author = clean_line(article.author)
    if author:
        parts.append(author)
    title = clean_line(article.title)
    if title:
        parts.append(f"“{title}”")
    if feed is not None and clean_line(feed.title):
        parts.append(clean_line(feed.title))
    published = from_iso(article.published)
    if published is not None:
        parts.append(f"{published:%Y-%m-%d}")
    link = clean_line(article.link)
    if re.match(r"https?://[^\s/]", link, re.IGNORECASE):
        parts.append(link)
    source = ", ".join(parts)
    if who:
        source = f"{who}, quoted in {source}" if source else who
    quote = f"“{(text or '').strip()}”"
    return f"{quote}\n— {source}" if source else quote


# ---------------------------------------------------------------------------------------------
# Cite keys

_STOPWORDS = {
    "a", "an", "the", "of", "on", "in", "at", "to", "for", "from", "by", "with", "and", "or",
    "but", "is", "are", "as", "be", "its", "it", "this", "that", "how", "why", "what", "who",
    "when", "where", "le", "la", "les", "der", "die", "das", "el", "los", "un", "une",
}  # fmt: skip
_ASCII_FOLD = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l",
    "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ð": "d", "ı": "i",
})  # fmt: skip


def ascii_fold(text: str) -> str:
    """Lowercase ASCII letters and digits only ("Müller" -> "muller", "中文" -> "")."""
    text = unicodedata.normalize("NFKD", text.translate(_ASCII_FOLD))
    return re.sub(r"[^a-z0-9]", "", text.encode("ascii", "ignore").decode().lower())


def published_datetime(article: Article) -> datetime | None:
    return from_iso(article.published)


def cite_key(article: Article) -> str:
    """ "akhter2025ink": family (+particle) of the first author, year, first significant title word.

    No usable author gives "anon"; no date gives "nd"; a title with no ASCII word adds nothing.
    """
    names = split_authors(article.author)
    first = names[0] if names else None
    family = ""
    if first is not None:
        if first.literal:  # "The Associated Press" -> "associated"
            words = [ascii_fold(w) for w in first.literal.split()]
            family = next((w for w in words if w and w not in _STOPWORDS), "")
        else:
            family = ascii_fold(first.full_family)
    moment = published_datetime(article)
    year = str(moment.year) if moment else "nd"
    word = ""
    for token in re.findall(r"[^\W_]+", clean_line(article.title or "")):
        folded = ascii_fold(token)
        if folded and not folded.isdigit() and folded not in _STOPWORDS:
            word = folded
            break
    return f"{family or 'anon'}{year}{word}"


def unique_keys(articles: list[Article]) -> list[str]:
    """Cite keys in order, a repeated key getting "a", "b", ... ("akhter2025ink", "...inka")."""
    seen: set[str] = set()
    keys: list[str] = []
    for article in articles:
        base = cite_key(article)
        key, n = base, 0
        while key in seen:
            key = base + _letters(n)
            n += 1
        seen.add(key)
        keys.append(key)
    return keys


def _letters(n: int) -> str:
    """0 -> "a", 25 -> "z", 26 -> "aa" ..."""
    out = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


# ---------------------------------------------------------------------------------------------
# BibTeX text

BIBTEX_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# Braces are written as \textbraceleft{} / \textbraceright{}: BibTeX counts "\{" as a brace,
# so an unmatched escaped brace would still break the entry. Every replacement is balanced.
_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX_RE = re.compile("|".join(re.escape(c) for c in _BIBTEX_SPECIAL))


def bibtex_escape(text: str) -> str:
    """One line with the BibTeX/LaTeX specials escaped; the rest (UTF-8 included) kept as is."""
    return _escape(clean_line(text))


def _escape(text: str) -> str:
    return _BIBTEX_RE.sub(lambda m: _BIBTEX_SPECIAL[m.group()], text)


def bibtex_title(title: str) -> str:
    """Escaped title with capitals protected: "Ink 10-year framework for {US}-{India} ...".

    Styles lowercase titles, so every word holding a capital is braced, except a first word
    whose only capital is its first letter (styles keep that one).
    """
    out: list[str] = []
    first = True
    for piece in re.split(r"([^\W_]+)", clean_line(title)):
        if not piece:
            continue
        if re.fullmatch(r"[^\W_]+", piece):
            has_upper = any(c.isupper() for c in piece)
            plain_first = first and not any(c.isupper() for c in piece[1:])
            out.append("{" + piece + "}" if has_upper and not plain_first else piece)
            first = False
        else:
            out.append(_escape(piece))
    return "".join(out)


def bibtex_url(url: str) -> str:
    """A URL for a braced field: only characters that would unbalance or break it are encoded.

    `url` is read verbatim by biblatex and the url package, so "%", "#", "&", "_" stay as they
    are; "{", "}", "\\" and spaces are percent-encoded.
    """
    table = {"{": "%7B", "}": "%7D", "\\": "%5C", " ": "%20"}
    return "".join(table.get(c, c) for c in clean_line(url))


# ---------------------------------------------------------------------------------------------
# Shared by RIS and the plain-text styles


def web_url(link: str) -> str:
    """`link` if it is an absolute http(s) URL, else "" (file: and relative links are not cited)."""
    link = clean_line(link or "")
    try:
        parts = urlsplit(link)
    except ValueError:
        return ""
    return link if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def publication_name(feed: Feed | None) -> str:
    """The feed title, which is the publication a news article appeared in ("" if unknown)."""
    return clean_line(feed.title) if feed is not None else ""


def quote_line(quote: Quote) -> str:
    """ "“text” — Speaker" on one line (paragraphs joined by spaces); no speaker, no dash."""
    text = f"“{clean_line(quote.text)}”"
    speaker = clean_line(quote.speaker)
    return f"{text} — {speaker}" if speaker else text
