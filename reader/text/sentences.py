"""Sentence and paragraph spans of an article body, for the detail pane's passage cursor."""

from __future__ import annotations

import re

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A sentence ends at . ! ? (or …) plus any closing quotes/brackets, before whitespace.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gen", "col", "lt", "st", "mt", "jr", "sr",
    "vs", "etc", "inc", "ltd", "co", "corp", "no", "fig", "u.s", "u.k", "e.g", "i.e", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "gov", "sgt",
}


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty paragraph, separated by blank lines."""
    spans = []
    position = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        _append_trimmed(spans, text, position, match.start())
        position = match.end()
    _append_trimmed(spans, text, position, len(text))
    return spans


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; never crosses a paragraph; linear in the text."""
    spans: list[tuple[int, int]] = []
    for para_start, para_end in paragraph_spans(text):
        position = para_start
        for match in _SENTENCE_END.finditer(text, para_start, para_end):
            word = text[max(para_start, match.start() - 6):match.start()].split()
            last = word[-1].casefold().lstrip("(“\"'‘") if word else ""
            if match.group().startswith(".") and (last in _ABBREVIATIONS or len(last) == 1):
                continue
            _append_trimmed(spans, text, position, match.end())
            position = match.end()
        _append_trimmed(spans, text, position, para_end)
    return spans
