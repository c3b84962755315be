"""The provisioned real runtimes (CinderX chroot, stock CPython 3.14, PyPy) and projects using them.

A missing runtime skips its tests with the reason, except in CI (CI=true), where it fails them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jitbench.runtimes import provisioned

from ..conftest import Cli, in_ci, write

# Small designs: these tests look at large effects and at what the JIT did, not at 1 % changes.
FAST = ["--warmups", "1", "--values", "5", "--min-time", "0.02"]


def need(command: list[str] | None, what: str) -> list[str]:
    """The command, or skip (fail in CI) naming what is missing and how to get it."""
    if command is None:
        msg = f"{what} is not provisioned (run scripts/provision-test-env as root)"
        if in_ci():
            pytest.fail(f"{msg}; CI needs it")
        pytest.skip(msg)
    return command


def pypy_command() -> list[str] | None:
    """The provisioned PyPy, if its interpreter is there."""
    path = provisioned.provisioned().get("JITBENCH_PYPY")
    return [path] if path and os.access(path, os.X_OK) else None


@pytest.fixture(scope="session")
def cinderx_cmd() -> list[str]:
    return need(provisioned.cinderx_command(), "the CinderX chroot")


@pytest.fixture(scope="session")
def py314_cmd() -> list[str]:
    return need(provisioned.py314_command(), "the chroot's stock CPython 3.14")


@pytest.fixture(scope="session")
def arm64_cmd() -> list[str]:
    return need(provisioned.cinderx_arm64_command(), "the aarch64 CinderX chroot")


@pytest.fixture(scope="session")
def pypy_cmd() -> list[str]:
    return need(pypy_command(), "PyPy")


def runtime_table(name: str, command: list[str], kind: str) -> str:
    """A [runtimes.NAME] table; JSON string lists are valid TOML arrays."""
    return f'[runtimes.{name}]\ncommand = {json.dumps(command)}\nkind = "{kind}"\n\n'


def project(root: Path, text: str) -> Cli:
    """A folder holding ``text`` as its jitbench.toml, and the CLI running there."""
    write(root / "jitbench.toml", text)
    return Cli(root)


def artifact(cli: Cli, doc: dict) -> dict:
    """The saved artifact behind a --json answer."""
    return json.loads((cli.cwd / doc["result"]).read_text())
