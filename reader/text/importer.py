"""Turn local files (plain text in the sample layout, Markdown, HTML) into articles.

Every problem with a file becomes an `ImportProblem` whose message is one sentence naming
the file, so `reader import` can report it and go on with the other files.
"""

from __future__ import annotations

import re
from pathlib import Path

from reader.library.store import LocalArticleInput
from reader.text.articles import byline_to_author, parse_plain_article
from reader.text.clean import clean_line, clean_text

MAX_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = {".txt", ".text", ""}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED = sorted(TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES - {""})


class ImportProblem(Exception):
    """str(problem) is one sentence for the user."""


def read_text_file(path: Path) -> str:
    """Read a file as text with the checks every import shares."""
    try:
        if path.is_dir():
            raise ImportProblem(f"{path} is a folder, not a file.")
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportProblem(f"{path} does not exist.") from None
    except PermissionError:
        raise ImportProblem(f"{path} cannot be read (permission denied).") from None
    except OSError as error:
        raise ImportProblem(f"{path} cannot be read ({error.strerror}).") from None
    if size > MAX_BYTES:
        raise ImportProblem(f"{path} is {size / 1048576:.1f} MB, over the 10 MB limit.")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ImportProblem(f"{path} cannot be read ({error.strerror}).") from None
    if not raw.strip():
        raise ImportProblem(f"{path} is empty.")
    return decode(raw, path)


def decode(raw: bytes, path: Path) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportProblem(f"{path} is not valid UTF-16 text.") from None
    sample = raw[:8192]
    if b"\x00" in sample or _control_ratio(sample) > 0.05:
        raise ImportProblem(f"{path} looks like a binary file, not text.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportProblem(f"{path} is not UTF-8 text and could not be decoded.") from None


def _control_ratio(sample: bytes) -> float:
    if not sample:
        return 0.0
    bad = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13, 27))
    return bad / len(sample)


def read_article(path: Path) -> LocalArticleInput:
    """Read one article file; raises ImportProblem for anything that is not one."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES:
        raise ImportProblem(
            f"{path} has an unsupported type ({suffix}); use .txt, .md, .html or .opml."
        )
    text = read_text_file(path)
    if suffix in MARKDOWN_SUFFIXES:
        article = parse_markdown(text)
    elif suffix in HTML_SUFFIXES:
        article = parse_html(text)
    else:
        plain = parse_plain_article(text)
        article = LocalArticleInput(title=plain.title, author=plain.author, body=plain.body)
    if not article.title:
        article.title = clean_line(path.stem)
    if not article.body.strip():
        raise ImportProblem(f"{path} has a headline but no article text.")
    return article


_ATX = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_BYLINE = re.compile(r"^\s*[*_]{0,2}\s*by\s+(.+?)\s*[*_]{0,2}\s*$", re.IGNORECASE)


def parse_markdown(text: str) -> LocalArticleInput:
    """The first heading is the title; an `author:` front-matter key or a "By X" line the author."""
    text = clean_text(text)
    author = ""
    front = _FRONT_MATTER.match(text)
    if front:
        for line in front.group(1).splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() in ("author", "byline"):
                author = clean_line(value.strip().strip("\"'"))
        text = text[front.end():]
    lines = text.split("\n")
    title, body_start = "", 0
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        atx = _ATX.match(line)
        if atx:
            title, body_start = atx.group(1), index + 1
        elif index + 1 < len(lines) and _SETEXT.match(lines[index + 1]):
            title, body_start = line.strip(), index + 2
        break
    rest = lines[body_start:]
    while rest and not rest[0].strip():
        rest.pop(0)
    if rest and not author:
        byline = _BYLINE.match(rest[0])
        if byline:
            author = byline_to_author(byline.group(1))
            rest.pop(0)
    return LocalArticleInput(
        title=clean_line(title), author=author, body="\n".join(rest).strip("\n")
    )


def parse_html(text: str) -> LocalArticleInput:
    """Title, author, canonical link and readable text of an HTML page."""
    from lxml import html as lxml_html

    from reader.text.html import html_to_text

    try:
        tree = lxml_html.document_fromstring(text.encode("utf-8"))
    except Exception:  # lxml raises several kinds on junk; any means "not HTML"
        raise ImportProblem("The file is not readable HTML.") from None

    def first(xpath: str) -> str:
        found = tree.xpath(xpath)
        return clean_line(str(found[0])) if found else ""

    title = first("//meta[@property='og:title']/@content") or first("//title/text()")
    title = title or first("string(//h1)")
    author = first("//meta[@name='author']/@content")
    link = first("//link[@rel='canonical']/@href")
    if not link.startswith(("http://", "https://")):
        link = ""
    published = first("//meta[@property='article:published_time']/@content") or None
    body = html_to_text(text, base_url=link)
    for heading in (f"# {title}", title):
        if title and body.startswith(heading):
            body = body[len(heading):].lstrip("\n")
            break
    from reader.models import from_iso, to_iso

    return LocalArticleInput(
        title=title, author=author, body=body, link=link,
        published=to_iso(from_iso(published)) if published else None,
    )
