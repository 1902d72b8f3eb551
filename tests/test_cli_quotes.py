"""`reader quotes` and quote export through the real entry point: the journalist's flow."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .conftest import DATA
from .test_cli import assert_one_clear_error, run

QUOTE_FIELDS = {"id", "n", "article_id", "text", "speaker", "kind", "start", "end", "saved",
                "note", "tags"}
SEED = DATA / "seed-article.txt"


def test_journalist_flow(data_dir: Path, tmp_path: Path) -> None:
    imported = run("import", str(SEED), data_dir=data_dir)
    assert imported.returncode == 0, imported.stderr
    article_id = imported.stdout.split()[0]
    shown = json.loads(run("show", article_id, "--json", data_dir=data_dir).stdout)
    assert shown["author"] == "Andalib Akhter"

    quotes = json.loads(run("quotes", "--article", article_id, "--json",
                            data_dir=data_dir).stdout)
    assert all(set(q) == QUOTE_FIELDS for q in quotes)
    assert [q["n"] for q in quotes] == [1, 2, 3, 4]
    assert [q["speaker"] for q in quotes] == ["Rajnath Singh"] * 3 + ["Pete Hegseth"]
    assert [q["kind"] for q in quotes] == ["partial", "full", "phrase", "full"]
    assert quotes[3]["text"] == "our defence ties have never been stronger."
    for quote in quotes:  # offsets point into the text `show` prints
        assert shown["text"][quote["start"]:quote["end"]] == quote["text"]
        assert quote["saved"] is False and quote["id"] is None

    saved_id = run("quotes", "save", article_id, "4", "--note", "Hegseth, on ties",
                   "--tag", "defence", data_dir=data_dir).stdout.strip()
    assert run("quotes", "save", article_id, "1", data_dir=data_dir).returncode == 0
    assert_one_clear_error(run("quotes", "save", article_id, "9", data_dir=data_dir))
    saved = json.loads(run("quotes", "--saved", "--json", data_dir=data_dir).stdout)
    assert {q["id"] for q in saved} >= {saved_id} and len(saved) == 2
    hegseth = next(q for q in saved if q["id"] == saved_id)
    assert hegseth["note"] == "Hegseth, on ties" and hegseth["tags"] == ["defence"]
    assert hegseth["speaker"] == "Pete Hegseth" and hegseth["saved"] is True
    again = json.loads(run("quotes", "--article", article_id, "--json", data_dir=data_dir).stdout)
    assert [q["saved"] for q in again] == [True, False, False, True]

    markdown = tmp_path / "quotes.md"
    assert run("export", "quotes", "--format", "markdown", "-o", str(markdown),
               data_dir=data_dir).returncode == 0
    text = markdown.read_text(encoding="utf-8")
    assert "## Ink 10-year framework for US-India major defence partnership" in text
    assert "> “our defence ties have never been stronger.”" in text
    assert "— **Pete Hegseth**" in text and "— **Rajnath Singh**" in text
    assert "Hegseth, on ties" in text

    readwise = run("export", "quotes", "--format", "readwise", data_dir=data_dir).stdout
    rows = list(csv.DictReader(io.StringIO(readwise)))
    assert list(rows[0]) == ["Highlight", "Title", "Author", "URL", "Note", "Location", "Date"]
    by_text = {r["Highlight"]: r for r in rows}
    row = by_text["our defence ties have never been stronger."]
    assert row["Author"] == "Andalib Akhter"  # the byline, never the speaker
    assert "Pete Hegseth" in row["Note"] and "Hegseth, on ties" in row["Note"]
    assert row["Note"].startswith(".defence")
    assert int(row["Location"]) == hegseth["start"]

    only = run("export", "quotes", "--format", "json", "--speaker", "hegseth", data_dir=data_dir)
    exported = json.loads(only.stdout)
    assert [q["text"] for a in exported["articles"] for q in a["quotes"]] == [
        "our defence ties have never been stronger."]
    assert json.loads(run("export", "quotes", "--format", "json", "--tag", "nothing",
                          data_dir=data_dir).stdout)["articles"] == []

    assert run("quotes", "delete", saved_id, data_dir=data_dir).returncode == 0
    left = json.loads(run("quotes", "--saved", "--json", data_dir=data_dir).stdout)
    assert saved_id not in {q["id"] for q in left} and len(left) == 1
    assert_one_clear_error(run("quotes", "delete", saved_id, data_dir=data_dir))


def test_citation_exports_read_back(data_dir: Path) -> None:
    article_id = run("import", str(SEED), data_dir=data_dir).stdout.split()[0]
    run("quotes", "save", article_id, "2", data_dir=data_dir)
    csl = json.loads(run("export", "quotes", "--format", "csl", data_dir=data_dir).stdout)
    assert csl[0]["type"] == "article-newspaper"
    assert csl[0]["author"] == [{"family": "Akhter", "given": "Andalib"}]
    bib = run("export", "quotes", "--format", "bibtex", data_dir=data_dir).stdout
    assert bib.startswith("@article{akhter")
    assert bib.count("{") == bib.count("}")
