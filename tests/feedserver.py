"""A real HTTP/1.1 server on 127.0.0.1 for feed tests, and the `feed_server` fixture.

Fetch code is tested against real sockets (DESIGN.md "Tests"): keep-alive, ETag/304,
redirect chains, slow drips, huge and compressed bodies behave differently over a socket
than through a mock transport. Each test gets its own server on a free port with its own
routes; every request is recorded (method, path, headers, client port) so tests can check
what the client sent. Everything that waits is bounded and wakes up when the server closes.

Use it from a conftest (`from tests.feedserver import feed_server  # noqa: F401`) or from a
test module (an assignment, so ruff's F811 does not fire on the test arguments):

    from tests import feedserver

    feed_server = feedserver.feed_server  # the fixture

    def test_x(feed_server):
        feed_server.static("/feed.xml", b"<rss/>", etag='"v1"')
        url = feed_server.url("/feed.xml")
"""

from __future__ import annotations

import functools
import gzip as _gzip
import ssl
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

__all__ = ["FeedServer", "Recorded", "feed_server", "gzip_bomb_bytes"]

Route = Callable[["_Handler"], None]
_MAX_WAIT = 30.0  # no handler ever waits longer than this, even if a test forgets to close


@dataclass(frozen=True, slots=True)
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    client_port: int


@functools.cache
def gzip_bomb_bytes(size: int = 256 * 1024 * 1024) -> bytes:
    """gzip of `size` zero bytes (about 1/1000 of it), built once per test session."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(size // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    app: FeedServer

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        """Clients hanging up (timeouts, caps, resets) are what these tests provoke."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError | OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = 10  # an idle keep-alive connection is dropped after this
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def do_GET(self) -> None:
        self._dispatch()

    def do_HEAD(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        app = self.server.app
        app._record(self)
        route = app.routes.get(self.path) or app.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self.reply(404, b"not found", content_type="text/plain")
            return
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True  # the client went away: that is the test's point

    # helpers for routes ------------------------------------------------------------------
    @property
    def stopping(self) -> threading.Event:
        return self.server.app.stopping

    def reply(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str | None = "application/xml",
        headers: dict[str, str] | None = None,
    ) -> None:
        """A complete response with Content-Length (keep-alive friendly)."""
        self.send_response(status)
        if content_type and status != 304:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and status != 304 and self.command != "HEAD":
            self.wfile.write(body)


class FeedServer:
    """Routes are registered per test; see the helper methods for the canned behaviours."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        """`tls`: a server-side context (certificate loaded) to serve https instead."""
        self.routes: dict[str, Route] = {}
        self.requests: list[Recorded] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.app = self
        self.scheme = "http"
        if tls is not None:  # the handshake runs in accept(); a failed one drops the client
            self._httpd.socket = tls.wrap_socket(self._httpd.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # lifecycle ---------------------------------------------------------------------------
    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def close(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    # recording ---------------------------------------------------------------------------
    def _record(self, handler: _Handler) -> None:
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self._lock:
            self.requests.append(
                Recorded(handler.command, handler.path, headers, handler.client_address[1])
            )

    def requests_for(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # routes ------------------------------------------------------------------------------
    def route(self, path: str, handler: Route) -> None:
        """Any custom behaviour: `handler(request_handler)` writes the response."""
        self.routes[path] = handler

    def static(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        etag: str | None = None,
        last_modified: str | None = None,
        headers: dict[str, str] | None = None,
        headers_304: dict[str, str] | None = None,
        gzip: bool = False,
    ) -> None:
        """A document with optional validators; a matching conditional request gets 304
        (with `headers_304` if given, else the current validators)."""

        def handle(h: _Handler) -> None:
            validators = {}
            if etag:
                validators["ETag"] = etag
            if last_modified:
                validators["Last-Modified"] = last_modified
            if _not_modified(h, etag, last_modified):
                h.reply(304, headers=headers_304 if headers_304 is not None else validators)
                return
            payload, extra = body, dict(validators)
            if gzip:
                payload = _gzip.compress(body)
                extra["Content-Encoding"] = "gzip"
            extra.update(headers or {})
            h.reply(200, payload, content_type=content_type, headers=extra)

        self.routes[path] = handle

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        """`path` answers `status` with Location `to` (relative or absolute)."""
        self.routes[path] = lambda h: h.reply(status, headers={"Location": to})

    def status(
        self,
        path: str,
        code: int,
        *,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        content_type: str = "text/plain",
    ) -> None:
        self.routes[path] = lambda h: h.reply(
            code, body, content_type=content_type, headers=headers
        )

    def drip(self, path: str, body: bytes, interval: float = 1.0) -> None:
        """Announce the whole body, then send it one byte per `interval` seconds."""

        def handle(h: _Handler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.flush()
            for index in range(len(body)):
                if h.stopping.wait(interval):
                    break
                h.wfile.write(body[index : index + 1])
                h.wfile.flush()
            h.close_connection = True

        self.routes[path] = handle

    def huge(
        self, path: str, size: int = 100 * 1024 * 1024, *, content_length: bool = False
    ) -> None:
        """`size` bytes generated on the fly (never held in memory), by default without a
        Content-Length (body ends when the connection closes)."""
        chunk = b"<item><title>x</title></item>\n" * 2048  # ~60 KiB

        def handle(h: _Handler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            if content_length:
                h.send_header("Content-Length", str(size))
            else:
                h.send_header("Connection", "close")
            h.end_headers()
            h.close_connection = True
            sent = 0
            while sent < size and not h.stopping.is_set():
                piece = chunk[: size - sent]
                h.wfile.write(piece)
                sent += len(piece)

        self.routes[path] = handle

    def gzip_bomb(self, path: str, size: int = 256 * 1024 * 1024) -> None:
        """A ~250 KB gzip body that inflates to `size` bytes of zeros."""
        payload = gzip_bomb_bytes(size)
        self.routes[path] = lambda h: h.reply(
            200,
            payload,
            content_type="application/rss+xml",
            headers={"Content-Encoding": "gzip"},
        )

    def hang(self, path: str, seconds: float = _MAX_WAIT) -> None:
        """Read the request, then say nothing (until the server closes)."""

        def handle(h: _Handler) -> None:
            h.stopping.wait(min(seconds, _MAX_WAIT))
            h.close_connection = True

        self.routes[path] = handle

    def truncated(self, path: str, body: bytes, declared: int | None = None) -> None:
        """Promise `declared` bytes (default: twice the body), send `body`, hang up."""

        def handle(h: _Handler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(declared or 2 * len(body) + 1))
            h.end_headers()
            h.wfile.write(body)
            h.wfile.flush()
            h.close_connection = True

        self.routes[path] = handle

    def sequence(self, path: str, routes: list[Route]) -> None:
        """Answer successive requests with successive routes (the last one repeats)."""
        state = {"n": 0}

        def handle(h: _Handler) -> None:
            with self._lock:
                index = min(state["n"], len(routes) - 1)
                state["n"] += 1
            routes[index](h)

        self.routes[path] = handle


def _not_modified(h: _Handler, etag: str | None, last_modified: str | None) -> bool:
    sent_etag = h.headers.get("If-None-Match")
    if sent_etag is not None and etag:
        return sent_etag.strip() == "*" or etag in [t.strip() for t in sent_etag.split(",")]
    sent_since = h.headers.get("If-Modified-Since")
    if sent_since and last_modified:
        try:
            return parsedate_to_datetime(sent_since) >= parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
    return False


def http_date(timestamp: float | None = None) -> str:
    """An RFC 9110 date (for Last-Modified / Retry-After in tests)."""
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, UTC)
    return format_datetime(moment, usegmt=True)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A fresh FeedServer on 127.0.0.1 (free port) for one test; closed afterwards."""
    server = FeedServer().start()
    try:
        yield server
    finally:
        server.close()
