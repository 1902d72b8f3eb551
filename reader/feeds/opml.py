"""OPML 2.0 import and export of subscriptions.

Import is an attack surface: a shared OPML file once turned into command-executing
subscriptions in newsboat (`exec:`/`filter:` URLs, notes/storage-feeds-security.md §5.1), and
XML entities can explode. So: parsed with defusedxml (entity declarations refused), every
xmlUrl goes through `check_feed_url` (http(s) only; others are skipped with a warning), and
every string is cleaned.

Folders and tags, as newsboat does it: a feed inside folder "A" > "B" gets the tags
["A", "A/B"] (each ancestor path), so filtering by "A" also shows the feeds of "A/B". An
outline's `category` attribute (comma-separated, slash-delimited paths, per OPML 2.0) adds
its paths the same way. A feed listed twice (e.g. exported once per tag) is imported once,
with the tags of both places merged.

Export writes a folder per feed's first tag (nested for "A/B"; when a later tag extends the
first, as in ["A", "A/B"], the deepest such path), and every tag in `category`, so tags
survive a round trip and newsboat can import the file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import format_datetime
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring

from reader.feeds.urls import check_feed_url, resolve_http, shown_url
from reader.models import utc_now
from reader.text.clean import clean_line

__all__ = ["OpmlFeed", "parse_opml", "write_opml"]

_MAX_OUTLINES = 100_000  # far beyond any real subscription list; bounds work on hostile files


@dataclass(slots=True)
class OpmlFeed:
    url: str
    title: str
    tags: list[str] = field(default_factory=list)
    site_url: str = ""


def _attr(element: ET.Element, name: str) -> str:
    """An attribute by name, case-insensitively (xmlUrl, xmlurl, XMLURL all occur)."""
    value = element.get(name)
    if value is None:
        lowered = name.lower()
        for key, candidate in element.attrib.items():
            if key.lower() == lowered:
                value = candidate
                break
    return value or ""


def _local(tag: object) -> str:
    return tag.rpartition("}")[2].lower() if isinstance(tag, str) else ""


def _with_ancestors(path: str) -> list[str]:
    """ "A/B/C" -> ["A", "A/B", "A/B/C"] (empty segments dropped)."""
    parts = [clean_line(p) for p in path.split("/")]
    parts = [p for p in parts if p]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _add_tags(tags: list[str], new: list[str]) -> None:
    for tag in new:
        if tag not in tags:
            tags.append(tag)


def parse_opml(data: bytes) -> tuple[list[OpmlFeed], list[str]]:
    """(feeds, warnings) from an OPML document.

    Raises ValueError with one sentence if `data` is not OPML (not XML, entity declarations,
    another root element, no <body>).
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not data or not data.strip():
        raise ValueError("The OPML file is empty.")
    try:
        root = defused_fromstring(data, forbid_dtd=False, forbid_entities=True)
    except DefusedXmlException:
        raise ValueError(
            "The OPML file declares XML entities or external references, which are refused."
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise ValueError(f"This is not a valid OPML file (XML error on line {line}).") from None
    if _local(root.tag) != "opml":
        raise ValueError(
            f"This is not an OPML file (its root element is <{clean_line(_local(root.tag))}>)."
        )
    body = next((child for child in root if _local(child.tag) == "body"), None)
    if body is None:
        raise ValueError("The OPML file has no <body>.")

    feeds: list[OpmlFeed] = []
    by_url: dict[str, OpmlFeed] = {}
    warnings: list[str] = []
    # Depth-first with an explicit stack (no recursion limit on hostile nesting); children
    # pushed in reverse so feeds come out in document order.
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [
        (child, ()) for child in reversed(list(body))
    ]
    seen = 0
    while stack:
        outline, folders = stack.pop()
        if _local(outline.tag) != "outline":
            continue
        seen += 1
        if seen > _MAX_OUTLINES:
            warnings.append(f"Stopped after {_MAX_OUTLINES:,} outlines.")
            break
        label = clean_line(_attr(outline, "title") or _attr(outline, "text"))
        raw_url = _attr(outline, "xmlUrl")
        children = [c for c in outline if _local(c.tag) == "outline"]
        if raw_url.strip():
            _import_feed(outline, raw_url, label, folders, feeds, by_url, warnings)
        if children:
            path = (*folders, label.replace("/", "-")) if label and not raw_url.strip() else folders
            stack.extend((child, path) for child in reversed(children))
    return feeds, warnings


def _import_feed(
    outline: ET.Element,
    raw_url: str,
    label: str,
    folders: tuple[str, ...],
    feeds: list[OpmlFeed],
    by_url: dict[str, OpmlFeed],
    warnings: list[str],
) -> None:
    try:
        url = check_feed_url(raw_url)
    except ValueError:
        warnings.append(f"Skipped {shown_url(raw_url.strip())}: not an http(s) URL.")
        return
    tags: list[str] = []
    if folders:
        _add_tags(tags, _with_ancestors("/".join(folders)))
    for category in _attr(outline, "category").split(","):
        _add_tags(tags, _with_ancestors(category))
    existing = by_url.get(url)
    if existing is not None:
        _add_tags(existing.tags, tags)
        return
    site = resolve_http(url, _attr(outline, "htmlUrl"))
    if label in (url, raw_url.strip()):
        label = ""  # exporters write the URL when a feed has no title
    feed = OpmlFeed(url=url, title=label, tags=tags, site_url=site)
    by_url[url] = feed
    feeds.append(feed)


def _folder_path(tags: list[str]) -> list[str]:
    """The folder a feed is written in: its first tag, deepened by a later tag that extends
    it ("A" with "A/B" -> A > B)."""
    clean = [t for t in (clean_line(tag).strip("/") for tag in tags) if t]
    if not clean:
        return []
    first = clean[0]
    deepest = max(
        (t for t in clean if t == first or t.startswith(first + "/")),
        key=lambda t: t.count("/"),
    )
    return [p for p in (s.strip() for s in deepest.split("/")) if p]


def write_opml(
    feeds: list[tuple[str, str, list[str], str]], title: str = "Reader subscriptions"
) -> str:
    """OPML 2.0 text for (url, title, tags, site_url) tuples. Feeds whose URL is not
    http(s) are left out (they could not be imported again anyway)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = clean_line(title) or "Reader subscriptions"
    ET.SubElement(head, "dateCreated").text = format_datetime(utc_now(), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}

    def folder(path: list[str]) -> ET.Element:
        key: tuple[str, ...] = ()
        parent = body
        for part in path:
            key = (*key, part)
            node = folders.get(key)
            if node is None:
                node = folders[key] = ET.SubElement(parent, "outline", text=part, title=part)
            parent = node
        return parent

    for url, name, tags, site_url in feeds:
        try:
            url = check_feed_url(url)
        except ValueError:
            continue
        name = clean_line(name or "") or url
        attrs = {"type": "rss", "text": name, "title": name, "xmlUrl": url}
        site = resolve_http(url, site_url or "")
        if site:
            attrs["htmlUrl"] = site
        clean_tags = [t for t in (clean_line(tag) for tag in tags or []) if t and "," not in t]
        if clean_tags:
            attrs["category"] = ",".join("/" + t.strip("/") if "/" in t else t for t in clean_tags)
        ET.SubElement(folder(_folder_path(clean_tags)), "outline", attrs)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
