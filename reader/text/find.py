"""Finding a phrase in article text, for search: case-, accent-form- and spacing-insensitive.

Feed bodies are stored as fetched HTML and become readable text only when an article opens
(reader.text.body), so a search over thousands of them would spend most of its time
converting. `TextQuery.may_be_in_markup` is a quick test on the stored HTML that never says
no when the readable text would say yes (a test checks this with generated documents); only
the bodies that pass it are converted and checked for the phrase itself.
"""

from __future__ import annotations

import html as _html
import re
import unicodedata

from reader.text.clean import clean_text
from reader.text.html import link_target

# A tag starts with a letter, "/", "!" or "?": "a < b" is text, and so it is in the readable
# text too. Removing tags can only join words, never split one, so no word goes missing.
_TAG = re.compile(r"<[A-Za-z/!?][^>]*>")
_HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
# Marks the conversion adds, even inside a word (bullets, heading and quote marks, link
# numbers "word[1]", “” for <q>, `code`, " | " between table cells, "* * *" for <hr>): the
# quick test splits a query at them, and "image"/"links" (from "[image: ]", "Links:")
# always pass.
_ADDED_MARKS = re.compile(r"[\s“”•#>`\[\]:.|*0-9]+")
_ADDED_WORDS = " image links "


def _fold(text: str) -> str:
    """Case-folded, NFC and free of what clean_text strips, spaces collapsed to one."""
    return " ".join(clean_text(text).casefold().split())


class TextQuery:
    """A phrase to look for; empty when the query has no words."""

    def __init__(self, query: str) -> None:
        self.phrase = _fold(query)
        self.words = [word for word in _ADDED_MARKS.split(self.phrase) if word]

    def __bool__(self) -> bool:
        return bool(self.phrase)

    def in_text(self, text: str) -> bool:
        """Whether readable text contains the phrase (any case, any run of spaces)."""
        return bool(self.phrase) and self.phrase in _fold(text)

    def may_be_in_markup(self, markup: str, base: str = "") -> bool:
        """False only if the readable text of this HTML (relative links resolved against
        `base`) cannot contain the phrase: every word must turn up in its text, or in what
        the conversion adds (alt texts, link URLs, "[image: ]", "Links:").

        Cheapest first: the text with its tags removed (which can join words, never split
        one); then the whole markup (attribute values, raw-text elements) with the base URL;
        then, for a word with a "/" in it, the links resolved against the base.
        """
        if not self.phrase:
            return False
        text = _flat(_TAG.sub("", markup))
        missing = [word for word in self.words if word not in text]
        if not missing:
            return True
        whole = f"{_flat(markup)} {base.casefold()}{_ADDED_WORDS}"
        missing = [word for word in missing if word not in whole]
        if not missing:
            return True
        # Resolving a link adds only "/"-separated parts and "%20" for a space: a word with
        # neither is not in the links list unless it is in the markup or the base already.
        if any("/" not in word and "%" not in word for word in missing):
            return False
        links = " ".join(link_target(_html.unescape("".join(groups)), base)
                         for groups in _HREF.findall(markup)).casefold()
        return all(word in links for word in missing)


def _flat(markup: str) -> str:
    """Entities decoded, NFC (removing a tag can join a letter and its accent) and case
    folded. Stored markup is clean already (clean_text at ingest); only what an entity
    spells can bring back a character to strip."""
    if "&" in markup:
        return clean_text(_html.unescape(markup)).casefold()
    return (markup if markup.isascii() else unicodedata.normalize("NFC", markup)).casefold()
