"""Feed commands through the real entry point, against a real server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

from defusedxml import ElementTree

from . import feedserver
from .feedgen import atom, page_with_feeds, rss
from .test_cli import assert_one_clear_error, run

feed_server = feedserver.feed_server

ITEMS = [(f"g{i}", f"Story {i}", f"<p>Body {i}</p>") for i in range(4)]
FEED_FIELDS = {"id", "url", "title", "tags", "unread", "total", "last_fetched", "error"}


def test_add_refresh_feeds_remove(feed_server, data_dir: Path) -> None:
    feed_server.static("/news.xml", rss("Harbour News", ITEMS), etag='"1"')
    feed_server.static("/atom.xml", atom("Atom Side", ITEMS[:2]),
                       content_type="application/atom+xml")
    feed_server.static("/", page_with_feeds(("/atom.xml", "application/atom+xml", "Atom Side"),
                                            ("/news.xml", "application/rss+xml", "News")),
                       content_type="text/html")
    feed_server.status("/dead.xml", 404)
    added = run("add", feed_server.url("/news.xml"), "--tag", "local", data_dir=data_dir)
    assert added.returncode == 0, added.stderr
    assert "subscribed: Harbour News" in added.stdout
    page = run("add", feed_server.url("/"), data_dir=data_dir)
    assert page.returncode == 0 and "subscribed: Atom Side" in page.stdout
    assert "News" in page.stderr  # the other feed the page offers is named
    assert run("add", feed_server.url("/dead.xml"), data_dir=data_dir).returncode == 1
    assert_one_clear_error(run("add", "ftp://example.org/feed", data_dir=data_dir))
    assert_one_clear_error(run("add", feed_server.url("/news.xml"), data_dir=data_dir))

    feed_server.static("/dead.xml", rss("Dead", ITEMS[:1]))
    assert run("add", feed_server.url("/dead.xml"), data_dir=data_dir).returncode == 0
    feed_server.status("/dead.xml", 500)

    refreshed = run("refresh", "--json", data_dir=data_dir)
    assert refreshed.returncode == 0  # only some feeds failed
    results = {r["url"].rsplit("/", 1)[1]: r for r in json.loads(refreshed.stdout)}
    assert results["news.xml"]["status"] == "new" and results["news.xml"]["new"] == 4
    assert results["atom.xml"]["new"] == 2
    assert results["dead.xml"]["status"] == "error" and "500" in results["dead.xml"]["error"]
    again = json.loads(run("refresh", "--json", data_dir=data_dir).stdout)
    assert {r["url"].rsplit("/", 1)[1]: r["not_modified"] for r in again}["news.xml"] is True

    feeds = json.loads(run("feeds", "--json", data_dir=data_dir).stdout)
    assert all(set(f) == FEED_FIELDS for f in feeds)
    news = next(f for f in feeds if f["title"] == "Harbour News")
    assert (news["unread"], news["total"], news["tags"]) == (4, 4, ["local"])
    assert next(f for f in feeds if f["url"].endswith("dead.xml"))["error"]

    one = json.loads(run("articles", "--feed", news["id"], "--json", data_dir=data_dir).stdout)
    assert len(one) == 4 and all(a["source"] == "feed" for a in one)
    by_url = json.loads(run("articles", "--feed", news["url"], "--json",
                            data_dir=data_dir).stdout)
    assert by_url == one
    keep = one[0]["id"]
    assert run("bookmark", keep, data_dir=data_dir).returncode == 0
    removed = run("remove", news["id"], data_dir=data_dir)
    assert removed.returncode == 0 and "1 bookmarked or quoted articles kept" in removed.stderr
    left = json.loads(run("articles", "--json", data_dir=data_dir).stdout)
    assert keep in {a["id"] for a in left}
    shown = json.loads(run("show", keep, "--json", data_dir=data_dir).stdout)
    assert shown["text"].startswith("Body")


def test_refresh_named_feed_and_unknown(feed_server, data_dir: Path) -> None:
    feed_server.static("/a.xml", rss("A", ITEMS))
    feed_server.static("/b.xml", rss("B", ITEMS))
    run("add", feed_server.url("/a.xml"), data_dir=data_dir)
    run("add", feed_server.url("/b.xml"), data_dir=data_dir)
    result = run("refresh", feed_server.url("/a.xml"), "--json", data_dir=data_dir)
    assert [r["title"] for r in json.loads(result.stdout)] == ["A"]
    assert_one_clear_error(run("refresh", "nope", data_dir=data_dir))
    empty = data_dir.parent / "empty"
    assert_one_clear_error(run("refresh", data_dir=empty))


def test_edit_renames_and_retags_and_refresh_keeps_the_name(feed_server,
                                                           data_dir: Path) -> None:
    feed_server.static("/news.xml", rss("Harbour News", ITEMS))
    assert run("add", feed_server.url("/news.xml"), "--tag", "local",
               data_dir=data_dir).returncode == 0
    [feed] = json.loads(run("feeds", "--json", data_dir=data_dir).stdout)
    edited = run("edit", feed["id"], "--title", "Harbour", "--tag", "#city", "--tag", "port",
                 data_dir=data_dir)
    assert edited.returncode == 0, edited.stderr
    assert edited.stdout.strip() == f"{feed['id']}  Harbour [city, port]"
    assert run("refresh", data_dir=data_dir).returncode == 0
    [after] = json.loads(run("feeds", "--json", data_dir=data_dir).stdout)
    assert (after["title"], after["tags"], after["total"]) == ("Harbour", ["city", "port"], 4)
    # By URL too; --no-tags clears them; an empty title takes the feed's own at the refresh.
    assert run("edit", feed_server.url("/news.xml"), "--no-tags", "--title", "",
               data_dir=data_dir).returncode == 0
    assert run("refresh", data_dir=data_dir).returncode == 0
    [cleared] = json.loads(run("feeds", "--json", data_dir=data_dir).stdout)
    assert (cleared["title"], cleared["tags"]) == ("Harbour News", [])
    for bad in (["edit", feed["id"]], ["edit", "nope", "--title", "x"],
                ["edit", feed["id"], "--tag", "a", "--no-tags"], ["edit"]):
        assert_one_clear_error(run(*bad, data_dir=data_dir))


def test_refresh_due_skips_feeds_that_ask_to_wait(feed_server, data_dir: Path) -> None:
    feed_server.static("/slow.xml", rss("Slow", ITEMS).replace(b"<channel>",
                                                                b"<channel><ttl>120</ttl>"))
    feed_server.static("/fast.xml", rss("Fast", ITEMS[:1]))
    for path in ("/slow.xml", "/fast.xml"):
        assert run("add", feed_server.url(path), data_dir=data_dir).returncode == 0
    assert run("refresh", data_dir=data_dir).returncode == 0
    counts = {p: len(feed_server.requests_for(p)) for p in ("/slow.xml", "/fast.xml")}
    due = run("refresh", "--due", "--json", data_dir=data_dir)
    assert due.returncode == 0, due.stderr
    assert [r["title"] for r in json.loads(due.stdout)] == ["Fast"]
    assert "1 feeds are not due yet" in due.stderr
    assert len(feed_server.requests_for("/slow.xml")) == counts["/slow.xml"]  # not asked
    assert len(feed_server.requests_for("/fast.xml")) == counts["/fast.xml"] + 1
    # Without --due every feed is fetched, fresh or not.
    assert run("refresh", data_dir=data_dir).returncode == 0
    assert len(feed_server.requests_for("/slow.xml")) == counts["/slow.xml"] + 1


def test_opml_round_trip(data_dir: Path, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
        '<outline text="Tech"><outline text="Dev"><outline text="Blog" type="rss" '
        'xmlUrl="https://blog.example/feed.xml" htmlUrl="https://blog.example/"/></outline>'
        '</outline><outline text="Local" type="rss" xmlUrl="https://local.example/rss"/>'
        '<outline text="Bad" type="rss" xmlUrl="file:///etc/passwd"/></body></opml>',
        encoding="utf-8")
    imported = run("import", str(opml), data_dir=data_dir)
    assert imported.returncode == 0, imported.stderr
    assert "2 feeds added" in imported.stdout
    assert "file:" in imported.stderr
    exported = run("export", "opml", data_dir=data_dir)
    assert exported.returncode == 0
    root = ElementTree.fromstring(exported.stdout.encode())
    urls = {o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")}
    assert urls == {"https://blog.example/feed.xml", "https://local.example/rss"}
    again = tmp_path / "again.opml"
    assert run("export", "opml", "-o", str(again), data_dir=data_dir).returncode == 0
    other = tmp_path / "other-library"
    assert "2 feeds added" in run("import", str(again), data_dir=other).stdout
    feeds = json.loads(run("feeds", "--json", data_dir=other).stdout)
    blog = next(f for f in feeds if f["url"] == "https://blog.example/feed.xml")
    assert "Tech" in blog["tags"][0]
    bad = tmp_path / "bomb.opml"
    bad.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><opml><body>'
                   '<outline xmlUrl="https://x.example/&a;"/></body></opml>')
    assert run("import", str(bad), data_dir=data_dir).returncode == 1


def test_refresh_of_many_feeds_parses_in_worker_processes(feed_server, data_dir: Path) -> None:
    """`reader refresh` (one thread, 8+ feeds) parses in worker processes: same results."""
    for index in range(10):
        items = [(f"f{index}-{i}", f"Feed {index} story {i}", f"<p>Body {index}.{i}</p>")
                 for i in range(3)]
        body = rss(f"Feed {index}", items) if index % 2 else atom(f"Feed {index}", items)
        feed_server.static(f"/m{index}.xml", body)
        run("add", feed_server.url(f"/m{index}.xml"), data_dir=data_dir)
    feed_server.static("/m-broken.xml", rss("Soon broken", ITEMS[:1]))
    assert run("add", feed_server.url("/m-broken.xml"), data_dir=data_dir).returncode == 0
    feed_server.static("/m-broken.xml", b"<!DOCTYPE html><html></html>",
                       content_type="text/html")
    result = run("refresh", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert sum(r["new"] for r in report) == 30
    assert next(r for r in report if r["status"] == "error")["error"]
    articles = json.loads(run("articles", "--json", data_dir=data_dir).stdout)
    story = next(a for a in articles if a["title"] == "Feed 7 story 2")
    shown = json.loads(run("show", story["id"], "--json", data_dir=data_dir).stdout)
    assert shown["text"] == "Body 7.2"
    assert run("bookmark", story["id"], data_dir=data_dir).returncode == 0

    # Again, with one entry changed: updated in place (text and state), the rest untouched.
    items = [(f"f7-{i}", f"Feed 7 story {i}",
              f"<p>Body 7.{i}{' (corrected)' if i == 2 else ''}</p>") for i in range(3)]
    feed_server.static("/m7.xml", rss("Feed 7", items))
    again = json.loads(run("refresh", "--json", data_dir=data_dir).stdout)
    assert sum(r["new"] for r in again) == 0 and sum(r["updated"] for r in again) == 1
    shown = json.loads(run("show", story["id"], "--json", data_dir=data_dir).stdout)
    assert shown["text"] == "Body 7.2 (corrected)" and shown["bookmarked"] is True
    other = next(a for a in articles if a["title"] == "Feed 3 story 1")
    assert json.loads(run("show", other["id"], "--json", data_dir=data_dir).stdout)["text"] == (
        "Body 3.1")
