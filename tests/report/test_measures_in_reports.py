"""Time and instructions side by side in every report: the measure column, and the mechanism of
each change (Δinstructions and Δtime per instruction, with CIs), from the same row data."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from rich.console import Console

from jitbench.analysis import experiment as an
from jitbench.report import html, rows, terminal
from jitbench.report.markdown import findings
from jitbench.results.model import Result

from ..conftest import Cli
from . import synth
from .chromium import Page, chromium_or_skip
from .conftest import save

# 3.1 % fewer instructions and 3.1 % less time: each instruction takes as long as before.
FEWER = {"time": {"base": 1.0, "cand": 0.969}, "instructions": {"base": 1.0, "cand": 0.969}}


def _counted(time: dict, instructions: dict, noise: float = 0.003) -> dict:
    """Timed processes and, beside them, counted ones (valgrind's instrumented slots)."""
    doc = synth.result(variants=time, benchmarks={"alpha": 0.002}, processes=8, noise=noise)
    return synth.with_instructions(doc, instructions)


def _reports(doc: dict) -> tuple[an.Analysis, str, str, str]:
    a = an.analyse(Result.from_json(doc), an.Options())
    out = io.StringIO()
    terminal.print_analysis(a, Console(file=out, width=400))
    page = html.render([html.ReportInput(doc=Result.from_json(doc), analysis=a, path="r.json")])
    return a, out.getvalue(), findings(a, Result.from_json(doc)), page


def test_every_report_shows_the_measure_and_the_mechanism_lines():
    doc = _counted(**FEWER)
    a, shown, md, page = _reports(doc)
    (line,) = rows.mechanism_lines(a)
    assert line.startswith("alpha / cand: 3.10 % fewer instructions [-3.10 %, -3.10 %]; ")
    assert "time per instruction unchanged" in line
    for text in (shown, md, html.html.unescape(page)):
        assert line in text
    assert rows.MECHANISM_INTRO in md and html.html.escape(rows.MECHANISM_INTRO) in page
    # The measure column: one row per measure, counts shown as counts (not as seconds).
    table = rows.comparison_table(a)
    assert [dict(zip(table.keys(), r, strict=True))["measure"] for r in table.rows] == [
        "time",
        "instructions",
    ]
    assert "| measure |" in md and "<th>measure</th>" in page
    assert "| alpha | cand | instructions | 1 M → 969 k |" in md
    # The robust view names the measure too, and shows counts as counts.
    robust = md[md.index("#### Robust view") :]
    assert "| alpha | cand | instructions | faster | **faster** |" in robust
    assert "1 M → 969 k" in robust and "e+" not in robust


def test_a_change_in_time_per_instruction_is_named_as_such():
    # Same instructions, 5 % more time: the time per instruction carries the whole change.
    doc = _counted(time={"base": 1.0, "cand": 1.05}, instructions={"base": 1.0, "cand": 1.0})
    a, _, md, _ = _reports(doc)
    (line,) = rows.mechanism_lines(a)
    assert ": 0.00 % more instructions [" in line
    assert "time per instruction longer by 5." in line
    assert f"- {line}" in md


def test_without_counts_no_report_has_a_measure_column_or_mechanism():
    doc = synth.result(variants={"base": 1.0, "cand": 0.969}, benchmarks={"alpha": 0.002})
    a, shown, md, page = _reports(doc)
    assert rows.mechanism_lines(a) == ()
    assert "measure" not in [c.key for c in rows.comparison_table(a).columns]
    for text in (shown, md, page):
        assert "instructions" not in text and "Mechanism" not in text
    assert "| measure |" not in md and "<th>measure</th>" not in page


def test_html_with_counts_shows_measures_and_mechanism_in_headless_chromium(tmp_path: Path):
    exe = chromium_or_skip()
    result = save(tmp_path / "counted.json", _counted(**FEWER, noise=0.01))
    out = tmp_path / "report.html"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    Cli(cwd)("report", str(result), "--html", str(out), check=0)
    with Page(exe, tmp_path / "profile", tmp_path / "chromium.log") as page:
        page.open(out.as_uri())
        found = json.loads(
            page.evaluate("""JSON.stringify((() => {
              const s = document.querySelector('section.comparisons');
              const table = s.querySelector('table');
              const heads = Array.from(table.querySelectorAll('th')).map(t => t.textContent);
              const col = heads.indexOf('measure');
              const mech = s.querySelector('div.mechanism');
              const box = mech ? mech.getBoundingClientRect() : {width: 0, height: 0};
              const svg = s.querySelector('figure[data-plot=forest] svg');
              return {
                heads: heads,
                measures: Array.from(table.querySelectorAll('tbody tr'))
                  .map(r => r.children[col].textContent),
                mechanism: mech ? Array.from(mech.querySelectorAll('li'))
                  .map(li => li.innerText) : [],
                shown: !!mech && box.width > 100 && box.height > 10
                  && getComputedStyle(mech).visibility === 'visible',
                forest: svg ? svg.textContent : '',
              };
            })())""")
        )
        shot = Path(os.environ.get("JITBENCH_ARTIFACTS_DIR") or tmp_path)
        shot.mkdir(parents=True, exist_ok=True)
        page.screenshot(shot / "report-measures-screenshot.png")
        errors = page.errors()
    assert errors == [], errors
    assert "measure" in found["heads"]
    assert found["measures"] == ["time", "instructions"]
    assert found["shown"], found
    (line,) = found["mechanism"]
    assert line.startswith("alpha / cand: 3.10 % fewer instructions")
    # Each row of the forest plot says which measure it is.
    assert "alpha · cand · time" in found["forest"]
    assert "alpha · cand · instructions" in found["forest"]
