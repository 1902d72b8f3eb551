"""Direct-quotation extraction with speaker attribution (pure stdlib, see extract.py)."""

from reader.quotes.extract import KINDS, ExtractedQuote, extract_quotes

__all__ = ["KINDS", "ExtractedQuote", "extract_quotes"]
