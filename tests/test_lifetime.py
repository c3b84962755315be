"""Nothing keeps running: benchmark processes end with jitbench (Ctrl-C or ``kill -9``), children a
benchmark leaves behind are named and killed, and every interrupted run resumes as printed."""

from __future__ import annotations

import json
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from jitbench.analysis.comparison import ADAPTIVE_MIN_ROUNDS

from .conftest import WORK_PY, Cli, assert_one_line_error, write
from .marked import alive_with, check_complete, start, wait_gone

FAST = ["--values", "4", "--warmups", "1", "--min-time", "0.01"]

# The config lives under a name jitbench does not look for by itself, in a folder of its own:
# resume must find it through the result.
CONFIG = """\
[runtimes.host]
command = [{python}]
kind = "cpython"

[benchmarks.work]
path = "bench/work.py"
function = "main"

[benchmarks.leaves]
path = "bench/leaves.py"
function = "main"

[benchmarks.crashes]
path = "bench/crashes.py"
function = "main"

[benchmarks.forks]
path = "bench/forks.py"
function = "main"

[variants.base]
runtime = "host"
env = {{ WORK = "1.00", JB_MARK = "{mark}", JB_HOLD = "{hold}" }}

[variants.slower]
runtime = "host"
env = {{ WORK = "1.30", JB_MARK = "{mark}", JB_HOLD = "{hold}" }}
"""

# While the file JB_HOLD names exists, a benchmark process waits before it starts measuring.
HOLD_PY = """\
import os as _os, time as _time

while _os.path.exists(_os.environ["JB_HOLD"]):
    _time.sleep(0.01)
"""

# Starts a sleeping child at import and never waits for it.
LEAVES_PY = """\
import subprocess, sys

_child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)", "sleeper"])


def main():
    return sum(range(100))
"""

# Forks a sleeping child that keeps the output pipes, then dies without a word.
CRASHES_PY = """\
import os, time


def main():
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
    os._exit(3)
"""


# Forks a child that sleeps without exec (it shows the benchmark's own command line), then returns.
FORKS_PY = """\
import os, time


def main():
    if os.fork() == 0:
        time.sleep(600)
        os._exit(0)
    return sum(range(100))
"""


@pytest.fixture
def marked(tmp_path: Path) -> tuple[Path, Path, str]:
    """(working folder, config path, marker): every benchmark process carries the marker."""
    mark = uuid.uuid4().hex
    conf = tmp_path / "conf" / "work.toml"
    hold = tmp_path / "hold"
    write(conf, CONFIG.format(python=json.dumps(sys.executable), mark=mark, hold=hold))
    write(conf.parent / "bench" / "work.py", HOLD_PY + WORK_PY)
    write(conf.parent / "bench" / "leaves.py", LEAVES_PY)
    write(conf.parent / "bench" / "crashes.py", CRASHES_PY)
    write(conf.parent / "bench" / "forks.py", FORKS_PY)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    return cwd, conf, mark


def start_ab(cwd: Path, conf: Path, out: Path | str, processes: int) -> subprocess.Popen:
    """``jitbench run base slower`` in the background, as a user would type it in ``cwd``."""
    argv = ["run", "base", "slower", "--bench", "work", "-p", str(processes), *FAST]
    return start(cwd, *argv, "--config", str(conf), "--out", str(out))


def wait_running(out: Path, processes: int, mark: str, proc: subprocess.Popen) -> None:
    """Until the result holds ``processes`` processes and a benchmark process is running."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            done = len(json.loads(out.read_text())["processes"])
        except (OSError, ValueError):
            done = 0
        if done >= processes and alive_with(mark):
            return
        time.sleep(0.02)
    raise AssertionError(f"no {processes} processes and a running one: {proc.poll()} {out}")


def test_benchmark_leaving_a_child_running_is_named_and_the_child_killed(marked):
    cwd, conf, mark = marked
    proc = Cli(cwd)("run", "base", "--bench", "leaves", "-p", "2", *FAST, "--config", str(conf))
    assert_one_line_error(
        proc,
        "benchmark 'leaves'",
        "a child process of the benchmark was still running (pid ",
        "sleeper",
        "killed",
    )
    assert "timed out" not in proc.stderr and "a fork of" not in proc.stderr
    assert wait_gone(mark) == []
    # Control: the same configuration with a benchmark that leaves nothing behind runs fine.
    Cli(cwd)("run", "base", "--bench", "work", "-p", "2", *FAST, "--config", str(conf), check=0)


# ``forks`` returns normally and the runner names its child; ``crashes`` dies, its child holds the
# output pipes, and jitbench finds the child from outside.
@pytest.mark.parametrize("bench", ["forks", "crashes"])
def test_benchmark_forking_a_sleeping_child_is_named_as_a_fork_not_a_timeout(marked, bench):
    cwd, conf, mark = marked
    argv = ["run", "base", "--bench", bench, "-p", "2", *FAST, "--timeout", "300"]
    proc = Cli(cwd)(*argv, "--config", str(conf))
    assert_one_line_error(
        proc,
        f"benchmark {bench!r}",
        "a child process of the benchmark was still running (pid ",
        ": a fork of the benchmark process",
        "killed",
    )
    assert "timed out" not in proc.stderr
    assert wait_gone(mark) == []


@pytest.mark.slow
def test_killed_jitbench_leaves_no_benchmark_running_and_resumes_without_config(marked):
    cwd, conf, mark = marked
    out = cwd / "res" / "killed.json"
    proc = start_ab(cwd, conf, str(out), 12)
    wait_running(out, 3, mark, proc)  # a benchmark process is alive now: the check sees them
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert wait_gone(mark) == []
    partial = json.loads(out.read_text())
    assert not partial["complete"] and len(partial["processes"]) < len(partial["schedule"])
    done = Cli(cwd)("run", "--resume", str(out), "--json", check=0)
    check_complete(partial, json.loads(out.read_text()))
    (c,) = json.loads(done.stdout)["comparisons"]
    assert (c["n_baseline"], c["n_candidate"]) == (12, 12)
    # A second resume of the complete result says so.
    assert_one_line_error(Cli(cwd)("run", "--resume", str(out)), "complete", "nothing to resume")


@pytest.mark.slow
@pytest.mark.parametrize("command", ["run", "sweep"])
def test_ctrl_c_then_the_printed_resume_command_as_printed(marked, command):
    cwd, conf, mark = marked
    if command == "run":
        proc = start_ab(cwd, conf, "my results", 12)
    else:
        argv = ["sweep", "base", "--mode", "nojit", "--bench", "work", "-p", "8", *FAST]
        proc = start(cwd, *argv, "--config", str(conf), "--out", "my results")
    out = cwd / "my results"
    wait_running_in(out, proc, mark)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert wait_gone(mark) == []
    match = re.search(r"finish with: (jitbench run --resume .+)$", err.strip())
    assert match, err
    argv = shlex.split(match.group(1))
    result = Path(cwd, argv[-1])
    partial = json.loads(result.read_text())
    assert not partial["complete"]
    resumed = subprocess.run(
        [sys.executable, "-m", *argv], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert resumed.returncode == 0, resumed.stderr
    after = json.loads(result.read_text())
    check_complete(partial, after)
    if command == "sweep":
        assert after["sweep"] == partial["sweep"]
        assert "Sweep vs the default base" in resumed.stdout


def wait_running_in(folder: Path, proc: subprocess.Popen, mark: str) -> None:
    """Until the one result in ``folder`` holds 3 processes and a benchmark process runs."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        found = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if found:
            wait_running(found[0], 3, mark, proc)
            return
        time.sleep(0.02)
    raise AssertionError(f"no result in {folder}: {proc.poll()}")


@pytest.mark.slow
def test_resume_says_when_the_configuration_moved_or_changed(marked):
    cwd, conf, mark = marked
    out = cwd / "r.json"
    proc = start_ab(cwd, conf, str(out), 8)
    wait_running(out, 2, mark, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    text = conf.read_text()
    conf.write_text(text + "\n# edited\n")
    assert_one_line_error(
        Cli(cwd)("run", "--resume", str(out)), str(conf), "changed since", "--config FILE"
    )
    moved = conf.with_name("moved.toml")
    conf.rename(moved)
    assert_one_line_error(
        Cli(cwd)("run", "--resume", str(out)), str(conf), "no longer there", "--config FILE"
    )
    # Given explicitly, the moved (and edited) file is taken: its variants still match.
    Cli(cwd)("run", "--resume", str(out), "--config", str(moved), check=0)
    assert json.loads(out.read_text())["complete"]


@pytest.mark.slow
def test_two_resumes_at_once_one_proceeds_the_other_says_why_not(marked):
    cwd, conf, mark = marked
    out = cwd / "r.json"
    proc = start_ab(cwd, conf, out, 6)
    wait_running(out, 2, mark, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert wait_gone(mark) == []
    partial = json.loads(out.read_text())
    hold = conf.parent.parent / "hold"
    hold.touch()  # the first resume's benchmark processes wait: it holds the result meanwhile
    first = start(cwd, "run", "--resume", str(out))
    deadline = time.monotonic() + 120
    while not alive_with(mark):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.02)
    second = Cli(cwd)("run", "--resume", str(out))
    assert_one_line_error(
        second, str(out), f"another jitbench (pid {first.pid}) is writing this result"
    )
    hold.unlink()
    _, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    check_complete(partial, json.loads(out.read_text()))
    assert not list(out.parent.glob(".*.lock"))


@pytest.mark.slow
def test_killed_sweep_resumes_complete_without_config(marked):
    cwd, conf, mark = marked
    out = cwd / "sweep.json"
    argv = ["sweep", "base", "--mode", "nojit", "--bench", "work", "-p", "8", *FAST]
    proc = start(cwd, *argv, "--config", str(conf), "--out", str(out))
    wait_running(out, 3, mark, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert wait_gone(mark) == []
    partial = json.loads(out.read_text())
    assert partial["sweep"]["default"] == "base" and not partial["complete"]
    done = Cli(cwd)("run", "--resume", str(out), check=0)
    assert "Sweep vs the default base" in done.stdout and "best is" in done.stdout
    after = json.loads(out.read_text())
    check_complete(partial, after)
    assert after["sweep"] == partial["sweep"]
    assert {p["variant"] for p in after["processes"]} == {"base", "base@nojit"}


@pytest.mark.slow
def test_killed_adaptive_run_resumes_adaptively(marked):
    cwd, conf, mark = marked
    out = cwd / "adaptive.json"
    argv = ["ab", "base", "slower", "--bench", "work", "-p", "2", *FAST, "--target-ci", "200%"]
    proc = start(cwd, *argv, "--budget", "10m", "--config", str(conf), "--out", str(out))
    wait_running(out, 1, mark, proc)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    partial = json.loads(out.read_text())
    assert partial["adaptive"]["rounds"] == 0 and not partial["complete"]
    Cli(cwd)("run", "--resume", str(out), check=0)
    after = json.loads(out.read_text())
    check_complete(partial, after, extended=True)
    # The planned 2 rounds alone would stop short of the minimum an adaptive run always makes.
    assert after["adaptive"]["stopped"] == "target reached"
    assert after["adaptive"]["rounds"] >= ADAPTIVE_MIN_ROUNDS > 2


def test_two_runs_at_once_into_one_results_folder_and_database(marked, tmp_path):
    cwd, conf, mark = marked
    db = tmp_path / "shared.db"
    argv = ["run", "base", "slower", "--bench", "work", "-p", "2", *FAST, "--config", str(conf)]
    runs = [start(cwd, *argv, "--out", "res", "--db", str(db)) for _ in range(2)]
    for proc in runs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
        assert "not recorded" not in err
    results = sorted((cwd / "res").glob("*.json"))
    assert len(results) == 2
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT result_id FROM experiments")}
    assert stored == {json.loads(p.read_text())["id"] for p in results}
    assert not list((cwd / "res").glob(".*.lock"))
