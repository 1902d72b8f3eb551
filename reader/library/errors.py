"""Library errors. Each message is one sentence a user can act on."""

from __future__ import annotations

from pathlib import Path


class LibraryError(Exception):
    """Base class: str(error) is shown to the user as it is."""


class LibraryLocked(LibraryError):
    """Another Reader process holds the write lock."""

    def __init__(self, data_dir: Path, pid: int | None) -> None:
        who = f"Reader process {pid}" if pid else "another Reader process"
        super().__init__(
            f"The library {data_dir} is in use by {who}; close it first "
            "(read-only commands such as `reader articles` still work)."
        )
        self.pid = pid


class LibraryDamaged(LibraryError):
    """A library file cannot be read. It is never overwritten silently."""

    def __init__(self, path: Path, reason: str, backup: Path | None) -> None:
        offer = (
            f" A backup exists ({backup.name}); run `reader restore-backup` to use it."
            if backup is not None
            else " No backup exists; move the file aside to start an empty library."
        )
        super().__init__(f"The library file {path} is damaged ({reason}).{offer}")
        self.path = path
        self.backup = backup


class LibraryTooNew(LibraryError):
    def __init__(self, path: Path, found: int, supported: int) -> None:
        super().__init__(
            f"The library {path} has schema {found}, newer than this Reader understands "
            f"({supported}); upgrade Reader."
        )


class ReadOnlyLibrary(LibraryError):
    def __init__(self) -> None:
        super().__init__("This library was opened read-only.")
