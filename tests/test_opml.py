"""OPML import/export: folders become tags, only http(s) feeds, entities refused."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reader.feeds.opml import OpmlFeed, parse_opml, write_opml

DATA = Path(__file__).parent / "data" / "feeds"


def test_nested_folders_become_tags() -> None:
    feeds, warnings = parse_opml((DATA / "nested.opml").read_bytes())
    assert warnings == []
    assert feeds == [
        OpmlFeed(
            url="https://python.example.org/feed.xml",
            title="Python Blog",
            tags=["Tech", "Tech/Python", "News"],  # listed twice: one feed, tags merged
            site_url="https://python.example.org/",
        ),
        OpmlFeed("https://gadgets.example.com/rss", "Gadgets", ["Tech"], ""),  # xmlURL, host
        OpmlFeed(
            "https://news.example.net/world.xml",
            "World",  # title preferred to text
            ["News", "Daily", "Daily/Morning", "urgent"],  # category paths too
            "",
        ),
        OpmlFeed("http://top.example.com/atom.xml", "Top level", [], ""),
    ]


def test_command_and_file_urls_are_skipped_with_warnings() -> None:
    feeds, warnings = parse_opml((DATA / "exec_urls.opml").read_bytes())
    assert [f.url for f in feeds] == ["https://ok.example.com/feed"]
    assert len(warnings) == 6
    assert warnings[0] == "Skipped exec:rm -rf ~: not an http(s) URL."
    assert all(w.startswith("Skipped ") and w.endswith("not an http(s) URL.") for w in warnings)
    assert any("file:///etc/passwd" in w for w in warnings)
    assert any("--new-window" in w for w in warnings)


@pytest.mark.timeout(20)
def test_entity_bomb_is_refused() -> None:
    with pytest.raises(ValueError, match="entities"):
        parse_opml((DATA / "entity_bomb.opml").read_bytes())


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<opml version="2.0"><body><outline text="&x;" xmlUrl="https://a.example/"/></body></opml>'
    ).encode()
    with pytest.raises(ValueError) as info:
        parse_opml(data)
    assert "SECRET" not in str(info.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<opml><body>", "not a valid OPML file"),
        (b"<rss version='2.0'><channel/></rss>", "root element is <rss>"),
        (b"<opml version='2.0'><head/></opml>", "no <body>"),
        (b"\x00\x01binary", "not a valid OPML file"),
    ],
)
def test_not_opml(data: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        parse_opml(data)
    assert str(info.value).endswith(".")


def test_titles_are_cleaned() -> None:
    data = (
        '<opml version="2.0"><body><outline text="Folder &#x202e;x" title="F\u200bolder">'
        '<outline text="T&#x9b;itle [@click=app.quit]" xmlUrl="https://a.example/f"/>'
        "</outline></body></opml>"
    ).encode()
    (feed,), _ = parse_opml(data)
    assert feed.title == "Title [@click=app.quit]"
    assert feed.tags == ["Folder"]


def test_round_trip_with_nested_folders() -> None:
    subscriptions = [
        ("https://a.example.com/feed", "A feed", ["Tech", "Tech/Python", "news"], "https://a.example.com/"),
        ("https://b.example.com/rss", "B & <b>", ["Tech/Python"], ""),
        ("http://c.example.com/atom.xml", "", [], ""),
        ("https://d.example.com/x", "D", ["news"], "javascript:alert(1)"),
        ("exec:ls", "never written", ["x"], ""),
    ]  # fmt: skip
    text = write_opml(subscriptions, title="Mine")
    root = ET.fromstring(text)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Mine"
    assert "exec:" not in text and "javascript" not in text
    # Nested folders for newsboat: Tech > Python > (A feed, B)
    tech = root.find("body/outline[@text='Tech']")
    python = tech.find("outline[@text='Python']")
    assert [o.get("xmlUrl") for o in python] == [
        "https://a.example.com/feed",
        "https://b.example.com/rss",
    ]
    feeds, warnings = parse_opml(text.encode())
    assert warnings == []
    assert feeds == [
        OpmlFeed("https://a.example.com/feed", "A feed", ["Tech", "Tech/Python", "news"],
                 "https://a.example.com/"),
        OpmlFeed("https://b.example.com/rss", "B & <b>", ["Tech", "Tech/Python"], ""),
        OpmlFeed("http://c.example.com/atom.xml", "", [], ""),
        OpmlFeed("https://d.example.com/x", "D", ["news"], ""),
    ]  # fmt: skip


def test_every_outline_has_text_and_type() -> None:
    text = write_opml([("https://a.example.com/f", "", ["t"], "")])
    outline = ET.fromstring(text).find(".//outline[@xmlUrl]")
    assert outline.get("type") == "rss"
    assert outline.get("text") == "https://a.example.com/f"  # text is required by OPML


@pytest.mark.timeout(20)
def test_deeply_nested_and_large_files_are_bounded() -> None:
    depth = 5000
    data = (
        "<opml version='2.0'><body>"
        + "<outline text='f'>" * depth
        + "<outline text='x' xmlUrl='https://deep.example/'/>"
        + "</outline>" * depth
        + "</body></opml>"
    ).encode()
    (feed,), _ = parse_opml(data)
    assert feed.url == "https://deep.example/"
    assert len(feed.tags) == depth
