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


def atomic_write(path: Path, data: bytes, *, backup: bool = False, sync_dir: bool = True) -> None:
    """Replace `path` with `data` atomically; with `backup`, keep the old file as `path.bak`."""
    directory = path.parent
    tmp_name = f"{temp_prefix(path)}{os.getpid()}.{os.urandom(4).hex()}{TEMP_SUFFIX}"
    tmp_path = directory / tmp_name
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
    try:
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            bak_tmp = directory / f"{temp_prefix(bak)}{os.getpid()}{TEMP_SUFFIX}"
            with contextlib.suppress(FileNotFoundError):
                os.unlink(bak_tmp)
            os.link(path, bak_tmp)
            os.replace(bak_tmp, bak)
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_path)
        raise
    if sync_dir:
        fsync_dir(directory)


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
