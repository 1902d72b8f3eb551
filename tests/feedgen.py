"""Small feed documents built in code for refresh tests (RSS 2.0, Atom 1.0, JSON Feed 1.1)."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape


def rss(title: str, items: list[tuple[str, str, str]], link: str = "https://site.example/"
        ) -> bytes:
    """items: (guid, title, html body)."""
    parts = [f"<item><guid>{escape(g)}</guid><title>{escape(t)}</title>"
             f"<link>https://site.example/{escape(g)}</link>"
             f"<pubDate>Mon, 0{1 + i % 9} Sep 2025 10:00:00 GMT</pubDate>"
             f"<description>{escape(body)}</description></item>"
             for i, (g, t, body) in enumerate(items)]
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{escape(title)}</title><link>{escape(link)}</link>"
            f"{''.join(parts)}</channel></rss>").encode()


def atom(title: str, items: list[tuple[str, str, str]]) -> bytes:
    entries = [f"<entry><id>urn:x:{escape(g)}</id><title>{escape(t)}</title>"
               f'<link href="https://atom.example/{escape(g)}"/>'
               f"<updated>2025-09-0{1 + i % 9}T10:00:00Z</updated>"
               f'<content type="html">{escape(body)}</content></entry>'
               for i, (g, t, body) in enumerate(items)]
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:x:feed</id>"
            f"<updated>2025-09-01T10:00:00Z</updated>{''.join(entries)}</feed>").encode()


def json_feed(title: str, items: list[tuple[str, str, str]]) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": title,
        "items": [{"id": g, "title": t, "url": f"https://json.example/{g}",
                   "content_html": body, "date_published": f"2025-09-0{1 + i % 9}T10:00:00Z"}
                  for i, (g, t, body) in enumerate(items)],
    }).encode()


def page_with_feeds(*links: tuple[str, str, str]) -> bytes:
    """An HTML page whose head offers feeds: (href, type, title)."""
    tags = "".join(f'<link rel="alternate" type="{kind}" href="{href}" title="{title}">'
                   for href, kind, title in links)
    head = f"<head><title>Site</title>{tags}</head>"
    return f"<!DOCTYPE html><html>{head}<body>Hi</body></html>".encode()
