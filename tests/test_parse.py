"""parse_feed: every format, and every hostile or broken document ends as a safe result or a
FeedParseError with one sentence, in bounded time."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import feedparser
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.feeds import parse as parse_module
from reader.feeds.parse import FeedParseError, ParsedFeed, parse_feed
from tests import feedserver
from tests.feedserver import FeedServer

feed_server = feedserver.feed_server  # the fixture

DATA = Path(__file__).parent / "data" / "feeds"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def load(name: str, url: str = "") -> ParsedFeed:
    return parse_feed((DATA / name).read_bytes(), url or f"https://feeds.example.com/{name}")


def assert_clean(feed: ParsedFeed) -> None:
    """No control/bidi character anywhere; links absolute http(s); dates ISO UTC."""
    for value in (feed.title, feed.site_url):
        assert not CONTROL.search(value), repr(value)
    for entry in feed.entries:
        for value in (entry.guid, entry.title, entry.link, entry.author):
            assert not CONTROL.search(value), repr(value)
            assert "\n" not in value
        assert not CONTROL.search(entry.text.replace("\n", "").replace("\t", "")), entry.text
        assert entry.link == "" or entry.link.startswith(("http://", "https://"))
        assert entry.published is None or ISO.match(entry.published)
        for enclosure in entry.enclosures:
            assert enclosure["url"].startswith(("http://", "https://"))


# --- good input, every format ------------------------------------------------------------
def test_rss_091() -> None:
    feed = load("rss091.xml", "http://old.example.com/rss.xml")
    assert feed.format == "rss09x"
    assert feed.title == "Old Café News"  # &eacute; from the (unloaded) Netscape DTD
    assert feed.site_url == "http://old.example.com/"
    first, second = feed.entries
    assert first.text == "The first story of the day."
    assert first.guid == first.link == "http://old.example.com/stories/1.html"
    assert second.link == "http://old.example.com/stories/2.html"  # relative, resolved
    assert_clean(feed)


def test_rss_10() -> None:
    feed = load("rss10.xml")
    assert feed.format == "rss10"
    assert (feed.title, feed.site_url) == ("RDF Site", "https://rdf.example.org/")
    a, b = feed.entries
    assert a.guid == "https://rdf.example.org/a"  # rdf:about
    assert a.author == "Ada Lovelace"
    assert a.published == "2024-03-01T10:30:00Z"  # +02:00 to UTC
    assert a.text == "Full text of A."  # content:encoded preferred to description
    assert b.text == "Summary B"
    assert b.published == "2024-03-02T00:00:00Z"
    assert_clean(feed)


def test_rss_20_with_content_encoded_and_enclosure() -> None:
    feed = load("rss20.xml", "https://news.example.com/feed.xml")
    assert feed.format == "rss20"
    assert feed.title == "Example News"
    first, second, third = feed.entries
    assert first.guid == "tag:news.example.com,2024:harbour"
    assert first.link == "https://news.example.com/2024/06/harbour"
    assert first.author == "Maria Jones"
    assert first.published == "2024-06-01T07:30:00Z"
    assert first.text == (
        "The council approved the plan, the plan[1] says.\n\n"
        "“It is a good day,” the mayor said.\n\n"
        "Links:\n[1] https://news.example.com/docs/plan.pdf"
    )
    assert "alert" not in first.text and "Short summary" not in first.text
    assert first.enclosures == [
        {"url": "https://news.example.com/audio/harbour.mp3", "type": "audio/mpeg",
         "length": 123456}
    ]  # fmt: skip
    assert second.author == "The Editor"  # "email (Name)"
    assert second.text == "Escaped HTML description."
    assert second.published == "2024-06-02T10:00:00Z"
    # No title, no link: kept, identified by its content hash.
    assert third.title == "" and third.link == ""
    assert third.guid == third.content_hash and len(third.guid) == 12
    assert_clean(feed)


def test_atom_03() -> None:
    feed = load("atom03.xml")
    assert feed.format == "atom03"
    assert feed.site_url == "https://legacy.example.net/"
    first, second = feed.entries
    assert first.guid == "tag:legacy.example.net,2005:3.2397"
    assert first.published == "2005-07-31T11:29:29Z"  # issued, not modified
    assert first.text == "Escaped content."
    assert first.author == "Mark"  # inherited from the feed
    assert second.published == "2005-08-01T08:00:00Z"  # only modified
    assert second.text == "Just a summary."
    assert_clean(feed)


def test_atom_10_with_xml_base() -> None:
    feed = load("atom10.xml", "https://feeds.example.com/atom.xml")
    assert feed.format == "atom10"
    assert feed.title == "Blog of Things"  # type="html" title
    assert feed.site_url == "https://blog.example.org/"
    first, second, third = feed.entries
    assert first.link == "https://blog.example.org/sub/posts/0.html"  # feed base + entry base
    assert first.text.endswith("[1] https://blog.example.org/sub/img/pic.html")
    assert first.published == "2024-05-01T12:00:00Z"  # published beats updated
    assert first.enclosures == [
        {"url": "https://blog.example.org/sub/media/a.ogg", "type": "audio/ogg", "length": 42}
    ]
    assert first.author == "Feed Author"
    assert second.title == "XHTML & updated only"
    assert second.published == "2024-05-03T00:00:00Z"  # updated when no published
    assert second.author == "Entry Author"
    assert second.text.startswith("Inline XHTML with a link[1].")
    assert "https://blog.example.org/abs" in second.text
    assert third.text == "Only a summary here."
    assert_clean(feed)


def test_json_feed_10() -> None:
    feed = load("jsonfeed10.json", "https://json.example.com/feed.json")
    assert feed.format == "json10"
    assert (feed.title, feed.site_url) == ("JSON One", "https://json.example.com/")
    first, second = feed.entries
    assert first.link == "https://json.example.com/posts/1"
    assert first.published == "2024-01-02T02:04:05Z"
    assert first.author == "Feed Writer"
    assert first.text == "Hello about[1].\n\nLinks:\n[1] https://json.example.com/about"
    assert second.guid == "2"  # a number in the wild
    assert second.link == "https://elsewhere.example.net/story"  # external_url
    assert second.author == "Item Writer"
    assert second.text == "Plain\n\nparagraphs"
    assert_clean(feed)


def test_json_feed_11() -> None:
    feed = load("jsonfeed11.json", "https://json11.example.com/feed.json")
    assert feed.format == "json11"
    assert len(feed.entries) == 2  # a string item and an empty item are skipped
    first, second = feed.entries
    assert first.author == "Ann, Bob"  # authors[]
    assert first.published == "2024-02-03T04:05:06Z"  # date_modified when no date_published
    assert first.enclosures == [
        {"url": "https://json11.example.com/ep1.mp3", "type": "audio/mpeg", "length": 1000}
    ]  # the javascript: attachment is dropped
    assert second.author == "Feed A"
    assert second.published == "2024-02-04T00:00:00Z"
    assert second.updated == "2024-02-05T00:00:00Z"
    assert second.text == "A summary."
    assert_clean(feed)


def test_content_hash_tracks_changes() -> None:
    body = (DATA / "rss20.xml").read_bytes()
    before = parse_feed(body, "https://n/").entries[0]
    after = parse_feed(body.replace(b"approved", b"rejected"), "https://n/").entries[0]
    again = parse_feed(body, "https://n/").entries[0]
    assert before.guid == after.guid
    assert before.content_hash != after.content_hash
    assert before.content_hash == again.content_hash


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("Sat, 01 Jun 2024 09:30:00 +0200", "2024-06-01T07:30:00Z"),
        ("Sat, 01 Jun 2024 09:30:00 GMT", "2024-06-01T09:30:00Z"),
        ("01 Jun 2024 09:30 EST", "2024-06-01T14:30:00Z"),
        ("2024-06-01T09:30:00.123+02:00", "2024-06-01T07:30:00Z"),
        ("2024-06-01t09:30:00z", "2024-06-01T09:30:00Z"),
        ("2024-06-01", "2024-06-01T00:00:00Z"),
        ("Sun, 31 Dec 2006 09:00 PST", "2006-12-31T17:00:00Z"),
        ("2024-06-01T09:30:00Z", "2024-06-01T09:30:00Z"),  # the fast path
        ("2024-13-01T09:30:00Z", None),  # the fast path's shape, not a date
        ("2024-02-30T09:30:00Z", None),
        ("0999-06-01T09:30:00Z", None),
        ("2026-W47-4T10:00:00Z", "2026-11-19T10:00:00Z"),  # ISO week date: 20 chars too
        ("0001-01-01T00:00:00+01:00", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_dates_normalised_to_utc(raw: str, iso: str | None) -> None:
    assert parse_module._date(raw) == iso


# --- broken documents: recovered by the tolerant path ------------------------------------
def test_unclosed_tags_recovered() -> None:
    feed = load("bad_unclosed.xml")
    assert [e.title for e in feed.entries] == ["Item 1", "Unclosed bold", "Item 3"]
    assert_clean(feed)


def test_tolerant_path_keeps_updated_apart_from_published() -> None:
    """feedparser maps a missing `updated_parsed` to the published date (with a
    DeprecationWarning); taken at face value, every entry would look updated."""
    body = (b'<rss version="2.0"><channel><title>T & co</title>'  # bare &: not well-formed
            b"<item><guid>a</guid><title>A</title><pubDate>Sat, 01 Jun 2024 09:30:00 GMT"
            b"</pubDate></item><item><guid>b</guid><title>B</title><pubDate>Sat, 01 Jun "
            b"2024 09:30:00 GMT</pubDate><atom:updated xmlns:atom='http://www.w3.org/2005/"
            b"Atom'>2024-06-02T10:00:00Z</atom:updated></item></channel></rss>")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feed = parse_feed(body, "https://n/")
    first, second = feed.entries
    assert (first.published, first.updated) == ("2024-06-01T09:30:00Z", None)
    assert (second.published, second.updated) == ("2024-06-01T09:30:00Z", "2024-06-02T10:00:00Z")


@pytest.mark.parametrize(
    "item",
    [
        "<guid>12345</guid>",  # a permalink by default, but relative: an id, not a page
        '<guid isPermaLink="false">12345</guid>',
        "<guid>/p/1</guid>",
        "<guid>https://n/x</guid>",
        "<link>/rel</link><guid>12</guid>",
        "<link>https://n/only-link</link>",
    ],
)
def test_an_entry_keeps_its_identity_when_its_feed_turns_malformed(item: str) -> None:
    """The strict path and feedparser must agree on guid and link: a feed that is broken one
    day (a bare &) and fixed the next must not get every entry twice."""
    def doc(title: str) -> bytes:
        return (f'<rss version="2.0"><channel><title>{title}</title><link>https://n/</link>'
                f"<item><title>A</title>{item}</item></channel></rss>").encode()

    strict = parse_feed(doc("T &amp; co"), "https://n/feed").entries[0]
    tolerant = parse_feed(doc("T & co"), "https://n/feed").entries[0]
    assert (tolerant.guid, tolerant.link) == (strict.guid, strict.link)
    assert tolerant.content_hash == strict.content_hash


def test_bare_ampersand_recovered() -> None:
    feed = load("bad_bare_amp.xml")
    assert feed.entries[0].title == "Tom & Jerry"
    assert feed.entries[1].text == "Fish & chips"


def test_undefined_entities_recovered() -> None:
    feed = load("bad_undefined_entity.xml")
    assert feed.entries[0].title == "A B — C"
    assert len(feed.entries) == 2


def test_truncated_document_keeps_what_arrived() -> None:
    feed = load("bad_truncated.xml")
    assert [e.title for e in feed.entries][:2] == ["Item 1", "Item 2"]
    assert_clean(feed)


def test_wrong_declared_encoding_recovered() -> None:
    feed = load("bad_wrong_encoding.xml")  # says UTF-8, is Latin-1
    assert feed.entries[0].title == "Café Müller"


def test_http_charset_used_when_the_document_has_no_declaration() -> None:
    body = "<rss version='2.0'><channel><title>Crème</title></channel></rss>".encode("latin-1")
    feed = parse_feed(body, "https://x/", "application/rss+xml; charset=ISO-8859-1")
    assert feed.title == "Crème"


# --- not feeds ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        (DATA / "html_page.html").read_bytes(),
        b"<html><body><p>unclosed <b>html</body>",
        b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
        b"\n\n  <!-- a comment -->\n<HTML><HEAD><TITLE>x</TITLE></HEAD></HTML>",
    ],
)
def test_html_pages_are_refused(body: bytes) -> None:
    with pytest.raises(FeedParseError, match=r"^This is an HTML page, not a feed\.$"):
        parse_feed(body, "https://x/")


@pytest.mark.parametrize("body", [b"", b"   \n\t ", (DATA / "empty.xml").read_bytes()])
def test_empty_documents(body: bytes) -> None:
    with pytest.raises(FeedParseError, match=r"^The document is empty\.$"):
        parse_feed(body, "https://x/")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<opml version='2.0'><body/></opml>", "not an RSS, Atom or JSON feed"),
        (b"just some text", "not an RSS, Atom or JSON feed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": [', "JSON document is broken"),
        (b'{"hello": "world"}', "not a JSON Feed"),
        (b"[1, 2, 3]", "not a JSON Feed"),
        (b"\x00\x01\x02\xff" * 50, "not an RSS, Atom or JSON feed"),
    ],
)  # fmt: skip
def test_other_documents_are_refused(body: bytes, message: str) -> None:
    with pytest.raises(FeedParseError, match=message) as info:
        parse_feed(body, "https://x/")
    assert str(info.value).endswith(".")


# --- hostile documents -------------------------------------------------------------------
@pytest.mark.timeout(20)
def test_billion_laughs_is_not_expanded() -> None:
    feed = load("billion_laughs.xml")
    texts = [feed.title] + [v for e in feed.entries for v in (e.title, e.text)]
    assert all(len(text) < 100 for text in texts), texts
    assert not any("lollol" in text for text in texts)


def test_internal_entities_are_never_expanded() -> None:
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "AAAA">]>'
        b'<rss version="2.0"><channel><title>T &a; x</title>'
        b"<item><title>I&a;</title><link>https://x/1</link></item></channel></rss>"
    )
    feed = parse_feed(body, "https://x/")
    assert "AAAA" not in repr(feed)
    assert feed.entries[0].title == "I"


@pytest.mark.parametrize("well_formed", [True, False])
def test_external_entity_to_a_local_file_leaks_nothing(tmp_path: Path, well_formed: bool) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN-42")
    broken = "" if well_formed else "<broken>&"  # the second variant takes the feedparser path
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        f'<rss version="2.0"><channel><title>X &xxe; Y</title><item><title>&xxe;</title>'
        f"<link>https://x/1</link><description>a &xxe; b {broken}</description></item>"
        f"</channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://x/")
    assert "TOP-SECRET" not in repr(feed)
    assert feed.entries and feed.entries[0].link == "https://x/1"


@pytest.mark.timeout(20)
def test_no_dtd_or_parameter_entity_is_fetched(feed_server: FeedServer) -> None:
    feed_server.static("/evil.dtd", b'<!ENTITY leak "LEAKED">', content_type="text/plain")
    dtd = feed_server.url("/evil.dtd")
    documents = [
        f'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "{dtd}"><rss version="2.0"><channel>'
        f"<title>&leak;</title></channel></rss>",
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "{dtd}"> %p;]>'
        f'<rss version="2.0"><channel><title>&leak;</title></channel></rss>',
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY e SYSTEM "{dtd}">]>'
        f'<rss version="2.0"><channel><title>&e; &amp</title></channel></rss>',
    ]
    for document in documents:
        try:
            feed = parse_feed(document.encode(), "https://x/")
        except FeedParseError:
            continue
        assert "LEAKED" not in repr(feed)
    assert feed_server.requests == []


def test_feedparser_only_ever_gets_a_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    real = feedparser.parse

    def spy(source, *args, **kwargs):
        seen.append(type(source))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(feedparser, "parse", spy)
    load("bad_bare_amp.xml")
    assert seen == [io.BytesIO]


def test_a_local_path_as_body_is_not_opened(tmp_path: Path) -> None:
    private = tmp_path / "private.xml"
    private.write_bytes((DATA / "rss20.xml").read_bytes())
    for body in (str(private).encode(), f"file://{private}".encode()):
        with pytest.raises(FeedParseError):
            parse_feed(body, "https://x/")


def test_hostile_titles_are_cleaned_and_markup_stays_literal() -> None:
    feed = load("hostile_titles.xml")
    titles = [e.title for e in feed.entries]
    assert titles[0] == "[@click=app.quit]x"  # literal text, never interpreted here
    assert titles[1] == "31m C1 bidi [/]"
    assert titles[2] == "zerowidth [bold]b[/bold]"
    assert feed.entries[2].text == "body 2J rev"
    assert_clean(feed)


def test_esc_and_bel_in_titles_are_stripped() -> None:
    feed = load("hostile_titles_esc.xml")  # illegal XML: the tolerant path returns ESC
    assert feed.entries[0].title == "[2J]0;PWNED title"
    assert feed.entries[1].title == "raw [31m esc"
    assert "\x1b" not in feed.entries[1].text
    assert_clean(feed)


def test_javascript_and_file_links_are_dropped() -> None:
    feed = load("javascript_links.xml")
    first, second = feed.entries
    assert first.link == "" and second.link == ""
    assert first.text == "click data file ok[1]\n\nLinks:\n[1] https://ok.example.com/"
    assert_clean(feed)


def test_duplicate_guids_keep_the_first() -> None:
    feed = load("duplicate_guids.xml")
    assert [(e.guid, e.title) for e in feed.entries] == [
        ("same", "First copy"),
        ("other", "Other"),
    ]


def _big_feed(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://big.example.com/{i}</link>"
        f"<pubDate>Sat, 01 Jun 2024 09:30:00 GMT</pubDate>"
        f"<description>&lt;p&gt;Body {i} with a &lt;a href='/l/{i}'&gt;link&lt;/a&gt;.&lt;/p&gt;"
        f"</description></item>"
        for i in range(count)
    )
    return f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()


@pytest.mark.timeout(60)
def test_ten_thousand_items() -> None:
    feed = parse_feed(_big_feed(10_000), "https://big.example.com/feed")
    assert len(feed.entries) == 10_000
    assert len({e.guid for e in feed.entries}) == 10_000
    last = feed.entries[-1]
    assert last.title == "Item 9999"
    assert last.text == "Body 9999 with a link[1].\n\nLinks:\n[1] https://big.example.com/l/9999"


@pytest.mark.timeout(30)
def test_deep_nesting_is_bounded() -> None:
    depth = 20_000
    body = (
        '<rss version="2.0"><channel><title>D</title><item><title>x</title><description>'
        + "<div>" * depth
        + "deep"
        + "</div>" * depth
        + "</description></item></channel></rss>"
    ).encode()
    feed = parse_feed(body, "https://x/")
    assert feed.entries[0].text == "deep"


def test_huge_guid_is_hashed() -> None:
    body = (
        '<rss version="2.0"><channel><item><title>t</title><guid>'
        + "g" * 5000
        + "</guid></item></channel></rss>"
    ).encode()
    entry = parse_feed(body, "https://x/").entries[0]
    assert entry.guid.startswith("sha1:") and len(entry.guid) == 45


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=300)
    | st.text(alphabet="<>/&;!?[]\"'= rsitemchanelfdxy\x1b\x9b\u202e", max_size=200).map(
        lambda s: ("<rss version='2.0'><channel><item><title>" + s).encode()
    )
)
def test_parse_never_raises_anything_else(body: bytes) -> None:
    try:
        feed = parse_feed(body, "https://x/feed")
    except FeedParseError as exc:
        assert str(exc).endswith(".")
        return
    assert_clean(feed)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "iso-8859-1", "windows-1252"])
def test_declared_encodings_and_boms(encoding: str) -> None:
    declared = "utf-8" if encoding == "utf-8-sig" else encoding
    source = (
        f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel>'
        "<title>Ünïcödé</title><item><title>café</title><link>https://x/1</link></item>"
        "</channel></rss>"
    )
    feed = parse_feed(source.encode(encoding), "https://x/")
    assert feed.title == "Ünïcödé" and feed.entries[0].title == "café"


def test_utf8_labelled_as_latin1_is_read_as_utf8() -> None:
    source = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel>'
        "<title>Café Müller</title></channel></rss>"
    )
    assert parse_feed(source.encode("utf-8"), "https://x/").title == "Café Müller"
    assert parse_feed(source.encode("latin-1"), "https://x/").title == "Café Müller"


def test_a_non_url_guid_is_not_a_link() -> None:
    body = (
        b'<rss version="2.0"><channel><item><title>a</title><guid>12345</guid></item>'
        b"<item><title>b</title><guid>https://x.example/p/2</guid></item></channel></rss>"
    )
    first, second = parse_feed(body, "https://x.example/feed").entries
    assert (first.guid, first.link) == ("12345", "")
    assert second.link == "https://x.example/p/2"  # isPermaLink defaults to true


def test_rss_title_entities_decoded_once_more_only_when_well_formed() -> None:
    body = (
        b"<rss version='2.0'><channel><title>AT&amp;amp;T &amp;copy R&amp;D</title></channel></rss>"
    )
    assert parse_feed(body, "https://x/").title == "AT&T &copy R&D"


@pytest.mark.parametrize(
    ("channel", "minutes"),
    [
        ("<ttl>60</ttl>", 60),
        ("<ttl> 15 </ttl>", 15),
        ("<ttl>soon</ttl>", None),
        ("<ttl>-5</ttl>", None),
        ("<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>", 720),
        ("<sy:updatePeriod>hourly</sy:updatePeriod>", 60),
        ("<sy:updatePeriod>Weekly</sy:updatePeriod><sy:updateFrequency>0</sy:updateFrequency>",
         10080),
        ("<sy:updatePeriod>fortnightly</sy:updatePeriod>", None),
        ("<ttl>²</ttl>", None),  # a digit to str.isdigit, not to int()
        ("<ttl>１２</ttl>", None),
        ("<sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>①</sy:updateFrequency>",
         1440),
        ("", None),
    ],
)
@pytest.mark.parametrize("well_formed", [True, False])
def test_feed_ttl(channel: str, minutes: int | None, well_formed: bool) -> None:
    title = "T &amp; co" if well_formed else "T & co"  # a bare & takes the tolerant path
    body = ('<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">'
            f"<channel><title>{title}</title>{channel}<item><title>A</title></item>"
            "</channel></rss>").encode()
    assert parse_feed(body, "https://n/").ttl_minutes == minutes
