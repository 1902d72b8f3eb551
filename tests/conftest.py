"""Shared fixtures: libraries built from the test's own files (never ../shared)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.library.store import Library, LocalArticleInput
from reader.text.importer import read_article

DATA = Path(__file__).parent / "data"
ARTICLES = DATA / "articles"

HOSTILE_TITLES = [
    "[@click=app.quit]x",
    "[ @click=app.quit]Click me",
    "[/",
    "[link=https://e]x[/link]",
    "Unbalanced [/] and [red",
    "[bold]x[/bold]",
    "[type=x, v={'a[0]'}]",
    "\x1b]0;pwned\x07 terminal title",
    "\x9b31m C1 red \u202e bidi",
]


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever touches the user's real library."""
    monkeypatch.setenv("READER_DATA_DIR", str(tmp_path / "default-library"))
    monkeypatch.setenv("READER_DEMO_DIR", str(tmp_path / "demo-library"))
    monkeypatch.setenv("READER_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "library"


def fixed_articles() -> list[LocalArticleInput]:
    """The test articles, with fixed dates so screens are the same every run."""
    items = []
    paths = sorted(ARTICLES.iterdir())
    for index, path in enumerate(paths):
        item = read_article(path)
        item.published = f"2025-11-{10 + index:02d}T09:00:00Z"
        items.append(item)
    return items


@pytest.fixture
def filled_library(data_dir: Path) -> Library:
    library = Library.open(data_dir)
    library.add_local_articles(fixed_articles())
    yield library
    library.close()


@pytest.fixture
def filled_dir(data_dir: Path) -> Path:
    library = Library.open(data_dir)
    library.add_local_articles(fixed_articles())
    library.close()
    return data_dir


def env_without_data_dir() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("READER_DATA_DIR", None)
    return env
