"""Fixtures of the report tests: synthetic artifacts on disk, and a real two-variant run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import Cli
from . import synth

FAST = ["--values", "6", "--warmups", "1", "--min-time", "0.01"]


def save(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def jit_result(tmp_path: Path) -> Path:
    """A CinderX-style result: two variants, two benchmarks, a 30 % slowdown, JIT records."""
    return save(
        tmp_path / "jit.json", synth.result(variants={"base": 1.0, "cand": 1.3}, jit="cinderx")
    )


@pytest.fixture
def sweep_result(tmp_path: Path) -> Path:
    """A sweep result (threshold × inliner around the default 'cx')."""
    return save(tmp_path / "sweep.json", synth.sweep_result())


@pytest.fixture(scope="session")
def real_result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real `jitbench ab base slower` run of the README's example (30 % more work)."""
    from ..conftest import EXAMPLE_CONFIG, WORK_PY, write

    project = tmp_path_factory.mktemp("real")
    write(project / "jitbench.toml", EXAMPLE_CONFIG)
    write(project / "bench" / "work.py", WORK_PY)
    doc = Cli(project).json(
        "ab",
        "base",
        "slower",
        "--bench",
        "work",
        "-p",
        "5",
        *FAST,
        "--seed",
        "3",
        env={"JITBENCH_DB": "off"},
    )
    return project / doc["result"]


@pytest.fixture
def two_host_result(tmp_path: Path) -> Path:
    """``jit``, ``nojit`` on hosts x86 and arm (twice as slow); some arm processes contaminated."""
    return save(tmp_path / "hosts.json", synth.two_host_result())
