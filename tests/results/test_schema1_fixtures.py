"""Results written by schema-1 jitbench (committed files) still load, validate and compare to the
values recorded in ``schema1/golden.json``.

A change to the statistics that moves these values updates ``golden.json`` in the same commit and
says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jitbench.results import artifact
from tests.conftest import Cli

HERE = Path(__file__).resolve().parent / "schema1"
GOLDEN = json.loads((HERE / "golden.json").read_text(encoding="utf-8"))
FIELDS = ("change_pct", "ci_low_pct", "ci_high_pct")


@pytest.mark.parametrize("name", ["run", "ab", "imported"])
def test_schema1_result_validates(tmp_path, name):
    proc = Cli(tmp_path)("validate", str(HERE / f"{name}.json"), check=0)
    assert "valid jitbench result v1" in proc.stdout


def test_a_pyperf_file_is_not_taken_for_a_result(tmp_path):
    proc = Cli(tmp_path)("validate", str(HERE / "pyperf_source.json"), check=2)
    assert "not a jitbench result" in proc.stderr


@pytest.mark.parametrize("name", ["run", "ab"])
def test_schema1_result_compares_to_golden_values(tmp_path, name):
    doc = Cli(tmp_path).json("compare", str(HERE / f"{name}.json"))
    got = {(c["benchmark"], c["candidate"]): c for c in doc["comparisons"]}
    want = GOLDEN[name]
    assert len(got) == len(want)
    for w in want:
        c = got[(w["benchmark"], w["candidate"])]
        for key in ("baseline", "verdict", "method", "confidence", "n_baseline", "n_candidate"):
            assert c[key] == w[key], (name, w["benchmark"], key)
        for key in FIELDS:
            assert c[key] == pytest.approx(w[key], rel=1e-9), (name, w["benchmark"], key)


def test_imported_schema1_result_keeps_its_pyperf_values(tmp_path):
    source = json.loads((HERE / "pyperf_source.json").read_text(encoding="utf-8"))
    runs = [r for r in source["benchmarks"][0]["runs"] if "values" in r]
    doc = json.loads((HERE / "imported.json").read_text(encoding="utf-8"))
    assert len(doc["processes"]) == len(runs)
    for run, p in zip(runs, doc["processes"], strict=True):
        per_value = [v * p["loops"] * p["inner_loops"] * 1e9 for v in run["values"]]
        assert p["values_ns"] == pytest.approx(per_value, rel=1e-6)
    # One variant: nothing to compare, and comparing says so without failing.
    assert Cli(tmp_path).json("compare", str(HERE / "imported.json"))["comparisons"] == []


def test_a_pyperf_import_of_an_earlier_release_reads_as_sequential():
    # The committed file says what earlier releases wrote: interleaved, with a 300 s timeout.
    raw = json.loads((HERE / "imported.json").read_text(encoding="utf-8"))
    assert (raw["design"]["kind"], raw["design"]["timeout"]) == ("interleaved", 300.0)
    design = artifact.load_result(HERE / "imported.json").design
    assert (design.kind, design.timeout) == ("sequential", None)
    assert artifact.first_error(artifact.load(HERE / "imported.json")) is None
    # Negative control: a result jitbench ran itself stays interleaved, its timeout kept.
    own = artifact.load_result(HERE / "run.json").design
    assert own.kind == "interleaved" and own.timeout is not None
