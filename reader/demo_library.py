"""The bundled demo library: fictional articles shipped in the package (`reader/demo/`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from reader.library.store import Library, LocalArticleInput
from reader.text.articles import parse_plain_article


def demo_articles() -> list[LocalArticleInput]:
    folder = resources.files("reader") / "demo"
    items = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt"):
            plain = parse_plain_article(entry.read_text("utf-8"))
            items.append(LocalArticleInput(plain.title, plain.author, plain.body))
    return items


def build_demo_library(data_dir: Path) -> Library:
    """A fresh writable library in `data_dir` holding the demo articles."""
    library = Library.open(data_dir)
    library.add_local_articles(demo_articles())
    return library
