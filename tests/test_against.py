"""Variants compared with a reference of their own (``against``): several from → to pairs in one
interleaved experiment, as the demo's CinderX, PyPy and CPython JIT pairs are."""

from __future__ import annotations

import json

import pytest

from tests.conftest import write

CONFIG = """\
[runtimes.host]
command = ["python3"]

[benchmarks.work]
path = "bench/work.py"
function = "main"

[variants.base]
runtime = "host"
env = { WORK = "1.00" }

[variants.again]
runtime = "host"
env = { WORK = "1.00" }

[variants.heavy]
runtime = "host"
env = { WORK = "3.00" }

[variants.light]
runtime = "host"
env = { WORK = "1.00" }
against = "heavy"
"""


def _run(cli, variants: list[str], benches: list[str], *, processes: int, values: int) -> dict:
    """One interleaved run of 10 ms values after one warmup; its --json document."""
    argv = ["run", *variants]
    for bench in benches:
        argv += ["--bench", bench]
    argv += ["-p", str(processes), "-n", str(values), "-w", "1", "--min-time", "0.01", "--json"]
    return json.loads(cli(*argv, check=0).stdout)


def _pairs(doc: dict) -> dict[str, str]:
    return {c["candidate"]: c["baseline"] for c in doc["comparisons"]}


@pytest.mark.slow
def test_a_variant_is_compared_with_its_against_and_the_reference_is_no_candidate(cli, project):
    write(project / "jitbench.toml", CONFIG)
    doc = _run(cli, ["base", "again", "heavy", "light"], ["work"], processes=10, values=3)
    assert _pairs(doc) == {"again": "base", "light": "heavy"}
    # A third of the work on the same interpreter, 10 processes: the design whose verdict held in
    # 100 % of seeded host-noise simulations (tests/stats/e2e_rates.py); with 3 processes a
    # swinging host made it inconclusive.
    light = next(c for c in doc["comparisons"] if c["candidate"] == "light")
    assert light["verdict"] == "faster", light
    assert light["change_pct"] < -40

    # Control: an explicit --baseline overrides every variant's reference.
    again = cli("compare", doc["result"], "--baseline", "base", "--json", check=0)
    forced = _pairs(json.loads(again.stdout))
    assert forced == {"again": "base", "heavy": "base", "light": "base"}


def test_against_must_name_another_variant(cli, project):
    write(project / "jitbench.toml", CONFIG.replace('against = "heavy"', 'against = "hevy"'))
    proc = cli("run", "base", "light", "--bench", "work", check=2)
    assert "variants.light.against" in proc.stderr and "heavy" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_suite_lines_name_each_candidates_own_reference(cli, project):
    write(
        project / "jitbench.toml",
        CONFIG + '\n[benchmarks.twice]\npath = "bench/work.py"\nfunction = "main"\n',
    )
    doc = _run(cli, ["base", "heavy", "light"], ["work", "twice"], processes=2, values=2)
    text = cli("compare", doc["result"], check=0).stdout
    assert "suite, light vs heavy:" in text and "light vs base" not in text, text
    # Control: with --baseline every suite is against the baseline.
    text = cli("compare", doc["result"], "--baseline", "base", check=0).stdout
    assert "suite, light vs base:" in text and "light vs heavy" not in text, text
