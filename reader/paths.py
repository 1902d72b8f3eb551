"""Where Reader keeps its data: `--data-dir`, else `READER_DATA_DIR`, else the platform dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

ENV_DATA_DIR = "READER_DATA_DIR"
ENV_DEMO_DIR = "READER_DEMO_DIR"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("reader", appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The library directory to use, most specific source first."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_DATA_DIR)
    if from_env:
        return Path(from_env).expanduser()
    return default_data_dir()


def demo_data_dir() -> Path:
    """The demo's own library: in the cache folder, never the user's library."""
    from_env = os.environ.get(ENV_DEMO_DIR)
    if from_env:
        return Path(from_env).expanduser()
    return Path(platformdirs.user_cache_dir("reader", appauthor=False)) / "demo-library"
