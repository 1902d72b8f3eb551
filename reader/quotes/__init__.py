"""Direct-quotation extraction with speaker attribution (pure stdlib, see extract.py).

The extractor compiles its patterns on import (~30 ms), so it is loaded on first use:
`reader refresh` and the library never pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reader.quotes.extract import KINDS, ExtractedQuote, extract_quotes

__all__ = ["KINDS", "ExtractedQuote", "extract_quotes"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from reader.quotes import extract

        return getattr(extract, name)
    raise AttributeError(f"module 'reader.quotes' has no attribute {name!r}")
