"""The tree is ruff clean and ruff formatted, with the project's own settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TREE = ["src", "tests", "scripts"]


def _ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], capture_output=True, text=True, cwd=cwd
    )


def test_the_tree_passes_ruff_check():
    proc = _ruff("check", *TREE)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_tree_is_ruff_formatted():
    proc = _ruff("format", "--check", *TREE)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_flags_an_unformatted_file_and_an_unused_import(tmp_path):
    # Negative control: the same commands fail where they must.
    (tmp_path / "bad.py").write_text("import os\nx = {  'a':1 }\n")
    check = _ruff("check", "--isolated", "bad.py", cwd=tmp_path)
    fmt = _ruff("format", "--isolated", "--check", "bad.py", cwd=tmp_path)
    assert check.returncode == 1 and "F401" in check.stdout
    assert fmt.returncode == 1 and "bad.py" in fmt.stdout
