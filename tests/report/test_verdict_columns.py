"""Comparison tables: columns on the verdict's own values, the Holm-adjusted verdict, levels."""

from __future__ import annotations

from jitbench.analysis import experiment as an
from jitbench.report import fmt, html
from jitbench.report.markdown import findings
from jitbench.report.terminal import comparison_table
from jitbench.results.model import Result

from . import synth


def _two_level_doc() -> dict:
    """Candidate 'cand' of benchmark alpha: half its processes at 40 % of the baseline's time."""
    doc = synth.result(variants={"base": 1.0, "cand": 1.0}, processes=8, seed=3)
    fast = [p for p in doc["processes"] if p["benchmark"] == "alpha" and p["variant"] == "cand"]
    for p in fast[:4]:
        p["values_ns"] = [int(v * 0.4) for v in p["values_ns"]]
        p["warmups_ns"] = [int(v * 0.4) for v in p["warmups_ns"]]
    return doc


def test_means_are_of_the_verdicts_values_and_holm_is_shown() -> None:
    doc = synth.result(variants={"base": 1.0, "cand": 1.5}, processes=6, seed=2)
    a = an.analyse(Result.from_json(doc), an.Options())
    c = a.comparisons[0]
    r = c.result
    expected = fmt.from_to(r.baseline.value_mean, r.candidate.value_mean)
    # The steady means, not the means of all values (those include the warmup).
    assert expected != fmt.from_to(r.baseline.mean, r.candidate.mean)
    text = findings(a, Result.from_json(doc))
    assert "| steady mean (from → to) | steady median (from → to) |" in text
    assert "verdict after Holm" in text and expected in text
    assert all(x.adjusted_verdict == "slower" for x in a.comparisons)
    page = html.render([html.ReportInput(doc=Result.from_json(doc), analysis=a, path="r.json")])
    assert "verdict after Holm" in page and "steady mean (from → to)" in page
    columns = [col.header for col in comparison_table(a).columns]
    assert "Holm" in columns and "steady mean" in columns


def test_levels_are_named_in_the_reports() -> None:
    doc = _two_level_doc()
    a = an.analyse(Result.from_json(doc), an.Options())
    alpha = next(c for c in a.comparisons if c.benchmark == "alpha")
    assert [len(lv.processes) for lv in alpha.result.levels["candidate"]] == [4, 4]
    assert alpha.result.verdict != "faster" or alpha.result.ci_high_pct < -5.0
    text = findings(a, Result.from_json(doc))
    assert "candidate: 4 of 8 processes at" in text and ", 4 at " in text
    # Negative control: beta has one level and no such note.
    assert "beta/cand: processes settle" not in text


def test_host_noise_line_in_every_report() -> None:
    doc = synth.result(variants={"base": 1.0, "cand": 1.0}, processes=6, seed=4)
    for p in doc["processes"]:
        # Every third process ran while the host was at half speed.
        p["canary_ns"] = [70_000_000 if p["slot"] % 3 == 0 else 35_000_000]
    a = an.analyse(Result.from_json(doc), an.Options())
    assert a.host_noise is not None and a.host_noise.canary_pct > 30.0
    assert set(a.host_noise.affected_slots) == {
        p["slot"] for p in doc["processes"] if p["slot"] % 3 == 0
    }
    line = an.host_noise_line(a)
    assert line is not None and line.startswith("host noise ±")
    assert "a quieter host" in line
    assert line in findings(a, Result.from_json(doc))
    assert "host noise ±" in html.render(
        [html.ReportInput(doc=Result.from_json(doc), analysis=a, path="r.json")]
    )
    assert (
        an.to_json(a, Result.from_json(doc), None)["host_noise"]["affected_slots"]
        == a.host_noise.affected_slots
    )
    # Negative control: a steady canary gives a small figure and the quiet-host advice.
    for p in doc["processes"]:
        p["canary_ns"] = [35_000_000]
    quiet = an.host_noise_line(an.analyse(Result.from_json(doc), an.Options()))
    assert quiet is not None and quiet.endswith("a quiet host") and "process(es)" not in quiet
