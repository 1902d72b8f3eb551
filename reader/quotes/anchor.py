"""Finding a saved quote again in its article's text.

A feed may update an article in place after a quote was saved from it; the quote keeps its
exact text (and 32 characters of context either side), so it can be found again.
"""

from __future__ import annotations

_QUOTE_MARKS = str.maketrans("", "", "\"'“”‘’«»„‟‹›")


def span_holds(body: str, start: int, end: int, text: str) -> bool:
    """Does body[start:end] still hold `text`? (Extracted quotes over several paragraphs
    leave out the re-opening marks, so the words are compared without quote marks.)"""
    if not (0 <= start < end <= len(body)):
        return False
    span = body[start:end]
    if span == text:
        return True
    return span.translate(_QUOTE_MARKS).split() == text.translate(_QUOTE_MARKS).split()


def locate(body: str, text: str, near: int) -> tuple[int, int] | None:
    """The occurrence of `text` in `body` nearest to offset `near`, or None."""
    if not text:
        return None
    best: tuple[int, int] | None = None
    position = body.find(text)
    for _ in range(10_000):  # bounded: a pathological body cannot spin here
        if position < 0:
            break
        if best is None or abs(position - near) < abs(best[0] - near):
            best = (position, position + len(text))
        position = body.find(text, position + 1)
    return best
