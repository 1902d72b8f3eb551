"""Crash-safe file writes: temp file, fsync, rename, fsync of the directory.

A reader of the target path sees either the old bytes or the new bytes, never a mix, even
when the process is killed or the machine loses power mid-write.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

TEMP_SUFFIX = ".tmp"
FILE_MODE = 0o600
DIR_MODE = 0o700


def temp_prefix(path: Path) -> str:
    return f".{path.name}."


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(directory: Path) -> None:
    directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def _write_temp(path: Path, data: bytes) -> Path:
    """Write and fsync `data` to a new temp file beside `path`; the caller renames it."""
    tmp_path = path.parent / f"{temp_prefix(path)}{os.getpid()}.{os.urandom(4).hex()}{TEMP_SUFFIX}"
    fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
        raise
    os.close(fd)
    return tmp_path


def _replace(tmp_path: Path, path: Path) -> None:
    try:
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
        raise


def atomic_write(path: Path, data: bytes, *, backup: bool = False, sync_dir: bool = True) -> None:
    """Replace `path` with `data` atomically.

    With `backup`, the same bytes then go to `path.bak` (also atomically): the backup is the
    last good write, so if the file is ever damaged from outside (disk error, a sync tool,
    a hand edit) restoring it loses nothing. A crash between the two leaves the backup one
    write behind, never broken.
    """
    _replace(_write_temp(path, data), path)
    if backup:
        bak = path.with_name(path.name + ".bak")
        _replace(_write_temp(bak, data), bak)
    if sync_dir:
        fsync_dir(path.parent)


def clean_stale_temps(directory: Path) -> int:
    """Delete temp files a killed writer left behind; returns how many went."""
    removed = 0
    if not directory.is_dir():
        return 0
    for entry in directory.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX) and entry.is_file():
            with contextlib.suppress(OSError):
                entry.unlink()
                removed += 1
    return removed
