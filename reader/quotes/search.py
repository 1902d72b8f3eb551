"""Searching the quote library: free text plus `speaker:`, `tag:`, `feed:`, `article:` filters.

    defence speaker:Singh tag:"key points" feed:harbour

Free words must all appear in the quote text, its speaker or its note (case-insensitive);
each filter narrows further. The same query works in the TUI's quote library and in tests.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

from reader.export.quotes import QuoteRecord

FILTER_KEYS = ("speaker", "tag", "feed", "article")


@dataclass(slots=True)
class QuoteQuery:
    words: list[str] = field(default_factory=list)
    speaker: str = ""
    tag: str = ""
    feed: str = ""
    article: str = ""

    @property
    def empty(self) -> bool:
        return not (self.words or self.speaker or self.tag or self.feed or self.article)


def parse_query(text: str) -> QuoteQuery:
    """Never raises: unbalanced quotes fall back to splitting on spaces."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    query = QuoteQuery()
    for token in tokens:
        key, sep, value = token.partition(":")
        if sep and key.lower() in FILTER_KEYS and value:
            setattr(query, key.lower(), value.casefold())
        elif token:
            query.words.append(token.casefold())
    return query


def matches(record: QuoteRecord, query: QuoteQuery) -> bool:
    quote, article, feed = record.quote, record.article, record.feed
    if query.speaker and query.speaker not in quote.speaker.casefold():
        return False
    if query.tag and not any(query.tag == t.casefold() for t in quote.tags):
        return False
    if query.feed:
        names = (feed.title.casefold(), feed.url.casefold(), feed.id) if feed else ("local",)
        if not any(query.feed in name for name in names):
            return False
    if query.article and not (article.id.startswith(query.article)
                              or query.article in article.title.casefold()):
        return False
    haystack = f"{quote.text}\n{quote.speaker}\n{quote.note}".casefold()
    return all(word in haystack for word in query.words)


def search(records: list[QuoteRecord], text: str) -> list[QuoteRecord]:
    query = parse_query(text)
    if query.empty:
        return list(records)
    return [r for r in records if matches(r, query)]
