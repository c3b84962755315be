"""The test environment is pinned: every declared dependency has an exact version in
constraints.txt, which ./jb test installs with, so a new upstream release cannot change CI."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return [_canonical(re.match(r"[A-Za-z0-9_.-]+", s).group(0)) for s in specs]


def _pins(text: str) -> dict[str, str]:
    pins = {}
    for line in text.splitlines():
        m = re.fullmatch(r"([A-Za-z0-9_.-]+)==([^\s#]+)\s*(#.*)?", line.strip())
        if m:
            pins[_canonical(m.group(1))] = m.group(2)
    return pins


def _unpinned(declared: list[str], pins: dict[str, str]) -> list[str]:
    return [name for name in declared if name not in pins]


def test_every_declared_dependency_is_pinned_exactly():
    pins = _pins((ROOT / "constraints.txt").read_text())
    declared = _declared()
    assert {"pytest", "pytest-timeout", "pyperf", "pyperformance", "ruff", "numpy"} <= set(declared)
    assert not _unpinned(declared, pins), "add them to constraints.txt (see README, Development)"
    # Negative control: the same check names a dependency the file does not pin.
    assert _unpinned([*declared, "left-pad"], pins) == ["left-pad"]
