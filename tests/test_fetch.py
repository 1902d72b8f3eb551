"""Fetcher against a real HTTP server on 127.0.0.1 (tests/feedserver.py).

Every hostile case must end as a per-feed result (never an exception) within a bounded time;
short timeouts keep the whole module fast.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import threading
import time
import tracemalloc
import zlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reader
from reader.feeds.fetch import (
    DEFAULT_USER_AGENT,
    Fetcher,
    FetchResult,
    parse_freshness,
    parse_retry_after,
)
from tests import feedserver
from tests.feedserver import FeedServer, http_date

feed_server = feedserver.feed_server  # the fixture (tests/conftest.py may import it later)

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'
MiB = 1024 * 1024


def quick(**kwargs: object) -> Fetcher:
    """A Fetcher with test-sized timeouts and no proxy from the environment."""
    options: dict = {"connect_timeout": 2.0, "read_timeout": 2.0, "deadline": 5.0}
    options.update(kwargs)
    return Fetcher(trust_env=False, **options)


def assert_error(result: FetchResult, *words: str) -> None:
    assert result.status == "error", result
    assert result.body is None
    assert result.error.endswith("."), result.error
    assert "\n" not in result.error
    for word in words:
        assert word.lower() in result.error.lower(), result.error


# --- success, validators, headers --------------------------------------------------------
async def test_ok_fetch_records_everything(feed_server: FeedServer) -> None:
    feed_server.static(
        "/feed.xml", FEED, etag='"v1"', last_modified="Sat, 01 Jun 2024 09:00:00 GMT"
    )
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/feed.xml"))
    assert result.status == "ok" and result.http_status == 200
    assert result.body == FEED
    assert result.content_type.startswith("application/rss+xml")
    assert result.etag == '"v1"'
    assert result.last_modified == "Sat, 01 Jun 2024 09:00:00 GMT"
    assert result.final_url == feed_server.url("/feed.xml")
    assert result.moved_to is None and result.retry_after is None and result.error == ""
    assert result.elapsed > 0


async def test_https_verifies_the_certificate_and_trusts_a_configured_ca(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real TLS server on 127.0.0.1 with a certificate from a throwaway CA: refused while
    the CA is unknown (one sentence), fetched once SSL_CERT_FILE names it."""
    import trustme

    authority = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with FeedServer(tls=server_context) as server:
        server.static("/feed.xml", FEED)
        url = server.url("/feed.xml")
        assert url.startswith("https://127.0.0.1:")
        monkeypatch.delenv("SSL_CERT_FILE", raising=False)
        async with Fetcher(trust_env=True, connect_timeout=2.0, deadline=5.0) as fetcher:
            refused = await fetcher.fetch(url)
        assert_error(refused, "certificate", "could not be verified")
        assert server.requests_for("/feed.xml") == []  # nothing was sent before the check
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        async with Fetcher(trust_env=True, connect_timeout=2.0, deadline=5.0) as fetcher:
            trusted = await fetcher.fetch(url)
            plain = await fetcher.fetch(url.replace("https://", "http://"))
    assert trusted.status == "ok" and trusted.body == FEED, trusted
    assert plain.status == "error"  # plain http to a TLS port gets no answer, no traceback


async def test_a_proxy_from_the_environment_is_used(feed_server: FeedServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTP_PROXY points at the test server, which answers the absolute-form request a
    proxy gets; the feed's own host (.invalid) is never looked up."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY",
                 "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", feed_server.base_url)
    monkeypatch.setenv("http_proxy", feed_server.base_url)
    feed_server.static("http://feeds.example.invalid/news.xml", FEED)
    async with Fetcher(trust_env=True, connect_timeout=2.0, deadline=5.0) as fetcher:
        result = await fetcher.fetch("http://feeds.example.invalid/news.xml")
    assert result.status == "ok" and result.body == FEED, result
    assert feed_server.requests_for("http://feeds.example.invalid/news.xml")


async def test_user_agent_and_accept_encoding_sent(feed_server: FeedServer) -> None:
    feed_server.static("/f", FEED)
    async with quick() as fetcher:
        await fetcher.fetch(feed_server.url("/f"))
    (request,) = feed_server.requests_for("/f")
    assert request.headers["user-agent"] == f"Reader/{reader.__version__} (+terminal news reader)"
    assert request.headers["user-agent"] == DEFAULT_USER_AGENT
    assert request.headers["accept-encoding"] == "gzip, deflate"
    assert "application/rss+xml" in request.headers["accept"]
    assert "if-none-match" not in request.headers


async def test_an_accept_header_per_request(feed_server: FeedServer) -> None:
    """fetch(accept=...) sends that Accept instead of the feeds' one, on every hop of a
    redirect, and only for that request; without it the feeds' Accept is sent."""
    from reader.feeds.fetch import ACCEPT

    page_accept = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
    feed_server.redirect("/story", "/page.html", 302)
    feed_server.static("/page.html", b"<html><p>x</p></html>", content_type="text/html")
    feed_server.static("/f", FEED)
    async with quick() as fetcher:
        page = await fetcher.fetch(feed_server.url("/story"), accept=page_accept)
        feed = await fetcher.fetch(feed_server.url("/f"))
        default = await fetcher.fetch(feed_server.url("/f"), accept=None)
    assert page.status == feed.status == default.status == "ok"
    (hop,) = feed_server.requests_for("/story")
    (landed,) = feed_server.requests_for("/page.html")
    assert hop.headers["accept"] == landed.headers["accept"] == page_accept
    assert [r.headers["accept"] for r in feed_server.requests_for("/f")] == [ACCEPT, ACCEPT]
    assert "text/html" not in ACCEPT
    # The other headers stay the client's.
    assert landed.headers["user-agent"] == DEFAULT_USER_AGENT
    assert landed.headers["accept-encoding"] == "gzip, deflate"


async def test_conditional_get_gives_not_modified(feed_server: FeedServer) -> None:
    modified = "Sat, 01 Jun 2024 09:00:00 GMT"
    feed_server.static("/f", FEED, etag='"v1"', last_modified=modified)
    async with quick() as fetcher:
        first = await fetcher.fetch(feed_server.url("/f"))
        second = await fetcher.fetch(
            feed_server.url("/f"), etag=first.etag, last_modified=first.last_modified
        )
    assert second.status == "not_modified" and second.http_status == 304
    assert second.body is None and second.error == ""
    assert (second.etag, second.last_modified) == ('"v1"', modified)
    sent = feed_server.requests_for("/f")[1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == modified


async def test_if_modified_since_alone(feed_server: FeedServer) -> None:
    modified = "Sat, 01 Jun 2024 09:00:00 GMT"
    feed_server.static("/f", FEED, last_modified=modified)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/f"), last_modified=modified)
    assert result.status == "not_modified"
    assert result.last_modified == modified and result.etag == ""


async def test_304_with_new_validators_returns_them(feed_server: FeedServer) -> None:
    new_date = "Sun, 02 Jun 2024 10:00:00 GMT"
    feed_server.static(
        "/f", FEED, etag='"v1"', headers_304={"ETag": '"v2"', "Last-Modified": new_date}
    )
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/f"), etag='"v1"')
    assert result.status == "not_modified"
    assert result.etag == '"v2"'
    assert result.last_modified == new_date


async def test_304_without_validators_echoes_the_sent_ones(feed_server: FeedServer) -> None:
    feed_server.static("/f", FEED, etag='"v1"', headers_304={})
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/f"), etag='"v1"', last_modified="x")
    assert result.status == "not_modified"
    assert result.etag == '"v1"' and result.last_modified == "x"


async def test_hostile_validators_are_not_sent_back(feed_server: FeedServer) -> None:
    feed_server.static("/f", FEED)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/f"), etag='"é\r\nX-Evil: 1"')
    assert result.status == "ok"
    assert "if-none-match" not in feed_server.requests_for("/f")[0].headers


async def test_keep_alive_reuses_the_connection(feed_server: FeedServer) -> None:
    feed_server.static("/a", FEED)
    feed_server.static("/b", FEED)
    async with quick() as fetcher:
        await fetcher.fetch(feed_server.url("/a"))
        await fetcher.fetch(feed_server.url("/b"))
    ports = {r.client_port for r in feed_server.requests}
    assert len(feed_server.requests) == 2 and len(ports) == 1


async def test_gzip_and_deflate_bodies_are_decoded(feed_server: FeedServer) -> None:
    feed_server.static("/gz", FEED, gzip=True)
    feed_server.route(
        "/zlib",
        lambda h: h.reply(200, zlib.compress(FEED), headers={"Content-Encoding": "deflate"}),
    )
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    raw_body = raw.compress(FEED) + raw.flush()
    feed_server.route(
        "/raw", lambda h: h.reply(200, raw_body, headers={"Content-Encoding": "deflate"})
    )
    two_members = gzip.compress(FEED[:20]) + gzip.compress(FEED[20:])
    feed_server.route(
        "/multi", lambda h: h.reply(200, two_members, headers={"Content-Encoding": "gzip"})
    )
    async with quick() as fetcher:
        for path in ("/gz", "/zlib", "/raw", "/multi"):
            result = await fetcher.fetch(feed_server.url(path))
            assert result.status == "ok", (path, result.error)
            assert result.body == FEED, path


async def test_concurrency_is_bounded(feed_server: FeedServer) -> None:
    active = {"now": 0, "max": 0}
    lock = threading.Lock()

    def slow(h) -> None:
        with lock:
            active["now"] += 1
            active["max"] = max(active["max"], active["now"])
        time.sleep(0.15)
        with lock:
            active["now"] -= 1
        h.reply(200, FEED)

    for index in range(6):
        feed_server.route(f"/s{index}", slow)
    async with quick(concurrency=2) as fetcher:
        results = await asyncio.gather(
            *(fetcher.fetch(feed_server.url(f"/s{i}")) for i in range(6))
        )
    assert all(r.status == "ok" for r in results)
    assert active["max"] <= 2


# --- redirects ---------------------------------------------------------------------------
async def test_301_then_301_sets_moved_to(feed_server: FeedServer) -> None:
    feed_server.redirect("/old", "/middle", 301)
    feed_server.redirect("/middle", feed_server.url("/new"), 301)
    feed_server.static("/new", FEED)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/old"))
    assert result.status == "ok" and result.body == FEED
    assert result.final_url == feed_server.url("/new")
    assert result.moved_to == feed_server.url("/new")
    assert result.redirects == 2


@pytest.mark.parametrize("second", [302, 303, 307])
async def test_a_temporary_hop_means_no_move(feed_server: FeedServer, second: int) -> None:
    feed_server.redirect("/old", "/middle", 301)
    feed_server.redirect("/middle", "/new", second)
    feed_server.static("/new", FEED)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/old"))
    assert result.status == "ok"
    assert result.final_url == feed_server.url("/new")
    assert result.moved_to is None


async def test_308_is_permanent(feed_server: FeedServer) -> None:
    feed_server.redirect("/old", "/new", 308)
    feed_server.static("/new", FEED)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/old"))
    assert result.moved_to == feed_server.url("/new")


async def test_permanent_redirect_to_an_error_is_no_move(feed_server: FeedServer) -> None:
    feed_server.redirect("/old", "/missing", 301)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/old"))
    assert_error(result, "404")
    assert result.moved_to is None


async def test_redirects_keep_conditional_headers(feed_server: FeedServer) -> None:
    feed_server.redirect("/old", "/new", 301)
    feed_server.static("/new", FEED, etag='"v1"')
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/old"), etag='"v1"')
    assert result.status == "not_modified"
    assert result.moved_to == feed_server.url("/new")


@pytest.mark.timeout(20)
async def test_redirect_loop_is_an_error(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b", 302)
    feed_server.redirect("/b", "/a", 302)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/a"))
    assert_error(result, "loop")
    assert len(feed_server.requests) == 2


async def test_too_many_redirects(feed_server: FeedServer) -> None:
    for index in range(8):
        feed_server.redirect(f"/r{index}", f"/r{index + 1}", 301)
    feed_server.static("/r8", FEED)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/r0"))
        five = await fetcher.fetch(feed_server.url("/r3"))  # exactly 5 hops: allowed
    assert_error(result, "too many redirects")
    assert result.moved_to is None
    assert five.status == "ok" and five.redirects == 5


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "ftp://127.0.0.1/x", "javascript:alert(1)", "data:text/xml,<rss/>"],
)
async def test_redirect_to_non_http_is_refused(feed_server: FeedServer, target: str) -> None:
    feed_server.redirect("/a", target, 302)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/a"))
    assert result.status == "error"
    assert len(feed_server.requests) == 1
    assert "/etc/passwd" not in (result.body or b"").decode()


# --- status codes ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "text"),
    [
        (404, "Server answered 404 Not Found."),
        (500, "Server answered 500 Internal Server Error."),
        (403, "Server answered 403 Forbidden."),
    ],
)
async def test_error_statuses(feed_server: FeedServer, code: int, text: str) -> None:
    feed_server.status("/x", code, body=b"<html>nope</html>")
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert_error(result)
    assert result.error == text
    assert result.http_status == code


async def test_410_is_gone(feed_server: FeedServer) -> None:
    feed_server.status("/x", 410)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert result.status == "gone" and result.http_status == 410
    assert "410 Gone" in result.error and result.body is None


async def test_429_retry_after_seconds(feed_server: FeedServer) -> None:
    feed_server.status("/x", 429, headers={"Retry-After": "120"})
    before = datetime.now(UTC)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert_error(result, "429 Too Many Requests")
    assert result.retry_after is not None and result.retry_after.tzinfo is not None
    delta = result.retry_after - before
    assert timedelta(seconds=118) <= delta <= timedelta(seconds=125)


async def test_503_retry_after_http_date(feed_server: FeedServer) -> None:
    feed_server.status("/x", 503, headers={"Retry-After": "Wed, 21 Oct 2037 07:28:00 GMT"})
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert_error(result, "503")
    assert result.retry_after is not None
    assert result.retry_after <= datetime.now(UTC) + timedelta(days=30, seconds=5)  # capped


async def test_503_without_retry_after(feed_server: FeedServer) -> None:
    feed_server.status("/x", 503)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert_error(result, "503 Service Unavailable")
    assert result.retry_after is None


def test_parse_retry_after_forms() -> None:
    now = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("60", now) == now + timedelta(seconds=60)
    assert parse_retry_after("Sat, 01 Jun 2024 13:00:00 GMT", now) == datetime(
        2024, 6, 1, 13, tzinfo=UTC
    )
    assert parse_retry_after("99999999999", now) == now + timedelta(days=30)
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("", now) is None
    assert parse_retry_after(None, now) is None


# --- time bounds -------------------------------------------------------------------------
@pytest.mark.timeout(20)
async def test_a_hanging_server_times_out(feed_server: FeedServer) -> None:
    feed_server.hang("/x")
    async with quick(read_timeout=1.0, deadline=3.0) as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert_error(result, "stopped answering for 1 s")
    assert result.elapsed < 15  # bounded (the server would hang for 30 s)


@pytest.mark.timeout(20)
async def test_a_one_byte_per_interval_drip_hits_the_deadline(feed_server: FeedServer) -> None:
    feed_server.drip("/x", FEED * 10, interval=0.25)  # every read succeeds: only a deadline helps
    async with quick(read_timeout=1.0, deadline=1.5) as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert_error(result)
    assert result.error == "Timed out after 1.5 s."  # the deadline, not a read timeout, fired
    assert result.elapsed < 15  # bounded (the drip would take minutes)


@pytest.mark.timeout(20)
async def test_cancellation_propagates(feed_server: FeedServer) -> None:
    feed_server.hang("/x")
    async with quick(read_timeout=10, deadline=10) as fetcher:
        task = asyncio.create_task(fetcher.fetch(feed_server.url("/x")))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


# --- size bounds -------------------------------------------------------------------------
@pytest.mark.timeout(30)
async def test_a_100_mb_body_without_length_stops_at_the_cap(feed_server: FeedServer) -> None:
    feed_server.huge("/x", 100 * MiB)
    tracemalloc.start()
    try:
        async with quick(deadline=20) as fetcher:
            result = await fetcher.fetch(feed_server.url("/x"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_error(result, "larger than 10 MiB")
    assert peak < 40 * MiB


async def test_a_large_content_length_is_refused_before_reading(feed_server: FeedServer) -> None:
    feed_server.huge("/x", 100 * MiB, content_length=True)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert_error(result, "larger than 10 MiB", "104,857,600 bytes")  # decided on the header


@pytest.mark.timeout(30)
async def test_a_gzip_bomb_stops_near_the_cap(feed_server: FeedServer) -> None:
    feed_server.gzip_bomb("/bomb")  # ~250 KB on the wire, 256 MiB inflated
    tracemalloc.start()
    try:
        async with quick(deadline=20) as fetcher:
            result = await fetcher.fetch(feed_server.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_error(result, "larger than 10 MiB once decompressed")
    assert peak < 40 * MiB, peak  # aiter_bytes() would have reached ~67 MB


async def test_a_small_cap_applies_to_decoded_bytes(feed_server: FeedServer) -> None:
    body = FEED * 100
    feed_server.static("/gz", body, gzip=True)
    async with quick(max_bytes=len(body) - 1) as fetcher:
        too_small = await fetcher.fetch(feed_server.url("/gz"))
    async with quick(max_bytes=len(body)) as fetcher:
        exact = await fetcher.fetch(feed_server.url("/gz"))
    assert_error(too_small, "once decompressed")
    assert exact.status == "ok" and exact.body == body


async def test_corrupt_and_unrequested_compression(feed_server: FeedServer) -> None:
    feed_server.route(
        "/bad", lambda h: h.reply(200, b"not gzip at all", headers={"Content-Encoding": "gzip"})
    )
    feed_server.route(
        "/cut",
        lambda h: h.reply(200, gzip.compress(FEED * 50)[:60], headers={"Content-Encoding": "gzip"}),
    )
    feed_server.route("/br", lambda h: h.reply(200, b"xx", headers={"Content-Encoding": "br"}))
    async with quick() as fetcher:
        bad = await fetcher.fetch(feed_server.url("/bad"))
        cut = await fetcher.fetch(feed_server.url("/cut"))
        br = await fetcher.fetch(feed_server.url("/br"))
    assert_error(bad, "corrupt compressed")
    assert_error(cut, "truncated compressed")
    assert_error(br, "compression", "br")


async def test_a_truncated_body_is_an_error(feed_server: FeedServer) -> None:
    feed_server.truncated("/x", FEED)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/x"))
    assert_error(result, "closed the connection")


# --- network failures and bad addresses --------------------------------------------------
async def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with quick() as fetcher:
        result = await fetcher.fetch(f"http://127.0.0.1:{port}/feed")
    assert_error(result, "refused the connection")


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/f", "file:///etc/passwd", "-http://x", "http://a b/", "", "exec:ls",
     "http:///nohost", "javascript:alert(1)"],
)  # fmt: skip
async def test_bad_addresses_are_errors_without_a_request(url: str) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no request expected, got {request.url}")

    async with quick(transport=httpx.MockTransport(refuse)) as fetcher:
        result = await fetcher.fetch(url)
    assert_error(result)
    assert result.http_status is None


def _raising(exc: Exception):
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return httpx.MockTransport(handler)


def _connect_error(cause: BaseException, message: str) -> httpx.ConnectError:
    error = httpx.ConnectError(message)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("exc", "words"),
    [
        (
            _connect_error(socket.gaierror(-2, "Name or service not known"), "[Errno -2]"),
            ("could not find the server", "dns"),
        ),
        (
            _connect_error(ssl.SSLCertVerificationError(1, "certificate verify failed"), "x"),
            ("certificate",),
        ),
        (_connect_error(ssl.SSLError(1, "wrong version number"), "x"), ("tls",)),
        (httpx.ConnectTimeout("slow"), ("could not connect", "within 2 s")),
        (httpx.ReadError("reset"), ("connection broke",)),
        (RuntimeError("surprise"), ("fetching failed",)),
    ],
)
async def test_network_errors_become_sentences(exc: Exception, words: tuple[str, ...]) -> None:
    async with quick(transport=_raising(exc)) as fetcher:
        result = await fetcher.fetch("https://feeds.invalid/feed.xml")
    assert_error(result, *words)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(url=st.text(max_size=60) | st.from_regex(r"https?://[a-z0-9.\-\[\]:@%]{0,20}/\S{0,20}"))
def test_fetch_never_raises_for_any_url(url: str) -> None:
    calls = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        return httpx.Response(200, content=FEED)

    async def run() -> FetchResult:
        async with quick(transport=httpx.MockTransport(answer)) as fetcher:
            return await fetcher.fetch(url)

    result = asyncio.run(run())
    assert result.status in ("ok", "error")
    assert all(call.scheme in ("http", "https") for call in calls)


async def test_fetcher_works_without_async_with(feed_server: FeedServer) -> None:
    feed_server.static("/f", FEED)
    fetcher = quick()
    try:
        result = await fetcher.fetch(feed_server.url("/f"))
    finally:
        await fetcher.aclose()
    assert result.status == "ok"


async def test_server_supports_a_last_modified_date_helper(feed_server: FeedServer) -> None:
    stamp = http_date(0)
    feed_server.static("/f", FEED, last_modified=stamp)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/f"))
    assert result.last_modified == "Thu, 01 Jan 1970 00:00:00 GMT"


async def test_fetch_then_parse(feed_server: FeedServer) -> None:
    """The path a refresh takes: gzip on the wire, redirect, then parse_feed."""
    from pathlib import Path

    from reader.feeds.parse import parse_feed

    body = (Path(__file__).parent / "data" / "feeds" / "atom10.xml").read_bytes()
    feed_server.redirect("/old.xml", "/atom.xml", 308)
    feed_server.static("/atom.xml", body, content_type="application/atom+xml", gzip=True)
    async with quick() as fetcher:
        result = await fetcher.fetch(feed_server.url("/old.xml"))
    assert result.status == "ok" and result.moved_to == feed_server.url("/atom.xml")
    feed = await asyncio.to_thread(parse_feed, result.body, result.final_url, result.content_type)
    assert feed.format == "atom10" and len(feed.entries) == 3


async def test_a_failed_body_keeps_no_validators(feed_server: FeedServer) -> None:
    """Storing the ETag of a body that never arrived would make every later fetch a 304."""
    feed_server.route(
        "/x",
        lambda h: h.reply(
            200, gzip.compress(FEED)[:30], headers={"Content-Encoding": "gzip", "ETag": '"v9"'}
        ),
    )
    feed_server.status("/missing", 404, headers={"ETag": '"e404"'})
    async with quick() as fetcher:
        cut = await fetcher.fetch(feed_server.url("/x"))
        missing = await fetcher.fetch(feed_server.url("/missing"))
    assert_error(cut, "truncated")
    assert (cut.etag, cut.last_modified, missing.etag) == ("", "", "")


# --- freshness (Cache-Control, Expires) -----------------------------------------------------
@pytest.mark.parametrize(
    ("cache_control", "expires", "date", "seconds"),
    [
        ("max-age=600", None, None, 600.0),
        ("public, max-age=\"90\", must-revalidate", None, None, 90.0),
        ("MAX-AGE=5", None, None, 5.0),
        ("no-cache", None, None, 0.0),
        ("private, no-store", None, None, 0.0),
        ("s-maxage=600", None, None, None),  # for shared caches only
        ("max-age=-5", None, None, None),
        ("max-age=abc", None, None, None),
        (None, "Sat, 01 Jun 2024 10:00:00 GMT", "Sat, 01 Jun 2024 09:00:00 GMT", 3600.0),
        (None, "Sat, 01 Jun 2024 08:00:00 GMT", "Sat, 01 Jun 2024 09:00:00 GMT", 0.0),
        (None, "0", "Sat, 01 Jun 2024 09:00:00 GMT", 0.0),  # invalid Expires: stale
        ("max-age=60", "Sat, 01 Jun 2024 10:00:00 GMT", "Sat, 01 Jun 2024 09:00:00 GMT", 60.0),
        (None, None, None, None),
    ],
)
def test_freshness_from_headers(cache_control, expires, date, seconds) -> None:
    assert parse_freshness(cache_control, expires, date) == seconds


async def test_freshness_is_reported_for_200_and_304_but_not_errors(feed_server) -> None:
    feed_server.static("/f", FEED, etag='"v1"', headers={"Cache-Control": "max-age=1200"},
                       headers_304={"ETag": '"v1"', "Cache-Control": "max-age=300"})
    feed_server.status("/e", 500, headers={"Cache-Control": "max-age=999"})
    async with quick() as fetcher:
        first = await fetcher.fetch(feed_server.url("/f"))
        again = await fetcher.fetch(feed_server.url("/f"), etag='"v1"')
        broken = await fetcher.fetch(feed_server.url("/e"))
    assert (first.status, first.fresh_for) == ("ok", 1200.0)
    assert (again.status, again.fresh_for) == ("not_modified", 300.0)
    assert broken.status == "error" and broken.fresh_for is None
