"""The command line through its real entry point (`python -m reader`), in subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.library.store import Library

from .conftest import ARTICLES, DATA

ARTICLE_FIELDS = {"id", "feed_id", "title", "author", "link", "published", "read",
                  "bookmarked", "source"}


def run(*args: str, data_dir: Path | None = None, stdin: str | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "reader"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.run(command + list(args), capture_output=True, text=True,
                          timeout=timeout, input=stdin, env=dict(os.environ))


def assert_one_clear_error(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("reader: ")


def test_version_and_help() -> None:
    version = run("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("reader ")
    helptext = run("--help")
    assert helptext.returncode == 0
    for command in ("articles", "show", "bookmark", "import", "quotes", "export", "refresh"):
        assert command in helptext.stdout


@pytest.mark.parametrize("args", [
    ["articles", "--limit", "zero"],
    ["articles", "--limit", "0"],
    ["no-such-command"],
    ["show"],
    ["export", "everything"],
    ["export", "quotes", "--since", "yesterday"],
    ["--demo", "articles"],
    ["--reset-demo"],
])
def test_bad_arguments_give_one_sentence_and_status_2(args: list[str], data_dir: Path) -> None:
    result = run(*args, data_dir=data_dir)
    assert result.returncode == 2
    assert_one_clear_error(result)


def test_import_lists_and_reimport_makes_no_duplicate(data_dir: Path) -> None:
    files = sorted(str(p) for p in ARTICLES.iterdir())
    first = run("import", *files, data_dir=data_dir)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("imported:") == len(files)
    again = run("import", *files, data_dir=data_dir)
    assert again.returncode == 0
    assert again.stdout.count("already in the library") == len(files)
    listing = json.loads(run("articles", "--json", data_dir=data_dir).stdout)
    assert len(listing) == len(files)
    assert all(set(item) == ARTICLE_FIELDS for item in listing)
    titles = {item["title"] for item in listing}
    assert "Council approves harbour bridge repairs after late-night vote" in titles
    assert "Grain prices ease as harvest estimates rise" in titles
    assert "Museum reopens its glass hall" in titles
    harbour = next(i for i in listing if i["title"].startswith("Council"))
    assert harbour["author"] == "Marta Oyelaran"
    assert harbour["source"] == "local" and harbour["feed_id"] is None


def test_import_bad_files_reports_each_and_keeps_going(data_dir: Path, tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as handle:
        handle.truncate(10 * 1024 * 1024 + 1)
    huge.write_bytes(b"Headline\n\n" + b"a" * (10 * 1024 * 1024))
    bad = [DATA / "bad" / "binary.txt", DATA / "bad" / "empty.txt", tmp_path,
           tmp_path / "missing.txt", huge, DATA / "bad" / "undecodable.txt",
           tmp_path / "pic.png"]
    (tmp_path / "pic.png").write_bytes(b"\x89PNG\r\n")
    good = ARTICLES / "reef-survey.txt"
    result = run("import", *map(str, bad[:3]), str(good), *map(str, bad[3:]), data_dir=data_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == len(bad), errors
    assert any("binary" in line for line in errors)
    assert any("empty" in line for line in errors)
    assert any("folder" in line for line in errors)
    assert any("does not exist" in line for line in errors)
    assert any("10 MB" in line for line in errors)
    assert any("could not be decoded" in line for line in errors)
    assert any("unsupported" in line for line in errors)
    assert "imported: Divers record surprising recovery" in result.stdout
    listing = json.loads(run("articles", "--json", data_dir=data_dir).stdout)
    assert [item["title"] for item in listing] == [
        "Divers record surprising recovery on northern reef"]


def test_show_bookmark_and_filters(filled_dir: Path) -> None:
    listing = json.loads(run("articles", "--json", data_dir=filled_dir).stdout)
    reef = next(i for i in listing if i["title"].startswith("Divers"))
    shown = json.loads(run("show", reef["id"], "--json", data_dir=filled_dir).stdout)
    assert set(shown) >= ARTICLE_FIELDS | {"text"}
    assert shown["text"].startswith("Marine biologists surveying")
    assert "“real but fragile.”" in shown["text"]
    assert run("show", reef["id"][:6], data_dir=filled_dir).stdout.startswith("Divers record")

    assert run("bookmark", reef["id"], data_dir=filled_dir).returncode == 0
    marked = json.loads(run("articles", "--bookmarked", "--json", data_dir=filled_dir).stdout)
    assert [i["id"] for i in marked] == [reef["id"]]
    assert marked[0]["bookmarked"] is True
    assert run("bookmark", reef["id"], "--off", data_dir=filled_dir).returncode == 0
    assert json.loads(run("articles", "--bookmarked", "--json", data_dir=filled_dir).stdout) == []

    found = json.loads(run("articles", "--search", "HARBOUR", "--json", data_dir=filled_dir).stdout)
    assert [i["title"][:7] for i in found] == ["Council"]
    in_text = json.loads(run("articles", "--search", "CORAL   cover", "--json",
                             data_dir=filled_dir).stdout)  # only in the reef article's text
    assert [i["title"][:6] for i in in_text] == ["Divers"]
    assert json.loads(run("articles", "--search", "coral cover", "--unread", "--json",
                          data_dir=filled_dir).stdout) == in_text  # with the other filters
    counted = run("articles", "--unread", "--count", data_dir=filled_dir)
    unread = json.loads(run("articles", "--unread", "--json", data_dir=filled_dir).stdout)
    assert counted.returncode == 0 and counted.stdout.strip() == str(len(unread))
    assert json.loads(run("articles", "--bookmarked", "--count", "--json",
                          data_dir=filled_dir).stdout) == {"count": 0}
    limited = json.loads(run("articles", "--limit", "2", "--json", data_dir=filled_dir).stdout)
    assert len(limited) == 2
    assert limited[0]["published"] >= limited[1]["published"]


def test_unknown_ids_are_one_sentence(filled_dir: Path) -> None:
    for args in (["show", "nope"], ["bookmark", "nope"], ["quotes", "delete", "nope"],
                 ["quotes", "--article", "nope"], ["articles", "--feed", "nope"],
                 ["remove", "nope"]):
        assert_one_clear_error(run(*args, data_dir=filled_dir))


def test_second_writer_refused_but_reads_work(filled_dir: Path) -> None:
    holder = Library.open(filled_dir)
    try:
        article = holder.articles()[0]
        result = run("bookmark", article.id, data_dir=filled_dir)
        assert_one_clear_error(result)
        assert f"process {os.getpid()}" in result.stderr
        listing = run("articles", "--json", data_dir=filled_dir)
        assert listing.returncode == 0
        assert len(json.loads(listing.stdout)) == holder.count()
    finally:
        holder.close()


def test_damaged_library_is_reported_and_never_overwritten(filled_dir: Path) -> None:
    library = Library.open(filled_dir)
    library.set_bookmarked([library.articles()[0].id])
    library.close()
    db = filled_dir / "library.json"
    db.write_bytes(b'{"articles": {"1": {"title": "half')
    before = db.read_bytes()
    for args in (["articles"], ["bookmark", "abcd"]):
        result = run(*args, data_dir=filled_dir)
        assert_one_clear_error(result)
        assert "damaged" in result.stderr and "restore-backup" in result.stderr
        assert db.read_bytes() == before
    restored = run("restore-backup", data_dir=filled_dir)
    assert restored.returncode == 0
    assert "library.json" in restored.stderr
    listing = json.loads(run("articles", "--json", data_dir=filled_dir).stdout)
    assert len(listing) == len(list(ARTICLES.iterdir()))
    assert sum(item["bookmarked"] for item in listing) == 1
    assert list(filled_dir.glob("library.json.damaged-*"))


def test_data_dir_from_environment(tmp_path: Path, filled_dir: Path) -> None:
    env = dict(os.environ, READER_DATA_DIR=str(filled_dir))
    result = subprocess.run([sys.executable, "-m", "reader", "articles", "--json"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert len(json.loads(result.stdout)) == len(list(ARTICLES.iterdir()))


def test_export_writes_safely(filled_dir: Path, tmp_path: Path) -> None:
    library = Library.open(filled_dir)
    article = next(a for a in library.articles() if a.title.startswith("Divers"))
    body = library.body(article.id)
    start = body.index("real but fragile")
    library.save_quote(article.id, start, start + len("real but fragile."), speaker="Leila Farouk",
                       note="check, \"later\"", tags=["reef"])
    library.close()
    out = tmp_path / "quotes.csv"
    first = run("export", "quotes", "--format", "readwise", "-o", str(out), data_dir=filled_dir)
    assert first.returncode == 0, first.stderr
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    import csv

    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert rows[0]["Highlight"] == "real but fragile."
    assert rows[0]["Author"] == "Samuel Achterberg"
    assert "Leila Farouk" in rows[0]["Note"] and 'check, "later"' in rows[0]["Note"]
    again = run("export", "quotes", "--format", "readwise", "-o", str(out), data_dir=filled_dir)
    assert_one_clear_error(again)
    assert "--force" in again.stderr
    forced = run("export", "quotes", "--format", "json", "-o", str(out), "--force",
                 data_dir=filled_dir)
    assert forced.returncode == 0
    assert json.loads(out.read_text())["articles"][0]["quotes"][0]["note"] == 'check, "later"'
    missing = run("export", "quotes", "-o", str(tmp_path / "no" / "dir.md"), data_dir=filled_dir)
    assert_one_clear_error(missing)
    stdout = run("export", "quotes", "--format", "markdown", data_dir=filled_dir)
    assert "> — **Leila Farouk**" in stdout.stdout
