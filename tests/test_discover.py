"""Autodiscovery: a page's announced feeds, and telling a feed from a page."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.feeds.discover import common_feed_urls, find_feed_links, looks_like_feed, sniff

DATA = Path(__file__).parent / "data" / "feeds"


def test_two_alternates_with_base_href() -> None:
    page = (DATA / "discover_page.html").read_bytes()
    assert find_feed_links(page, "https://www.example.org/blog/post") == [
        ("https://cdn.example.org/blog/feed.xml", "Posts (RSS)"),
        ("https://cdn.example.org/atom.xml", "Posts & more (Atom)"),
    ]  # duplicate, WordPress REST API, text/html and javascript: alternates left out


def test_relative_to_the_page_without_base_and_str_input() -> None:
    page = (
        "<html><head>"
        '<link rel="Alternate feed" type="application/feed+json; charset=utf-8" href="feed.json">'
        '<link rel="alternate" type="application/atom+xml" href="//other.example.net/a.xml"'
        ' title="Caf\u00e9 \x1b[2J">'
        "</head></html>"
    )
    assert find_feed_links(page, "https://site.example/dir/page.html") == [
        ("https://site.example/dir/feed.json", ""),
        ("https://other.example.net/a.xml", "Café [2J"),
    ]


@pytest.mark.parametrize("page", [b"", "", b"\x00\x01", "<p>no head</p>", b"<html><link></html>"])
def test_nothing_found(page: bytes | str) -> None:
    assert find_feed_links(page, "https://x.example/") == []


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "text/xml", True),
        (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'/>", "", True),
        (b"<!-- c --><?xml-stylesheet href='x'?><rdf:RDF xmlns:rdf='r'/>", "text/html", True),
        (b'<!DOCTYPE rss [<!ENTITY a "b">]><rss/>', "", True),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "", True),
        (b'{"items": []}', "application/feed+json", True),
        (b'{"items": []}', "application/json", False),
        (b"<!DOCTYPE html><html><head></head></html>", "application/rss+xml", False),
        (b"<html><body>x</body></html>", "text/html", False),
        (b"<opml version='2.0'/>", "text/xml", False),
        (b"", "application/rss+xml", False),
        ("<rss/>".encode("utf-16"), "", True),
    ],
)
def test_looks_like_feed(body: bytes, content_type: str, expected: bool) -> None:
    assert looks_like_feed(body, content_type) is expected


def test_sniff_kinds() -> None:
    assert sniff(b"  <rss>") == "rss"
    assert sniff(b"<atom:feed xmlns:atom='x'>") == "atom"
    assert sniff(b"<!doctype HTML><p>") == "html"
    assert sniff(b"<body>") == "html"
    assert sniff(b"[1]") == "json"
    assert sniff(b"plain") == ""
    assert sniff(b"<?xml version='1.0'") == "xml"  # cut short: some XML, root unknown


def test_common_feed_urls() -> None:
    urls = common_feed_urls("https://blog.example.com/2024/06/post?x=1")
    assert urls[0] == "https://blog.example.com/feed"
    assert "https://blog.example.com/atom.xml" in urls
    assert all(u.startswith("https://blog.example.com/") for u in urls)
    assert common_feed_urls("javascript:alert(1)") == []
