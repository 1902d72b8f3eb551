"""Bookmark exports: Markdown list, JSON, Netscape bookmark file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from reader.export.bookmarks import BOOKMARK_FORMATS, export_bookmarks
from reader.models import Article, Feed

NOW = datetime(2025, 11, 25, 21, 10, tzinfo=UTC)
FEED = Feed(id="f1", url="https://news.example.com/feed.xml", title='Daily <News> & "Co"')

ARTICLES = [
    (
        Article(
            id="a1",
            title='Ink [10-year] framework: "US" & <India> — café 中文 😀',
            feed_id="f1",
            author="Andalib Akhter",
            link="https://news.example.com/a?x=1&y=2",
            published="2025-11-01T08:30:00Z",
            added_at="2025-11-02T00:00:00Z",
            source="feed",
            bookmarked=True,
        ),
        FEED,
    ),
    (
        Article(
            id="a2",
            title="Local notes",
            link="",
            published="2024-03-09T00:00:00Z",
            bookmarked=True,
        ),
        None,
    ),
    (
        Article(id="a3", title="Evil", link="javascript:alert(1)", bookmarked=True),
        None,
    ),
    (
        Article(
            id="a4",
            title="",
            link="http://old.example.org/p",
            published="2023-07-04T12:00:00Z",
            bookmarked=True,
        ),
        None,
    ),
]


def test_formats_constant_and_unknown_format():
    assert BOOKMARK_FORMATS == ("markdown", "json", "html")
    with pytest.raises(ValueError) as info:
        export_bookmarks(ARTICLES, "opml", now=NOW)
    assert str(info.value).endswith(".") and "html" in str(info.value)


@pytest.mark.parametrize("fmt", BOOKMARK_FORMATS)
def test_empty_list_is_valid_output(fmt):
    text = export_bookmarks([], fmt, now=NOW)
    if fmt == "json":
        assert json.loads(text) == []
    elif fmt == "html":
        parser = NetscapeParser()
        parser.feed(text)
        assert parser.doctype == "NETSCAPE-Bookmark-file-1" and parser.links == []
    else:
        assert text.startswith("# Bookmarks\n") and "0 articles" in text and "\n- " not in text


def test_markdown_list():
    lines = export_bookmarks(ARTICLES, "markdown", now=NOW).split("\n")
    items = [line for line in lines if line.startswith("- ")]
    assert items == [
        r'- [Ink \[10-year\] framework: "US" & \<India> — café 中文 😀]'
        '(https://news.example.com/a?x=1&y=2) — Andalib Akhter, Daily \\<News> & "Co", '
        "2025-11-01",
        "- Local notes — 2024-03-09",
        "- Evil",  # not an http(s) link: listed without a link
        "- [(untitled)](http://old.example.org/p) — 2023-07-04",
    ]


def test_markdown_renders_one_link_per_web_article():
    html = MarkdownIt("commonmark").render(export_bookmarks(ARTICLES, "markdown", now=NOW))
    assert html.count("<li>") == 4
    assert html.count("<a href=") == 2
    assert "javascript" not in html
    assert "[10-year]" in html and "&lt;India&gt;" in html


def test_json_is_public_dicts_plus_feed_title():
    items = json.loads(export_bookmarks(ARTICLES, "json", now=NOW))
    assert [i["id"] for i in items] == ["a1", "a2", "a3", "a4"]
    for item, (article, feed) in zip(items, ARTICLES, strict=True):
        expected = article.public_dict()
        expected["feed_title"] = feed.title if feed else None
        assert item == expected
    assert items[0]["title"] == ARTICLES[0][0].title  # non-ASCII kept as is


class NetscapeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doctype = ""
        self.meta: dict[str, str | None] = {}
        self.links: list[dict] = []
        self.descriptions: list[str] = []
        self.dl_depth = 0
        self.max_dl = 0
        self._in_a = False
        self._in_dd = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.removeprefix("DOCTYPE ").strip()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta":
            self.meta = attrs
        elif tag == "dl":
            self.dl_depth += 1
            self.max_dl = max(self.max_dl, self.dl_depth)
        elif tag == "a":
            self._in_a = True
            self.links.append({"attrs": attrs, "text": "", "dl_depth": self.dl_depth})
        elif tag == "dd":
            self._in_dd = True
            self.descriptions.append("")

    def handle_endtag(self, tag):
        if tag == "dl":
            self.dl_depth -= 1
        elif tag == "a":
            self._in_a = False

    def handle_data(self, data):
        if self._in_a:
            self.links[-1]["text"] += data
        elif self._in_dd:
            self.descriptions[-1] += data.strip()
            self._in_dd = False


def test_netscape_html_parses_back():
    text = export_bookmarks(ARTICLES, "html", now=NOW)
    assert text.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n")
    parser = NetscapeParser()
    parser.feed(text)
    parser.close()
    assert parser.doctype == "NETSCAPE-Bookmark-file-1"
    assert parser.meta.get("content") == "text/html; charset=UTF-8"
    assert parser.max_dl == 1 and parser.dl_depth == 0
    first, untitled = parser.links  # the local and the javascript: article are skipped
    assert first["attrs"]["href"] == "https://news.example.com/a?x=1&y=2"
    assert first["text"] == ARTICLES[0][0].title
    assert first["attrs"]["add_date"] == str(int(datetime(2025, 11, 2, tzinfo=UTC).timestamp()))
    assert first["dl_depth"] == 1
    assert untitled["attrs"]["href"] == "http://old.example.org/p"
    assert untitled["text"] == "http://old.example.org/p"  # no title: the URL stands in
    published = datetime(2023, 7, 4, 12, tzinfo=UTC)
    assert untitled["attrs"]["add_date"] == str(int(published.timestamp()))
    assert parser.descriptions == ['Andalib Akhter · Daily <News> & "Co"']
    assert "javascript" not in text
    assert "<India>" not in text and "&lt;India&gt;" in text


def test_netscape_add_date_falls_back_to_export_time():
    article = Article(id="z", title="T", link="https://x.example/")
    parser = NetscapeParser()
    parser.feed(export_bookmarks([(article, None)], "html", now=NOW))
    assert parser.links[0]["attrs"]["add_date"] == str(int(NOW.timestamp()))
