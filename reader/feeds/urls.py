"""Checks for URLs that come from users, OPML files, feeds and web pages.

A feed URL is fetched with httpx and a link is handed to a browser, so both are allowlisted
here once: http(s) only (feedparser and old readers happily followed `file:` and `exec:`), no
whitespace or control characters (terminal and header injection), and no leading '-' (Python's
`webbrowser` passes such a URL to the browser as an option; notes/storage-feeds-security.md
§5.5).
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from reader.text.clean import clean_line

# Whitespace, C0/C1 controls, DEL, zero-width and bidi controls, BOM: none belongs in a URL.
_BAD_CHARS = re.compile(
    "[\\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SHOWN = 80  # characters of a rejected URL quoted back in an error message


def shown_url(url: str) -> str:
    """A URL made safe and short enough to quote inside a one-line message."""
    text = clean_line(url)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def check_feed_url(url: str) -> str:
    """Return `url` normalised (scheme and host lower case, no fragment, path at least "/").

    Raises ValueError with one sentence for the user unless it is an http(s) URL with a host.
    Surrounding whitespace (a paste) is forgiven; whitespace inside is not.
    """
    if not isinstance(url, str):
        raise ValueError("The feed address must be text.")
    url = url.strip()
    if not url:
        raise ValueError("The feed address is empty.")
    if url.startswith("-"):
        raise ValueError("A feed address may not start with '-'.")
    if _BAD_CHARS.search(url):
        raise ValueError("The feed address contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValueError(f"The feed address {shown_url(url)} is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"Only http and https feed addresses are supported, not {shown_url(url)}.")
    host = parts.hostname or ""
    if not host:
        raise ValueError(f"The feed address {shown_url(url)} has no host name.")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"The host name in {shown_url(url)} is not valid.") from None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


_HTTP_NETLOC = re.compile(r"[hH][tT][tT][pP][sS]?://([^/?#]*)")
_HOST_PORT = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^:\[\]]+)(?::[0-9]{0,5})?")


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host and nothing unsafe in it.

    The same acceptance as `check_feed_url` without the normalisation, and cheap: it runs for
    every link of every entry at refresh time.
    """
    if not url or url[0] == "-" or _BAD_CHARS.search(url):
        return False
    match = _HTTP_NETLOC.match(url)
    if match is None:
        return False
    host = match.group(1).rpartition("@")[2]
    return bool(host) and _HOST_PORT.fullmatch(host) is not None


def is_safe_link(url: str) -> bool:
    """True if `url` may be opened in a browser or shown as a link: http(s) with a host, or
    mailto: with an address. Everything else (javascript:, data:, file:, relative, dash-led,
    containing whitespace or controls) is refused."""
    if not isinstance(url, str) or not url or url.startswith("-") or _BAD_CHARS.search(url):
        return False
    if url[:7].lower() == "mailto:":
        return len(url) > 7 and url[7] not in "-/"
    return is_http_url(url)


def resolve_http(base: str, raw: str | None) -> str:
    """`raw` (an href from a feed or page) cleaned and resolved against `base`; the result
    if it is an absolute http(s) URL, else "". Fragments are kept (they can matter for
    entry links)."""
    raw = (raw or "").strip()
    if _BAD_CHARS.search(raw):
        raw = clean_line(raw).replace(" ", "%20")
    if not raw:
        return ""
    if not _HTTP_NETLOC.match(raw):  # relative (or another scheme): resolve first
        try:
            raw = urljoin(base, raw) if base else raw
        except ValueError:
            return ""
    return raw if is_http_url(raw) else ""
