"""Fetch feeds politely and defensively with one shared httpx.AsyncClient.

What a refresh of 500 feeds needs, and why it is done here rather than by httpx defaults
(measured in notes/storage-feeds-security.md §5.4, checklist in notes/field.md §4.2):

* keep-alive and a bounded pool: one client, `httpx.Limits` plus a semaphore, and a small
  per-host semaphore so one site with many feeds is not hammered;
* timeouts: httpx's connect/read timeouts apply per socket operation, so a server dripping
  one byte per second never trips them; an overall per-feed deadline (`asyncio.timeout`)
  ends it;
* redirects are followed by hand (at most `max_redirects`, http(s) only, loops detected) so
  every hop's status is seen: `moved_to` is set only when every hop was 301/308, the signal
  to update a subscription (302/307 must not);
* conditional GET (If-None-Match / If-Modified-Since); validators of a 304 are returned;
* the body cap counts raw bytes from `aiter_raw` and inflates gzip/deflate here with
  `decompressobj(max_length)`, so a gzip bomb stops at the cap instead of the ~67 MB that
  `aiter_bytes` reaches; we only ask for gzip and deflate;
* every failure becomes `status="error"` with one sentence for the user; `fetch` never
  raises (except CancelledError, so a refresh can still be cancelled).
"""

from __future__ import annotations

import asyncio
import email.utils
import http
import re
import socket
import ssl
import time
import urllib.request
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from reader import __version__
from reader.feeds.urls import check_feed_url, shown_url
from reader.text.clean import clean_line

__all__ = ["DEFAULT_USER_AGENT", "FetchResult", "Fetcher", "parse_freshness", "parse_retry_after"]

DEFAULT_USER_AGENT = f"Reader/{__version__} (+terminal news reader)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, */*;q=0.5"
)
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_MAX_VALIDATOR = 1024  # an ETag or date longer than this is not echoed back
_MAX_RETRY_AFTER = timedelta(days=30)


@dataclass(slots=True)
class FetchResult:
    url: str  # as requested
    final_url: str  # after redirects
    status: str  # "ok" | "not_modified" | "gone" | "error"
    http_status: int | None
    body: bytes | None  # decoded (gzip/deflate undone), only for "ok"
    content_type: str
    etag: str  # validators to store; on a 304 without new ones, the ones we sent
    last_modified: str
    moved_to: str | None  # final URL, only if every redirect hop was 301/308 and it worked
    retry_after: datetime | None  # 429/503 Retry-After as aware UTC
    error: str  # one sentence for the user, "" unless status is "error" or "gone"
    elapsed: float  # seconds, from the first request (not counting the wait for a slot)
    redirects: int = 0  # number of redirect hops followed
    fresh_for: float | None = None  # seconds the server says the answer stays fresh, if it did


class _Failure(Exception):
    """A fetch ended early; its message is the sentence shown to the user."""


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MiB"
    if limit >= 1024:
        return f"{limit / 1024:g} KiB"
    return f"{limit} bytes"


class _Inflater:
    """gzip/deflate decoding that never produces more than `limit` bytes in total."""

    def __init__(self, coding: str, limit: int) -> None:
        self.gzip = coding in ("gzip", "x-gzip")
        self.limit = limit
        self.started = False
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if self.gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, out: bytearray) -> None:
        if not self.gzip and not self.started:
            # "deflate" should be zlib-wrapped; some servers send raw deflate instead.
            try:
                zlib.decompressobj(zlib.MAX_WBITS).decompress(data[:64], 1)
            except zlib.error:
                self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        self.started = True
        while data:
            if self.inflater.eof:
                # Another gzip member may follow (RFC 1952); anything else is padding.
                if not (self.gzip and data.strip(b"\x00")):
                    return
                self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += self.inflater.decompress(data, self.limit - len(out) + 1)
            if len(out) > self.limit:
                raise _Failure(f"The feed is larger than {_size(self.limit)} once decompressed.")
            data = self.inflater.unconsumed_tail or (
                self.inflater.unused_data if self.inflater.eof else b""
            )

    def finish(self) -> None:
        if self.started and not self.inflater.eof:
            raise _Failure("The server sent a truncated compressed response.")


def parse_retry_after(value: str | None, now: datetime | None = None) -> datetime | None:
    """Retry-After as an aware UTC datetime: delta-seconds or an HTTP date; None if absent
    or unreadable. Capped at 30 days so a hostile value cannot mute a feed forever."""
    value = (value or "").strip()
    if not value:
        return None
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    if value.isdigit():
        return now + min(timedelta(seconds=int(value[:12])), _MAX_RETRY_AFTER)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(moment.astimezone(UTC), now + _MAX_RETRY_AFTER)


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?([0-9]{1,12})\"?\s*(?:,|$)", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|,)\s*(?:no-cache|no-store)\s*(?:[=,]|$)", re.IGNORECASE)


def parse_freshness(cache_control: str | None, expires: str | None, date: str | None,
                    now: datetime | None = None) -> float | None:
    """How many seconds a response may be reused (RFC 9111 §4.2.1): `Cache-Control: max-age`
    (`no-cache`/`no-store`: 0), else `Expires` minus `Date`; None if the server says nothing
    usable. An invalid Expires (\"0\", garbage) means already stale."""
    control = cache_control or ""
    if _NO_CACHE.search(control):
        return 0.0
    match = _MAX_AGE.search(control)
    if match:
        return float(int(match.group(1)))
    if expires is None:
        return None
    now = now or datetime.now(UTC)
    try:
        until = email.utils.parsedate_to_datetime(expires.strip())
        base = email.utils.parsedate_to_datetime(date.strip()) if date else now
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
    if until.tzinfo is None or base.tzinfo is None:
        return 0.0
    return max(0.0, (until - base).total_seconds())


def _validator(value: str | None) -> str:
    """A header value we may store and send back later: printable ASCII, bounded."""
    value = clean_line(value or "")
    if not value or len(value) > _MAX_VALIDATOR or not value.isascii():
        return ""
    return value


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _causes(exc: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 10:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _describe(exc: Exception, url: str, fetcher: Fetcher) -> str:
    """One sentence for an httpx / network exception."""
    host = shown_url(urlsplit(url).hostname or url)
    chain = _causes(exc)
    text = " ".join(str(e) for e in chain).lower()
    if isinstance(exc, httpx.ConnectTimeout):
        return f"Could not connect to {host} within {fetcher.connect_timeout:g} s."
    if isinstance(exc, httpx.ReadTimeout):
        return f"The server stopped answering for {fetcher.read_timeout:g} s."
    if isinstance(exc, httpx.TimeoutException):
        return f"Timed out talking to {host}."
    if isinstance(exc, httpx.ConnectError | OSError):
        if any(isinstance(e, socket.gaierror) for e in chain) or any(
            s in text for s in ("name or service not known", "nodename nor servname",
                                "temporary failure in name resolution", "getaddrinfo")
        ):  # fmt: skip
            return f"Could not find the server {host} (DNS lookup failed)."
        if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain) or (
            "certificate" in text
        ):
            return f"The TLS certificate of {host} could not be verified."
        if any(isinstance(e, ssl.SSLError) for e in chain) or "ssl" in text or "tls" in text:
            return f"The secure (TLS) connection to {host} failed."
        if any(isinstance(e, ConnectionRefusedError) for e in chain) or "refused" in text:
            return f"{host} refused the connection."
        return f"Could not connect to {host}."
    if isinstance(exc, httpx.RemoteProtocolError):
        return "The server closed the connection before the response was complete."
    if isinstance(exc, httpx.NetworkError):
        return "The connection broke while reading the response."
    if isinstance(exc, httpx.UnsupportedProtocol):
        return "Only http and https feed addresses are supported."
    if isinstance(exc, httpx.DecodingError | zlib.error):
        return "The server sent a corrupt compressed response."
    if isinstance(exc, httpx.InvalidURL | httpx.LocalProtocolError):
        return "The feed address is not valid."
    return f"Fetching failed ({type(exc).__name__})."


def _fail(result: FetchResult, message: str) -> None:
    """Turn a partly filled result into an error: no body, no validators, no move."""
    result.status, result.error = "error", message
    result.body, result.etag, result.last_modified, result.moved_to = None, "", "", None
    result.fresh_for = None


async def _drain(response: httpx.Response, limit: int = 64 * 1024) -> None:
    """Read a small (normally empty) body to its end so the connection can be reused.

    Closing a response mid-body closes its connection: every 304 of an unchanged refresh
    would then open a new one. A body over `limit` is left unread (the connection goes).
    """
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > limit:
            return


class _CertificatesWhenNeeded(httpx.AsyncBaseTransport):
    """httpx's own transport, but the one for https is made on the first https request.

    Making a verifying transport loads the CA bundle (about 20 ms), once per client, and
    `reader refresh` makes a client in each worker process; http feeds never need it.
    """

    def __init__(self, limits: httpx.Limits, trust_env: bool) -> None:
        self._limits = limits
        self._trust_env = trust_env
        self._plain = httpx.AsyncHTTPTransport(verify=False, limits=limits, trust_env=trust_env)
        self._tls: httpx.AsyncHTTPTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "https":
            return await self._plain.handle_async_request(request)
        if self._tls is None:
            self._tls = httpx.AsyncHTTPTransport(limits=self._limits, trust_env=self._trust_env)
        return await self._tls.handle_async_request(request)

    async def aclose(self) -> None:
        await self._plain.aclose()
        if self._tls is not None:
            await self._tls.aclose()


class Fetcher:
    """Fetches many feeds over one keep-alive client. Use as `async with Fetcher() as f:`."""

    def __init__(
        self,
        *,
        concurrency: int = 16,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        deadline: float = 30.0,
        max_bytes: int = 10 * 1024 * 1024,
        max_redirects: int = 5,
        user_agent: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        per_host: int = 4,
        trust_env: bool = True,
    ) -> None:
        self.concurrency = max(1, concurrency)
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = clean_line(user_agent or DEFAULT_USER_AGENT) or DEFAULT_USER_AGENT
        self.per_host = max(1, per_host)
        self._transport = transport
        self._trust_env = trust_env  # proxies from the environment (HTTPS_PROXY, ...)
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}

    # --- lifecycle ----------------------------------------------------------------------
    async def __aenter__(self) -> Fetcher:
        self._open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        client, self._client = self._client, None
        self._slots = None
        self._hosts.clear()
        if client is not None:
            await client.aclose()

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            limits = httpx.Limits(
                max_connections=self.concurrency,
                max_keepalive_connections=self.concurrency,
                keepalive_expiry=30.0,
            )
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(
                    self.read_timeout,
                    connect=self.connect_timeout,
                    pool=self.deadline,
                ),
                limits=limits,
                follow_redirects=False,
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": ACCEPT,
                    "Accept-Encoding": "gzip, deflate",
                },
                transport=self._transport or self._default_transport(limits),
                trust_env=self._trust_env,
            )
            self._slots = asyncio.Semaphore(self.concurrency)
        return self._client

    def _default_transport(self, limits: httpx.Limits) -> httpx.AsyncBaseTransport | None:
        """Our lazy-certificate transport, unless proxies come from the environment: httpx
        sets those up only for a client given no transport of its own (None)."""
        if self._trust_env and any(value for scheme, value in urllib.request.getproxies().items()
                                   if scheme != "no"):
            return None
        return _CertificatesWhenNeeded(limits, self._trust_env)

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self.per_host)
        return slot

    # --- fetching -----------------------------------------------------------------------
    async def fetch(self, url: str, *, etag: str = "", last_modified: str = "",
                    accept: str | None = None) -> FetchResult:
        """Fetch one feed. Never raises except CancelledError; see FetchResult.status.

        `accept`: the Accept header for this request instead of the feeds' one (a web
        page's fetch asks for HTML, so a server that negotiates does not answer JSON)."""
        start = time.monotonic()
        result = FetchResult(
            url=url, final_url=url, status="error", http_status=None, body=None,
            content_type="", etag="", last_modified="", moved_to=None, retry_after=None,
            error="", elapsed=0.0,
        )  # fmt: skip
        try:
            checked = check_feed_url(url)
        except ValueError as exc:
            result.error = str(exc)
            return result
        result.final_url = checked
        client = self._open()
        assert self._slots is not None
        # Host slot first: a task queued behind a busy host must not sit on a global slot.
        async with self._host_slot(urlsplit(checked).hostname or ""), self._slots:
            start = time.monotonic()
            try:
                async with asyncio.timeout(self.deadline):
                    await self._fetch(client, checked, etag, last_modified, result, accept)
            except TimeoutError:
                _fail(result, f"Timed out after {self.deadline:g} s.")
            except _Failure as exc:
                _fail(result, str(exc))
            except Exception as exc:  # any network or protocol error: one sentence
                _fail(result, _describe(exc, result.final_url, self))
            finally:
                result.elapsed = time.monotonic() - start
        return result

    async def _fetch(
        self,
        client: httpx.AsyncClient,
        url: str,
        etag: str,
        last_modified: str,
        result: FetchResult,
        accept: str | None = None,
    ) -> None:
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = clean_line(accept)[:500] or ACCEPT
        sent_etag, sent_modified = _validator(etag), _validator(last_modified)
        if sent_etag:
            headers["If-None-Match"] = sent_etag
        if sent_modified:
            headers["If-Modified-Since"] = sent_modified
        hops: list[int] = []
        visited = {url}
        current = url
        while True:
            result.final_url = current
            request = client.build_request("GET", current, headers=headers)
            response = await client.send(request, stream=True)
            try:
                status = response.status_code
                result.http_status = status
                location = response.headers.get("location")
                if status in _REDIRECTS and location is not None:
                    current = self._next_hop(current, location, hops, visited)
                    hops.append(status)
                    result.redirects = len(hops)
                    await _drain(response)
                    continue
                await self._finish(response, result, hops, sent_etag, sent_modified)
                if status == 304:
                    await _drain(response)
                return
            finally:
                await response.aclose()

    def _next_hop(self, current: str, location: str, hops: list[int], visited: set[str]) -> str:
        if len(hops) >= self.max_redirects:
            raise _Failure(f"Too many redirects (more than {self.max_redirects}).")
        try:
            target = check_feed_url(urljoin(current, location.strip().replace(" ", "%20")))
        except ValueError:
            raise _Failure(
                f"The server redirected to {shown_url(location)}, which is not an http(s) "
                "address; not followed."
            ) from None
        if target in visited:
            raise _Failure("The server redirects in a loop.")
        visited.add(target)
        return target

    async def _finish(
        self,
        response: httpx.Response,
        result: FetchResult,
        hops: list[int],
        sent_etag: str,
        sent_modified: str,
    ) -> None:
        status = response.status_code
        result.content_type = clean_line(response.headers.get("content-type", ""))[:200]
        etag = _validator(response.headers.get("etag"))
        modified = _validator(response.headers.get("last-modified"))
        moved = result.final_url if hops and all(h in _PERMANENT for h in hops) else None
        if status == 304 or 200 <= status < 300:
            headers = response.headers
            result.fresh_for = parse_freshness(headers.get("cache-control"),
                                               headers.get("expires"), headers.get("date"))
        if status == 304:
            result.status = "not_modified"
            result.etag = etag or sent_etag
            result.last_modified = modified or sent_modified
            result.moved_to = moved
            return
        if 200 <= status < 300:
            result.body = await self._read_body(response)
            # Validators only once the body is complete: storing the ETag of a body we
            # never got would turn every later fetch into a 304 for content we lack.
            result.status, result.etag, result.last_modified = "ok", etag, modified
            result.moved_to = moved
            return
        phrase = _phrase(status)
        answered = f"Server answered {status} {phrase}".rstrip()
        if status == 410:
            result.status = "gone"
            result.error = f"{answered}: the feed has been removed."
            return
        result.status = "error"
        if status in (429, 503):
            result.retry_after = parse_retry_after(response.headers.get("retry-after"))
            if result.retry_after is not None:
                when = result.retry_after.strftime("%Y-%m-%d %H:%M UTC")
                result.error = f"{answered}; try again after {when}."
                return
        if status in _REDIRECTS:
            result.error = f"{answered} without saying where to."
            return
        result.error = f"{answered}."

    async def _read_body(self, response: httpx.Response) -> bytes:
        limit = self.max_bytes
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > limit:
            raise _Failure(f"The feed is larger than {_size(limit)} ({int(declared):,} bytes).")
        codings = [
            c.strip().lower()
            for c in response.headers.get("content-encoding", "").split(",")
            if c.strip() and c.strip().lower() != "identity"
        ]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            shown = clean_line(", ".join(codings))[:40]
            raise _Failure(f"The server used a compression we did not ask for ({shown}).")
        inflater = _Inflater(codings[0], limit) if codings else None
        out = bytearray()
        raw = 0
        async for chunk in response.aiter_raw():
            raw += len(chunk)
            if raw > limit:
                raise _Failure(f"The feed is larger than {_size(limit)}; stopped reading.")
            if inflater is None:
                out += chunk
            elif chunk:
                inflater.feed(chunk, out)
        if inflater is not None and raw:
            inflater.finish()
        return bytes(out)
