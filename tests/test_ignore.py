"""Ignore rules ("killfile", config.toml [[ignore]]): matching, loading, and refreshes that
never store what a rule drops (in this process, in worker processes, in the CLI, in the TUI)."""

from __future__ import annotations

import json
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from reader.config import Config, ConfigError, load_config
from reader.feeds import service
from reader.feeds.fetch import Fetcher
from reader.feeds.ignore import MAX_PATTERN, MAX_RULES, IgnoreRule, IgnoreRules
from reader.feeds.parse import ParsedEntry
from reader.feeds.service import FeedResult, RefreshReport, refresh_feeds
from reader.library.store import Library
from reader.models import Feed, short_hash
from reader.text.body import BodySource
from reader.ui.app import ReaderApp

from . import feedserver
from .test_cli import assert_one_clear_error, run
from .test_tui import SIZE, settle

feed_server = feedserver.feed_server

# (guid, title, author, body); the bodies carry a marker to look for on disk.
STORIES = [
    ("s0", "Harbour reopens after the storm", "Ann Lee", "<p>KEEP-0 harbour body</p>"),
    ("s1", "Sponsored: the best ferry insurance", "Ad Desk", "<p>DROP-1 advert body</p>"),
    ("s2", "Live updates: regatta day", "Bo Chen", "<p>DROP-2 live body</p>"),
    ("s3", "Council votes on the new pier", "Bo Chen", "<p>KEEP-3 council body</p>"),
    ("s4", "A SPONSORED look at sailing", "Ann Lee", "<p>DROP-4 second advert</p>"),
]
KEPT_GUIDS = {"s0", "s3"}
RULES_TOML = """
[[ignore]]
title = '(?i)\\bsponsored\\b'

[[ignore]]
title = '^Live updates'
author = 'Bo Chen'
"""


def rss_with_authors(title: str, stories: list[tuple[str, str, str, str]]) -> bytes:
    items = "".join(
        f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title>"
        f"<link>https://site.example/{escape(g)}</link>"
        f"<author>desk@site.example ({escape(a)})</author>"
        f"<pubDate>Mon, 0{1 + i % 9} Sep 2025 10:00:00 GMT</pubDate>"
        f"<description>{escape(b)}</description></item>"
        for i, (g, t, a, b) in enumerate(stories))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>https://site.example/</link>"
            f"{items}</channel></rss>").encode()


def entry(title: str, author: str = "") -> ParsedEntry:
    return ParsedEntry(guid=title, title=title, link="", author=author, published=None,
                       body=BodySource("text", title, ""))


def feed(url: str = "https://news.example/feed.xml", tags: tuple[str, ...] = (),
         aliases: tuple[str, ...] = ()) -> Feed:
    return Feed(id=Feed.make_id(url), url=url, tags=list(tags), aliases=list(aliases))


def rules(*items: dict) -> IgnoreRules:
    return IgnoreRules.from_config(list(items))


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, "utf-8")
    return path


def bodies_on_disk(data_dir: Path) -> str:
    """Every body file's text (to show dropped bodies were never written)."""
    files = sorted((data_dir / "bodies").rglob("*"))[:1000]
    return "".join(f.read_text("utf-8") for f in files if f.is_file())


# Matching -------------------------------------------------------------------------------

def test_title_only_author_only_and_both_must_match() -> None:
    news = feed()
    by_title = rules({"title": "Sponsored"})
    assert by_title.drops(news, entry("Sponsored: boats", "Ann"))
    assert not by_title.drops(news, entry("sponsored, lower case", "Ann"))  # no (?i)
    assert not by_title.drops(news, entry("Boats", "Sponsored"))  # the title only
    by_author = rules({"author": "^Ad Desk$"})
    assert by_author.drops(news, entry("Anything", "Ad Desk"))
    assert not by_author.drops(news, entry("Ad Desk", "Ann"))
    assert not by_author.drops(news, entry("Anything", ""))
    both = rules({"title": "^Live", "author": "Bo"})
    assert both.drops(news, entry("Live: regatta", "Bo Chen"))
    assert not both.drops(news, entry("Live: regatta", "Ann Lee"))  # AND, not OR
    assert not both.drops(news, entry("Regatta", "Bo Chen"))


def test_several_rules_are_or_and_case_insensitive_by_flag() -> None:
    news = feed()
    several = rules({"title": r"(?i)\bsponsored\b"}, {"author": "Columnist"})
    assert several.drops(news, entry("A SPONSORED post"))
    assert several.drops(news, entry("Opinion", "The Columnist"))
    assert not several.drops(news, entry("Unsponsored news"))  # \b: a whole word
    assert not several.drops(news, entry("Opinion", "A Reporter"))
    kept, dropped = several.filter(news, [entry("sponsored"), entry("x", "Columnist"),
                                          entry("news", "Ann")])
    assert [e.title for e in kept] == ["news"] and dropped == 2
    assert not IgnoreRules() and IgnoreRules().filter(news, [entry("x")])[1] == 0


def test_feed_scope_by_id_url_old_url_and_tag() -> None:
    news = feed(tags=("local", "city"), aliases=("https://old.example/rss",))
    other = feed("https://other.example/feed.xml", tags=("world",))
    for scope in (news.id, news.url, "https://old.example/rss", "local", "#city"):
        scoped = rules({"title": "Sponsored", "feed": scope})
        assert scoped.drops(news, entry("Sponsored")), scope
        assert not scoped.drops(other, entry("Sponsored")), scope
        assert scoped.filter(other, [entry("Sponsored")]) == ([entry("Sponsored")], 0)
    assert not rules({"title": "x", "feed": "loc"}).drops(news, entry("x"))  # equals, not in
    # URLs compare normalised, tags in any case.
    for scope in ("https://NEWS.example/feed.xml", "HTTPS://news.example:443/feed.xml", "LOCAL",
                  "#City"):
        assert rules({"title": "x", "feed": scope}).drops(news, entry("x")), scope
    assert not rules({"title": "x", "feed": "https://other.example/rss"}).drops(news, entry("x"))


def test_rules_are_frozen_and_pickle_with_compiled_patterns() -> None:
    loaded = rules({"title": "(?i)ad", "feed": "x"}, {"author": "Bo"})
    again = pickle.loads(pickle.dumps(loaded))
    assert again == loaded and again.drops(feed(tags=("x",)), entry("AD"))
    assert isinstance(loaded.rules[0], IgnoreRule) and loaded.rules[0].feed == "x"
    with pytest.raises(AttributeError):
        loaded.rules[0].feed = "y"  # type: ignore[misc]


# Loading from config.toml ----------------------------------------------------------------

def test_config_reads_rules(tmp_path: Path) -> None:
    path = write_config(tmp_path, RULES_TOML + '\n[[ignore]]\nauthor = "Ad Desk"\n'
                        'feed = "local"\n[refresh]\nconcurrency = 2\n')
    config = load_config(path)
    assert len(config.ignore) == 3 and config.concurrency == 2
    first, second, third = config.ignore.rules
    assert first.title is not None and first.title.pattern == r"(?i)\bsponsored\b"
    assert first.author is None and first.feed == ""
    assert (second.title.pattern, second.author.pattern) == ("^Live updates", "Bo Chen")
    assert third.title is None and third.feed == "local"
    assert not load_config(write_config(tmp_path, "[ui]\ntheme = 'x'\n")).ignore
    assert not Config().ignore


@pytest.mark.parametrize(("text", "expected"), [
    ("[[ignore]]\ntitle = 'ok'\n[[ignore]]\ntitle = 'a)b'\n",
     "ignore rule 2: the title pattern is not a valid regular expression "
     "(unbalanced parenthesis at position 1)."),
    ("[[ignore]]\nauthor = '(unclosed'\n",
     "ignore rule 1: the author pattern is not a valid regular expression"),
    ("[[ignore]]\ntitle = 'a{99999999999}'\n",
     "ignore rule 1: the title pattern is not a valid regular expression"),
    ("[[ignore]]\ntitle = 'x'\n[[ignore]]\ntitle = 'y'\n[[ignore]]\ntitel = 'z'\n",
     "ignore rule 3: unknown key 'titel'"),
    ("[[ignore]]\ntitle = 5\n", "ignore rule 1: title must be a string."),
    ("[[ignore]]\ntitle = 'x'\nfeed = ['a', 'b']\n", "ignore rule 1: feed must be a string."),
    ("[[ignore]]\nfeed = 'news'\n", "ignore rule 1: give a title or an author pattern"),
    ("[[ignore]]\n", "ignore rule 1: give a title or an author pattern"),
    ("[[ignore]]\ntitle = ''\n", "ignore rule 1: the title pattern is empty"),
    ('[[ignore]]\ntitle = "(?i)\\bsponsored"\n',  # TOML reads \b in "" as a backspace
     "ignore rule 1: the title pattern holds a control character"),
    ("[[ignore]]\ntitle = 'x'\nfeed = ' '\n", "ignore rule 1: feed is empty"),
    (f"[[ignore]]\nauthor = '{'a' * (MAX_PATTERN + 1)}'\n",
     f"ignore rule 1: the author pattern is {MAX_PATTERN + 1} characters long, at most "
     f"{MAX_PATTERN} are allowed."),
    ("ignore = 'sponsored'\n", "ignore must be an array of tables"),
    ("[ignore]\ntitle = 'x'\n", "ignore must be an array of tables"),
    ("ignore = [1]\n", "ignore rule 1 must be a table"),
    ("[[ignore]]\ntitle = 'x'\n" * (MAX_RULES + 1),
     f"there are {MAX_RULES + 1} [[ignore]] rules, at most {MAX_RULES} are allowed."),
])
def test_bad_rules_are_one_sentence_naming_the_rule(tmp_path: Path, text: str,
                                                    expected: str) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and expected in message
    assert "\n" not in message and message.endswith(".") and not message.endswith("..")


def test_a_doubled_backslash_in_double_quotes_is_a_word_boundary(tmp_path: Path) -> None:
    loaded = load_config(write_config(tmp_path,
                                      '[[ignore]]\ntitle = "(?i)\\\\bsponsored\\\\b"\n'))
    news = feed()
    assert loaded.ignore.drops(news, entry("A SPONSORED post"))
    assert not loaded.ignore.drops(news, entry("Unsponsored"))


def test_the_limits_themselves_are_allowed(tmp_path: Path) -> None:
    text = f"[[ignore]]\ntitle = '{'b' * MAX_PATTERN}'\n" + "[[ignore]]\ntitle = 'x'\n" * (
        MAX_RULES - 1)
    assert len(load_config(write_config(tmp_path, text)).ignore) == MAX_RULES


# Refresh: nothing a rule drops is stored ---------------------------------------------------

@pytest.fixture
def library(data_dir: Path):
    lib = Library.open(data_dir)
    yield lib
    lib.close()


def stored_guids(library: Library) -> set[str]:
    return {a.guid for a in library.articles()}


def assert_only_kept_stored(library: Library, data_dir: Path, feed_id: str) -> None:
    assert stored_guids(library) == KEPT_GUIDS
    for guid, _, _, body in STORIES:
        article_id = short_hash(feed_id, guid)
        marker = body[3:9]
        if guid in KEPT_GUIDS:
            assert library.body(article_id).startswith(marker)
        else:
            assert library.article(article_id) is None
            assert library.body(article_id) == ""
            assert library.bodies.get(article_id, feed_id) == ""
    on_disk = bodies_on_disk(data_dir)
    assert "KEEP-0" in on_disk and "KEEP-3" in on_disk  # the check below can see bodies
    assert "DROP-" not in on_disk


async def test_refresh_drops_matching_entries_and_keeps_dropping_them(
        library: Library, data_dir: Path, feed_server, tmp_path: Path) -> None:
    feed_server.static("/news.xml", rss_with_authors("Harbour News", STORIES))
    news = library.add_feed(feed_server.url("/news.xml"))
    config = load_config(write_config(tmp_path, RULES_TOML))
    async with Fetcher(concurrency=4, connect_timeout=2, read_timeout=2, deadline=4) as fetcher:
        first = await refresh_feeds(library, fetcher=fetcher, ignore=config.ignore)
        [result] = first.results
        assert (result.status, result.new, result.updated, result.ignored) == ("new", 2, 0, 3)
        assert "2 new, 0 updated, 3 ignored" in result.line()
        assert result.public_dict()["ignored"] == 3
        assert first.summary().startswith("2 new in 1 feed, 3 ignored (")
        assert_only_kept_stored(library, data_dir, news.id)

        # Served again (no validators: a full 200): still dropped, nothing new.
        second = await refresh_feeds(library, fetcher=fetcher, ignore=config.ignore)
        [again] = second.results
        assert (again.status, again.new, again.ignored) == ("unchanged", 0, 3)
        assert again.line().endswith("no changes, 3 ignored")
        assert_only_kept_stored(library, data_dir, news.id)

        # Without rules, the same feed brings them in (the rules were the only filter).
        third = await refresh_feeds(library, fetcher=fetcher)
        assert (third.results[0].new, third.results[0].ignored) == (3, 0)
        assert "ignored" not in third.summary() and "ignored" not in third.results[0].line()
        assert third.results[0].public_dict()["ignored"] == 0
        assert len(stored_guids(library)) == len(STORIES)

        # A rule added later does not delete what is stored already.
        fourth = await refresh_feeds(library, fetcher=fetcher, ignore=config.ignore)
        assert fourth.results[0].ignored == 3 and len(stored_guids(library)) == len(STORIES)


async def test_rules_scoped_to_another_feed_leave_this_one_alone(
        library: Library, feed_server) -> None:
    feed_server.static("/a.xml", rss_with_authors("A", STORIES))
    feed_server.static("/b.xml", rss_with_authors("B", STORIES))
    a = library.add_feed(feed_server.url("/a.xml"))
    b = library.add_feed(feed_server.url("/b.xml"))
    library.edit_feed(b.id, tags=["ads-off"])
    scoped = rules({"title": "(?i)sponsored", "feed": "ads-off"}, {"author": "Bo", "feed": a.id})
    async with Fetcher(concurrency=4, connect_timeout=2, read_timeout=2, deadline=4) as fetcher:
        report = await refresh_feeds(library, fetcher=fetcher, ignore=scoped)
    by_id = {r.feed_id: r for r in report.results}
    assert (by_id[a.id].new, by_id[a.id].ignored) == (3, 2)  # the two by Bo Chen
    assert (by_id[b.id].new, by_id[b.id].ignored) == (3, 2)  # the two sponsored
    assert report.summary().startswith("6 new in 2 feeds, 4 ignored")


def test_feed_result_and_summary_without_ignored_are_unchanged() -> None:
    result = FeedResult("f1", "https://x.example/", "X", "new", new=3)
    assert result.line() == "f1  new          X: 3 new, 0 updated"
    result.ignored = 2
    assert result.line() == "f1  new          X: 3 new, 0 updated, 2 ignored"
    report = RefreshReport(results=[result, FeedResult("f2", "u", "Y", "unchanged")])
    assert report.ignored == 2 and ", 2 ignored" in report.summary()
    result.ignored = 0
    assert "ignored" not in report.summary()


async def test_worker_processes_apply_the_rules(library: Library, data_dir: Path,
                                                feed_server, monkeypatch) -> None:
    """The worker-process path of refresh_feeds, in real (spawned) processes: the rules
    are pickled to them and nothing dropped is written by them or sent back."""
    feed_server.static("/news.xml", rss_with_authors("Harbour News", STORIES))
    news = library.add_feed(feed_server.url("/news.xml"))
    for index in range(3):
        feed_server.static(f"/o{index}.xml", rss_with_authors(f"O{index}", [
            (f"o{index}-{i}", f"Other {index}.{i}", "Ann Lee", f"<p>OTHER-{index}.{i}</p>")
            for i in range(2)]))
        library.add_feed(feed_server.url(f"/o{index}.xml"))
    pools: list[ProcessPoolExecutor] = []

    def spawned_pool(_feeds: int) -> ProcessPoolExecutor:
        pools.append(ProcessPoolExecutor(
            max_workers=2, mp_context=multiprocessing.get_context("spawn")))
        return pools[-1]

    monkeypatch.setattr(service, "_parse_pool", spawned_pool)
    try:
        report = await refresh_feeds(library, concurrency=4,
                                     ignore=rules({"title": r"(?i)\bsponsored\b"},
                                                  {"title": "^Live", "author": "Bo"}))
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)
    assert len(pools) == 1
    by_id = {r.feed_id: r for r in report.results}
    assert (by_id[news.id].new, by_id[news.id].ignored) == (2, 3)
    assert sum(r.new for r in report.results) == 8 and report.ignored == 3
    assert stored_guids(library) - {f"o{i}-{j}" for i in range(3) for j in range(2)} == (
        KEPT_GUIDS)
    library.close()  # read back from disk, as the next process would
    reopened = Library.open(data_dir)
    try:
        assert_only_kept_stored_in(reopened, data_dir, news.id)
    finally:
        reopened.close()


def assert_only_kept_stored_in(library: Library, data_dir: Path, feed_id: str) -> None:
    guids = {a.guid for a in library.articles(feed_id=feed_id)}
    assert guids == KEPT_GUIDS
    assert library.body(short_hash(feed_id, "s3")).startswith("KEEP-3")
    on_disk = bodies_on_disk(data_dir)
    assert "KEEP-0" in on_disk and "OTHER-2.1" in on_disk and "DROP-" not in on_disk


# The CLI and the TUI ----------------------------------------------------------------------

def test_cli_refresh_reports_ignored_and_stores_none_of_them(
        feed_server, data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("READER_CONFIG", str(write_config(tmp_path, RULES_TOML)))
    feed_server.static("/news.xml", rss_with_authors("Harbour News", STORIES))
    assert run("add", feed_server.url("/news.xml"), data_dir=data_dir).returncode == 0
    result = run("refresh", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert (row["status"], row["new"], row["ignored"]) == ("new", 2, 3)
    articles = json.loads(run("articles", "--json", data_dir=data_dir).stdout)
    assert sorted(a["title"] for a in articles) == ["Council votes on the new pier",
                                                    "Harbour reopens after the storm"]
    text = run("refresh", data_dir=data_dir)
    assert text.returncode == 0 and "no changes, 3 ignored" in text.stdout
    assert ", 3 ignored (" in text.stderr
    assert "DROP-" not in bodies_on_disk(data_dir)


def test_cli_refresh_of_many_feeds_applies_rules_in_worker_processes(
        feed_server, data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    """8+ feeds: `reader refresh` parses in forked worker processes; the rules reach them."""
    monkeypatch.setenv("READER_CONFIG", str(write_config(tmp_path, RULES_TOML)))
    count = max(10, service._MIN_FEEDS_FOR_PROCESSES + 2)
    for index in range(count):
        stories = [(f"m{index}-{g}", t, a, b.replace("<p>", f"<p>F{index} "))
                   for g, t, a, b in STORIES]
        feed_server.static(f"/m{index}.xml", rss_with_authors(f"Feed {index}", stories))
        assert run("add", feed_server.url(f"/m{index}.xml"), data_dir=data_dir).returncode == 0
    result = run("refresh", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report) == count
    assert all((r["status"], r["new"], r["ignored"]) == ("new", 2, 3) for r in report)
    articles = json.loads(run("articles", "--json", data_dir=data_dir).stdout)
    assert len(articles) == 2 * count
    assert not any("Sponsored" in a["title"] or "SPONSORED" in a["title"]
                   or a["title"].startswith("Live") for a in articles)
    on_disk = bodies_on_disk(data_dir)
    assert "F7 KEEP-3" in on_disk and "DROP-" not in on_disk
    shown = json.loads(run("show", next(a["id"] for a in articles
                                        if a["title"].startswith("Council")),
                           "--json", data_dir=data_dir).stdout)
    assert "KEEP-3" in shown["text"]
    again = json.loads(run("refresh", "--json", data_dir=data_dir).stdout)
    assert sum(r["new"] for r in again) == 0 and sum(r["ignored"] for r in again) == 3 * count
    assert len(json.loads(run("articles", "--json", data_dir=data_dir).stdout)) == 2 * count


def test_cli_refuses_a_bad_rule_in_one_sentence(feed_server, data_dir: Path, tmp_path: Path,
                                                monkeypatch) -> None:
    feed_server.static("/news.xml", rss_with_authors("Harbour News", STORIES))
    assert run("add", feed_server.url("/news.xml"), data_dir=data_dir).returncode == 0
    path = write_config(tmp_path, "[[ignore]]\ntitle = 'ok'\n[[ignore]]\ntitle = '(?i)(x'\n")
    monkeypatch.setenv("READER_CONFIG", str(path))
    fetched = len(feed_server.requests_for("/news.xml"))  # by `reader add`
    result = run("refresh", data_dir=data_dir)
    assert_one_clear_error(result)
    assert result.returncode == 1
    assert "ignore rule 2: the title pattern is not a valid regular expression" in result.stderr
    assert str(path) in result.stderr
    assert len(feed_server.requests_for("/news.xml")) == fetched  # a broken config: no fetch


async def test_tui_refresh_applies_the_configured_rules(library: Library, feed_server,
                                                        tmp_path: Path) -> None:
    feed_server.static("/news.xml", rss_with_authors("Harbour News", STORIES))
    library.add_feed(feed_server.url("/news.xml"))
    config = load_config(write_config(tmp_path, RULES_TOML))
    app = ReaderApp(library, config=config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("R")
        await settle(pilot, app)
        notes = [n.message for n in app._notifications]
        assert any("2 new in 1 feed, 3 ignored" in note for note in notes), notes
    assert stored_guids(library) == KEPT_GUIDS
