"""The library store: durability, locking, damage handling, refresh, retention, queries.

Everything runs against a real data folder under tmp_path. "Crash" states are made by copying
the folder while a library is open: every write the store has confirmed is in the files at
that moment, which is what a `kill -9` would leave behind (tests/test_crash.py kills real
processes).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.library import journal as journal_module
from reader.library.errors import (
    LibraryDamaged,
    LibraryError,
    LibraryLocked,
    LibraryTooNew,
    ReadOnlyLibrary,
)
from reader.library.store import (
    SCHEMA_VERSION,
    FeedChange,
    Library,
    LocalArticleInput,
    restore_backup,
)
from reader.paths import ENV_DATA_DIR, default_data_dir, resolve_data_dir

BODY = (
    "The council met on Tuesday. “We will not raise taxes this year,” said Mayor Ana Souza.\n\n"
    "Critics were unconvinced. “It is a promise we have heard before,” said Ben Okafor."
)


@dataclass
class FakeEntry:
    guid: str
    title: str
    link: str
    author: str
    published: str | None
    text: str
    enclosures: list[dict] = field(default_factory=list)
    content_hash: str = ""


def entry(n: int, *, day: int | None = None, text: str | None = None,
          title: str | None = None) -> FakeEntry:
    """Entry n of a feed; a higher n is newer unless `day` says otherwise."""
    title = title if title is not None else f"Headline number {n}"
    text = text if text is not None else f"Body of entry {n}. {BODY}"
    return FakeEntry(
        guid=f"urn:entry:{n}", title=title, link=f"https://example.com/{n}",
        author=f"Author {n}", published=f"2025-10-{day or n:02d}T08:00:00Z", text=text,
        content_hash=f"{hash((title, text)) & 0xFFFFFFFF:08x}",
    )


def local(n: int, *, body: str = BODY, published: str | None = None) -> LocalArticleInput:
    return LocalArticleInput(title=f"Local story {n}", author="Ana Souza", body=body,
                             published=published or f"2025-09-{n:02d}T08:00:00Z")


def crash_copy(library_dir: Path, target: Path) -> Path:
    """What a kill -9 would leave: the files as they are now (the flock is not copied)."""
    shutil.copytree(library_dir, target)
    return target


@pytest.fixture
def lib_dir(tmp_path: Path) -> Path:
    return tmp_path / "lib"


@pytest.fixture
def lib(lib_dir: Path):
    library = Library.open(lib_dir)
    yield library
    library.close()


def refresh(library: Library, feed, entries) -> dict:
    return library.apply_refresh([FeedChange(feed, list(entries))])[feed.id]


# Opening, closing, local articles ---------------------------------------------------------

def test_open_close_round_trip(lib_dir: Path) -> None:
    with Library.open(lib_dir) as library:
        [(article, created)] = library.add_local_articles([local(1)])
        assert created and library.count() == 1
    with Library.open(lib_dir) as library:
        again = library.article(article.id)
        assert again is not None
        assert (again.title, again.author, again.published, again.source) == (
            "Local story 1", "Ana Souza", "2025-09-01T08:00:00Z", "local")
        assert again.feed_id is None
        assert library.body(article.id) == BODY


def test_close_twice_is_harmless_and_releases_the_lock(lib_dir: Path) -> None:
    library = Library.open(lib_dir)
    library.close()
    library.close()
    Library.open(lib_dir).close()


def test_add_local_articles_dedupes_same_content(lib: Library) -> None:
    first = lib.add_local_articles([local(1), local(1)])
    assert [created for _, created in first] == [True, False]
    assert first[0][0].id == first[1][0].id
    [(again, created)] = lib.add_local_articles([local(1)])
    assert not created and again.id == first[0][0].id
    [(other, created)] = lib.add_local_articles([local(1, body=BODY + " More.")])
    assert created and other.id != again.id
    assert lib.count() == 2


def test_read_and_bookmark_state_survive_reopen(lib_dir: Path) -> None:
    with Library.open(lib_dir) as library:
        ids = [a.id for a, _ in library.add_local_articles([local(1), local(2), local(3)])]
        assert library.set_read([ids[0], ids[1]]) == [ids[0], ids[1]]
        assert library.set_read([ids[0]]) == []  # already read: nothing changes
        assert library.set_bookmarked([ids[1]]) == [ids[1]]
        assert library.set_read(["no-such-id"]) == []
    with Library.open(lib_dir) as library:
        states = {i: (library.article(i).read, library.article(i).bookmarked) for i in ids}
        assert states == {ids[0]: (True, False), ids[1]: (True, True), ids[2]: (False, False)}
        assert library.set_read([ids[1]], False) == [ids[1]]
        assert library.set_bookmarked([ids[1]], False) == [ids[1]]
    with Library.open(lib_dir) as library:
        assert not library.article(ids[1]).read and not library.article(ids[1]).bookmarked


def test_state_is_durable_before_close(lib_dir: Path, tmp_path: Path) -> None:
    with Library.open(lib_dir) as library:
        [(article, _)] = library.add_local_articles([local(1)])
        library.set_bookmarked([article.id])
        library.set_read([article.id])
        copy = crash_copy(lib_dir, tmp_path / "crashed")
        with Library.open(lib_dir, readonly=True) as viewer:  # while the writer runs
            assert viewer.article(article.id).bookmarked
    with Library.open(copy) as reopened:
        assert reopened.article(article.id).bookmarked and reopened.article(article.id).read


# Locking and read-only --------------------------------------------------------------------

def test_second_writer_refused_naming_pid_while_readonly_works(lib_dir: Path) -> None:
    with Library.open(lib_dir) as library:
        [(article, _)] = library.add_local_articles([local(1)])
        library.set_bookmarked([article.id])
        with pytest.raises(LibraryLocked) as caught:
            Library.open(lib_dir)
        assert str(os.getpid()) in str(caught.value)
        assert caught.value.pid == os.getpid()
        with Library.open(lib_dir, readonly=True) as viewer:
            assert viewer.count() == 1 and viewer.article(article.id).bookmarked
            assert viewer.body(article.id) == BODY
    Library.open(lib_dir).close()  # the lock went with close()


def test_writer_in_another_process_is_named(lib_dir: Path) -> None:
    Library.open(lib_dir).close()
    code = (
        "import sys, time\n"
        "from reader.library.store import Library\n"
        "lib = Library.open(sys.argv[1])\n"
        "print('ready', flush=True)\n"
        "sys.stdin.readline()\n"
        "lib.close()\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code, str(lib_dir)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        with pytest.raises(LibraryLocked) as caught:
            Library.open(lib_dir)
        assert f"Reader process {child.pid}" in str(caught.value)
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.wait(timeout=30) == 0
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    Library.open(lib_dir).close()


@pytest.mark.parametrize("action", [
    lambda lib, aid, feed: lib.set_read([aid]),
    lambda lib, aid, feed: lib.set_bookmarked([aid]),
    lambda lib, aid, feed: lib.add_local_articles([local(9)]),
    lambda lib, aid, feed: lib.add_feed("https://other.example.com/feed"),
    lambda lib, aid, feed: lib.update_feeds([feed]),
    lambda lib, aid, feed: lib.remove_feed(feed.id),
    lambda lib, aid, feed: lib.edit_feed(feed.id, title="x"),
    lambda lib, aid, feed: lib.apply_refresh([FeedChange(feed, [entry(1)])]),
    lambda lib, aid, feed: lib.save_quote(aid, 0, 10),
    lambda lib, aid, feed: lib.update_quote("whatever", note="x"),
    lambda lib, aid, feed: lib.delete_quote("whatever"),
], ids=["read", "bookmark", "import", "add_feed", "update_feeds", "remove_feed", "edit_feed",
        "refresh",
        "save_quote", "update_quote", "delete_quote"])
def test_readonly_library_refuses_writes(lib_dir: Path, action) -> None:
    with Library.open(lib_dir) as library:
        [(article, _)] = library.add_local_articles([local(1)])
        feed = library.add_feed("https://example.com/feed.xml")
    before = {p.name: p.read_bytes() for p in lib_dir.iterdir() if p.is_file()}
    with Library.open(lib_dir, readonly=True) as viewer, pytest.raises(ReadOnlyLibrary):
        action(viewer, article.id, feed)
    after = {p.name: p.read_bytes() for p in lib_dir.iterdir() if p.is_file()}
    assert after == before


def test_readonly_open_of_missing_folder_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with Library.open(missing, readonly=True) as viewer:
        assert viewer.count() == 0 and viewer.articles() == [] and viewer.feeds() == []
    assert not missing.exists()


# Files on disk ----------------------------------------------------------------------------

def test_stale_temp_files_are_removed_at_open(lib_dir: Path) -> None:
    with Library.open(lib_dir) as library:
        library.add_local_articles([local(1)])
    stale = [
        lib_dir / ".library.json.123.abcd.tmp",
        lib_dir / ".state.json.99.0011.tmp",
        lib_dir / ".library.json.bak.77.tmp",
        lib_dir / "bodies" / "feeds" / ".f00d.json.5.beef.tmp",
        lib_dir / "bodies" / "local" / ".abc.txt.5.beef.tmp",
    ]
    for path in stale:
        path.write_bytes(b'{"half": "writ')
    keep = lib_dir / "notes.tmp.txt"
    keep.write_text("mine")
    with Library.open(lib_dir, readonly=True):
        assert all(p.exists() for p in stale)  # a reader never deletes a writer's temp files
    with Library.open(lib_dir) as library:
        assert library.count() == 1
    assert not any(p.exists() for p in stale)
    assert keep.exists()


def test_files_are_private(lib_dir: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        with Library.open(lib_dir) as library:
            [(article, _)] = library.add_local_articles([local(1)])
            feed = library.add_feed("https://example.com/feed.xml")
            refresh(library, feed, [entry(1), entry(2)])
            library.set_read([article.id])
            library.save_quote(article.id, 0, 10)
            library.save_quote(article.id, 0, 12)
        with Library.open(lib_dir) as library:
            library.set_bookmarked([article.id])
    finally:
        os.umask(old_umask)
    names = set()
    for path in [lib_dir, *lib_dir.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        names.add(path.name)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    assert {"library.json", "library.json.bak", "state.json", "quotes.json",
            "quotes.json.bak", "lock"} <= names


def test_schema_version_is_written(lib_dir: Path) -> None:
    Library.open(lib_dir).close()
    data = json.loads((lib_dir / "library.json").read_bytes())
    assert data["meta"]["schema"]["version"] == SCHEMA_VERSION


def _schema1_library(lib_dir: Path) -> tuple[str, str]:
    """A library as schema 1 wrote it: article documents were dicts."""
    with Library.open(lib_dir) as library:
        feed = library.add_feed("https://example.com/feed.xml", title="Example")
        [feed_article] = refresh(library, feed, [entry(1)]).new_ids
        [(local_article, _)] = library.add_local_articles([local(1)])
        library.set_bookmarked([feed_article])
        articles = {a.id: a.to_dict() for a in library.articles()}
    path = lib_dir / "library.json"
    data = json.loads(path.read_bytes())
    data["meta"]["schema"]["version"] = 1
    data["articles"] = articles
    path.write_text(json.dumps(data))
    return feed_article, local_article.id


def test_schema1_library_is_migrated_keeping_everything(lib_dir: Path) -> None:
    feed_article, local_article = _schema1_library(lib_dir)
    old = (lib_dir / "library.json").read_bytes()
    with Library.open(lib_dir, readonly=True) as viewer:  # read-only: read, never migrate
        assert viewer.article(feed_article).title == "Headline number 1"
        assert viewer.article(feed_article).bookmarked
    assert (lib_dir / "library.json").read_bytes() == old
    with Library.open(lib_dir) as library:
        article = library.article(feed_article)
        assert (article.title, article.guid, article.source) == (
            "Headline number 1", "urn:entry:1", "feed")
        assert article.bookmarked and library.body(feed_article) == entry(1).text
        assert library.article(local_article).title == "Local story 1"
        assert library.body(local_article) == BODY
    assert (lib_dir / "library.json.schema1").read_bytes() == old
    data = json.loads((lib_dir / "library.json").read_bytes())
    assert data["meta"]["schema"]["version"] == SCHEMA_VERSION
    with Library.open(lib_dir) as library:
        assert library.count() == 2 and library.article(feed_article).bookmarked


@pytest.mark.parametrize("readonly", [False, True])
def test_newer_schema_is_refused(lib_dir: Path, readonly: bool) -> None:
    with Library.open(lib_dir) as library:
        library.add_local_articles([local(1)])
    path = lib_dir / "library.json"
    data = json.loads(path.read_bytes())
    data["meta"]["schema"]["version"] = SCHEMA_VERSION + 1
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(LibraryTooNew) as caught:
        Library.open(lib_dir, readonly=readonly)
    assert f"schema {SCHEMA_VERSION + 1}" in str(caught.value)
    assert path.read_bytes() == before
    with pytest.raises(LibraryTooNew):  # the failed open let go of the lock
        Library.open(lib_dir)


# Damage and backups -----------------------------------------------------------------------

def _library_with_backup(lib_dir: Path) -> tuple[str, str]:
    """A library with two local articles and a library.json.bak; returns their ids."""
    with Library.open(lib_dir) as library:
        [(first, _)] = library.add_local_articles([local(1)])
        [(second, _)] = library.add_local_articles([local(2)])
    assert (lib_dir / "library.json.bak").exists()
    return first.id, second.id


DAMAGE = {
    "garbage": lambda good: b"\x00\xff\xfe\x9c not json at all \x00",
    "truncated": lambda good: good[: len(good) // 2],
    "empty": lambda good: b"",
    "zeros": lambda good: b"\x00" * 4096,
    "not-a-document": lambda good: b"[1, 2, 3]",
}


@pytest.mark.parametrize("kind", DAMAGE)
@pytest.mark.parametrize("readonly", [False, True])
def test_damaged_library_json_is_reported_and_left_alone(
    lib_dir: Path, kind: str, readonly: bool
) -> None:
    _library_with_backup(lib_dir)
    path = lib_dir / "library.json"
    damaged = DAMAGE[kind](path.read_bytes())
    path.write_bytes(damaged)
    with pytest.raises(LibraryDamaged) as caught:
        Library.open(lib_dir, readonly=readonly)
    message = str(caught.value)
    assert "library.json" in message and "library.json.bak" in message
    assert "restore-backup" in message
    assert caught.value.backup == lib_dir / "library.json.bak"
    assert path.read_bytes() == damaged
    with pytest.raises(LibraryDamaged):  # again: the failed open released the lock
        Library.open(lib_dir)
    assert path.read_bytes() == damaged


def _wrong_article(data: dict) -> dict:
    data["articles"][next(iter(data["articles"]))] = 42
    return data


@pytest.mark.parametrize(("name", "change"), [
    ("library.json", _wrong_article),
    ("library.json", lambda data: {**data, "articles": [1, 2]}),
    ("library.json", lambda data: {**data, "meta": {"schema": {"version": "two"}}}),
    ("state.json", lambda data: [data]),
    ("quotes.json", lambda data: {"version": 1, "quotes": [5]}),
], ids=["article-not-a-row", "table-not-a-dict", "bad-version", "state-list", "quote-int"])
def test_valid_json_of_the_wrong_shape_is_damage_not_a_crash(
    lib_dir: Path, name: str, change
) -> None:
    with Library.open(lib_dir) as library:
        [(article, _)] = library.add_local_articles([local(1)])
        library.set_read([article.id])
        library.save_quote(article.id, 0, 8)
    path = lib_dir / name
    damaged = json.dumps(change(json.loads(path.read_bytes()))).encode()
    path.write_bytes(damaged)
    with pytest.raises(LibraryDamaged) as caught:
        Library.open(lib_dir)
    assert name in str(caught.value) and f"{name}.bak" in str(caught.value)
    assert path.read_bytes() == damaged
    assert restore_backup(lib_dir) == [name]
    with Library.open(lib_dir) as library:
        assert library.article(article.id).read and library.saved_quotes(article.id)


def test_restore_backup_restores_and_keeps_the_damaged_copy(lib_dir: Path) -> None:
    first, second = _library_with_backup(lib_dir)
    path = lib_dir / "library.json"
    damaged = path.read_bytes()[:100]
    path.write_bytes(damaged)
    assert restore_backup(lib_dir) == ["library.json"]
    aside = list(lib_dir.glob("library.json.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    with Library.open(lib_dir) as library:  # the backup is the last good write
        assert library.article(first) is not None and library.article(second) is not None
        assert library.body(first) == BODY
    assert restore_backup(lib_dir) == []  # nothing damaged any more


def test_restore_backup_with_a_damaged_backup_changes_nothing(lib_dir: Path) -> None:
    _library_with_backup(lib_dir)
    path, backup = lib_dir / "library.json", lib_dir / "library.json.bak"
    path.write_bytes(b"{broken")
    backup.write_bytes(b'{"articles": [1]}')
    with pytest.raises(LibraryError, match="both damaged"):
        restore_backup(lib_dir)
    assert path.read_bytes() == b"{broken"
    assert not list(lib_dir.glob("library.json.damaged-*"))


def test_restore_backup_refuses_while_a_writer_runs(lib_dir: Path) -> None:
    _library_with_backup(lib_dir)
    with Library.open(lib_dir), pytest.raises(LibraryLocked):
        restore_backup(lib_dir)


def test_damaged_without_backup_gives_a_clear_error(lib_dir: Path) -> None:
    _library_with_backup(lib_dir)
    (lib_dir / "library.json.bak").unlink()  # lost, or a library from before backups
    path = lib_dir / "library.json"
    path.write_bytes(b"{\"meta\": {")
    with pytest.raises(LibraryDamaged) as caught:
        Library.open(lib_dir)
    assert caught.value.backup is None and "No backup exists" in str(caught.value)
    with pytest.raises(LibraryError, match="no backup"):
        restore_backup(lib_dir)
    assert path.read_bytes() == b"{\"meta\": {"


@pytest.mark.parametrize("name", ["state.json", "quotes.json"])
def test_damaged_small_files_are_reported_and_restorable(lib_dir: Path, name: str) -> None:
    with Library.open(lib_dir) as library:
        [(article, _)] = library.add_local_articles([local(1)])
        library.set_read([article.id])
        library.save_quote(article.id, 0, 10)
    with Library.open(lib_dir) as library:
        library.set_bookmarked([article.id])
        library.save_quote(article.id, 0, 12)
    path = lib_dir / name
    path.write_bytes(path.read_bytes()[:-3])
    damaged = path.read_bytes()
    with pytest.raises(LibraryDamaged) as caught:
        Library.open(lib_dir)
    assert f"{name}.bak" in str(caught.value)
    assert path.read_bytes() == damaged
    assert restore_backup(lib_dir) == [name]
    with Library.open(lib_dir) as library:
        assert library.article(article.id).read
        assert library.saved_quotes(article.id)


# The state journal ------------------------------------------------------------------------

def test_torn_last_journal_line_is_ignored(lib_dir: Path, tmp_path: Path) -> None:
    with Library.open(lib_dir) as library:
        ids = [a.id for a, _ in library.add_local_articles([local(1), local(2), local(3)])]
    with Library.open(lib_dir) as library:
        library.set_bookmarked([ids[0]])
        library.set_read([ids[1]])
        library.set_bookmarked([ids[0]], False)
        library.set_bookmarked([ids[0]])
        copy = crash_copy(lib_dir, tmp_path / "crashed")
    log = copy / "state.log"
    assert log.read_bytes().count(b"\n") == 4
    with log.open("ab") as handle:  # the write a crash cut short
        handle.write(b'{"f":"bookmarked","v":1,"ids":["' + ids[2][:5].encode())
    torn = log.read_bytes()
    with Library.open(copy, readonly=True) as viewer:
        assert viewer.article(ids[0]).bookmarked and viewer.article(ids[1]).read
        assert not viewer.article(ids[2]).bookmarked
    assert log.read_bytes() == torn  # a reader changes nothing
    with Library.open(copy) as library:
        assert library.article(ids[0]).bookmarked and library.article(ids[1]).read
        assert not library.article(ids[2]).bookmarked
        library.set_bookmarked([ids[2]])  # appending after the torn line is safe
        again = crash_copy(copy, tmp_path / "crashed-again")
    with Library.open(again) as library:
        assert [a.id for a in library.articles(bookmarked=True)] == [ids[2], ids[0]]
        assert library.article(ids[1]).read


def test_damaged_line_in_the_middle_does_not_lose_the_rest(lib_dir: Path,
                                                           tmp_path: Path) -> None:
    with Library.open(lib_dir) as library:
        ids = [a.id for a, _ in library.add_local_articles([local(1), local(2)])]
        library.set_bookmarked([ids[0]])
        copy = crash_copy(lib_dir, tmp_path / "crashed")
    with (copy / "state.log").open("ab") as handle:
        handle.write(b"\x00\x00garbage\n")
        handle.write(json.dumps({"f": "read", "v": 1, "ids": [ids[1]]}).encode() + b"\n")
    with Library.open(copy) as library:
        assert library.article(ids[0]).bookmarked and library.article(ids[1]).read


def test_journal_compaction_keeps_state(lib_dir: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal_module, "COMPACT_AFTER_LINES", 5)
    expected: dict[str, bool] = {}
    with Library.open(lib_dir) as library:
        ids = [a.id for a, _ in library.add_local_articles([local(n) for n in range(1, 8)])]
        for step in range(23):
            article_id = ids[step % len(ids)]
            value = step % 3 != 0
            library.set_bookmarked([article_id], value)
            expected[article_id] = value
            assert (lib_dir / "state.log").read_bytes().count(b"\n") < 5
        copy = crash_copy(lib_dir, tmp_path / "crashed")
    assert json.loads((lib_dir / "state.json").read_bytes())["bookmarked"] == sorted(
        i for i, v in expected.items() if v)
    assert (lib_dir / "state.log").read_bytes() == b""
    for folder in (lib_dir, copy):
        with Library.open(folder) as library:
            assert {i: library.article(i).bookmarked for i in expected} == expected


STATE_OPS = st.lists(
    st.tuples(st.sampled_from(["read", "bookmarked", "crash", "reopen"]),
              st.integers(0, 3), st.booleans()),
    max_size=25,
)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=STATE_OPS)
def test_state_matches_a_model_through_crashes_and_compactions(ops) -> None:
    old_threshold = journal_module.COMPACT_AFTER_LINES
    journal_module.COMPACT_AFTER_LINES = 4
    try:
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "lib"
            library = Library.open(folder)
            try:
                ids = [a.id for a, _ in library.add_local_articles([local(n) for n in range(4)])]
                model = {i: {"read": False, "bookmarked": False} for i in ids}
                for step, (op, index, value) in enumerate(ops):
                    if op in ("crash", "reopen"):
                        if op == "crash":
                            folder = crash_copy(folder, Path(scratch) / f"crash{step}")
                        library.close()
                        library = Library.open(folder)
                        for article_id, state in model.items():
                            article = library.article(article_id)
                            assert (article.read, article.bookmarked) == (
                                state["read"], state["bookmarked"])
                        continue
                    setter = library.set_read if op == "read" else library.set_bookmarked
                    changed = setter([ids[index]], value)
                    assert changed == ([ids[index]] if model[ids[index]][op] != value else [])
                    model[ids[index]][op] = value
            finally:
                library.close()
    finally:
        journal_module.COMPACT_AFTER_LINES = old_threshold


# Quotes -----------------------------------------------------------------------------------

def test_quotes_save_update_delete_survive_reopen(lib_dir: Path) -> None:
    start = BODY.index("“")
    end = BODY.index("”") + 1
    with Library.open(lib_dir) as library:
        [(article, _)] = library.add_local_articles([local(1)])
        quote = library.save_quote(article.id, start, end, speaker="Ana Souza",
                                   tags=["tax", "tax", ""], note="first")
        assert quote.text == BODY[start:end] and quote.tags == ["tax"]
        other = library.save_quote(article.id, 0, 10)
    with Library.open(lib_dir) as library:
        [saved, first] = library.saved_quotes(article.id)
        assert first.id == quote.id and first.speaker == "Ana Souza" and first.note == "first"
        assert saved.id == other.id
        assert library.quote(quote.id[:6]).id == quote.id
        library.update_quote(quote.id, note="edited", tags=["budget"], speaker="A. Souza")
        again = library.save_quote(article.id, start, end, note="again")  # same span
        assert again.id == quote.id and again.created_at == quote.created_at
        library.delete_quote(other.id)
        with pytest.raises(LibraryError):
            library.delete_quote(other.id)
        with pytest.raises(LibraryError):
            library.update_quote("nope", note="x")
    with Library.open(lib_dir) as library:
        [only] = library.saved_quotes()
        assert only.id == quote.id and only.note == "again"


@pytest.mark.parametrize("span", [(-1, 5), (5, 5), (6, 5), (0, len(BODY) + 1),
                                  (len(BODY), len(BODY) + 2)])
def test_out_of_range_quote_spans_are_refused(lib: Library, span: tuple[int, int]) -> None:
    [(article, _)] = lib.add_local_articles([local(1)])
    with pytest.raises(LibraryError, match="outside"):
        lib.save_quote(article.id, *span)
    assert lib.saved_quotes() == []
    with pytest.raises(LibraryError):
        lib.save_quote("no-such-article", 0, 5)
    assert lib.save_quote(article.id, 0, len(BODY)).text == BODY  # the whole text is fine


# Refresh ----------------------------------------------------------------------------------

def test_apply_refresh_counts_new_and_skips_unchanged(lib: Library) -> None:
    feed = lib.add_feed("https://example.com/feed.xml", title="Example", tags=["news"])
    result = refresh(lib, feed, [entry(1), entry(2), entry(3), entry(3)])
    assert (result.new, result.updated, result.removed) == (3, 0, 0)
    assert len(result.new_ids) == 3
    stored = {a.id: a for a in lib.articles(feed_id=feed.id)}
    assert set(stored) == set(result.new_ids)
    article = next(a for a in stored.values() if a.title == "Headline number 2")
    assert article.feed_id == feed.id and article.source == "feed"
    assert article.guid == "urn:entry:2" and article.link == "https://example.com/2"
    assert lib.body(article.id) == entry(2).text
    again = refresh(lib, feed, [entry(1), entry(2), entry(3)])
    assert (again.new, again.updated, again.removed, again.new_ids) == (0, 0, 0, [])
    assert lib.article(article.id).added_at == article.added_at


def test_changed_entry_is_updated_in_place_keeping_state_and_quotes(lib_dir: Path) -> None:
    with Library.open(lib_dir) as library:
        feed = library.add_feed("https://example.com/feed.xml")
        [article_id] = refresh(library, feed, [entry(1)]).new_ids
        library.set_read([article_id])
        library.set_bookmarked([article_id])
        quote = library.save_quote(article_id, 0, 8)
        changed = entry(1, title="Headline, corrected", text="Corrected body. " + BODY)
        result = refresh(library, feed, [changed])
        assert (result.new, result.updated) == (0, 1)
        article = library.article(article_id)
        assert article.title == "Headline, corrected" and article.read and article.bookmarked
        assert library.body(article_id).startswith("Corrected body.")
    with Library.open(lib_dir) as library:
        article = library.article(article_id)
        assert article.title == "Headline, corrected" and article.read and article.bookmarked
        assert [q.id for q in library.saved_quotes(article_id)] == [quote.id]
        assert library.body(article_id).startswith("Corrected body.")
        assert library.count() == 1


def test_retention_keeps_newest_and_never_prunes_bookmarked_or_quoted(lib_dir: Path) -> None:
    with Library.open(lib_dir) as library:
        library.keep_per_feed = 3
        feed = library.add_feed("https://example.com/feed.xml")
        ids = refresh(library, feed, [entry(n) for n in (1, 2, 3)]).new_ids
        by_title = {library.article(i).title: i for i in ids}
        oldest, second = by_title["Headline number 1"], by_title["Headline number 2"]
        library.set_bookmarked([oldest])
        library.save_quote(second, 0, 8)
        result = refresh(library, feed, [entry(n) for n in (1, 2, 3, 4, 5, 6)])
        assert result.new == 3
        kept = [a.title for a in library.articles(feed_id=feed.id)]
        assert kept == ["Headline number 6", "Headline number 5", "Headline number 4",
                        "Headline number 2", "Headline number 1"]
        assert result.removed == 1  # number 3: neither new enough nor protected
    with Library.open(lib_dir) as library:
        assert [a.title for a in library.articles(feed_id=feed.id)] == kept
        assert library.body(oldest) == entry(1).text
        assert library.body(second) == entry(2).text


def test_entries_pruned_at_once_are_not_counted_as_new(lib: Library) -> None:
    lib.keep_per_feed = 2
    feed = lib.add_feed("https://example.com/feed.xml")
    first = refresh(lib, feed, [entry(n) for n in (1, 2, 3, 4)])
    assert first.new == 2 and len(first.new_ids) == 2
    assert all(lib.article(i) is not None for i in first.new_ids)
    assert [a.title for a in lib.articles()] == ["Headline number 4", "Headline number 3"]
    second = refresh(lib, feed, [entry(n) for n in (1, 2, 3, 4)])
    assert (second.new, second.new_ids) == (0, [])


def test_pruned_then_refetched_article_does_not_inherit_old_state(
    lib_dir: Path, tmp_path: Path
) -> None:
    with Library.open(lib_dir) as library:
        library.keep_per_feed = 2
        feed = library.add_feed("https://example.com/feed.xml")
        ids = refresh(library, feed, [entry(1), entry(2)]).new_ids
        old = next(i for i in ids if library.article(i).title == "Headline number 1")
        library.set_read([old])
        assert refresh(library, feed, [entry(n) for n in (1, 2, 3, 4)]).removed == 2
        assert library.article(old) is None
        copy = crash_copy(lib_dir, tmp_path / "crashed")
    with Library.open(copy) as library:
        library.keep_per_feed = 10
        refresh(library, feed, [entry(n) for n in (1, 2, 3, 4)])
        article = library.article(old)
        assert article is not None and not article.read
        assert library.counts(feed.id) == (4, 4)
    with Library.open(copy) as library:
        assert not library.article(old).read
        assert library.counts(feed.id) == (4, 4)


def test_refresh_saves_feed_metadata_and_ignores_removed_feeds(lib: Library) -> None:
    feed = lib.add_feed("https://example.com/feed.xml")
    gone = lib.add_feed("https://gone.example.com/feed.xml")
    lib.remove_feed(gone.id)
    feed.etag = '"abc"'
    feed.title = "Renamed"
    results = lib.apply_refresh([FeedChange(feed, None), FeedChange(gone, [entry(1)])])
    assert set(results) == {feed.id}
    assert lib.feed(feed.id).etag == '"abc"' and lib.feed(feed.id).title == "Renamed"
    assert lib.count() == 0 and lib.feed(gone.id) is None


def test_edit_feed_renames_retags_and_survives_reopen(lib_dir: Path) -> None:
    with Library.open(lib_dir) as library:
        feed = library.add_feed("https://example.com/feed.xml", title="Old", tags=["news"])
        changed = library.edit_feed(feed.id, title="  New\x1b[31m name\n ",
                                    tags=["#tech", "tech", " ", "world\u202e", "news"])
        assert changed.title == "New[31m name"  # controls stripped, one line
        assert changed.tags == ["tech", "world", "news"]  # "#" dropped, duplicates and blanks
        assert library.tags() == ["news", "tech", "world"]
        assert library.edit_feed(feed.id, tags=[]).tags == []  # title left alone
        assert library.feed(feed.id).title == "New[31m name"
        with pytest.raises(LibraryError, match="No feed"):
            library.edit_feed("nope", title="x")
    with Library.open(lib_dir) as library:
        assert (library.feed(feed.id).title, library.feed(feed.id).tags) == ("New[31m name", [])


def test_an_edit_made_during_a_refresh_wins_over_its_snapshot(lib: Library) -> None:
    feed = lib.add_feed("https://example.com/feed.xml", title="Site title", tags=["a"])
    snapshot = lib.feed(feed.id)  # what a refresh started with
    lib.edit_feed(feed.id, title="My name", tags=["b"])
    lib.apply_refresh([FeedChange(snapshot, [entry(1)])])
    assert (lib.feed(feed.id).title, lib.feed(feed.id).tags) == ("My name", ["b"])
    assert lib.counts(feed.id) == (1, 1)  # the refresh itself still landed
    # A title cleared by the user is filled by the refresh that brings one.
    lib.edit_feed(feed.id, title="")
    lib.apply_refresh([FeedChange(replace(snapshot, title="From the feed"), [])])
    assert lib.feed(feed.id).title == "From the feed"
    # With the refresh's own snapshot, clearing the title while it ran is an edit too.
    started = lib.feed(feed.id)
    lib.edit_feed(feed.id, title="", tags=["c"])
    lib.apply_refresh([FeedChange(replace(started), [], before=started)])
    assert (lib.feed(feed.id).title, lib.feed(feed.id).tags) == ("", ["c"])
    # A refresh that fills an empty title keeps doing so when nobody edited meanwhile.
    started = lib.feed(feed.id)
    lib.apply_refresh([FeedChange(replace(started, title="Filled"), [], before=started)])
    assert lib.feed(feed.id).title == "Filled"


def test_remove_feed_keeps_bookmarked_and_quoted(lib_dir: Path) -> None:
    with Library.open(lib_dir) as library:
        feed = library.add_feed("https://example.com/feed.xml")
        other = library.add_feed("https://other.example.com/feed.xml")
        ids = refresh(library, feed, [entry(n) for n in (1, 2, 3, 4)]).new_ids
        [other_id] = refresh(library, other, [entry(9)]).new_ids
        titles = {library.article(i).title: i for i in ids}
        marked, quoted = titles["Headline number 1"], titles["Headline number 2"]
        library.set_bookmarked([marked])
        library.set_read([titles["Headline number 3"]])
        library.save_quote(quoted, 0, 8)
        assert library.remove_feed(feed.id) == (2, 2)
        assert library.feed(feed.id) is None
        assert library.article(titles["Headline number 3"]) is None
        assert library.article(titles["Headline number 4"]) is None
        assert library.body(marked) == entry(1).text
        with pytest.raises(LibraryError):
            library.remove_feed(feed.id)
    with Library.open(lib_dir) as library:
        assert {a.id for a in library.articles()} == {marked, quoted, other_id}
        assert library.body(marked) == entry(1).text
        assert library.body(quoted) == entry(2).text
        assert library.body(other_id) == entry(9).text
        assert library.article(marked).bookmarked
        assert [f.id for f in library.feeds()] == [other.id]


# Queries ----------------------------------------------------------------------------------

@pytest.fixture
def populated(lib: Library):
    world = lib.add_feed("https://world.example.com/feed", title="World Desk",
                         tags=["news", "world"])
    tech = lib.add_feed("https://tech.example.com/feed", title="Tech Wire", tags=["tech"])
    world_ids = refresh(lib, world, [entry(n, day=n) for n in (1, 3, 5)]).new_ids
    tech_ids = refresh(lib, tech, [
        entry(10, day=2, title="Chips and tariffs"), entry(11, day=4, title="Quantum hype"),
    ]).new_ids
    local_ids = [a.id for a, _ in lib.add_local_articles(
        [local(1, published="2025-10-06T08:00:00Z")])]
    by_title = {lib.article(i).title: i for i in world_ids + tech_ids + local_ids}
    lib.set_read([by_title["Headline number 3"], by_title["Quantum hype"]])
    lib.set_bookmarked([by_title["Headline number 1"], by_title["Chips and tariffs"]])
    return lib, world, tech, by_title


def titles(articles) -> list[str]:
    return [a.title for a in articles]


def test_articles_newest_first_and_filters(populated) -> None:
    lib, world, _tech, _ = populated
    assert titles(lib.articles()) == [
        "Local story 1", "Headline number 5", "Quantum hype", "Headline number 3",
        "Chips and tariffs", "Headline number 1"]
    assert titles(lib.articles(limit=2)) == ["Local story 1", "Headline number 5"]
    assert titles(lib.articles(feed_id=world.id)) == [
        "Headline number 5", "Headline number 3", "Headline number 1"]
    assert titles(lib.articles(feed_id=world.id, unread=True)) == [
        "Headline number 5", "Headline number 1"]
    assert titles(lib.articles(local=True)) == ["Local story 1"]
    assert titles(lib.articles(tag="tech")) == ["Quantum hype", "Chips and tariffs"]
    assert titles(lib.articles(tag="news", unread=True)) == [
        "Headline number 5", "Headline number 1"]
    assert titles(lib.articles(tag="nope")) == []
    assert titles(lib.articles(unread=True)) == [
        "Local story 1", "Headline number 5", "Chips and tariffs", "Headline number 1"]
    assert titles(lib.articles(bookmarked=True)) == ["Chips and tariffs", "Headline number 1"]
    assert titles(lib.articles(feed_id="unknown")) == []


def test_articles_filters_combine(populated) -> None:
    lib, world, _tech, _ = populated
    assert titles(lib.articles(bookmarked=True, feed_id=world.id)) == ["Headline number 1"]
    assert titles(lib.articles(bookmarked=True, tag="tech")) == ["Chips and tariffs"]
    assert titles(lib.articles(bookmarked=True, local=True)) == []
    assert titles(lib.articles(tag="tech", feed_id=world.id)) == []
    assert titles(lib.articles(tag="news", search="number 5")) == ["Headline number 5"]
    assert titles(lib.articles(bookmarked=True, unread=True, limit=1)) == ["Chips and tariffs"]


def test_articles_search(populated) -> None:
    lib, *_ = populated
    assert titles(lib.articles(search="QUANTUM")) == ["Quantum hype"]
    assert titles(lib.articles(search="author 10")) == ["Chips and tariffs"]  # author
    assert titles(lib.articles(search="tech wire")) == ["Quantum hype", "Chips and tariffs"]
    assert titles(lib.articles(search="ana souza")) == ["Local story 1"]
    assert lib.articles(search="nothing like this") == []


def test_counts_and_tags(populated) -> None:
    lib, world, tech, _ = populated
    assert lib.counts(world.id) == (2, 3)
    assert lib.counts(tech.id) == (1, 2)
    assert lib.counts(None) == (1, 1)
    assert lib.tags() == ["news", "tech", "world"]
    assert lib.feed("https://tech.example.com/feed").id == tech.id


def test_article_by_unique_prefix(lib: Library) -> None:
    feed = lib.add_feed("https://example.com/feed.xml")
    ids = refresh(lib, feed, [entry(n, day=1) for n in range(1, 1201)]).new_ids
    prefixes = Counter(i[:4] for i in ids)
    shared = next(p for p, n in prefixes.items() if n > 1)
    unique_id = next(i for i in ids if prefixes[i[:4]] == 1)
    assert lib.article(unique_id).id == unique_id
    assert lib.article(unique_id[:4]).id == unique_id
    assert lib.article(unique_id[:7]).id == unique_id
    assert lib.article(shared) is None  # ambiguous
    assert lib.article(unique_id[:3]) is None  # too short to trust
    assert lib.article("zzzz") is None


# Where the library lives ------------------------------------------------------------------

def test_data_dir_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_DATA_DIR, str(tmp_path / "from-env"))
    assert resolve_data_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert resolve_data_dir(None) == tmp_path / "from-env"
    assert resolve_data_dir("") == tmp_path / "from-env"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert resolve_data_dir("~/lib") == tmp_path / "home" / "lib"
    monkeypatch.setenv(ENV_DATA_DIR, "~/envlib")
    assert resolve_data_dir() == tmp_path / "home" / "envlib"
    monkeypatch.delenv(ENV_DATA_DIR)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert resolve_data_dir() == default_data_dir()
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "reader"


def test_cli_data_dir_option_wins_over_environment(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    explicit, env_dir = tmp_path / "explicit", tmp_path / "env"
    for folder, n in ((explicit, 1), (env_dir, 2)):
        with Library.open(folder) as library:
            library.add_local_articles([local(n)])
    monkeypatch.setenv(ENV_DATA_DIR, str(env_dir))

    def listed(*args: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-m", "reader", *args, "articles", "--json"],
                              capture_output=True, text=True, timeout=60, check=True)
        return [a["title"] for a in json.loads(proc.stdout)]

    assert listed() == ["Local story 2"]
    assert listed("--data-dir", str(explicit)) == ["Local story 1"]
