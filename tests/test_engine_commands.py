"""Every measuring command goes through the one engine and its finishing step, so the options
they offer do what they say: ``sweep --db`` records, ``sweep --target-ci`` adds rounds,
``bisect --rebuild`` rebuilds, and an unsure bisect step gets the engine's adaptive rounds."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest

from jitbench.analysis import experiment as an
from jitbench.commands.bisect import _until_precise, classify
from jitbench.execute.experiment import Runner
from jitbench.model import Benchmark, Design, Experiment, Runtime, Variant
from jitbench.plan.adaptive import Target
from jitbench.results.model import Result
from jitbench.runtimes import provisioned

from .builds.test_builds import WORK, commit_all, git, make_package_repo
from .conftest import WORK_PY, Cli, write
from .runtimes.conftest import need
from .test_ab_revisions import BENCH, CONFIG

SWEEP_CONFIG = """\
[runtimes.py314]
command = {command}
kind = "cpython"

[benchmarks.work]
path = "bench/work.py"
function = "main"

[variants.nojit]
runtime = "py314"
mode = "nojit"
"""

SWEEP = [
    "sweep",
    "nojit",
    "--mode",
    "jit",
    "--bench",
    "work",
    "-p",
    "2",
    "--values",
    "2",
    "--warmups",
    "0",
    "--loops",
    "1",
    "--seed",
    "3",
    "--json",
]


@pytest.fixture
def sweep_project(tmp_path: Path) -> Path:
    py314_cmd = need(provisioned.py314_command(), "the chroot's stock CPython 3.14")
    write(tmp_path / "jitbench.toml", SWEEP_CONFIG.format(command=json.dumps(py314_cmd)))
    write(tmp_path / "bench" / "work.py", WORK_PY)
    return tmp_path


def _recorded(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("select result_id from experiments")]


def _artifact(project: Path, doc: dict) -> dict:
    return json.loads((project / doc["result"]).read_text(encoding="utf-8"))


def test_sweep_records_its_experiment_in_the_database(sweep_project: Path):
    cli = Cli(sweep_project)
    doc = cli.json(*SWEEP, "--db", "sqlite:///sweeps.db")
    art = _artifact(sweep_project, doc)
    assert _recorded(sweep_project / "sweeps.db") == [art["id"]]
    # A fixed design: the planned rounds and no more.
    assert 1 + max(s["round"] for s in art["schedule"]) == 2 and "adaptive" not in art
    # Negative control: --db off records nothing anywhere.
    cli.json(*SWEEP, "--db", "off", "--out", "off.json")
    assert _recorded(sweep_project / "sweeps.db") == [art["id"]]
    assert not (sweep_project / ".jitbench" / "results.db").exists()


@pytest.mark.slow
def test_sweep_with_a_target_ci_adds_rounds_until_the_budget_is_spent(sweep_project: Path):
    # Two processes per side cannot give a ±0.01 % interval: rounds are added until the budget.
    doc = Cli(sweep_project).json(*SWEEP, "--db", "off", "--target-ci", "0.01%", "--budget", "25s")
    art = _artifact(sweep_project, doc)
    assert art["adaptive"]["stopped"] == "budget spent"
    assert art["adaptive"]["rounds"] > 2
    assert 1 + max(s["round"] for s in art["schedule"]) == art["adaptive"]["rounds"]


def _one_step_history(root: Path) -> dict[str, str]:
    """A repository whose ``history`` branch has one commit after c1: the one doubling the work."""
    repo = root / "repo"
    make_package_repo(repo)
    git(repo, "checkout", "-q", "c1")
    git(repo, "checkout", "-q", "-b", "history")
    shas = {"good": git(repo, "rev-parse", "HEAD")}
    (repo / "src" / "workpkg" / "__init__.py").write_text(WORK["c2"])
    shas["culprit"] = commit_all(repo, "do twice the work")
    write(root / "jitbench.toml", CONFIG.format(python=json.dumps(sys.executable)))
    write(root / "bench" / "w.py", BENCH)
    return shas


@pytest.mark.slow
def test_bisect_rebuild_builds_every_revision_again(tmp_path: Path):
    shas = _one_step_history(tmp_path)
    cli = Cli(tmp_path)
    args = [
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
        "20%",
        "-p",
        "4",
        "--values",
        "3",
        "--warmups",
        "1",
        "--min-time",
        "0.01",
        "--seed",
        "2",
        "--db",
        "off",
    ]
    first = cli(*args, check=0)
    assert f"first bad commit: {shas['culprit']}" in first.stdout, first.stderr
    # Negative control: without --rebuild, the second search reuses both builds.
    cached = cli(*args, check=0)
    assert cached.stderr.count("(cached, gate passed)") == 2, cached.stderr
    assert "(built, gate passed)" not in cached.stderr
    rebuilt = cli(*args, "--rebuild", check=0)
    assert rebuilt.stderr.count("(built, gate passed)") == 2, rebuilt.stderr
    assert "(cached" not in rebuilt.stderr


def test_an_unsure_bisect_step_gets_adaptive_rounds_and_a_sure_one_none(tmp_path: Path):
    write(tmp_path / "work.py", WORK_PY)
    runtime = Runtime("host", (sys.executable,))
    exp = Experiment(
        [Variant("good", runtime), Variant("step", runtime)],
        [Benchmark("work", tmp_path / "work.py", function="main")],
        Design(processes=2, values=2, warmups=0, loops=1, seed=9),
    )
    runner = Runner(exp, tmp_path / "r.json", argv=["test"])
    runner.run()
    opts = an.Options(min_effect_pct=0.0, seed=9)
    (c,) = an.analyse(runner.result, opts).comparisons
    r = c.result
    # A threshold between the estimate and the CI's upper end leaves the step unsure.
    unsure = (r.change_pct + r.ci_high_pct) / 2
    assert classify(c, unsure) == "unsure"
    target = Target(ci_halfwidth_pct=1e-6, budget_s=3600.0, rounds_per_step=2)
    assert _until_precise(target, opts, unsure)(runner) == 2
    assert runner.rounds_done() == 4
    assert runner.result.adaptive["target_ci_pct"] == 1e-6
    # Negative control: with a threshold above the CI the step is good, and no round is added.
    assert classify(c, r.ci_high_pct + 1) == "good"
    done = runner.rounds_done()
    (c,) = an.analyse(runner.result, opts).comparisons
    assert _until_precise(target, opts, c.result.ci_high_pct + 1)(runner) == 0
    assert runner.rounds_done() == done


def test_a_bisect_step_is_judged_on_the_measure_named_first():
    import argparse

    from jitbench.commands.bisect import judged, judged_measure

    from .report import synth

    # Time unchanged (noisy), instructions +2 %: bad on instructions at 1 %, never on time.
    doc = synth.result(variants={"good": 1.0, "step": 1.0}, processes=6, seed=8, noise=0.05)
    doc = Result.from_json(synth.with_instructions(doc, {"good": 1.0, "step": 1.02}))
    comparisons = [
        c for c in an.analyse(doc, an.Options(seed=8)).comparisons if c.benchmark == "alpha"
    ]
    measure = judged_measure(argparse.Namespace(measures=["instructions", "time"]))
    assert measure == "instructions"
    step = judged(comparisons, measure)
    assert step is not None and classify(step, 1.0) == "bad"
    assert judged_measure(argparse.Namespace(measures=None)) == "time"
    timed = judged(comparisons, "time")
    assert timed is not None and classify(timed, 1.0) != "bad"
