"""mypy finds no type error in jitbench (the configuration is pyproject.toml's [tool.mypy])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import jitbench

PACKAGE = Path(jitbench.__file__).resolve().parent


def _mypy(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent.parent,
    )


def test_the_whole_package_type_checks():
    # Every module, the in-target runner too: none is left out of the check.
    proc = _mypy(PACKAGE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    modules = len(list(PACKAGE.rglob("*.py")))
    assert f"no issues found in {modules} source files" in proc.stdout


def test_mypy_reports_a_type_error(tmp_path):
    # Negative control: the same command fails on a file with a type error.
    bad = tmp_path / "bad.py"
    bad.write_text("def half(x: int) -> int:\n    return x / 2\n")
    proc = _mypy(bad)
    assert proc.returncode == 1 and "bad.py:2: error" in proc.stdout
