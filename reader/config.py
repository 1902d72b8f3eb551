"""Settings from `config.toml` (platform config dir, or READER_CONFIG). All optional.

    [refresh]
    interval_minutes = 30    # refresh all feeds this often while the TUI runs; 0 = never
    concurrency = 16         # feeds fetched at once
    keep_per_feed = 1000     # newest articles kept per feed (bookmarked/quoted never pruned)

    [keys]                   # binding id = keys, e.g. to rebind bookmarking:
    "reader.bookmark" = "b,ctrl+b"

    [ui]
    theme = "textual-dark"

    [[ignore]]               # drop matching entries at refresh (reader/feeds/ignore.py)
    title = '(?i)\\bsponsored\\b'   # regular expression searched in the title
    author = "..."           # and/or in the author; all given must match
    feed = "news"            # optional: only this feed (id, URL or tag)
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from reader.feeds.ignore import IgnoreRuleError, IgnoreRules

ENV_CONFIG = "READER_CONFIG"


class ConfigError(Exception):
    """str(error) is one sentence for the user."""


@dataclass(slots=True)
class Config:
    refresh_interval_minutes: float = 30.0
    concurrency: int = 16
    keep_per_feed: int = 1000
    keys: dict[str, str] = field(default_factory=dict)
    theme: str = ""
    ignore: IgnoreRules = field(default_factory=IgnoreRules)
    path: Path | None = None


def config_path() -> Path:
    explicit = os.environ.get(ENV_CONFIG)
    if explicit:
        return Path(explicit).expanduser()
    return Path(platformdirs.user_config_dir("reader", appauthor=False)) / "config.toml"


def _number(table: dict, key: str, default: float, *, low: float, high: float, path: Path,
            integer: bool = False) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{path}: {key} must be a number.")
    if not low <= value <= high:
        raise ConfigError(f"{path}: {key} must be between {low:g} and {high:g}.")
    return int(value) if integer else float(value)


def load_config(path: Path | None = None) -> Config:
    """Read the config file; a missing file means defaults, a broken one a ConfigError."""
    path = path or config_path()
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"The config file {path} cannot be read ({error}).") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML ({error}).") from None
    refresh = data.get("refresh", {})
    keys = data.get("keys", {})
    ui = data.get("ui", {})
    if not all(isinstance(t, dict) for t in (refresh, keys, ui)):
        raise ConfigError(f"{path}: [refresh], [keys] and [ui] must be tables.")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items()):
        raise ConfigError(f"{path}: every [keys] entry must be \"binding.id\" = \"keys\".")
    theme = ui.get("theme", "")
    if not isinstance(theme, str):
        raise ConfigError(f"{path}: ui.theme must be a string.")
    try:
        ignore = IgnoreRules.from_config(data.get("ignore"))
    except IgnoreRuleError as error:
        raise ConfigError(f"{path}: {error}.") from None
    return Config(
        refresh_interval_minutes=_number(refresh, "interval_minutes", 30, low=0, high=10080,
                                         path=path),
        concurrency=int(_number(refresh, "concurrency", 16, low=1, high=128, path=path,
                                integer=True)),
        keep_per_feed=int(_number(refresh, "keep_per_feed", 1000, low=10, high=1_000_000,
                                  path=path, integer=True)),
        keys=dict(keys), theme=theme, ignore=ignore, path=path,
    )
