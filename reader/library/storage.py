"""TinyDB, made safe and fast enough for 100,000 articles.

TinyDB's JSONStorage re-reads the whole file on every query and rewrites it in place on every
write (not crash-safe; notes/storage-feeds-security.md §2). `AtomicJSONStorage` reads the
file once, serves reads from memory and writes only on `flush()`, atomically, keeping one
backup generation. `KeyedTable` stores documents under our own string ids and applies a
whole batch (a refresh, an import) in one table update instead of one per document.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from reader.library.atomic import atomic_write
from reader.library.errors import LibraryDamaged


def load_json_file(path: Path) -> Any:
    """Parse a JSON file or raise LibraryDamaged naming the file and its backup."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        backup = path.with_name(path.name + ".bak")
        reason = "empty file" if not raw.strip() else f"invalid JSON: {error}"
        raise LibraryDamaged(path, reason, backup if backup.exists() else None) from None


class AtomicJSONStorage(Storage):
    """Reads once, keeps the data in memory, writes atomically on flush()."""

    def __init__(self, path: str | Path, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._data: dict | None = None
        self._loaded = False
        self.dirty = False

    def read(self) -> dict | None:
        if not self._loaded:
            data = load_json_file(self.path)
            if data is not None and not isinstance(data, dict):
                backup = self.path.with_name(self.path.name + ".bak")
                raise LibraryDamaged(
                    self.path, "not a TinyDB document", backup if backup.exists() else None
                )
            self._data = data
            self._loaded = True
        return self._data

    def write(self, data: dict) -> None:
        self._data = data
        self._loaded = True
        self.dirty = True

    def flush(self) -> None:
        """Make every change so far durable (one atomic rewrite)."""
        if not self.dirty or self.readonly:
            return
        payload = orjson.dumps(self._data or {})
        atomic_write(self.path, payload, backup=True)
        self.dirty = False

    def close(self) -> None:
        """Nothing: callers flush explicitly, so a crash loses no acknowledged write."""


class KeyedTable(Table):
    """A table whose document ids are our own string ids (article ids, feed ids)."""

    document_id_class = str  # type: ignore[assignment]

    def raw(self) -> Mapping[str, Mapping]:
        """The stored documents by id, without copying (read-only use)."""
        return self._read_table()

    def apply(self, upserts: Mapping[str, Any] | None = None,
              removals: Iterable[str] = ()) -> None:
        """Insert or replace and delete many documents in one table update.

        The documents are stored as given (not copied): callers pass fresh ones.
        """
        removals = list(removals)
        if not upserts and not removals:
            return

        def updater(table: dict) -> None:
            if upserts:
                table.update(upserts)
            for doc_id in removals:
                table.pop(doc_id, None)

        self._update_table(updater)

    def _update_table(self, updater: Callable[[dict], None]) -> None:
        """Update the stored dict in place.

        TinyDB's version copies the whole table twice per update (to convert ids to int and
        back), about 2 x 100,000 entries per refresh here; our ids are strings already.
        """
        tables = self._storage.read()
        if tables is None:
            tables = {}
        table = tables.get(self.name)
        if not isinstance(table, dict):
            table = tables[self.name] = {}
        updater(table)
        self._storage.write(tables)
        self.clear_cache()


class LibraryDB(TinyDB):
    table_class = KeyedTable


def open_db(path: Path, readonly: bool) -> tuple[LibraryDB, AtomicJSONStorage]:
    db = LibraryDB(path, storage=AtomicJSONStorage, readonly=readonly)
    storage = db.storage
    assert isinstance(storage, AtomicJSONStorage)
    storage.read()  # parse now so a damaged file is reported at open, not mid-session
    return db, storage
