"""Nothing is lost: a connection cut mid-run, or a killed jitbench, leaves a partial result that
``jitbench run --resume`` completes with the same seed, order and loops."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from jitbench.results.artifact import first_error

from ..conftest import WORK_PY, Cli, assert_one_line_error, write
from .conftest import FAST, REMOTE_CONFIG, benchmark_processes, hosts_toml


def _project(servers, tmp_path: Path, alias: str) -> Path:
    text = (
        REMOTE_CONFIG.format(**hosts_toml(servers, tmp_path / "w"))
        .replace('host = "lo"', f'host = "{alias}"')
        .replace('ssh = "lo"\n', f'ssh = "{alias}"\n', 1)
    )
    write(tmp_path / "jitbench.toml", text.replace("[hosts.lo]", f"[hosts.{alias}]", 1))
    write(tmp_path / "bench" / "work.py", WORK_PY)
    return tmp_path


@pytest.fixture
def short_tmp():
    """A short TMPDIR (socket paths are short): a killed jitbench cannot remove its ssh control
    folder there, so the test does."""
    folder = tempfile.mkdtemp(prefix="jbt-")
    yield Path(folder)
    shutil.rmtree(folder, ignore_errors=True)


def _start(project: Path, out: Path, processes: int, tmp: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jitbench",
            "run",
            "base",
            "slower",
            "--bench",
            "work",
            "-p",
            str(processes),
            *FAST,
            "--seed",
            "21",
            "--out",
            str(out),
        ],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, COLUMNS="200", TMPDIR=str(tmp)),
    )


def _wait_for(out: Path, processes: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if len(json.loads(out.read_text())["processes"]) >= processes:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise AssertionError(f"no {processes} processes in time: {proc.poll()} {out}")


def _check_completed(before: dict, after: dict) -> None:
    assert first_error(after) is None
    assert after["complete"] and after["seed"] == before["seed"]
    assert after["schedule"] == before["schedule"]
    assert after["benchmarks"]["work"]["loops"] == before["benchmarks"]["work"]["loops"]
    done = {p["slot"]: p for p in after["processes"]}
    assert sorted(done) == [s["slot"] for s in after["schedule"]]
    assert all(p["status"] == "ok" for p in done.values())
    # What was finished before is kept as it was: same values, not measured again.
    for p in before["processes"]:
        if p["status"] == "ok":
            assert done[p["slot"]]["values_ns"] == p["values_ns"]


def test_connection_cut_mid_run_is_recorded_and_resume_completes_it(servers, tmp_path, short_tmp):
    server = servers.servers.get("lo-cut") or servers.add("lo-cut", [])
    project = _project(servers, tmp_path, "lo-cut")
    out = tmp_path / "result.json"
    proc = _start(project, out, 8, short_tmp)
    _wait_for(out, 3, proc)
    server.stop()  # every session drops and nothing listens any more
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 2, err
    assert_one_line_error(
        subprocess.CompletedProcess([], 2, "", err),
        "host 'lo-cut'",
        "connection lost",
        f"jitbench run --resume {out}",
    )
    partial = json.loads(out.read_text())
    assert first_error(partial) is None and not partial["complete"]
    lost = [p for p in partial["processes"] if p.get("connection_lost")]
    assert lost and all(p["error"] == "connection lost" and p["status"] == "failed" for p in lost)
    assert len(partial["processes"]) < len(partial["schedule"])
    server.start()
    doc = Cli(project).json("run", "--resume", str(out))
    after = json.loads(out.read_text())
    _check_completed(partial, after)
    assert {p["slot"] for p in after["replaced"]} == {p["slot"] for p in lost}
    (c,) = doc["comparisons"]
    assert (c["n_baseline"], c["n_candidate"]) == (8, 8), c


def test_killed_jitbench_leaves_a_result_that_resume_completes(servers, tmp_path, short_tmp):
    project = _project(servers, tmp_path, "lo")
    out = tmp_path / "result.json"
    proc = _start(project, out, 6, short_tmp)
    _wait_for(out, 3, proc)
    deadline = time.monotonic() + 120
    while not benchmark_processes(servers.servers["lo"]):  # the control: the check sees them
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    # Nothing of the killed run keeps running on the host.
    assert benchmark_processes(servers.servers["lo"], seconds=10) == []
    partial = json.loads(out.read_text())
    assert not partial["complete"] and len(partial["processes"]) < len(partial["schedule"])
    Cli(project).json("run", "--resume", str(out))
    _check_completed(partial, json.loads(out.read_text()))
    # A complete result has nothing left to resume.
    assert_one_line_error(
        Cli(project)("run", "--resume", str(out)), "complete", "nothing to resume"
    )
