"""Searching article text: the quick test on stored HTML never hides a real match, and the
library finds phrases in local and feed articles alike."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.library.store import Library, LocalArticleInput
from reader.text.find import TextQuery
from reader.text.html import html_to_text

from . import feedserver
from .feedgen import rss
from .test_feeds_service import refresh

feed_server = feedserver.feed_server

BASE = "https://x.org/a/"
FRAGMENTS = [
    "<p>", "</p>", "<b>", "</b>", "<br>", "<a href='https://x.org/p?q=1&amp;r=2'>", "</a>",
    '<a href="rel">', "<a href='javascript:alert(1)'>", "<img alt='Harbour bridge'>",
    '<img alt="x &amp; y">', "<img>", "<script>", "</script>", "<!-- c -->", "&amp;", "&lt;",
    "&gt;", "&nbsp;", "&#8217;", "e&#769;", "é", "foo", "bar", " ", "\n", "<", ">", "a < b",
    "<q>", "</q>", "<li>", "<ol start=3>", "</ol>", "<ul>", "</ul>", "<h1>", "</h1>",
    "<blockquote>", "</blockquote>", "<pre>", "</pre>", "<code>", "</code>", "Foo", "BAR",
    "&#x200b;", "\u00ad", "<style>x</style>", "<td>", "<tr>", "<table>",
    "<iframe src='https://e.org/'>", "</iframe>", "ß", "SS", "İ", "ﬁ", "fi", "\t", "&#x1b;",
    "<div>", "</div>", "<hr>", "<sup>", "2", "<td>Price</td><td>10</td>", "</td>", "</tr>",
    "* *", "|", "<a href='/a b'>", "<b>\u0301</b>", "\u0301", "said", "<a href='#top'>",
    "<a href='mailto:ed@x.org'>", "cat", "<img alt='cat'>",
]
WORDS = [
    "foo", "bar", "é", "harbour", "a", "b", "<", "’", "foobar", "1", "[1]", "image", "x", "&",
    "y", "links:", "https://x.org/p?q=1&r=2", "https://x.org/a/rel", "“foo”", "•", "#", ">",
    "`foo`", "ss", "fi", "3.", "links", "[image:", "bridge]", "e\u0301", "price | 10",
    "a * * * b", "|", "*", "foo[1]bar", "said“foo", "x[image: cat]y", "foo`bar",
    "https://x.org/a%20b", "a%20b", "ét", "mailto:ed@x.org", "ed@x.org", "10",
]


@settings(max_examples=2500, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25),
       st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join))
def test_the_quick_test_never_hides_a_match(parts: list[str], query: str) -> None:
    markup = "".join(parts)
    needle = TextQuery(query)
    if needle.in_text(html_to_text(markup, BASE)):
        assert needle.may_be_in_markup(markup, BASE)


def test_phrase_matching_ignores_case_spacing_and_composition() -> None:
    needle = TextQuery("  Harbour   BRIDGE ")
    assert needle.in_text("the old harbour\n  bridge reopens")
    assert not needle.in_text("harbourbridge")
    assert TextQuery("café").in_text("Cafe\u0301 society")  # NFC on both sides
    assert TextQuery("strasse").in_text("Straße")  # case folding, not just lower()
    assert not TextQuery("   ")  # no words: matches nothing
    assert not TextQuery("").in_text("anything")
    assert not TextQuery("x").may_be_in_markup("")
    assert not TextQuery("zebra").may_be_in_markup("<p>horse</p>")
    linked = "<p>horse</p><a href='/zebra'>z</a>"  # the Links list shows the URL
    assert TextQuery("zebra").may_be_in_markup(linked, "https://x.org/")
    assert TextQuery("x.org/zebra").in_text(html_to_text(linked, "https://x.org/"))
    assert TextQuery("x.org/zebra").may_be_in_markup(linked, "https://x.org/")


async def test_library_finds_text_in_local_feed_and_orphaned_articles(
        data_dir: Path, feed_server) -> None:
    items = [("g1", "Council vote", "<p>The <b>swing</b> bridge&nbsp;reopens in spring.</p>"),
             ("g2", "Weather", "<p>Rain, then sun.</p>")]
    feed_server.static("/f.xml", rss("Local News", items))
    with Library.open(data_dir) as library:
        [(local, _)] = library.add_local_articles(
            [LocalArticleInput("Notes", "", "A swing\nbridge, seen from the quay.")])
        feed = library.add_feed(feed_server.url("/f.xml"))
        await refresh(library)
        council = next(a for a in library.articles(feed_id=feed.id) if a.title == "Council vote")
        weather = next(a for a in library.articles(feed_id=feed.id) if a.title == "Weather")
        everything = [a.id for a in library.articles()]
        assert library.text_matches("SWING bridge", everything) == {local.id, council.id}
        assert library.text_matches("rain, then", everything) == {weather.id}
        assert library.text_matches("swing bridge", [weather.id]) == set()  # only those given
        assert library.text_matches("nowhere at all", everything) == set()
        # A kept article outlives its feed as a local file and is still found.
        library.set_bookmarked([council.id])
        library.remove_feed(feed.id)
        assert library.text_matches("bridge reopens", [a.id for a in library.articles()]) == {
            council.id}
        # `also` adds text matches to the metadata search.
        shown = library.articles(search="reopens", also={council.id})
        assert [a.id for a in shown] == [council.id]
        assert library.articles(search="reopens") == []
