"""Shared fixtures: a project with the documented example config, and the real CLI."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

EXAMPLE_CONFIG = """\
[runtimes.host]
command = ["python3"]            # argv prefix that starts the target interpreter

[benchmarks.work]
path = "bench/work.py"           # relative to this file: a pyperf script, or a plain file
function = "main"                # for a plain file: the function to time

[variants.base]
runtime = "host"
env = { WORK = "1.00" }

[variants.slower]
runtime = "host"
env = { WORK = "1.30" }
args = []                        # extra interpreter arguments
"""

# Deterministic work proportional to WORK: the "slower" variant does 30 % more of it.
WORK_PY = """\
import os

N = int(200_000 * float(os.environ.get("WORK", "1.0")))


def main():
    total = 0
    for i in range(N):
        total += i % 7
    return total
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder holding the README's example config and its benchmark."""
    write(tmp_path / "jitbench.toml", EXAMPLE_CONFIG)
    write(tmp_path / "bench" / "work.py", WORK_PY)
    return tmp_path


class Cli:
    """Runs the real ``jitbench`` command in a subprocess."""

    def __init__(self, cwd: Path):
        self.cwd = cwd

    def __call__(
        self, *args: str, timeout: float = 600, check: int | None = None, env: dict | None = None
    ) -> subprocess.CompletedProcess:
        full_env = dict(os.environ)
        full_env.setdefault("COLUMNS", "200")
        full_env.update(env or {})
        proc = subprocess.run(
            [sys.executable, "-m", "jitbench", *args],
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=full_env,
        )
        if check is not None:
            assert proc.returncode == check, (
                f"exit {proc.returncode}, expected {check}\nstdout:\n{proc.stdout}\n"
                f"stderr:\n{proc.stderr}"
            )
        return proc

    def json(self, *args: str, **kw) -> dict:
        proc = self(*args, "--json", check=0, **kw)
        return json.loads(proc.stdout)


@pytest.fixture
def cli(project: Path) -> Cli:
    return Cli(project)


def assert_one_line_error(proc: subprocess.CompletedProcess, *needles: str) -> None:
    """Bad input: exit 2, one line on stderr naming the problem, no traceback."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert "Traceback" not in proc.stderr, proc.stderr
    assert lines, "no error message"
    last = lines[-1]
    for needle in needles:
        assert needle in last, (needle, last)


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


# Three times the work: the example's 30 % is within this kind of host's noise (process means of
# one variant range 8.5-21.6 ms on a shared VM, and a busy core adds more), 3x is not. The loop's
# time is proportional to WORK, so the real change is +200 % (to well under 0.1 %).
TRIPLE_VARIANT = '\n[variants.triple]\nruntime = "{runtime}"\nenv = {{ WORK = "3.00" }}\n'
REAL_CHANGE_PCT = 200.0


def holds_the_real_change(c: dict) -> bool:
    """``slower`` with a 95 % CI that holds the real +200 %."""
    return c["verdict"] == "slower" and c["ci_low_pct"] <= REAL_CHANGE_PCT <= c["ci_high_pct"]


def ab_holding_the_real_change(
    cli: Cli, *args: str, seeds=("1", "2"), runtime: str = "host"
) -> dict:
    """``ab base triple`` that calls ``slower`` with a CI holding the real +200 %.

    At 10 processes the verdict is certain at 3x; the CI's coverage is statistical. Seeded
    simulation (``python -m tests.stats.e2e_rates``: between-process sd 25 % and 35 %, 6 values):
    ``slower`` in 1000 of 1000 experiments at either sd, CI holds the truth in 93.6-93.7 %. So a
    second, independent experiment runs only when the first misses, and the test fails when both
    do: ≈ 0.4 % of runs.
    Negative control: the same check on the same artifact read the other way round (base as the
    candidate: faster, -67 %) must fail.
    """
    config = cli.cwd / "jitbench.toml"
    if "[variants.triple]" not in config.read_text():
        with config.open("a") as f:
            f.write(TRIPLE_VARIANT.format(runtime=runtime))
    misses = []
    for seed in seeds:
        doc = cli.json("ab", "base", "triple", "--bench", "work", *args, "--seed", seed)
        (c,) = doc["comparisons"]
        if holds_the_real_change(c):
            reverse = cli.json(
                "compare", doc["result"], "--baseline", "triple", "--candidate", "base"
            )
            (r,) = reverse["comparisons"]
            assert not holds_the_real_change(r) and r["verdict"] == "faster", _brief(r)
            return doc
        misses.append(_brief(c))
    raise AssertionError(
        f"{len(misses)} independent experiments missed 'slower' with a CI "
        f"holding +{REAL_CHANGE_PCT} %: {misses}"
    )


def _brief(c: dict) -> str:
    """The parts of a comparison that explain a surprising verdict."""
    keys = (
        "verdict",
        "change_pct",
        "ci_low_pct",
        "ci_high_pct",
        "method",
        "steady_state",
        "warnings",
    )
    means = {side: c[f"{side}_stats"].get("process_means") for side in ("baseline", "candidate")}
    return str({**{k: c.get(k) for k in keys}, "process_means": means})


def _starts_python3(executable: str) -> bool:
    try:
        probe = subprocess.run(
            [executable, "-c", "import sys; print(sys.version_info >= (3, 9))"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0 and probe.stdout.strip() == "True"


def find_interpreter(command: str) -> str | None:
    """A working interpreter for ``command`` (e.g. "pypy3", "python3.9"), or None.

    PATH first; for ``python3.X``, also an installed pyenv version of 3.X (pyenv's shim on PATH
    fails when 3.X is installed but not selected).
    """
    exe = shutil.which(command)
    if exe is not None and _starts_python3(exe):
        return exe
    pyenv = shutil.which("pyenv")
    if pyenv and command.startswith("python3."):
        root = subprocess.run([pyenv, "root"], capture_output=True, text=True).stdout.strip()
        minor = command.removeprefix("python")
        for cand in sorted(glob.glob(os.path.join(root, "versions", f"{minor}.*", "bin", command))):
            if _starts_python3(cand):
                return cand
    return None
