"""Read and bookmark state: a small snapshot plus an append-only journal.

A keypress (bookmark, mark read) appends one JSON line and fsyncs: durable in a few
milliseconds however large the library is, and the big metadata file is never rewritten for
it. Each line sets a value (never toggles), so replaying a line twice is harmless; a line
torn by a crash is the last one and is dropped. The journal is folded into the snapshot at
open and close and when it grows long.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

import orjson

from reader.library.atomic import FILE_MODE, atomic_write, fsync_dir
from reader.library.storage import load_json_file

FIELDS = ("read", "bookmarked")
COMPACT_AFTER_LINES = 5000


class StateJournal:
    def __init__(self, directory: Path, readonly: bool = False) -> None:
        self.snapshot_path = directory / "state.json"
        self.log_path = directory / "state.log"
        self.readonly = readonly
        self.sets: dict[str, set[str]] = {name: set() for name in FIELDS}
        self._fd: int | None = None
        self._lines = 0

    def load(self) -> None:
        data = load_json_file(self.snapshot_path) or {}
        for name in FIELDS:
            self.sets[name] = set(data.get(name, []))
        self._replay()
        if not self.readonly:
            created = not self.log_path.exists()
            self._fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
            if created:  # the file's name must survive a power cut, not only its lines
                fsync_dir(self.log_path.parent)
            if self._lines:
                self.compact()

    def _replay(self) -> None:
        try:
            raw = self.log_path.read_bytes()
        except FileNotFoundError:
            return
        good_end = raw.rfind(b"\n") + 1
        for line in raw[:good_end].splitlines():
            try:
                entry = orjson.loads(line)
                self._apply(entry["f"], entry["ids"], bool(entry["v"]))
                self._lines += 1
            except (orjson.JSONDecodeError, KeyError, TypeError):
                continue  # a damaged line cannot be trusted; the rest still can
        if good_end != len(raw) and not self.readonly:
            with open(self.log_path, "r+b") as handle:  # drop the torn tail before appending
                handle.truncate(good_end)
                os.fsync(handle.fileno())

    def _apply(self, field: str, ids: list[str], value: bool) -> None:
        target = self.sets[field]
        if value:
            target.update(ids)
        else:
            target.difference_update(ids)

    def _append(self, line: bytes) -> None:
        """Append one whole line and fsync it, or leave the journal as it was and raise.

        A short write (a nearly full disk) must not leave half a line: the next line would
        be glued to it and both lost at replay, though both were reported as saved.
        """
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        try:
            view = memoryview(line)
            while view:
                written = os.write(self._fd, view)
                if written <= 0:
                    raise OSError(errno.ENOSPC, "No space left on device")
                view = view[written:]
            os.fsync(self._fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, size)
            raise

    def set(self, field: str, ids: list[str], value: bool) -> None:
        """Durably record `field = value` for `ids` (returns after fsync)."""
        if field not in FIELDS:
            raise ValueError(f"unknown state field {field!r}")
        if not ids:
            return
        assert self._fd is not None, "journal opened read-only"
        line = orjson.dumps({"f": field, "v": int(value), "ids": ids}) + b"\n"
        self._append(line)
        self._apply(field, ids, value)
        self._lines += 1
        if self._lines >= COMPACT_AFTER_LINES:
            self.compact()

    def forget(self, ids: set[str]) -> None:
        """Drop state of articles that no longer exist (retention, feed removal).

        Durable like `set`: if the journal still said "read" for a pruned article, a crash
        before the next compaction would hand that state to the article when a later
        refresh brings it back.
        """
        for name in FIELDS:
            gone = self.sets[name].intersection(ids)
            if not gone:
                continue
            if self._fd is not None:
                self.set(name, sorted(gone), False)
            else:
                self.sets[name].difference_update(gone)

    def compact(self) -> None:
        """Fold the journal into the snapshot (snapshot first, so a crash loses nothing)."""
        if self.readonly:
            return
        payload = orjson.dumps({name: sorted(values) for name, values in self.sets.items()})
        atomic_write(self.snapshot_path, payload, backup=True)
        atomic_write(self.log_path, b"", sync_dir=True)
        if self._fd is not None:
            os.close(self._fd)
        self._fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        self._lines = 0

    def close(self) -> None:
        if self._fd is not None:
            try:
                if self._lines:
                    self.compact()
            finally:
                self.release()

    def release(self) -> None:
        """Close the journal file without compacting (a failed open)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
