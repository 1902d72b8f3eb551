"""Feed HTML -> readable terminal text.

Why not a Markdown converter: the body is shown as plain text (never as markup, see
notes/textual.md §5) and quotes are cut from it by character offset, so the output must be
plain, stable text. The conventions, chosen to read well in a terminal:

* paragraphs and other blocks are separated by one blank line; <br> is a line break;
* headings: "# Title", "## Subtitle" ... (level = number of '#');
* lists: "• item" / "1. item" (ol start= honoured), nested lists indented;
* block quotes: every line prefixed "> ";
* <pre>: kept verbatim, indented by four spaces; inline <code>: `code`;
* emphasis (<b>, <i>, <em>, <strong>) is kept as plain text: markers would get in the way
  of quotation offsets and of searching;
* <q>: “text”; images: "[image: alt]" (or "[image]");
* links: "text[1]" and a "Links:" list at the end ("[1] https://..."); only http(s) and
  mailto targets get a number, other schemes (javascript:, data:, file:) keep just their text,
  in-page "#anchors" are dropped; relative targets are resolved against `base_url`;
* scripts, styles, iframes, forms, media and comments are dropped;
* the result goes through `clean_text`, so no control or bidi character survives, including
  ones spelled as character references (&#x1b;).

It uses lxml's HTML parser (no network, no DTD), never raises, and is cheap enough to run on
every entry at refresh time (a 2.5 KB item takes well under a millisecond on one core).
"""

from __future__ import annotations

import html as _html
import re
import threading

from lxml import etree

from reader.feeds.urls import is_safe_link, resolve_http
from reader.text.clean import clean_line, clean_text

__all__ = ["html_to_line", "html_to_text", "link_target", "plain_to_text"]


def link_target(href: str | None, base_url: str) -> str:
    """The URL a link's href gets in the Links list: http(s) resolved against `base_url`, or
    a safe mailto:; "" for in-page anchors and every other scheme."""
    href = (href or "").strip()
    if not href or href[0] == "#":
        return ""
    if href[:7].lower() == "mailto:":
        return href if is_safe_link(href) else ""
    return resolve_http(base_url, href)


def safe_html_parser(encoding: str | None = "utf-8") -> etree.HTMLParser:
    """An lxml HTML parser that never touches the network, drops comments and processing
    instructions, and keeps libxml2's size limits (shared with feed discovery)."""
    return etree.HTMLParser(
        encoding=encoding,
        remove_comments=True,
        remove_pis=True,
        no_network=True,
        default_doctype=False,
        collect_ids=False,
        huge_tree=False,
    )


class _Parsers(threading.local):
    """One HTML parser per thread: bodies are converted in worker threads, and a parser's
    error log (read below) must belong to the parse that just ran."""

    def __init__(self) -> None:
        self.html = safe_html_parser()


_PARSERS = _Parsers()


class _TooDeep(Exception):
    """libxml2 stopped at its nesting limit (256) and dropped the rest of the document."""


# Elements whose content is never text a reader wants.
_DROP = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "form", "noscript", "template",
        "object", "embed", "applet", "svg", "math", "head", "title", "meta", "link", "base",
        "button", "input", "select", "option", "textarea", "canvas", "audio", "video",
        "source", "track", "map", "dialog", "nav",
    }
)  # fmt: skip
# Elements rendered as paragraphs of their own.
_PLAIN_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "figure",
        "figcaption", "address", "center", "details", "summary", "fieldset", "legend", "body",
        "html", "hgroup", "caption", "tbody", "thead", "tfoot", "picture",
    }
)  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_SPECIAL_BLOCKS = frozenset(
    {"ul", "ol", "menu", "dir", "li", "dl", "dt", "dd", "blockquote", "pre", "hr", "table",
     "tr", "td", "th"}
)  # fmt: skip
_BLOCKS = _PLAIN_BLOCKS | _SPECIAL_BLOCKS | frozenset(_HEADINGS)
_CODE = frozenset({"code", "kbd", "samp", "tt"})
# Inline elements `_inline` treats specially; any other inline element only contributes its
# content, so a childless one is just its text (the fast path in `_children`).
_SPECIAL_INLINE = _CODE | {"br", "img", "a", "q"}

_BREAK = "\x00"  # a hard line break inside a paragraph; NUL never survives the input filter
# C0 controls but \t \n \r, and DEL: dropped from markup before parsing. As bytes: in UTF-8
# these bytes only ever encode these characters, so deleting them from the encoded markup
# (bytes.translate, a C loop) is the same as removing the characters first, and much
# cheaper than a regex scan.
_INPUT_BAD_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_HAS_TAG = re.compile(r"<[a-zA-Z!/?]")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_MAX_DEPTH = 120  # deeper content is flattened to text (keeps Python recursion bounded)


class _Renderer:
    """One conversion: keeps the numbered link list while walking the tree."""

    __slots__ = ("base_url", "index", "links", "number_links")

    def __init__(self, base_url: str, number_links: bool) -> None:
        self.base_url = base_url
        self.number_links = number_links
        self.links: list[str] = []
        self.index: dict[str, int] = {}

    # --- blocks -------------------------------------------------------------------------
    def blocks(self, el: etree._Element, depth: int) -> list[str]:
        """The content of `el` (text and children) as a list of blocks."""
        out: list[str] = []
        inline: list[str] = []
        self._children(el, inline, out, depth)
        _flush(inline, out)
        return out

    def _children(self, el: etree._Element, inline: list[str], out: list[str], depth: int) -> None:
        # The hot loop of a refresh (every element of every entry): lxml builds a new str
        # on each .text/.tail access, so each is read once.
        text = el.text
        if text:
            inline.append(text)
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and tag not in _DROP:
                if depth > _MAX_DEPTH:
                    inline.append(" ".join(child.itertext()))
                elif tag in _PLAIN_BLOCKS:  # <p>, <div>: what _block would do, one call less
                    _flush(inline, out)
                    out.extend(self.blocks(child, depth + 1))
                elif tag in _BLOCKS:
                    _flush(inline, out)
                    out.extend(self._block(child, tag, depth + 1))
                elif tag not in _SPECIAL_INLINE and not len(child):
                    text = child.text  # <em>word</em>: what _inline would append
                    if text:
                        inline.append(text)
                else:
                    self._inline(child, tag, inline, out, depth + 1)
            tail = child.tail
            if tail:
                inline.append(tail)

    def _block(self, el: etree._Element, tag: str, depth: int) -> list[str]:
        if tag in _PLAIN_BLOCKS or tag in ("td", "th"):
            return self.blocks(el, depth)
        level = _HEADINGS.get(tag)
        if level:
            text = self.line(el, depth)
            return [f"{'#' * level} {text}"] if text else []
        if tag in ("ul", "ol", "menu", "dir"):
            return self._list(el, ordered=tag == "ol", depth=depth)
        if tag == "li":
            return [_hang("• ", "\n".join(self.blocks(el, depth)))]
        if tag == "blockquote":
            body = "\n\n".join(self.blocks(el, depth))
            if not body:
                return []
            return ["\n".join(f"> {line}" if line else ">" for line in body.split("\n"))]
        if tag == "pre":
            return _pre(el)
        if tag == "hr":
            return ["* * *"]
        if tag == "table":
            return self._table(el, depth)
        if tag == "dl":
            return self.blocks(el, depth)  # dt/dd below
        if tag == "dt":
            text = self.line(el, depth)
            return [text] if text else []
        if tag == "dd":
            body = "\n".join(self.blocks(el, depth))
            return [_hang("    ", body)] if body else []
        return self.blocks(el, depth)

    def _list(self, el: etree._Element, *, ordered: bool, depth: int) -> list[str]:
        try:
            number = int(el.get("start", "1"))
        except ValueError:
            number = 1
        items: list[str] = []
        stray: list[str] = []
        for child in el:
            if child.tag == "li":
                if stray:
                    items.extend(self._stray(stray, depth))
                    stray = []
                body = "\n".join(self.blocks(child, depth + 1))
                marker = f"{number}. " if ordered else "• "
                number += 1
                if body:
                    items.append(_hang(marker, body))
            elif isinstance(child.tag, str) and child.tag not in _DROP:
                stray.append(" ".join(self.blocks(child, depth + 1)))
            if child.tail and child.tail.strip():
                stray.append(child.tail)
        items.extend(self._stray(stray, depth))
        return ["\n".join(items)] if items else []

    @staticmethod
    def _stray(parts: list[str], depth: int) -> list[str]:
        text = " ".join(" ".join(parts).split())
        return [text] if text else []

    def _table(self, el: etree._Element, depth: int) -> list[str]:
        """Rows as "cell | cell" lines; a one-cell row (a layout table) keeps its blocks."""
        out: list[str] = []
        lines: list[str] = []
        rows: list[etree._Element] = []
        for child in el:
            if child.tag in ("thead", "tbody", "tfoot"):
                rows.extend(row for row in child if row.tag == "tr")
            elif child.tag in ("tr", "caption"):
                rows.append(child)
        for row in rows:
            if row.tag == "caption":
                caption = self.line(row, depth + 1)
                if caption:
                    lines.append(caption)
                continue
            cells = [c for c in row if c.tag in ("td", "th")]
            if len(cells) == 1:
                if lines:
                    out.append("\n".join(lines))
                    lines = []
                out.extend(self.blocks(cells[0], depth + 1))
                continue
            line = " | ".join(t for t in (self.line(c, depth + 1) for c in cells) if t)
            if line:
                lines.append(line)
        if lines:
            out.append("\n".join(lines))
        return out

    def line(self, el: etree._Element, depth: int) -> str:
        """The content of `el` as one line (headings, table cells, captions)."""
        return " ".join(" ".join(self.blocks(el, depth)).split())

    # --- inline -------------------------------------------------------------------------
    def _inline(
        self, el: etree._Element, tag: str, inline: list[str], out: list[str], depth: int
    ) -> None:
        if tag == "br":
            inline.append(_BREAK)
        elif tag == "img":
            alt = " ".join((el.get("alt") or "").split())
            inline.append(f"[image: {alt}]" if alt else "[image]")
        elif tag in _CODE:
            code = " ".join("".join(el.itertext()).split())
            if code:
                inline.append(f"`{code}`")
        elif tag == "a":
            if not len(el):  # the common <a href>words</a>: the same as below, cheaper
                text = el.text
                if text:
                    inline.append(text)
                    if text.strip():
                        target = self._target(el.get("href"))
                        if target:
                            inline.append(f"[{self._number(target)}]")
                return
            before = len(inline)
            self._children(el, inline, out, depth)
            target = self._target(el.get("href"))
            if target and any(piece.strip() for piece in inline[before:]):
                inline.append(f"[{self._number(target)}]")
        elif tag == "q":
            inline.append("“")
            self._children(el, inline, out, depth)
            inline.append("”")
        else:
            self._children(el, inline, out, depth)

    def _target(self, href: str | None) -> str:
        return link_target(href, self.base_url) if self.number_links else ""

    def _number(self, url: str) -> int:
        number = self.index.get(url)
        if number is None:
            self.links.append(url)
            number = self.index[url] = len(self.links)
        return number


def _flush(inline: list[str], out: list[str]) -> None:
    """Turn the pending inline pieces into one paragraph (whitespace collapsed)."""
    if not inline:
        return
    text = "".join(inline)
    inline.clear()
    if _BREAK in text:
        text = "\n".join(" ".join(part.split()) for part in text.split(_BREAK)).strip("\n")
    else:
        text = " ".join(text.split())  # str.split(): C speed, all Unicode spaces incl. nbsp
    if text:
        out.append(text)


def _hang(marker: str, body: str) -> str:
    """`marker` before the first line, the other lines indented to line up under it."""
    if not body:
        return marker.rstrip()
    pad = " " * len(marker)
    lines = body.split("\n")
    return "\n".join([marker + lines[0], *(pad + line if line else "" for line in lines[1:])])


def _pre(el: etree._Element) -> list[str]:
    parts: list[str] = []

    def walk(node: etree._Element, depth: int) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            tag = child.tag
            if isinstance(tag, str) and tag not in _DROP:
                if tag == "br":
                    parts.append("\n")
                elif depth < _MAX_DEPTH:
                    walk(child, depth + 1)
                else:
                    parts.extend(child.itertext())
            if child.tail:
                parts.append(child.tail)

    walk(el, 0)
    lines = "".join(parts).replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return []
    return ["\n".join(f"    {line.rstrip()}" if line.strip() else "" for line in lines)]


def _parse(markup: str) -> etree._Element | None:
    parser = _PARSERS.html
    data = markup.encode("utf-8", "replace").translate(None, _INPUT_BAD_BYTES)
    root = etree.fromstring(data, parser)
    if parser.error_log.filter_from_fatals():
        raise _TooDeep
    if root is None:
        return None
    body = root.find("body")
    return root if body is None else body


def _finish(text: str) -> str:
    text = clean_text(text)
    text = "\n".join([line.rstrip() for line in text.split("\n")])
    if "\n\n\n" in text:  # a cheap test first: the regex scan costs more than the rest
        text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip("\n")


def plain_to_text(text: str) -> str:
    """Plain text (no markup): paragraphs kept, blank-line runs and spaces collapsed."""
    text = clean_text(text)
    paragraphs = []
    for block in re.split(r"\n[ \t\xa0]*\n", text):
        lines = [" ".join(line.split()) for line in block.split("\n")]
        block_text = "\n".join(line for line in lines if line)
        if block_text:
            paragraphs.append(block_text)
    return "\n\n".join(paragraphs)


def html_to_text(html: str, base_url: str = "") -> str:
    """Readable text for an HTML fragment or document (see the module docstring).

    Input without any tag is treated as plain text (entities decoded). Never raises: on an
    unexpected failure it falls back to the text with tags stripped.
    """
    if not html:
        return ""
    if not isinstance(html, str):
        html = str(html)
    try:
        if not _HAS_TAG.search(html):
            return plain_to_text(_html.unescape(html) if "&" in html else html)
        root = _parse(html)
        if root is None:
            return ""
        renderer = _Renderer(base_url, number_links=True)
        text = "\n\n".join(renderer.blocks(root, 0))
        if renderer.links:
            listing = "\n".join(f"[{n}] {url}" for n, url in enumerate(renderer.links, 1))
            text = f"{text}\n\nLinks:\n{listing}" if text else f"Links:\n{listing}"
        return _finish(text)
    except Exception:  # never let one odd entry break a refresh
        return _fallback(html)


def html_to_line(html: str) -> str:
    """One line of text for an HTML title (no link numbers); never raises."""
    if not html:
        return ""
    try:
        if not _HAS_TAG.search(html):
            return clean_line(_html.unescape(html) if "&" in html else html)
        root = _parse(html)
        if root is None:
            return ""
        return clean_line(" ".join(_Renderer("", number_links=False).blocks(root, 0)))
    except Exception:
        return clean_line(_fallback(html))


_DROPPED_BLOCKS = re.compile(
    r"<(script|style|iframe|noscript|template|svg|math|textarea)\b.*?</\1\s*>|<!--.*?-->",
    re.IGNORECASE | re.DOTALL,
)


def _fallback(html: str) -> str:
    """Last resort when the parser gives up (nesting deeper than libxml2 allows): the text
    with tags stripped, so the words are not lost."""
    try:
        text = re.sub(r"<[^>]*>", " ", _DROPPED_BLOCKS.sub(" ", html))
        return plain_to_text(_html.unescape(" ".join(text.split())))
    except Exception:
        return ""


_LINK_LINE = re.compile(r"^\[(\d+)\] (\S+)$", re.MULTILINE)


def numbered_links(text: str) -> dict[int, str]:
    """The `[N] url` list at the end of a converted body (after its last "Links:" line)."""
    marker = text.rfind("\nLinks:\n")
    if marker < 0:
        return {}
    return {int(n): url for n, url in _LINK_LINE.findall(text[marker:])}
