"""CSV export: one row per value, warmups flagged, seconds equal to the artifact's."""

from __future__ import annotations

import csv

from jitbench.results.artifact import load, processes_of
from jitbench.results.model import Result

from ..conftest import Cli, assert_one_line_error


def test_csv_has_one_row_per_value_with_the_artifacts_seconds(tmp_path, jit_result):
    Cli(tmp_path)("export", str(jit_result), "--csv", "v.csv", check=0)
    with (tmp_path / "v.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["benchmark", "variant", "slot", "round", "index", "warmup", "seconds"]
    doc = load(jit_result)
    n = sum(len(p["values_ns"]) + len(p["warmups_ns"]) for p in doc["processes"])
    assert len(rows) == n
    view = processes_of(Result.from_json(doc), "beta", "cand")[2]
    mine = [r for r in rows if r["slot"] == str(view.slot)]
    assert [float(r["seconds"]) for r in mine if r["warmup"] == "0"] == list(view.values)
    assert [float(r["seconds"]) for r in mine if r["warmup"] == "1"] == list(view.warmups)
    assert [int(r["index"]) for r in mine if r["warmup"] == "0"] == list(range(len(view.values)))
    assert {r["round"] for r in mine} == {str(view.round)}


def test_export_without_a_format_is_one_line(tmp_path, jit_result):
    assert_one_line_error(Cli(tmp_path)("export", str(jit_result)), "--pyperf", "--csv")
