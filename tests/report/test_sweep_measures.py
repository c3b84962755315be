"""A sweep with instructions beside time: rows, best point and curves per measure."""

from __future__ import annotations

from rich.console import Console

from jitbench.analysis import experiment as an
from jitbench.commands.sweep import _table
from jitbench.plan import sweep as sw
from jitbench.report import html
from jitbench.report.sweep import sweep_series
from jitbench.results.model import Result

from . import synth


def _doc() -> Result:
    """The synthetic sweep; instructions fall by 1 % per step of the threshold above 100 (time
    rises with it), so the best point in instructions is another than in time."""
    doc = synth.sweep_result()
    factors = {
        v: 1.0 - 0.001 * (p["threshold"] - 100) / 4 if p["inliner"] else 1.05
        for v, p in doc["sweep"]["points"].items()
    }
    return Result.from_json(synth.with_instructions(doc, factors))


def test_sweep_rows_best_points_and_curves_are_per_measure() -> None:
    doc = _doc()
    a = an.analyse(doc, an.Options(baseline="cx"))
    table = sw.rows(a, doc.sweep)
    assert {r["measure"] for r in table} == {"time", "instructions"}
    fewest = sw.best(table, "cx", "instructions")["alpha"]
    assert fewest["params"] == {"threshold": 500, "inliner": True}
    assert -10.1 < fewest["change_pct"] < -9.9
    # Time's best is judged on time only (a faster point, not the one with fewest instructions).
    assert sw.best(table, "cx")["alpha"]["params"] != fewest["params"]
    # The time curves carry the time comparisons, the instruction curves the counts.
    by_variant = {(c.candidate, c.measure): c.result.change_pct for c in a.comparisons}
    for measure in ("time", "instructions"):
        for s in sweep_series(doc, a, measure):
            for p in s.points:
                if p.verdict != "baseline":
                    assert p.change_pct == by_variant[(p.variant, measure)]
    console = Console(width=240, record=True)
    console.print(_table(table, doc.sweep, "95 % CI"))
    text = console.export_text()
    assert "instructions" in text and " M " in text and "steady value" in text
    page = html.render([html.ReportInput(doc=doc, analysis=a, path="s.json")])
    assert "alpha: instructions change from cx" in page and "alpha: change from cx" in page
