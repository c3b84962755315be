"""``jitbench demo``: the JIT story on the runtimes provisioned here, in three seeded runs.

What must hold whatever the host does: every JIT pair is compared with its own JIT-less variant;
by instruction counts (deterministic) identical processes count alike and the CinderX JIT variants
are faster than no JIT; PyPy's JIT (tens of times faster on richards) is faster by time too; the
JIT variants show that they compiled something; the HTML report opens in Chromium with its plots.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from ..conftest import Cli
from ..report.chromium import Page, chromium_or_skip

SEEDS = (11, 22, 33)
COUNTED_SEED = 11  # counts do not depend on the seed: one counted run, two timed ones
# Three demos (one with valgrind's counted processes) take minutes on a busy 2-core machine.
pytestmark = pytest.mark.timeout(2400)
TAG = f"cpython{sys.version_info.major}.{sys.version_info.minor}"  # the CLI runs on this Python
PAIRS = {
    f"{TAG}-again": TAG,
    "cinderx-autojit": "cinderx-nojit",
    "cinderx-jitlist": "cinderx-nojit",
    "cpython3.14-jit": "cpython3.14-nojit",
    "pypy-jit": "pypy-nojit",
}
# --quick counts CinderX's variants and the A/A control.
COUNTED = tuple(sorted((f"{TAG}-again", "cinderx-autojit", "cinderx-jitlist")))


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory, cinderx_cmd, py314_cmd, pypy_cmd) -> list[tuple[dict, dict]]:
    """Three seeded --quick demos: (the --json document, the saved artifact) of each; the first
    counts instructions, the others time only."""
    runs = []
    for seed in SEEDS:
        cwd = tmp_path_factory.mktemp(f"demo{seed}")
        only = [] if seed == COUNTED_SEED else ["--time-only"]
        proc = Cli(cwd)(
            "demo",
            "--quick",
            "--seed",
            str(seed),
            "--out",
            str(cwd / "res"),
            "--json",
            "--db",
            "off",
            *only,
            check=0,
        )
        doc = json.loads(proc.stdout)
        runs.append((doc, json.loads(Path(doc["result"]).read_text())))
    return runs


def _by(doc: dict, candidate: str, measure: str) -> dict:
    return next(
        c
        for c in doc["comparisons"]
        if c["candidate"] == candidate and c.get("measure", "time") == measure
    )


@pytest.mark.slow
def test_every_jit_is_compared_with_itself_without_its_jit(demo_runs):
    for doc, art in demo_runs:
        pairs = {c["candidate"]: c["baseline"] for c in doc["comparisons"]}
        assert pairs == PAIRS, pairs
        counted = COUNTED if art["seed"] == COUNTED_SEED else ()
        assert len(doc["comparisons"]) == len(PAIRS) + len(counted)
        assert sorted(c["candidate"] for c in doc["comparisons"] if c["measure"] != "time") == [
            *sorted(counted)
        ]
        # Pairs left uncounted by design are not reported as missing counts.
        assert not [n for n in doc["notes"] if "instructions" in n], doc["notes"]
        assert art["seed"] in SEEDS


@pytest.mark.slow
def test_identical_processes_count_alike_and_cinderx_jits_count_fewer_instructions(demo_runs):
    """Instruction counts are deterministic (valgrind, fixed hash seed, synchronous compiles), so
    these hold in every run whatever the host does; time verdicts stand beside them. (A time
    verdict of the A/A control is wrong 5 % of the time by construction, so no test asserts it;
    its counts are equal, seed or no seed, so by instructions it is equivalent.)"""
    counted = [(doc, art) for doc, art in demo_runs if art["seed"] == COUNTED_SEED]
    timed = [art for _, art in demo_runs if art["seed"] != COUNTED_SEED]
    assert len(counted) == 1 and all(a["design"]["measures"] == ["time"] for a in timed)
    for doc, art in counted:
        assert art["design"]["measures"] == ["time", "instructions"]
        nojit = [
            p["counting"]["counts"]["instructions"]
            for p in art["processes"]
            if p["variant"] == "cinderx-nojit" and p.get("instrument") == "valgrind"
        ]
        # Two processes of one variant: the same counts to 1 in 10^5, value by value.
        assert len(nojit) == 2 and all(
            abs(a - b) <= 1e-5 * a for a, b in zip(*nojit, strict=True)
        ), nojit
        aa = _by(doc, f"{TAG}-again", "instructions")
        assert aa["verdict"] == "equivalent" and aa["ci_low_pct"] <= 0 <= aa["ci_high_pct"], aa
        for jit in ("cinderx-autojit", "cinderx-jitlist"):
            c = _by(doc, jit, "instructions")
            assert c["verdict"] == "faster" and c["change_pct"] < -5, c
        # The time verdict stands beside the count: its interval holds its own estimate.
        t = _by(doc, "cinderx-autojit", "time")
        assert t["ci_low_pct"] <= t["change_pct"] <= t["ci_high_pct"], t
        assert doc["host_noise"] is not None


@pytest.mark.slow
def test_pypys_jit_is_faster_and_the_reverse_is_slower(demo_runs, tmp_path):
    """PyPy's JIT runs richards tens of times faster: no host noise reverses that (3 processes,
    t-interval on a −90 % change)."""
    for doc, _ in demo_runs:
        pypy = _by(doc, "pypy-jit", "time")
        assert pypy["verdict"] == "faster" and pypy["change_pct"] < -50, pypy
        # Negative control: the same processes read the other way round.
        back = Cli(tmp_path)(
            "compare",
            doc["result"],
            "--baseline",
            "pypy-jit",
            "--candidate",
            "pypy-nojit",
            "--json",
            check=0,
        )
        rev = {
            c.get("measure", "time"): c["verdict"] for c in json.loads(back.stdout)["comparisons"]
        }
        assert rev.pop("time") == "slower" and set(rev.values()) <= {"slower"}, rev


@pytest.mark.slow
def test_the_jit_variants_prove_they_compiled_and_the_others_did_not(demo_runs):
    for _, art in demo_runs:
        jit = {}
        for p in art["processes"]:
            if p["status"] == "ok":
                jit.setdefault(p["variant"], []).append(p.get("jit") or {})
        for name in ("cinderx-autojit", "cinderx-jitlist"):
            compiled = [j["cinderx"]["compiled_count"] for j in jit[name]]
            assert compiled and min(compiled) > 0, (name, compiled)
            # Compiled in the calling thread: no function waits for a busy host's compile threads.
            assert art["variants"][name]["jit_options"] == {"background_compile": False}
        nojit = [j.get("cinderx") or {} for j in jit["cinderx-nojit"]]
        assert all(not c.get("compiled_count") for c in nojit), nojit


@pytest.mark.slow
def test_the_demo_report_opens_in_chromium_with_its_plots(demo_runs, tmp_path):
    exe = chromium_or_skip()
    doc, _ = demo_runs[0]
    html = Path(doc["result"]).with_suffix(".html")
    assert html.is_file()
    with Page(exe, tmp_path / "profile", tmp_path / "chromium.log") as page:
        page.open(html.as_uri())
        plots = json.loads(
            page.evaluate("""JSON.stringify(
          Array.from(document.querySelectorAll('figure.plot svg')).map(s => {
            const b = s.getBoundingClientRect();
            return {w: b.width, h: b.height, marks: s.querySelectorAll('path, use, text').length};
          }))""")
        )
        shot = Path(os.environ.get("JITBENCH_ARTIFACTS_DIR") or tmp_path) / "demo-report.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(shot)
        errors = page.errors()
    assert len(plots) >= 3, plots
    assert all(p["w"] > 100 and p["h"] > 100 and p["marks"] > 10 for p in plots), plots
    assert errors == [], errors
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_estimate_counts_valgrind_processes_of_the_counted_variants_alone():
    from dataclasses import replace

    from jitbench.commands import demo

    found = demo.Found(this=("python3",), cinderx=("cx",), py314=("py",), pypy=("pypy3",))
    variants = demo.demo_variants(found)
    timed = demo.estimate_s(variants, 1, demo.QUICK_DESIGN)
    counted = replace(
        demo.QUICK_DESIGN,
        measures=("time", "instructions"),
        instrumented_rounds=2,
        instrumented_values=2,
        instrumented_benchmarks=("richards",),
    )
    cx = replace(counted, instrumented_variants=("cinderx-nojit", "cinderx-autojit"))
    every = demo.estimate_s(variants, 1, counted)
    # Two rounds of a nojit and an autojit process under valgrind, each: start-up + 3 iterations.
    one = 2 * (sum(demo.COUNTED_START_S[k] for k in ("nojit", "autojit")))
    one += 2 * 2 * 3 * demo.Valgrind.cost * demo.RICHARDS_ITERATION_S
    assert demo.estimate_s(variants, 1, cx) - timed == pytest.approx(one)
    assert every > demo.estimate_s(variants, 1, cx) > timed  # control: all nine counted
    assert demo.busy_factor(1.0, 2) == 1.0 and demo.busy_factor(10.0, 2) == 5.0
