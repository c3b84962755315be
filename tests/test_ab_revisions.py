"""Commit against commit through the real CLI: build, cache, gate, `ab --runtime`, `bisect`.

A real git repository holds a small installable package; one commit makes its function do three
the work, one breaks its gate.
"""

from __future__ import annotations

import json
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .builds.test_builds import WORK, commit_all, git, make_package_repo
from .conftest import Cli, assert_one_line_error, write
from .marked import check_complete, start

# 10 processes: 3x the work is then slower in 1000 of 1000 seeded simulations with a
# between-process sd of 35 % (python -m tests.stats.e2e_rates); at 6 it is 971.
FAST = ["--values", "5", "--warmups", "1", "--min-time", "0.01", "-p", "10"]

CONFIG = """\
[runtimes.dev]
repo = "repo"
base = [{python}]
build = "python tools/build.py {{out}}"
test = "python tests/gate.py"
kind = "cpython"

[benchmarks.w]
path = "bench/w.py"
function = "main"

[variants.before]
runtime = "dev"
rev = "c1"

[variants.after]
runtime = "dev"
rev = "c2"
"""

BENCH = """\
import workpkg


def main():
    return workpkg.work(20000)
"""


@pytest.fixture(scope="module")
def revproject(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("revs")
    make_package_repo(root / "repo")
    write(root / "jitbench.toml", CONFIG.format(python=json.dumps(sys.executable)))
    write(root / "bench" / "w.py", BENCH)
    return root


def test_ab_across_the_3x_commit_is_slower_and_records_builds(revproject: Path):
    """3x the work at 10 processes: slower in every seeded simulation with host-like noise (see
    FAST), so the verdict does not hang on the host."""
    cli = Cli(revproject)
    doc = cli.json("ab", "c1", "c2", "--runtime", "dev", "--bench", "w", *FAST, "--seed", "4")
    (c,) = doc["comparisons"]
    assert (c["baseline"], c["candidate"], c["verdict"]) == ("c1", "c2", "slower"), c
    # Negative control: the same processes read the other way round are not slower.
    back = cli.json("compare", doc["result"], "--baseline", "c2", "--candidate", "c1")
    assert back["comparisons"][0]["verdict"] == "faster", back["comparisons"]
    art = json.loads((revproject / doc["result"]).read_text())
    shas = {git(revproject / "repo", "rev-parse", t): t for t in ("c1", "c2")}
    for name in ("c1", "c2"):
        v = art["variants"][name]
        assert shas[v["sha"]] == name and v["rev"] == name
        assert v["build"]["gate"] == "passed" and Path(v["build"]["build_log"]).is_file()
        assert Path(v["build"]["gate_log"]).is_file() and len(v["build"]["build_hash"]) >= 12
    # The second run reuses both builds.
    again = cli(
        "ab",
        "c1",
        "c2",
        "--runtime",
        "dev",
        "--bench",
        "w",
        "-p",
        "2",
        "--values",
        "2",
        "--min-time",
        "0.01",
        check=0,
    )
    assert again.stderr.count("(cached, gate passed)") == 2, again.stderr


def test_variants_with_rev_from_the_config(revproject: Path):
    """Same design and error rate as the 3x test above."""
    doc = Cli(revproject).json("ab", "before", "after", "--bench", "w", *FAST, "--seed", "5")
    assert doc["comparisons"][0]["verdict"] == "slower", doc["comparisons"]
    back = Cli(revproject).json(
        "compare", doc["result"], "--baseline", "after", "--candidate", "before"
    )
    assert back["comparisons"][0]["verdict"] == "faster", back["comparisons"]


def test_gate_failure_stops_before_measuring(revproject: Path):
    proc = Cli(revproject)("ab", "c1", "c3", "--runtime", "dev", "--bench", "w", *FAST)
    assert_one_line_error(proc, "runtime 'dev'", "gate failed", "gate.log")
    assert "processes" not in proc.stdout


def test_no_gate_runs_and_records_the_skip(revproject: Path):
    doc = Cli(revproject).json(
        "ab",
        "c1",
        "c3",
        "--runtime",
        "dev",
        "--bench",
        "w",
        "--no-gate",
        "-p",
        "2",
        "--values",
        "2",
        "--min-time",
        "0.01",
    )
    art = json.loads((revproject / doc["result"]).read_text())
    assert art["variants"]["c3"]["build"]["gate"] == "skipped"


def test_unknown_revision_is_one_line(revproject: Path):
    proc = Cli(revproject)("ab", "c1", "no-such-rev", "--runtime", "dev", "--bench", "w")
    assert_one_line_error(proc, "no-such-rev")


def _history(tmp_path: Path) -> dict[str, str]:
    """A repository whose history has unremarkable commits around one that triples the work."""
    repo = tmp_path / "repo"
    make_package_repo(repo)
    git(repo, "checkout", "-q", "c1")
    git(repo, "checkout", "-q", "-b", "history")
    shas = {"good": git(repo, "rev-parse", "HEAD")}
    for i in range(2):
        (repo / f"note{i}.txt").write_text(f"{i}\n")
        commit_all(repo, f"note {i}")
    (repo / "src" / "workpkg" / "__init__.py").write_text(WORK["c2"])
    shas["culprit"] = commit_all(repo, "do three times the work")
    for i in range(2, 4):
        (repo / f"note{i}.txt").write_text(f"{i}\n")
        commit_all(repo, f"note {i}")
    write(tmp_path / "jitbench.toml", CONFIG.format(python=json.dumps(sys.executable)))
    write(tmp_path / "bench" / "w.py", BENCH)
    return shas


def test_bisect_names_the_commit_that_tripled_the_work(tmp_path: Path):
    """A step is bad when slower by >= 100 %: the 3x commit (+200 %) always is; an unchanged
    commit would need a point estimate of +100 %, over 4 standard errors at 10 processes with a
    between-process sd of 35 % (< 0.01 % of steps), so the bisection does not hang on the host."""
    shas = _history(tmp_path)
    proc = Cli(tmp_path)(
        "bisect",
        "--runtime",
        "dev",
        "--good",
        shas["good"],
        "--bad",
        "history",
        "--bench",
        "w",
        "--threshold",
        "100%",
        *FAST,
        "--seed",
        "1",
        check=0,
    )
    assert f"first bad commit: {shas['culprit']}" in proc.stdout, proc.stdout + proc.stderr
    assert "95 % CI" in proc.stdout
    # Negative control: with a threshold the 3x commit does not reach, no commit is named.
    none = Cli(tmp_path)(
        "bisect",
        "--runtime",
        "dev",
        "--good",
        shas["good"],
        "--bad",
        "history",
        "--bench",
        "w",
        "--threshold",
        "1000%",
        *FAST,
        "--seed",
        "1",
    )
    assert "first bad commit" not in none.stdout, none.stdout


@pytest.mark.slow
def test_interrupted_bisect_continues_with_the_printed_command(tmp_path: Path):
    shas = _history(tmp_path)
    argv = [
        "bisect",
        "--runtime",
        "dev",
        "--good",
        shas["good"],
        "--bad",
        "history",
        "--bench",
        "w",
        "--threshold",
        "100%",
        *FAST,
        "--seed",
        "1",
        "--out",
        "res",
    ]
    proc = start(tmp_path, *argv)
    res = tmp_path / "res"
    deadline = time.monotonic() + 300
    while True:  # until one step is finished and the next has finished processes
        docs = [_read(p) for p in sorted(res.glob("bisect-*-w-*.json"))] if res.is_dir() else []
        if any(d and d["complete"] for d in docs) and any(
            d and not d["complete"] and len(d["processes"]) >= 2 for d in docs
        ):
            break
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    before = {p: _read(p) for p in res.glob("bisect-*-w-*.json")}
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    match = re.search(
        r"continue the bisect with the same command: (jitbench bisect .+)$", err.strip()
    )
    assert match, err
    again = subprocess.run(
        [sys.executable, "-m", *shlex.split(match.group(1))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert again.returncode == 0, again.stderr
    assert f"first bad commit: {shas['culprit']}" in again.stdout, again.stdout + again.stderr
    assert "(measured before)" in " ".join(again.stderr.split())  # however the lines wrap
    for path, doc in before.items():
        after = _read(path)
        if doc["complete"]:
            assert after == doc  # a finished step is not measured again
        else:
            check_complete(doc, after, extended=True)


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


@pytest.mark.slow
def test_bisect_on_instructions_names_the_commit_with_three_times_the_work(tmp_path: Path):
    """Judged on instruction counts (valgrind: deterministic), two processes a side settle every
    step: the 3x commit runs +200 % instructions, the others the same count."""
    shas = _history(tmp_path)
    proc = Cli(tmp_path)(
        "bisect",
        "--runtime",
        "dev",
        "--good",
        shas["good"],
        "--bad",
        "history",
        "--bench",
        "w",
        "--threshold",
        "50%",
        "--measure",
        "instructions",
        "--counter",
        "valgrind",
        "-p",
        "2",
        "--values",
        "2",
        "--warmups",
        "1",
        "--loops",
        "1",
        "--seed",
        "1",
        "--db",
        "off",
        check=0,
    )
    out = proc.stdout + proc.stderr
    assert f"first bad commit: {shas['culprit']}" in proc.stdout, out
    assert "w instructions:" in proc.stdout, out
    steps = [ln for ln in proc.stderr.splitlines() if "processes →" in ln]
    # Every step was judged on instructions: the 3x commit bad, an unchanged one good.
    assert all(" instructions " in ln for ln in steps), steps
    assert any(ln.strip().startswith(shas["culprit"][:12]) and "→ bad" in ln for ln in steps)
    assert any("→ good" in ln for ln in steps), steps
