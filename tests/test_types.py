"""mypy finds no type error in the statistics and the result model."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jitbench

PACKAGE = Path(jitbench.__file__).resolve().parent
CHECKED = [PACKAGE / "stats", PACKAGE / "results" / "model.py"]


def _mypy(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent.parent,
    )


def test_stats_and_the_result_model_type_check():
    proc = _mypy(*CHECKED)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_reports_a_type_error(tmp_path):
    # Negative control: the same command fails on a file with a type error.
    bad = tmp_path / "bad.py"
    bad.write_text("def half(x: int) -> int:\n    return x / 2\n")
    proc = _mypy(bad)
    assert proc.returncode == 1 and "bad.py:2: error" in proc.stdout
