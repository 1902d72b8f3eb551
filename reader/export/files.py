"""Write an export file safely: never clobber by accident, never leave half a file behind.

`write_export(text, path, force=False)`:
- refuses an existing path unless `force` ("... already exists; use --force to overwrite it.");
- refuses a directory, and any existing non-regular file (device, FIFO, socket) even with
  `force`, so "-o /dev/null --force" cannot replace a device node;
- a symlink at the path is never followed: with `force` the LINK ITSELF is replaced by the new
  file (the file it pointed to is left untouched); without `force` it counts as existing;
- writes UTF-8 bytes (no newline translation) to a temp file made by `mkstemp` in the same
  directory (mode 0600), fsyncs it, moves it into place (`os.link`, which cannot clobber a file
  created meanwhile, or `os.replace` with `force`), then fsyncs the directory;
- the final file is 0600 (also when it replaces a file that had another mode);
- every failure raises `ExportError` with one sentence for the user, and the temp file is
  removed whatever happens (KeyboardInterrupt included).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


class ExportError(Exception):
    """A failed export; `str(e)` is one clear sentence for the user."""


def write_export(text: str, path: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Write `text` to `path` atomically (see the module docstring); return the absolute path."""
    raw = os.fspath(path)
    if not raw:
        raise ExportError("No output file was given.")
    target = Path(raw)
    parent = target.parent
    _check_parent(parent, target)
    _check_target(target, force)

    data = text.encode("utf-8", "replace")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _publish(tmp, target, force)
        tmp = None
        _fsync_dir(parent)
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(_describe(exc, target)) from exc
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    return Path(os.path.abspath(target))


def _check_parent(parent: Path, target: Path) -> None:
    try:
        info = os.stat(parent)
    except FileNotFoundError:
        raise ExportError(
            f"Cannot write {target}: the directory {parent} does not exist."
        ) from None
    except NotADirectoryError:
        raise ExportError(f"Cannot write {target}: {parent} is not a directory.") from None
    except OSError as exc:
        raise ExportError(_describe(exc, target)) from exc
    if not stat.S_ISDIR(info.st_mode):
        raise ExportError(f"Cannot write {target}: {parent} is not a directory.")


def _check_target(target: Path, force: bool) -> None:
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ExportError(_describe(exc, target)) from exc
    if stat.S_ISDIR(info.st_mode):
        raise ExportError(f"{target} is a directory; give a file name to export to.")
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise ExportError(f"{target} is not a regular file; choose another file name.")
    if not force:
        raise ExportError(f"{target} already exists; use --force to overwrite it.")


def _publish(tmp: str, target: Path, force: bool) -> None:
    """Move the finished temp file to `target` (replacing it only when `force`)."""
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if something appeared at `target` since the check
    except FileExistsError:
        raise ExportError(f"{target} already exists; use --force to overwrite it.") from None
    except OSError as exc:
        if exc.errno not in (
            errno.EPERM,
            errno.ENOTSUP,
            errno.EOPNOTSUPP,
            errno.EXDEV,
            errno.EMLINK,
            errno.ENOSYS,
        ):
            raise
        # A filesystem without hard links: re-check, then rename (a tiny race remains).
        if os.path.lexists(target):
            raise ExportError(f"{target} already exists; use --force to overwrite it.") from None
        os.replace(tmp, target)
        return
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable; some filesystems cannot fsync a directory, which is fine."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(directory, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _describe(exc: OSError, target: Path) -> str:
    if isinstance(exc, PermissionError):
        return f"Cannot write {target}: permission denied."
    if exc.errno == errno.ENOSPC:
        return f"Cannot write {target}: the disk is full."
    if exc.errno == errno.EROFS:
        return f"Cannot write {target}: the file system is read-only."
    reason = (exc.strerror or str(exc) or "unknown error").rstrip(".")
    return f"Cannot write {target}: {reason[:1].lower()}{reason[1:]}."
