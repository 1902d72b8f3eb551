"""config.toml: defaults, validation with one-sentence errors, and a working keymap."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.config import Config, ConfigError, load_config
from reader.library.store import Library
from reader.ui.app import ReaderApp

from .test_cli import assert_one_clear_error, run
from .test_tui import SIZE, settle


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml")
    assert (config.refresh_interval_minutes, config.concurrency, config.keep_per_feed) == (
        30.0, 16, 1000)


def test_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[refresh]\ninterval_minutes = 0\nconcurrency = 4\nkeep_per_feed = 50\n'
                    '[keys]\n"reader.bookmark" = "m"\n[ui]\ntheme = "nord"\n')
    config = load_config(path)
    assert (config.refresh_interval_minutes, config.concurrency, config.keep_per_feed) == (
        0, 4, 50)
    assert config.keys == {"reader.bookmark": "m"} and config.theme == "nord"


@pytest.mark.parametrize("text", [
    "[refresh\n", "[refresh]\nconcurrency = 'many'\n", "[refresh]\nconcurrency = 0\n",
    "[refresh]\ninterval_minutes = -1\n", "refresh = 3\n", "[keys]\n\"a\" = 1\n",
    "[ui]\ntheme = 5\n", "[[ignore]]\ntitle = '('\n", "ignore = 3\n",
    "[[ignore]]\nfeed = 'news'\n",
])
def test_bad_config_is_one_sentence(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_cli_refuses_a_broken_config(tmp_path: Path, monkeypatch, filled_dir: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[refresh\n")
    monkeypatch.setenv("READER_CONFIG", str(path))
    for args in (["refresh"], ["--demo"]):
        result = run(*args, data_dir=filled_dir)
        assert_one_clear_error(result)
        assert "config" in result.stderr and "TOML" in result.stderr


async def test_keymap_rebinds_by_id(filled_library: Library) -> None:
    app = ReaderApp(filled_library, config=Config(keys={"reader.bookmark": "m"}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await pilot.press("m")
        await settle(pilot, app)
        assert len(filled_library.articles(bookmarked=True)) == 1
        await pilot.press("b")  # no longer bound
        await settle(pilot, app)
        assert len(filled_library.articles(bookmarked=True)) == 1
