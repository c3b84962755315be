"""Variants on several hosts in the reports: the cross-host table, contaminated processes and the
facts of every host, in the Markdown findings and the HTML report."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from jitbench.analysis import experiment as an
from jitbench.report import html
from jitbench.report.markdown import findings
from jitbench.results.model import Result

from . import synth


def _analysed() -> tuple[dict, an.Analysis]:
    doc = synth.two_host_result()
    return doc, an.analyse(Result.from_json(doc), an.Options())


def _section(text: str, title: str) -> str:
    return text.split(f"#### {title}\n", 1)[1].split("\n#### ", 1)[0]


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def test_markdown_has_the_cross_host_table_in_words():
    doc, a = _analysed()
    text = findings(a, Result.from_json(doc))
    table = _section(text, "Across hosts")
    assert (
        "| benchmark | variant | hosts | process mean (from → to) | change | 95 % CI | verdict | "
        "processes | in words |"
    ) in table
    rows = {_cells(ln)[1]: _cells(ln) for ln in table.splitlines() if ln.startswith("| alpha |")}
    assert set(rows) == {"jit", "nojit"}
    for group, cells in rows.items():
        # arm does the same work in twice the time: +100 % within a few per cent, CI around it.
        assert cells[2] == "x86 → arm" and " → " in cells[3], cells
        change = float(cells[4].removesuffix(" %"))
        assert 90 < change < 110, (group, cells)
        low, high = (float(x) for x in re.findall(r"[+-][\d.]+", cells[5]))
        assert low < change < high, cells
        assert cells[6] == "**slower**" and cells[7] == "6/6"
        assert cells[8] == f"arm slower by {abs(change):.1f} %", cells
    # Within a host a candidate is compared with the baseline's peer there: the table says which.
    main = text.split("\n#### ", 1)[0]
    assert "| alpha | nojit@arm | jit@arm |" in main and "| alpha | jit@arm | jit@x86 |" in main


def test_markdown_counts_contaminated_processes_and_names_who_kept_the_host_busy():
    doc, a = _analysed()
    lines = [
        ln
        for ln in _section(findings(a, Result.from_json(doc)), "Host load").splitlines()
        if ln.startswith("- ")
    ]
    assert lines == [
        "- alpha/jit@arm: 2 of 6 process(es) measured while other work kept host arm busy "
        "(rustc 1.8 cores, yes 0.6 cores)",
        "- alpha/nojit@arm: 1 of 6 process(es) measured while other work kept host arm busy "
        "(yes 1.1 cores)",
    ]
    assert "--exclude-contaminated" in _section(findings(a, Result.from_json(doc)), "Host load")


def test_markdown_environment_has_every_hosts_facts():
    doc, a = _analysed()
    env = _section(findings(a, Result.from_json(doc)), "Environment")
    assert "| fact | x86 | arm |" in env
    assert "| machine | x86_64 | aarch64 |" in env
    assert "| cpu_model | Synthetic CPU @ 3.0GHz | Synthetic Neoverse |" in env
    assert "| ssh | bench-x86 | bench-arm |" in env
    assert "| interpreters | cx@x86: cpython 3.14.0 | cx@arm: cpython 3.14.0 |" in env


def test_one_host_reports_stay_as_they_were():
    doc = synth.result(variants={"base": 1.0, "cand": 1.3})
    doc["hosts"] = {"local": {"name": "local", **synth.HOST, "interpreters": {}}}
    a = an.analyse(Result.from_json(doc), an.Options())
    text = findings(a, Result.from_json(doc))
    for absent in ("Across hosts", "Host load", "| fact |", "| vs |"):
        assert absent not in text
    page = html.render([html.ReportInput("one.json", Result.from_json(doc), a)])
    for absent in ("cross-host", "<h4>Hosts</h4>", "<th>contaminated</th>", "<th>vs</th>"):
        assert absent not in page


class _Sections(HTMLParser):
    """The text of each <section> by class, and the plot kinds inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.plots: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "section":
            self.stack.append(a.get("class") or "")
        elif tag == "figure" and self.stack:
            self.plots.setdefault(self.stack[-1], []).append(a.get("data-plot") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and not data.isspace():
            self.text.setdefault(self.stack[-1], []).append(data)


def test_html_has_the_cross_host_section_contamination_and_the_hosts():
    doc, a = _analysed()
    page = html.render([html.ReportInput("hosts.json", Result.from_json(doc), a)])
    parsed = _Sections()
    parsed.feed(page)
    cross = " | ".join(parsed.text["cross-host"])
    assert "Across hosts" in cross and "x86 → arm" in cross
    assert "arm slower by" in cross and cross.count("slower") >= 4
    assert parsed.plots["cross-host"] == ["forest-hosts"]
    assert parsed.plots["comparisons"] == ["forest"]
    comparisons = " | ".join(parsed.text["comparisons"])
    assert "contaminated" in comparisons
    assert (
        "alpha/jit@arm: 2 of 6 process(es) measured while other work kept host arm busy "
        "(rustc 1.8 cores, yes 0.6 cores)" in comparisons
    )
    # Per benchmark, how many processes of each variant were contaminated.
    assert re.search(r"<td>jit@arm</td>(<td[^>]*>[^<]*</td>){6}<td class=\"num\">2</td>", page)
    hosts = " | ".join(parsed.text["host"])
    assert "Hosts" in hosts and "Synthetic Neoverse" in hosts and "bench-arm" in hosts
