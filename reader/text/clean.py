"""Strip what must never reach a terminal from untrusted text, once, at ingest.

Rich and Textual pass ESC, C1 controls and bidi overrides straight through to the terminal
(../notes/textual.md §5.5), so every string from a feed, a web page or an imported file goes
through `clean_line` (titles, names, links) or `clean_text` (bodies, which keep newlines/tabs).

Both run for every field of every entry of a refresh, so each has a fast path: every
character removed here is a control (Cc) or format (Cf) character, which `str.isprintable`
rejects, and `isprintable` scans ten times faster than the regular expression. Text that
passes it has nothing to remove (a test checks the equivalence over all of Unicode).
"""

from __future__ import annotations

import re
import unicodedata

# C0 controls except \t and \n, DEL, C1, zero-width and bidi controls, BOM.
_BODY_BAD = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_LINE_BAD = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_SPACES = re.compile(r"\s+")


def clean_text(text: str) -> str:
    """A body: controls removed, CRLF normalised, tabs and newlines kept."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():  # ASCII is NFC already (isascii costs nothing: a flag)
        text = unicodedata.normalize("NFC", text)
    if text.replace("\n", " ").replace("\t", " ").isprintable():
        return text
    return _BODY_BAD.sub("", text)


def clean_line(text: str) -> str:
    """A one-line field (title, author, URL): controls removed, whitespace collapsed."""
    if text.isprintable() and "  " not in text:  # no control, tab, newline or odd space
        return (text if text.isascii() else unicodedata.normalize("NFC", text)).strip()
    text = text.replace("\r", " ").replace("\n", " ").replace("\t", " ")
    text = _LINE_BAD.sub("", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip()
