"""Feeds and a feed server for bench/bench_refresh.py.

    python bench/feedgen_bench.py generate DIR [--feeds 200] [--items 50]
    python bench/feedgen_bench.py serve DIR --port-file FILE --log FILE [--max-seconds 3600]

`generate` writes FEEDS documents of ITEMS items each, RSS 2.0 (with content:encoded) and
Atom 1.0 alternating, each item carrying about 2.5 KB of realistic HTML (paragraphs, links,
emphasis, a blockquote or a list now and then, a few non-ASCII characters). Deterministic:
the same arguments give the same bytes.

`serve` answers GET/HEAD for those files from memory on 127.0.0.1 (a free port, written to
--port-file) with HTTP/1.1 keep-alive, ETag and Last-Modified, and 304 for a matching
If-None-Match (or, without one, an If-Modified-Since not older than the file). Every request
is appended to --log as one tab-separated line:

    time  method  path  status  sent_if_none_match  sent_if_modified_since  bytes  user_agent

It is a separate process so that it does not share a GIL with the client being measured. It
exits on SIGTERM, when its stdin closes (the benchmark went away), or after --max-seconds.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import signal
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

# --------------------------------------------------------------------------------------
# generation
# --------------------------------------------------------------------------------------
_WORDS = (  # noqa: SIM905
    "council budget minister court election vote report climate storm market bank rates "
    "energy prices school health hospital police city mayor plan talks deal trade union "
    "strike rail airport housing rent tax reform inquiry evidence witness judge appeal "
    "ruling science study data research space launch mission team season final league "
    "coach player record profit loss shares company software security breach privacy law "
    "bill senate parliament border migration aid crisis summit leaders agreement water "
    "river flood drought farm food supply chain factory jobs workers wages inflation "
    "growth café naïve régime analysis officials residents weekend morning statement "
    "spokesperson committee"
).split()
_CONNECTORS = ["and", "but", "while", "after", "because", "although", "as", "since", "when"]
_NAMES = [
    "Ana Souza",
    "Ben Okafor",
    "Chloé Martin",
    "Dmitri Ivanov",
    "Emma Lindqvist",
    "Farah Haddad",
    "Gareth Jones",
    "Hiroshi Tanaka",
    "Inés García",
    "James O’Neill",
    "Kavya Rao",
    "Lars Nilsen",
    "María José Pérez",
    "Nadia Benali",
    "Oliver Smith",
]
_HOSTS = ["news.example", "city.example.org", "data.example.net", "archive.example.com"]
_BASE_DATE = datetime(2025, 9, 1, 6, 0, tzinfo=UTC)
LAST_MODIFIED = "Mon, 01 Sep 2025 10:00:00 GMT"  # of every generated file


def _sentence(rng: random.Random, markup: bool) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 18))]
    if rng.random() < 0.5:
        words.insert(rng.randint(2, len(words) - 2), rng.choice(_CONNECTORS))
    if markup:
        roll = rng.random()
        at = rng.randint(0, len(words) - 2)
        if roll < 0.30:
            host = rng.choice(_HOSTS)
            path = "-".join(words[at : at + 3])
            words[at] = f'<a href="https://{host}/{rng.randint(2019, 2025)}/{path}">{words[at]}'
            words[at + 1] = f"{words[at + 1]}</a>"
        elif roll < 0.45:
            words[at] = f"<em>{words[at]}</em>"
        elif roll < 0.55:
            words[at] = f"<strong>{words[at]} {words[at + 1]}</strong>"
            del words[at + 1]
        elif roll < 0.60:
            words[at] = f'<a href="/local/{rng.randint(1, 999)}.html">{words[at]}</a>'
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", "?", "!"])


def _paragraph(rng: random.Random) -> str:
    return "<p>" + " ".join(_sentence(rng, True) for _ in range(rng.randint(2, 4))) + "</p>"


def article_html(rng: random.Random, target: int = 2500) -> str:
    """About `target` characters of article HTML."""
    parts: list[str] = []
    size = 0
    quoted = listed = False
    for _ in range(64):  # bounded; ~8-12 blocks reach the target
        if size >= target:
            break
        roll = rng.random()
        if not quoted and parts and roll < 0.18:
            who = rng.choice(_NAMES)
            block = (
                f"<blockquote><p>“{_sentence(rng, False)} {_sentence(rng, False)}”</p>"
                f"<p>— <cite>{who}</cite></p></blockquote>"
            )
            quoted = True
        elif not listed and parts and roll < 0.26:
            items = "".join(f"<li>{_sentence(rng, True)}</li>" for _ in range(3))
            block = f"<ul>{items}</ul>"
            listed = True
        elif parts and roll < 0.32:
            block = f"<h3>{_sentence(rng, False)[:-1]}</h3>"
        elif roll < 0.36:
            block = (
                f"<p>{_sentence(rng, True)}<br><q>{_sentence(rng, False)}</q> "
                f'<img src="https://{rng.choice(_HOSTS)}/img/{rng.randint(1, 9999)}.jpg" '
                f'alt="{rng.choice(_WORDS)} {rng.choice(_WORDS)}"></p>'
            )
        else:
            block = _paragraph(rng)
        parts.append(block)
        size += len(block)
    return "\n".join(parts)


def _title(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(5, 10))]
    text = " ".join(words)
    if rng.random() < 0.15:
        text += " & " + rng.choice(_WORDS)
    return text[0].upper() + text[1:]


def _summary(html: str) -> str:
    start = html.find("<p>")
    end = html.find("</p>", start)
    return html[start + 3 : end][:300] if start >= 0 and end > start else ""


def rss_feed(index: int, items: int, rng: random.Random) -> bytes:
    site = f"https://feed{index:03d}.example"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        f"<channel><title>Bench feed {index:03d} (RSS)</title><link>{site}/</link>"
        f"<description>Synthetic news feed {index:03d}</description><language>en</language>"
        f"<lastBuildDate>{LAST_MODIFIED}</lastBuildDate>\n"
    ]
    for n in range(items):
        html = article_html(rng)
        when = _BASE_DATE - timedelta(hours=n * 3 + index % 7, minutes=rng.randint(0, 59))
        link = f"{site}/{when:%Y/%m}/story-{index:03d}-{n:03d}.html"
        parts.append(
            f"<item><title>{escape(_title(rng))}</title><link>{link}</link>"
            f'<guid isPermaLink="true">{link}</guid>'
            f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>"
            f"<dc:creator>{escape(rng.choice(_NAMES))}</dc:creator>"
            f"<category>{rng.choice(_WORDS)}</category>"
            f"<description>{escape(_summary(html))}</description>"
            f"<content:encoded><![CDATA[{html}]]></content:encoded></item>\n"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")


def atom_feed(index: int, items: int, rng: random.Random) -> bytes:
    site = f"https://feed{index:03d}.example"
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">\n'
        f"<title>Bench feed {index:03d} (Atom)</title>"
        f'<link rel="alternate" type="text/html" href="{site}/"/>'
        f'<link rel="self" href="{site}/atom.xml"/>'
        f"<id>tag:feed{index:03d}.example,2025:feed</id>"
        f"<updated>{_BASE_DATE:%Y-%m-%dT%H:%M:%SZ}</updated>\n"
    ]
    for n in range(items):
        html = article_html(rng)
        when = _BASE_DATE - timedelta(hours=n * 3 + index % 7, minutes=rng.randint(0, 59))
        link = f"{site}/{when:%Y/%m}/entry-{index:03d}-{n:03d}.html"
        stamp = f"{when:%Y-%m-%dT%H:%M:%SZ}"
        parts.append(
            f"<entry><title>{escape(_title(rng))}</title>"
            f'<link rel="alternate" type="text/html" href="{link}"/>'
            f"<id>tag:feed{index:03d}.example,2025:entry-{n}</id>"
            f"<published>{stamp}</published><updated>{stamp}</updated>"
            f"<author><name>{escape(rng.choice(_NAMES))}</name></author>"
            f'<summary type="html">{escape(_summary(html))}</summary>'
            f'<content type="html">{escape(html)}</content></entry>\n'
        )
    parts.append("</feed>\n")
    return "".join(parts).encode("utf-8")


def feed_name(index: int) -> str:
    return f"feed-{index:03d}.{'rss' if index % 2 == 0 else 'atom'}.xml"


def generate(directory: Path, feeds: int, items: int, seed: int = 20250901) -> list[str]:
    """Write the feeds into `directory`; returns the file names in order."""
    directory.mkdir(parents=True, exist_ok=True)
    names = []
    for index in range(feeds):
        rng = random.Random(seed * 1000 + index)
        body = rss_feed(index, items, rng) if index % 2 == 0 else atom_feed(index, items, rng)
        name = feed_name(index)
        (directory / name).write_bytes(body)
        names.append(name)
    return names


# --------------------------------------------------------------------------------------
# serving
# --------------------------------------------------------------------------------------
class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128
    files: dict[str, tuple[bytes, str, str]]  # path -> (body, etag, content type)
    log_file: object
    log_lock: threading.Lock
    last_modified: datetime

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError | OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    timeout = 60  # an idle keep-alive connection is dropped after this
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self._answer()

    def do_HEAD(self) -> None:
        self._answer()

    def _not_modified(self, etag: str) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:  # RFC 9110 §13.1.2: If-None-Match wins over If-Modified-Since
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or etag in tags or f"W/{etag}" in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=UTC)
            return since >= self.server.last_modified
        return False

    def _answer(self) -> None:
        path = self.path.split("?", 1)[0]
        found = self.server.files.get(path)
        sent = 0
        if found is None:
            status = 404
            body = b"not found\n"
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
                sent = len(body)
        else:
            body, etag, content_type = found
            if self._not_modified(etag):
                status = 304
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
            else:
                status = 200
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", LAST_MODIFIED)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                    sent = len(body)
        agent = (self.headers.get("User-Agent") or "-").replace("\t", " ")[:80]
        line = (
            f"{time.monotonic():.6f}\t{self.command}\t{path}\t{status}\t"
            f"{int(self.headers.get('If-None-Match') is not None)}\t"
            f"{int(self.headers.get('If-Modified-Since') is not None)}\t{sent}\t{agent}\n"
        )
        with self.server.log_lock:
            self.server.log_file.write(line)  # type: ignore[attr-defined]
            self.server.log_file.flush()  # type: ignore[attr-defined]


def serve(directory: Path, port_file: Path, log_path: Path, max_seconds: float) -> None:
    files: dict[str, tuple[bytes, str, str]] = {}
    for path in sorted(directory.glob("*.xml")):
        body = path.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        kind = "application/atom+xml" if ".atom." in path.name else "application/rss+xml"
        files["/" + path.name] = (body, etag, f"{kind}; charset=utf-8")
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.files = files
    httpd.last_modified = parsedate_to_datetime(LAST_MODIFIED)
    httpd.log_lock = threading.Lock()
    httpd.log_file = open(log_path, "a", encoding="utf-8")  # noqa: SIM115

    def stop(*_: object) -> None:
        os._exit(0)  # log lines are flushed as written; nothing else to keep

    signal.signal(signal.SIGTERM, stop)

    def watch_stdin() -> None:
        try:
            sys.stdin.buffer.read()  # returns at EOF: the benchmark closed the pipe or died
        finally:
            stop()

    threading.Thread(target=watch_stdin, daemon=True).start()
    threading.Timer(max_seconds, stop).start()
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(httpd.server_address[1]))
    os.replace(tmp, port_file)
    httpd.serve_forever(poll_interval=0.2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    g = commands.add_parser("generate")
    g.add_argument("directory", type=Path)
    g.add_argument("--feeds", type=int, default=200)
    g.add_argument("--items", type=int, default=50)
    s = commands.add_parser("serve")
    s.add_argument("directory", type=Path)
    s.add_argument("--port-file", type=Path, required=True)
    s.add_argument("--log", type=Path, required=True)
    s.add_argument("--max-seconds", type=float, default=3600.0)
    args = parser.parse_args(argv)
    if args.command == "generate":
        names = generate(args.directory, args.feeds, args.items)
        total = sum((args.directory / n).stat().st_size for n in names)
        print(f"{len(names)} feeds, {total / 1e6:.1f} MB in {args.directory}")
        return 0
    serve(args.directory, args.port_file, args.log, args.max_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
