"""The bundled demo library: fictional articles shipped in the package (`reader/demo/`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from reader.library.store import Library, LocalArticleInput
from reader.text.articles import parse_plain_article


def demo_articles() -> list[LocalArticleInput]:
    folder = resources.files("reader") / "demo"
    items = []
    entries = [e for e in sorted(folder.iterdir(), key=lambda e: e.name) if e.name.endswith(".txt")]
    for index, entry in enumerate(entries):
        plain = parse_plain_article(entry.read_text("utf-8"))
        # Fixed dates, newest first in file order, so the demo looks the same every time.
        published = f"2025-11-{24 - index:02d}T0{index % 10}:30:00Z"
        items.append(LocalArticleInput(plain.title, plain.author, plain.body,
                                       published=published))
    return items


def build_demo_library(data_dir: Path) -> Library:
    """A fresh writable library in `data_dir` holding the demo articles."""
    library = Library.open(data_dir)
    library.add_local_articles(demo_articles())
    return library
