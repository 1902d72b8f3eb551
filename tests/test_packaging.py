"""The wheel carries the stylesheet and the demo, and they load from a non-editable install."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_styles_and_demo_and_loads_them(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(wheels), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )
    [wheel] = list(wheels.glob("reader_tui-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "reader/styles/app.tcss" in names
    assert sum(n.startswith("reader/demo/") and n.endswith(".txt") for n in names) >= 6
    assert not any(n.startswith("tests/") for n in names)

    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "import reader; assert reader.__file__.startswith(sys.argv[1]), reader.__file__;"
        "from reader.ui.app import stylesheet_path; p = stylesheet_path();"
        "assert p.is_file() and str(p).startswith(sys.argv[1]), p;"
        "from reader.demo_library import demo_articles; print(len(demo_articles()))"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(unpacked)], capture_output=True,
                            text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 6
