"""One writer per library: an exclusive flock on `DATA_DIR/lock` holding the owner's pid."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from reader.library.errors import LibraryLocked


class WriterLock:
    """Held for the life of a writing Library; released on close or process death."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / "lock"
        self._fd: int | None = None
        self.data_dir = data_dir

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise LibraryLocked(self.data_dir, pid) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
            self._fd = None


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except OSError:
        return None
