"""An article's quotes as the user sees them: extracted ones (numbered) and saved ones.

Shared by the CLI (`reader quotes --article`) and the quote pane, so both number the
extracted quotes the same way `reader quotes save ARTICLE N` expects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from reader.models import Quote
from reader.quotes.anchor import locate, span_holds


@dataclass(slots=True)
class QuoteView:
    article_id: str
    text: str
    start: int
    end: int
    kind: str
    speaker: str
    n: int | None = None  # 1-based position among the extracted quotes
    id: str | None = None  # saved quote id
    saved: bool = False
    note: str = ""
    tags: list[str] = field(default_factory=list)
    origin: str = "auto"
    speaker_mention: str = ""
    cue: str = ""

    def public_dict(self) -> dict:
        """The `--json` shape DESIGN.md fixes for a quote."""
        return {
            "id": self.id,
            "n": self.n,
            "article_id": self.article_id,
            "text": self.text,
            "speaker": self.speaker or None,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "saved": self.saved,
            "note": self.note,
            "tags": list(self.tags),
        }


@lru_cache(maxsize=256)
def _extract_cached(body: str) -> tuple:
    from reader.quotes.extract import extract_quotes

    return tuple(extract_quotes(body))


def extracted_quotes(body: str) -> tuple:
    """Extraction is pure, so its result is cached per body text."""
    return _extract_cached(body)


def saved_view(quote: Quote, body: str | None = None) -> QuoteView:
    """A saved quote as shown; with the article text, its span is found again if it moved."""
    start, end = quote.start, quote.end
    if body is not None and not span_holds(body, start, end, quote.text):
        found = locate(body, quote.text, near=start)
        if found is not None:
            start, end = found
    return QuoteView(
        article_id=quote.article_id, text=quote.text, start=start, end=end,
        kind=quote.kind, speaker=quote.speaker, id=quote.id, saved=True, note=quote.note,
        tags=list(quote.tags), origin=quote.origin, speaker_mention=quote.speaker_mention,
        cue=quote.cue,
    )


def article_quote_views(article_id: str, body: str, saved: list[Quote]) -> list[QuoteView]:
    """Extracted quotes numbered 1..n (marked saved when kept), then passages saved by hand."""
    anchored = [saved_view(q, body) for q in saved]
    by_span = {(v.start, v.end): v for v in anchored}
    views: list[QuoteView] = []
    for number, found in enumerate(extracted_quotes(body), start=1):
        kept = by_span.pop((found.start, found.end), None)
        view = QuoteView(
            article_id=article_id, text=found.text, start=found.start, end=found.end,
            kind=found.kind, speaker=found.speaker, n=number,
            speaker_mention=found.speaker_mention, cue=found.cue,
        )
        if kept is not None:
            view.id, view.saved, view.note, view.tags = kept.id, True, kept.note, list(kept.tags)
            view.speaker = kept.speaker or view.speaker
        views.append(view)
    views.extend(sorted(by_span.values(), key=lambda v: v.start))
    return views
