"""The comparison table is built once: terminal, Markdown and HTML show the same cells, and the
confidence level in their headers is the one the comparisons used."""

from __future__ import annotations

import dataclasses
import io

from rich.console import Console

from jitbench.analysis import experiment as an
from jitbench.report import html, rows, terminal
from jitbench.report.markdown import findings, per_variant_section
from jitbench.results.model import Result

from . import synth


def _analysis(confidence: float) -> tuple[dict, an.Analysis]:
    doc = synth.result(variants={"base": 1.0, "cand": 1.5}, processes=6, seed=4)
    a = an.analyse(Result.from_json(doc), an.Options())
    for c in a.comparisons:
        c.result = dataclasses.replace(c.result, confidence=confidence)
    return doc, a


def _terminal(a: an.Analysis) -> str:
    out = io.StringIO()
    Console(file=out, width=300).print(terminal.comparison_table(a))
    return out.getvalue()


def test_every_report_shows_the_cells_of_the_one_table():
    doc, a = _analysis(0.95)
    table = rows.comparison_table(a)
    md = findings(a, Result.from_json(doc))
    page = html.render([html.ReportInput(doc=Result.from_json(doc), analysis=a, path="r.json")])
    shown = _terminal(a)
    for row in table.rows:
        cells = dict(zip(table.keys(), row, strict=True))
        for key in ("mean", "median", "change", "ci"):
            assert cells[key] in md and cells[key] in shown
            assert html.html.escape(cells[key]) in page
        assert f"**{cells['verdict']}**" in md


def test_the_confidence_level_comes_from_the_comparisons():
    doc, a = _analysis(0.9)
    assert rows.ci_header(a) == "90 % CI"
    assert "90 % CI" in findings(a, Result.from_json(doc)) and "95 % CI" not in findings(
        a, Result.from_json(doc)
    )
    assert "90 % CI" in _terminal(a) and "95 % CI" not in _terminal(a)
    page = html.render([html.ReportInput(doc=Result.from_json(doc), analysis=a, path="r.json")])
    assert "90 % CI" in page
    # Negative control: the level the analysis used by default.
    _, default = _analysis(0.95)
    assert rows.ci_header(default) == "95 % CI"


def test_plots_and_captions_take_the_level_from_the_comparisons():
    doc = synth.sweep_result()
    a = an.analyse(Result.from_json(doc), an.Options())
    assert a.comparisons
    for c in a.comparisons:
        c.result = dataclasses.replace(c.result, confidence=0.9)
    page = html.render([html.ReportInput(doc=Result.from_json(doc), analysis=a, path="r.json")])
    md = findings(a, Result.from_json(doc))
    shown = _terminal(a)
    # The table header, the forest plot's axis and caption, the sweep plot's axis and caption.
    assert page.count("90 % CI") == 5, page.count("90 % CI")
    assert "CI CI" not in page
    for text in (page, md, shown):
        assert "90 % CI" in text and "95 %" not in text
    # Negative control: at the default level the same places say 95 %.
    default = an.analyse(Result.from_json(doc), an.Options())
    page95 = html.render(
        [html.ReportInput(doc=Result.from_json(doc), analysis=default, path="r.json")]
    )
    assert page95.count("95 % CI") == page.count("90 % CI") and "90 %" not in page95


def test_every_report_shows_the_per_variant_cells_of_the_one_table():
    doc, a = _analysis(0.95)
    a.contaminated[("alpha", "cand")] = 2  # two of cand's processes ran on a busy host
    table = rows.per_variant_table(a)
    assert table.keys()[-1] == "contaminated"
    md = "\n".join(per_variant_section(a))
    page = html.render([html.ReportInput(doc=Result.from_json(doc), analysis=a, path="r.json")])
    out = io.StringIO()
    Console(file=out, width=300).print(terminal.summary_table(a))
    shown = out.getvalue()
    assert len(table.rows) == len(a.summaries) == 4  # two benchmarks, two variants
    for row in table.rows:
        cells = dict(zip(table.keys(), row, strict=True))
        line = next(
            ln for ln in md.splitlines() if f"| {cells['benchmark']} | {cells['variant']} |" in ln
        )
        for key in ("processes", "mean", "median", "stdev", "trimmed_mean"):
            assert cells[key] in line, (key, line)
        for key in ("mean", "median", "stdev", "trimmed_mean", "contaminated"):
            assert f">{cells[key]}<" in page, key
        for key in ("mean", "median", "stdev", "contaminated"):
            assert cells[key] in shown, key
    counts = {(r[0], r[1]): r[-1] for r in table.rows}
    assert counts[("alpha", "cand")] == "2" and counts[("beta", "cand")] == "0"
    # Negative control: a value no row holds is found in none of them.
    assert ">9.999 s<" not in page and "9.999 s" not in md
