"""Markdown findings: from → to, the robust view, JIT-activity proof and the environment."""

from __future__ import annotations

from jitbench.analysis import experiment as an
from jitbench.report.markdown import findings
from jitbench.results.artifact import load
from jitbench.results.model import Result

from ..conftest import Cli
from . import synth


def _md(doc: dict) -> str:
    return findings(an.analyse(Result.from_json(doc), an.Options()), Result.from_json(doc))


def _section(text: str, title: str) -> str:
    return text.split(f"#### {title}\n", 1)[1].split("\n#### ", 1)[0]


def test_findings_show_from_to_robust_view_jit_proof_and_environment():
    doc = synth.result(
        variants={"base": 1.0, "cand": 1.3},
        jit="cinderx",
        rev={"cand": {"rev": "feature-x", "sha": "0123456789abcdef0123"}},
    )
    text = _md(doc)
    assert text.startswith("### jitbench: cand vs base\n")
    rows = [ln for ln in text.splitlines() if ln.startswith("| alpha | cand |")]
    # From → to with units, change, CI and verdict, then the robust row with the trimmed mean.
    assert " → " in rows[0] and "**slower**" in rows[0] and "[+" in rows[0]
    robust = _section(text, "Robust view")
    for bench in ("alpha", "beta"):
        row = next(ln for ln in robust.splitlines() if ln.startswith(f"| {bench} | cand |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2:5] == ["slower", "**slower**", "no"], cells
        # Excluded outlier processes come with the robust CI; none means the main CI stands.
        assert (cells[5] == "none") == (cells[6] == "(no outliers: as above)"), cells
        assert " → " in cells[7] and " → " in cells[8]
    jit = _section(text, "JIT activity")
    # 12 compiled functions in every process, code bytes as a range over processes.
    assert "| base | cinderx | jit | 12 of 12 on | 12 |" in jit
    assert " B |" in jit
    env = _section(text, "Environment")
    assert "| hostname | bench-host |" in env and "| cpu_model | Synthetic CPU @ 3.0GHz |" in env
    assert "| cand | cpython 3.14.0 | cinderx | jit | feature-x @ 0123456789ab |" in env
    assert "Suite geometric mean, cand:" in text
    assert text.rstrip().endswith("jitbench 0.1.0.")


def test_findings_say_when_nothing_reports_jit_activity():
    text = _md(synth.result())
    assert "| base | python | — | not reported | — | — | none |" in _section(text, "JIT activity")


def test_a_single_variant_gets_its_summary_table_instead_of_a_comparison():
    text = _md(synth.result(variants={"only": 1.0}))
    assert text.startswith("### jitbench: only\n")
    assert (
        "| benchmark | variant | processes | values | mean | median | stdev | trimmed mean |"
        in text
    )
    assert "Robust view" not in text


def test_table_cells_escape_pipes():
    doc = synth.result()
    doc["variants"]["base"]["env"] = {"A": "x|y"}
    assert "A=x\\|y" in _md(doc)


def test_ab_markdown_is_the_findings_file(real_result, tmp_path):
    text = Cli(tmp_path)("report", str(real_result), "--markdown", check=0).stdout
    doc = load(real_result)
    assert text == findings(an.analyse(Result.from_json(doc), an.Options()), Result.from_json(doc))
    for heading in (
        "### jitbench: slower vs base",
        "#### Robust view",
        "#### JIT activity",
        "#### Environment",
    ):
        assert heading in text
    assert "| base | cpython " in _section(text, "Environment")
