"""Saved quotes in a small file of their own (`quotes.json`), rewritten atomically per change.

Quotes are few (thousands, not millions) and precious, so each save, edit or delete is made
durable before the caller is told it happened; one backup generation is kept.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from reader.library.atomic import atomic_write
from reader.library.storage import load_json_file
from reader.models import Quote


class QuoteStore:
    def __init__(self, directory: Path, readonly: bool = False) -> None:
        self.path = directory / "quotes.json"
        self.readonly = readonly
        self.by_id: dict[str, Quote] = {}

    def load(self) -> None:
        data = load_json_file(self.path) or {"quotes": []}
        self.by_id = {}
        for item in data.get("quotes", []):
            quote = Quote.from_dict(item)
            self.by_id[quote.id] = quote

    def _write(self) -> None:
        payload = orjson.dumps(
            {"version": 1, "quotes": [q.to_dict() for q in self.by_id.values()]}
        )
        atomic_write(self.path, payload, backup=True)

    def put(self, quote: Quote) -> None:
        previous = self.by_id.get(quote.id)
        self.by_id[quote.id] = quote
        try:
            self._write()
        except BaseException:
            if previous is None:
                self.by_id.pop(quote.id, None)
            else:
                self.by_id[quote.id] = previous
            raise

    def delete(self, quote_id: str) -> Quote | None:
        quote = self.by_id.pop(quote_id, None)
        if quote is None:
            return None
        try:
            self._write()
        except BaseException:
            self.by_id[quote_id] = quote
            raise
        return quote

    def for_article(self, article_id: str) -> list[Quote]:
        return sorted(
            (q for q in self.by_id.values() if q.article_id == article_id),
            key=lambda q: (q.start, q.end),
        )

    def article_ids(self) -> set[str]:
        return {q.article_id for q in self.by_id.values()}
