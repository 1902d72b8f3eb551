"""Ignore rules ("killfile"): entries a refresh drops before storing anything.

    [[ignore]]
    title = '(?i)\\bsponsored\\b'   # a regular expression searched in the title
    author = 'Jane Doe'             # and/or in the author (every given field must match)
    feed = 'news'                   # optional: only feeds whose id, URL or tag is this

A rule drops an entry when all of its patterns match (AND); an entry is dropped when any
rule drops it (OR). Titles and authors reach the rules already cleaned (`clean_line`: no
control characters, one line), the same text the reader shows.

Core module: no Textual import. The rules are plain frozen dataclasses holding compiled
patterns, so they pickle (a `re.Pattern` pickles as its source and flags) and reach the
worker processes of `reader refresh` unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

MAX_RULES = 200
MAX_PATTERN = 500  # characters
_FIELDS = ("title", "author")
_KEYS = ("title", "author", "feed")


class IgnoreRuleError(ValueError):
    """str(error) is a sentence fragment ("ignore rule 2: ..."); the config loader adds
    the file name and the full stop."""


class _FeedLike(Protocol):
    id: str
    url: str
    tags: list[str]
    aliases: list[str]


class _EntryLike(Protocol):
    title: str
    author: str


Entry = TypeVar("Entry", bound=_EntryLike)


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One rule: the given patterns must all match (None: not part of the rule)."""

    title: re.Pattern[str] | None = None
    author: re.Pattern[str] | None = None
    feed: str = ""  # "" = every feed; else a feed id, URL (or old URL) or tag

    def applies_to(self, feed: _FeedLike) -> bool:
        """The rule's feed is this feed's id, its URL or an old one (compared as normalised
        URLs: "https://Example.com" is "https://example.com/"), or one of its tags (any
        case: "opinion" is "Opinion")."""
        if not self.feed:
            return True
        if self.feed in (feed.id, feed.url) or self.feed in feed.aliases:
            return True
        url = _normal_url(self.feed)
        if url and url in {_normal_url(u) for u in (feed.url, *feed.aliases)}:
            return True
        tag = self.feed.lstrip("#").strip().casefold()
        return any(tag == own.casefold() for own in feed.tags)

    def matches(self, entry: _EntryLike) -> bool:
        """Whether this rule drops the entry (the feed scope is checked by the caller)."""
        if self.title is not None and self.title.search(entry.title) is None:
            return False
        return self.author is None or self.author.search(entry.author) is not None


@dataclass(frozen=True, slots=True)
class IgnoreRules:
    """All the rules of the config file; empty (false) when there are none."""

    rules: tuple[IgnoreRule, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def for_feed(self, feed: _FeedLike) -> tuple[IgnoreRule, ...]:
        return tuple(rule for rule in self.rules if rule.applies_to(feed))

    def drops(self, feed: _FeedLike, entry: _EntryLike) -> bool:
        """Whether any rule drops this entry of this feed."""
        return any(rule.matches(entry) for rule in self.rules if rule.applies_to(feed))

    def filter(self, feed: _FeedLike, entries: Sequence[Entry]) -> tuple[list[Entry], int]:
        """(the entries kept, how many were dropped). The feed scope is checked once per
        feed; then each entry costs one search per pattern of the rules that apply."""
        rules = self.for_feed(feed)
        if not rules:
            return list(entries), 0
        kept = [entry for entry in entries if not any(rule.matches(entry) for rule in rules)]
        return kept, len(entries) - len(kept)

    @classmethod
    def from_config(cls, items: object) -> IgnoreRules:
        """Rules from the parsed `[[ignore]]` array of tables; raises IgnoreRuleError (one
        sentence fragment naming the rule number) for anything wrong."""
        if items is None:
            return cls()
        if not isinstance(items, list):
            raise IgnoreRuleError("ignore must be an array of tables (each rule starts with "
                                  "a [[ignore]] line)")
        if len(items) > MAX_RULES:
            raise IgnoreRuleError(f"there are {len(items)} [[ignore]] rules, at most "
                                  f"{MAX_RULES} are allowed")
        return cls(tuple(_rule(number, item) for number, item in enumerate(items, 1)))


def _rule(number: int, item: object) -> IgnoreRule:
    where = f"ignore rule {number}"
    if not isinstance(item, dict):
        raise IgnoreRuleError(f"{where} must be a table of title, author and feed "
                              "(a [[ignore]] section)")
    unknown = [key for key in item if key not in _KEYS]
    if unknown:
        raise IgnoreRuleError(f"{where}: unknown key {unknown[0]!r} (a rule has title, "
                              "author and feed)")
    for key in _KEYS:
        if key in item and not isinstance(item[key], str):
            raise IgnoreRuleError(f"{where}: {key} must be a string")
    if not any(key in item for key in _FIELDS):
        raise IgnoreRuleError(f"{where}: give a title or an author pattern (or both)")
    feed = item.get("feed")
    if feed is not None and not feed.strip():
        raise IgnoreRuleError(f"{where}: feed is empty (give a feed id, URL or tag, or "
                              "leave feed out for every feed)")
    patterns = {key: _compile(where, key, item[key]) for key in _FIELDS if key in item}
    return IgnoreRule(title=patterns.get("title"), author=patterns.get("author"),
                      feed=(feed or "").strip())


def _normal_url(text: str) -> str:
    """`text` as the library stores feed URLs, or "" if it is not an http(s) URL."""
    from reader.feeds.urls import check_feed_url

    try:
        return check_feed_url(text)
    except ValueError:
        return ""


def _compile(where: str, key: str, source: str) -> re.Pattern[str]:
    if not source:
        raise IgnoreRuleError(f"{where}: the {key} pattern is empty (it would match every "
                              "entry)")
    if any(ord(char) < 32 or ord(char) == 127 for char in source):
        # TOML turns "\b" inside double quotes into a backspace: a rule that never matches
        raise IgnoreRuleError(f"{where}: the {key} pattern holds a control character (in "
                              "double quotes TOML reads \\b as one); write the pattern in "
                              "single quotes")
    if len(source) > MAX_PATTERN:
        raise IgnoreRuleError(f"{where}: the {key} pattern is {len(source)} characters long, "
                              f"at most {MAX_PATTERN} are allowed")
    try:
        return re.compile(source)
    # re.error for syntax; OverflowError for a huge repeat count ("a{99999999999}")
    except (re.error, OverflowError, RecursionError, ValueError) as error:
        detail = " ".join(str(error).split()).rstrip(".") or type(error).__name__
        raise IgnoreRuleError(f"{where}: the {key} pattern is not a valid regular "
                              f"expression ({detail})") from None
