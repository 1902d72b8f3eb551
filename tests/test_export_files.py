"""write_export: no clobbering, atomic replace, 0600, clear errors, no temp files left behind.

The tests run as root too, where directory permissions are not enforced, so real write failures
come from paths that fail for everyone: a path under a regular file and /proc.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from reader.export import files
from reader.export.files import ExportError, write_export

TEXT = "# Quotes\r\n> “café” 中文 😀\n"


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def assert_one_sentence(exc: ExportError) -> None:
    message = str(exc)
    assert message and message.endswith(".") and "\n" not in message
    assert "Traceback" not in message


def test_writes_utf8_bytes_verbatim_with_mode_0600(tmp_path):
    target = tmp_path / "quotes.md"
    result = write_export(TEXT, target)
    assert result == target.resolve() and result.is_absolute()
    assert target.read_bytes() == TEXT.encode("utf-8")  # CRLF not translated
    assert mode(target) == 0o600
    assert os.listdir(tmp_path) == ["quotes.md"]


def test_relative_path_and_str_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = write_export("x", "out.csv")
    assert result == tmp_path / "out.csv"
    assert (tmp_path / "out.csv").read_text() == "x"


def test_refuses_an_existing_file(tmp_path):
    target = tmp_path / "quotes.md"
    target.write_text("keep me")
    with pytest.raises(ExportError) as info:
        write_export(TEXT, target)
    assert str(info.value) == f"{target} already exists; use --force to overwrite it."
    assert target.read_text() == "keep me"
    assert os.listdir(tmp_path) == ["quotes.md"]


def test_force_overwrites_and_makes_the_file_0600(tmp_path):
    target = tmp_path / "quotes.md"
    target.write_text("old")
    target.chmod(0o644)
    write_export(TEXT, target, force=True)
    assert target.read_bytes() == TEXT.encode()
    assert mode(target) == 0o600
    assert os.listdir(tmp_path) == ["quotes.md"]


def test_missing_directory(tmp_path):
    target = tmp_path / "nope" / "quotes.md"
    with pytest.raises(ExportError) as info:
        write_export(TEXT, target)
    assert_one_sentence(info.value)
    assert "does not exist" in str(info.value)
    assert not (tmp_path / "nope").exists()


def test_parent_is_a_regular_file(tmp_path):
    (tmp_path / "somefile").write_text("data")
    for target in (tmp_path / "somefile" / "out.md", tmp_path / "somefile" / "sub" / "out.md"):
        with pytest.raises(ExportError) as info:
            write_export(TEXT, target)
        assert_one_sentence(info.value)
        assert "is not a directory" in str(info.value)
    assert os.listdir(tmp_path) == ["somefile"]
    assert (tmp_path / "somefile").read_text() == "data"


def test_unwritable_location_fails_cleanly():
    with pytest.raises(ExportError) as info:
        write_export(TEXT, "/proc/reader-export-test.md")
    assert_one_sentence(info.value)
    assert str(info.value).startswith("Cannot write /proc/reader-export-test.md: ")
    assert not os.path.lexists("/proc/reader-export-test.md")


def test_directory_target_is_refused_even_with_force(tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(ExportError) as info:
        write_export(TEXT, tmp_path / "dir", force=True)
    assert_one_sentence(info.value)
    assert "is a directory" in str(info.value)
    assert (tmp_path / "dir").is_dir()


def test_special_file_is_refused_even_with_force(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ExportError) as info:
        write_export(TEXT, fifo, force=True)
    assert_one_sentence(info.value)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]


def test_empty_path_is_an_error():
    with pytest.raises(ExportError) as info:
        write_export(TEXT, "")
    assert_one_sentence(info.value)


def test_symlink_is_not_followed(tmp_path):
    real = tmp_path / "real.md"
    real.write_text("precious")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    with pytest.raises(ExportError, match="already exists"):
        write_export(TEXT, link)
    write_export(TEXT, link, force=True)
    assert not link.is_symlink()  # the link itself was replaced by the export
    assert link.read_bytes() == TEXT.encode()
    assert mode(link) == 0o600
    assert real.read_text() == "precious"  # what it pointed to is untouched
    dangling = tmp_path / "dangling.md"
    dangling.symlink_to(tmp_path / "missing" / "x.md")
    with pytest.raises(ExportError, match="already exists"):
        write_export(TEXT, dangling)
    assert sorted(os.listdir(tmp_path)) == ["dangling.md", "link.md", "real.md"]


def test_file_created_meanwhile_is_not_clobbered(tmp_path, monkeypatch):
    target = tmp_path / "quotes.md"
    real_link = os.link

    def racing_link(src, dst, *args, **kwargs):
        Path(dst).write_text("someone else's")
        return real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(files.os, "link", racing_link)
    with pytest.raises(ExportError, match="already exists"):
        write_export(TEXT, target)
    assert target.read_text() == "someone else's"
    assert os.listdir(tmp_path) == ["quotes.md"]


def test_no_hard_links_falls_back_to_rename(tmp_path, monkeypatch):
    def no_link(src, dst, *args, **kwargs):
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_link)
    target = tmp_path / "quotes.md"
    write_export(TEXT, target)
    assert target.read_bytes() == TEXT.encode()
    assert os.listdir(tmp_path) == ["quotes.md"]


def test_failure_while_replacing_leaves_no_temp_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "quotes.md"
    target.write_text("old")

    def full_disk(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full_disk)
    with pytest.raises(ExportError) as info:
        write_export(TEXT, target, force=True)
    assert str(info.value) == f"Cannot write {target}: the disk is full."
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["quotes.md"]


def test_failure_while_writing_leaves_no_temp(tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    with pytest.raises(ExportError) as info:
        write_export(TEXT, tmp_path / "quotes.md")
    assert str(info.value) == f"Cannot write {tmp_path / 'quotes.md'}: input/output error."
    assert os.listdir(tmp_path) == []


def test_permission_error_message(tmp_path, monkeypatch):
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.tempfile, "mkstemp", denied)
    with pytest.raises(ExportError) as info:
        write_export(TEXT, tmp_path / "quotes.md")
    assert str(info.value) == f"Cannot write {tmp_path / 'quotes.md'}: permission denied."
    assert os.listdir(tmp_path) == []


def test_interrupt_leaves_no_temp(tmp_path, monkeypatch):
    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_export(TEXT, tmp_path / "quotes.md")
    assert os.listdir(tmp_path) == []
