"""The bundled demo library: fictional articles shipped in the package (`reader/demo/`).

`reader --demo` works on its own copy in the cache folder: what you bookmark or save there
is still there when you reopen the demo, your real library is never touched, and
`reader --demo --reset-demo` starts the copy over.
"""

from __future__ import annotations

import shutil
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
    """A writable library in `data_dir` holding the demo articles (added once: re-adding is
    a no-op, so bookmarks and passages saved in the demo stay until it is reset)."""
    library = Library.open(data_dir)
    library.add_local_articles(demo_articles())
    return library


def open_demo_library(data_dir: Path, *, reset: bool = False) -> Library:
    """The demo's own library (a copy in the cache folder, never the user's library)."""
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    return build_demo_library(data_dir)
