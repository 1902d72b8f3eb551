"""Quote marks: paragraphs, mark direction, apostrophes, and pairing into top-level spans.

Pairing is one left-to-right pass per paragraph with a small stack, so it is linear in the
text and never fails: stray closers are ignored, an opener left at the end of a paragraph
either continues into the next paragraph (which must re-open with a mark of the same
family, the typographic convention) or is closed there and flagged `unclosed`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PARA_SEP = re.compile(r"\n(?:[^\S\n]*\n)+")
MARK_RE = re.compile("``|[\"'“”„‟‘’‚«»‹›「」『』]")
_WORDISH = re.compile(r"[^\W_]")
# A single mark that is an elision, not a quote: ’em, ’tis, rock ’n’ roll, ’90s.
_ELISION = re.compile(r"['‘’](?:em|tis|twas|til|cause|bout|round|cos|nuff)(?![\w’'])"
                      r"|['‘’]n['‘’]|['‘’]\d\d(?:s\b|(?![\d,.’']))")

_NEXT_WORD = re.compile(r"[^\W\d_]+")
# Words that follow a closing quote with no comma ("‘… fans’ he said"), not a possessive.
_AFTER_CLOSE = {"he", "she", "they", "it", "we", "i", "you", "said", "says", "added", "and",
                "but", "or", "as", "is", "was", "were", "are", "to", "that", "which", "who",
                "from", "in", "on", "at", "by", "for", "with", "after", "before", "while",
                "when", "if", "than", "then", "so", "because", "into", "over", "about"}
DOUBLE, SINGLE, GUIL, SGUIL, CORNER, WCORNER = "D", "S", "G", "g", "C", "W"
_QUOTE_CHARS = "\"'“”„‟‘’‚«»‹›「」『』`"
_OPEN_PREV = set("([{<—–-/…\u00a0\u202f\u2009") | set(_QUOTE_CHARS)
_NO_OPEN_NEXT = set(",.;:!?)]}")
_CLOSE_NEXT = set(".,;:!?)]}>…—–-/\x00") | set(_QUOTE_CHARS)
_MIRROR = {"«": "»", "»": "«", "‹": "›", "›": "‹"}
MAX_DEPTH = 16
# Padding stripped from both ends of a quote's text (NBSP/NNBSP from French guillemets).
PAD = " \t\n\r\f\v\u00a0\u202f\u2009\u2007\u3000"


@dataclass(slots=True)
class Span:
    """A top-level quotation: one piece of text per paragraph it covers."""

    open_pos: int
    family: str
    open_char: str
    para: int
    pieces: list[tuple[int, int]] = field(default_factory=list)
    content_start: int = 0
    close_pos: int = -1  # index of the final closing mark, -1 when unclosed
    close_end: int = -1  # index just after the closing mark (or the paragraph end)
    last_para: int = 0
    unclosed: bool = False


def paragraphs(body: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank paragraph, trimmed; blank lines separate them."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in PARA_SEP.finditer(body):
        _add_trimmed(body, pos, m.start(), out)
        pos = m.end()
    _add_trimmed(body, pos, len(body), out)
    return out


def _add_trimmed(body: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    seg = body[start:end]
    core = seg.strip()
    if core:
        lead = len(seg) - len(seg.lstrip())
        out.append((start + lead, start + lead + len(core)))


def _open_ctx(prev: str | None, nxt: str | None) -> bool:
    return ((prev is None or prev.isspace() or prev in _OPEN_PREV)
            and nxt is not None and not nxt.isspace() and nxt not in _NO_OPEN_NEXT)


def _close_ctx(prev: str | None, nxt: str | None) -> bool:
    return (prev is not None and not prev.isspace() and prev not in "([{<"
            and (nxt is None or nxt.isspace() or nxt in _CLOSE_NEXT))


def single_primary(body: str, marks: list[tuple[int, str]]) -> bool:
    """UK house style: opening single quotes outnumber opening double quotes."""
    singles = doubles = 0
    n = len(body)
    for i, ch in marks:
        if ch not in "“„‟«\"‘‚'":
            continue
        prev = body[i - 1] if i > 0 else None
        nxt = body[i + 1] if i + 1 < n else None
        if not _open_ctx(prev, nxt):
            continue
        if ch in "‘‚'":
            if nxt is not None and nxt.isalnum() and not _ELISION.match(body, i):
                singles += 1
        else:
            doubles += 1
    return singles > doubles


def _innermost(stack: list[tuple[str, str, int, int]], family: str) -> int:
    for k in range(len(stack) - 1, -1, -1):
        if stack[k][0] == family:
            return k
    return -1


def _reopens(span: Span, ch: str, body: str, i: int, end: int, uk: bool) -> bool:
    """Does a paragraph starting with `ch` continue `span` (same family, opening use)?"""
    nxt = body[i + len(ch)] if i + len(ch) < end else None
    if nxt is None or (nxt.isspace() and span.family != GUIL):
        return False
    fam = span.family
    if fam == DOUBLE:
        return ch in ("“", "„", "‟", '"', "``")
    if fam == SINGLE:
        return (ch in "‘‚" or (ch == "'" and uk)) and not _ELISION.match(body, i)
    if fam in (GUIL, SGUIL):
        return ch == span.open_char
    return (fam, ch) in ((CORNER, "「"), (WCORNER, "『"))


def pair_marks(body: str, paras: list[tuple[int, int]],
               top_singles: bool = True) -> tuple[list[Span], bool]:
    """Top-level quote spans in body order, and whether the article is in UK style.

    `top_singles=False` keeps single quotes only as nested marks in double-quote articles.
    """
    marks = [(m.start(), m.group()) for m in MARK_RE.finditer(body)]
    uk = single_primary(body, marks)
    tex = any(ch == "``" for _, ch in marks)
    spans: list[Span] = []
    cont: Span | None = None
    mi = 0
    nmarks = len(marks)
    for pi, (ps, pe) in enumerate(paras):
        while mi < nmarks and marks[mi][0] < ps:
            mi += 1
        lo = mi
        while mi < nmarks and marks[mi][0] < pe:
            mi += 1
        pm = marks[lo:mi]
        stack: list[tuple[str, str, int, int]] = []
        k = 0
        cur: Span | None = None
        if cont is not None:
            if pm and pm[0][0] == ps and _reopens(cont, pm[0][1], body, ps, pe, uk):
                cur = cont
                start = ps + len(pm[0][1])
                cur.content_start = start
                stack.append((cur.family, cur.open_char, ps, start))
                k = 1
            else:
                cont.unclosed = True
                spans.append(cont)
            cont = None
        last_single_close = _last_single_close(body, pm, ps, pe, uk)
        # The next paragraph re-opens with a single mark: this one may end inside a quote.
        continues = pi + 1 < len(paras) and body[paras[pi + 1][0]] in "‘‚'"
        skip_next = False
        for idx in range(k, len(pm)):
            if skip_next:
                skip_next = False
                continue
            i, ch = pm[idx]
            j = i + len(ch)
            prev = body[i - 1] if i > ps else None
            nxt = body[j] if j < pe else None
            action, fam, width = _classify(body, ch, i, prev, nxt, stack, uk, tex,
                                           last_single_close, top_singles, continues)
            if action == "open":
                if len(stack) >= MAX_DEPTH:
                    continue  # real nesting is shallow; this bounds every stack scan
                if not stack:
                    cur = Span(open_pos=i, family=fam, open_char=ch, para=pi)
                    cur.content_start = i + width
                stack.append((fam, ch, i, i + width))
            elif action == "close":
                at = _innermost(stack, fam)
                if at < 0:
                    continue
                del stack[at:]
                if width == 2:
                    skip_next = True
                if not stack and cur is not None:
                    cur.pieces.append((cur.content_start, i))
                    cur.close_pos, cur.close_end, cur.last_para = i, i + width, pi
                    spans.append(cur)
                    cur = None
        if stack and cur is not None:
            cur.pieces.append((cur.content_start, pe))
            cur.close_end, cur.last_para = pe, pi
            cont = cur
    if cont is not None:
        cont.unclosed = True
        spans.append(cont)
    return [s for s in (_trim(body, s) for s in spans) if s is not None], uk


def _last_single_close(body: str, pm: list[tuple[int, str]], ps: int, pe: int,
                       uk: bool) -> int:
    """Position of the last mark in the paragraph that could close a single quote."""
    for i, ch in reversed(pm):
        if ch == "’" or (ch == "'" and uk) or ch == "‘":
            prev = body[i - 1] if i > ps else None
            nxt = body[i + 1] if i + 1 < pe else None
            if prev is not None and not prev.isspace() and not (nxt is not None and nxt.isalnum()):
                return i
    return -1


def _classify(body: str, ch: str, i: int, prev: str | None, nxt: str | None,
              stack: list[tuple[str, str, int, int]], uk: bool, tex: bool,
              last_single_close: int, top_singles: bool,
              continues: bool = False) -> tuple[str, str, int]:
    """("open"|"close"|"", family, mark width) for one mark, given context and the stack."""
    if ch == '"':
        has_d = _innermost(stack, DOUBLE) >= 0
        co, cc = _open_ctx(prev, nxt), _close_ctx(prev, nxt)
        if co and not cc:
            return "open", DOUBLE, 1
        if cc and not co:
            return ("close", DOUBLE, 1) if has_d else ("", "", 1)
        if has_d:
            return "close", DOUBLE, 1
        return ("open", DOUBLE, 1) if nxt is not None and not nxt.isspace() else ("", "", 1)
    if ch == "“":
        at = _innermost(stack, DOUBLE)
        if at >= 0 and stack[at][1] == "„":
            return "close", DOUBLE, 1
        if at >= 0 and _close_ctx(prev, nxt) and not _open_ctx(prev, nxt):
            return "close", DOUBLE, 1
        return ("open", DOUBLE, 1) if nxt is not None else ("", "", 1)
    if ch == "”":
        if _innermost(stack, DOUBLE) >= 0:
            return "close", DOUBLE, 1
        if _open_ctx(prev, nxt) and not _close_ctx(prev, nxt):
            return "open", DOUBLE, 1
        return "", "", 1
    if ch in "„‟":
        return ("open", DOUBLE, 1) if nxt is not None and not nxt.isspace() else ("", "", 1)
    if ch == "``":
        return ("open", DOUBLE, 2) if nxt is not None else ("", "", 2)
    if ch in "«»‹›":
        fam = GUIL if ch in "«»" else SGUIL
        at = _innermost(stack, fam)
        if at >= 0 and stack[at][1] == _MIRROR[ch]:
            return "close", fam, 1
        if ch in "«‹":
            return ("open", fam, 1) if nxt is not None else ("", "", 1)
        if (nxt is not None and not nxt.isspace()
                and (prev is None or prev.isspace() or prev in _OPEN_PREV)):
            return "open", fam, 1
        return "", "", 1
    if ch in "「『":
        return "open", (CORNER if ch == "「" else WCORNER), 1
    if ch in "」』":
        return "close", (CORNER if ch == "」" else WCORNER), 1
    if ch == "'" and tex and nxt == "'":
        at = _innermost(stack, DOUBLE)
        if at >= 0 and stack[at][1] == "``":
            return "close", DOUBLE, 2
    if ch == "‚":
        if (prev is None or prev.isspace()) and nxt is not None and nxt.isalpha():
            return "open", SINGLE, 1
        return "", "", 1
    if ch == "‘" or ch == "’" or (ch == "'" and uk):
        return _classify_single(body, ch, i, prev, nxt, stack, uk, last_single_close,
                                top_singles, continues)
    return "", "", 1


def _classify_single(body: str, ch: str, i: int, prev: str | None, nxt: str | None,
                     stack: list[tuple[str, str, int, int]], uk: bool,
                     last_single_close: int, top_singles: bool,
                     continues: bool) -> tuple[str, str, int]:
    """Single marks: apostrophes (don’t, India’s, Ministers’ Meeting, ’90s) are not quotes."""
    at = _innermost(stack, SINGLE)
    if ch == "‘" and at >= 0 and stack[at][1] == "‚":
        return "close", SINGLE, 1
    prev_alnum = prev is not None and prev.isalnum()
    nxt_alnum = nxt is not None and nxt.isalnum()
    if prev_alnum and nxt_alnum:
        return "", "", 1
    if ch == "’":  # never an opener: only at a word start is it an elision (’90s, ’em)
        opener_side = prev is None or prev.isspace() or prev in "([{<“‘\"'«‹„‚"
    else:
        opener_side = prev is None or prev.isspace() or prev in _OPEN_PREV
    if opener_side:
        if ch == "’" or not _open_ctx(prev, nxt) or _ELISION.match(body, i):
            return "", "", 1
        if not uk and (last_single_close <= i or (not stack and not top_singles)):
            return "", "", 1
        return "open", SINGLE, 1
    # Closing side: only when a single quote is open.
    if at < 0:
        return "", "", 1
    if prev in "nN" and i >= 2 and body[i - 2] in "’‘'":
        return "", "", 1
    if prev in "sSzZxX" and nxt is not None and nxt in " \u00a0" and i + 2 < len(body):
        follow = _NEXT_WORD.match(body, i + 2)
        word = follow.group() if follow else ""
        if word and word not in _AFTER_CLOSE and (i != last_single_close or continues):
            return "", "", 1  # plural possessive: the Ministers’ Meeting, miners’ welfare
    return "close", SINGLE, 1


def _trim(body: str, span: Span) -> Span | None:
    """Strip padding from every piece; drop empty pieces and spans without a word."""
    pieces = []
    for s, e in span.pieces:
        seg = body[s:e]
        core = seg.strip(PAD)
        if not core:
            continue
        lead = len(seg) - len(seg.lstrip(PAD))
        pieces.append((s + lead, s + lead + len(core)))
    if not pieces or not any(_WORDISH.search(body, s, e) for s, e in pieces):
        return None
    span.pieces = pieces
    return span
