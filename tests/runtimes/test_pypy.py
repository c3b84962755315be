"""PyPy for real: --jit off / default / parameters, the JIT counters as proof in every process,
a threshold sweep, and a JIT that never compiled failing loudly."""

from __future__ import annotations

import pytest

from ..conftest import Cli, assert_one_line_error
from .conftest import FAST, artifact, project, runtime_table


@pytest.fixture(scope="module")
def pp(tmp_path_factory, pypy_cmd) -> Cli:
    return project(
        tmp_path_factory.mktemp("pypy"),
        runtime_table("pp", pypy_cmd, "pypy")
        + """\
        [variants.nojit]
        runtime = "pp"
        mode = "nojit"

        [variants.jit]
        runtime = "pp"
        mode = "jit"

        [variants.eager]
        runtime = "pp"
        mode = "jit:threshold=200,function_threshold=300"

        [variants.never]
        runtime = "pp"
        mode = "jit:threshold=100000000,function_threshold=100000000"
        """,
    )


def test_pypy_jit_beats_jit_off_and_every_process_proves_its_mode(pp):
    doc = pp.json(
        "run", "nojit", "jit", "eager", "--bench", "richards", "-p", "4", *FAST, "--seed", "2"
    )
    verdicts = {c["candidate"]: c["verdict"] for c in doc["comparisons"]}
    # PyPy's JIT runs richards many times faster than its interpreter: an effect far beyond the
    # host's noise (a 20x effect is faster in 1000 of 1000 seeded simulations at 4 processes and
    # a between-process sd of 35 %, python -m tests.stats.e2e_rates).
    assert verdicts == {"jit": "faster", "eager": "faster"}, doc["comparisons"]
    # Negative control: the same processes read the other way round are not faster.
    back = pp.json("compare", doc["result"], "--baseline", "jit", "--candidate", "nojit")
    assert back["comparisons"][0]["verdict"] == "slower", back["comparisons"]
    art = artifact(pp, doc)
    assert art["variants"]["nojit"]["args"] == ["--jit", "off"]
    assert art["variants"]["eager"]["args"] == ["--jit", "threshold=200,function_threshold=300"]
    for p in art["processes"]:
        assert p["status"] == "ok", p.get("error")
        counters = p["jit"]["pypy"]
        if p["variant"] == "nojit":
            assert counters["loops"] == counters["bridges"] == counters["asm_bytes"] == 0
        else:
            assert counters["loops"] > 0 and counters["asm_bytes"] > 0
            assert {"bridges", "aborts", "traces"} <= set(counters)
    rep = pp.json("jit", doc["result"], "jit", "eager")
    assert rep["benchmarks"]["richards"]["variants"]["eager"]["loops"] > 0


def test_pypy_threshold_sweep_prints_its_table_with_verdicts(pp):
    proc = pp(
        "sweep",
        "nojit",
        "--mode",
        "jit:threshold=100,5000",
        "--bench",
        "richards",
        "-p",
        "3",
        *FAST,
        "--seed",
        "5",
        check=0,
    )
    assert "Sweep vs the default nojit" in proc.stdout
    assert "jit:threshold=100" in proc.stdout and "jit:threshold=5000" in proc.stdout
    assert "faster" in proc.stdout and "best is" in proc.stdout


def test_pypy_jit_that_never_compiled_fails_loudly(pp):
    # The never-compiling side as baseline: loops are calibrated on it, so it stays short.
    proc = pp("ab", "never", "jit", "--bench", "richards", "-p", "1", *FAST)
    assert_one_line_error(proc, "variant 'never'", "did not activate", "no loop was compiled")
