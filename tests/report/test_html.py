"""The HTML report: self-contained, every section with its plots, checked in a real Chromium."""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from jitbench.analysis import experiment as an
from jitbench.report import html
from jitbench.results.artifact import load
from jitbench.results.model import Result

from ..conftest import Cli
from .chromium import Page, chromium_or_skip


def _items(*paths: Path) -> list[html.ReportInput]:
    out = []
    for p in paths:
        doc = load(p)
        baseline = doc.get("sweep", {}).get("default")
        out.append(
            html.ReportInput(
                str(p),
                Result.from_json(doc),
                an.analyse(Result.from_json(doc), an.Options(baseline=baseline)),
            )
        )
    return out


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def test_report_is_one_self_contained_file_with_a_plot_per_section(jit_result, sweep_result):
    text = html.render(_items(jit_result, sweep_result))
    parser = _Tags()
    parser.feed(text)
    tags = parser.tags
    assert not [t for t, _ in tags if t in ("script", "link", "img", "iframe")]
    # Nothing may be fetched: no src/href but in-page anchors, and a CSP forbidding the rest.
    for tag, attrs in tags:
        for key in ("src", "href"):
            if key in attrs and tag != "a":
                raise AssertionError((tag, attrs))
        if tag == "a":
            assert attrs["href"].startswith("#")
    assert "default-src 'none'" in text
    assert "http://" not in re.sub(r'xmlns(:\w+)?="[^"]*"', "", text)
    kinds = [a.get("data-plot") for t, a in tags if t == "figure"]
    assert kinds.count("forest") == 2
    assert kinds.count("sweep") == 1
    assert kinds.count("distributions") == kinds.count("warmup") == 3  # alpha, beta; alpha
    assert kinds.count("jit-code-size") == 4  # 2 benchmarks x 2 CinderX variants
    # Element ids must stay unique across the inlined SVGs (clip paths refer to them).
    ids = [a["id"] for _, a in tags if "id" in a]
    assert len(ids) == len(set(ids))


def test_report_in_headless_chromium_shows_every_plot_without_console_errors(
    tmp_path, jit_result, sweep_result, real_result, two_host_result
):
    exe = chromium_or_skip()
    out = tmp_path / "report.html"
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    Cli(cwd)(
        "report",
        str(real_result),
        str(jit_result),
        str(sweep_result),
        str(two_host_result),
        "--html",
        str(out),
        check=0,
    )
    with Page(exe, tmp_path / "profile", tmp_path / "chromium.log") as page:
        page.open(out.as_uri())
        found = page.evaluate("""JSON.stringify(
          Array.from(document.querySelectorAll('section.result')).map(r => ({
            id: r.dataset.result,
            sections: Array.from(r.querySelectorAll(':scope > section')).map(s => ({
              cls: s.className, bench: s.dataset.benchmark || null,
              plots: Array.from(s.querySelectorAll('figure.plot')).map(f => {
                const svg = f.querySelector('svg');
                const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
                const style = svg ? getComputedStyle(svg) : null;
                return {kind: f.dataset.plot, w: box.width, h: box.height,
                        shown: !!style && style.visibility === 'visible' && style.display !== 'none',
                        marks: svg ? svg.querySelectorAll('path, use, text').length : 0};
              })}))})))""")
        shot = Path(os.environ.get("JITBENCH_ARTIFACTS_DIR") or tmp_path) / "report-screenshot.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(shot)
        errors, requests = page.errors(), page.requests()
    results = json.loads(found)
    assert [r["id"] for r in results] == [
        load(p)["id"] for p in (real_result, jit_result, sweep_result, two_host_result)
    ]
    expected = {  # result index → plot kinds each kind of section must show
        0: {"comparisons": ["forest"], "benchmark": ["distributions", "warmup"]},
        1: {
            "comparisons": ["forest"],
            "benchmark": ["distributions", "warmup", "jit-code-size", "jit-code-size"],
        },
        2: {
            "comparisons": ["forest"],
            "sweep": ["sweep"],
            "benchmark": ["distributions", "warmup"],
        },
        3: {
            "comparisons": ["forest"],
            "cross-host": ["forest-hosts"],
            "benchmark": ["distributions", "warmup"],
        },
    }
    for i, r in enumerate(results):
        by_class = {}
        for s in r["sections"]:
            by_class.setdefault(s["cls"], []).append(s)
        assert {"comparisons", "benchmark", "jit", "host"} <= set(by_class), by_class.keys()
        for cls, kinds in expected[i].items():
            for s in by_class[cls]:
                assert [p["kind"] for p in s["plots"]] == kinds, (i, cls, s)
                for p in s["plots"]:
                    assert p["shown"] and p["w"] > 100 and p["h"] > 100 and p["marks"] > 10, p
    assert errors == [], errors
    assert all(u.startswith("file://") for u in requests), requests
    assert shot.stat().st_size > 50_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_command_writes_html_and_prints_markdown(tmp_path, jit_result):
    cli = Cli(tmp_path)
    proc = cli("report", str(jit_result), "--html", "out/r.html", "--markdown", check=0)
    assert (tmp_path / "out" / "r.html").stat().st_size > 10_000
    assert proc.stdout.startswith("### jitbench: cand vs base")
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")]


def test_report_of_a_missing_file_is_one_line(tmp_path):
    from ..conftest import assert_one_line_error

    assert_one_line_error(
        Cli(tmp_path)("report", "nope.json", "--html", "r.html"), "nope.json", "not found"
    )
    assert not (tmp_path / "r.html").exists()


def test_chromium_helper_finds_the_browser():
    # Guards the provisioning: in CI the browser must be there (chromium_or_skip fails otherwise).
    exe = chromium_or_skip()
    assert shutil.which(exe) or Path(exe).exists()


def test_failed_processes_and_a_benchmark_without_data_are_reported(tmp_path):
    from . import synth

    doc = synth.result(variants={"base": 1.0, "cand": 1.1})
    doc["benchmarks"]["gamma"] = {
        "kind": "plain",
        "source": "bench/gamma.py",
        "function": "main",
        "bench_name": None,
        "loops": None,
        "inner_loops": None,
        "calibration": None,
        "error": "ImportError: no module x",
    }
    doc["processes"].append(
        {
            "slot": len(doc["processes"]),
            "round": 0,
            "benchmark": "gamma",
            "variant": "cand",
            "status": "failed",
            "error": "crashed: SIGSEGV",
        }
    )
    path = tmp_path / "failed.json"
    path.write_text(json.dumps(doc))
    text = html.render(_items(path))
    assert "Failed processes" in text and "crashed: SIGSEGV" in text
    assert "Calibration failed: ImportError: no module x" in text
    assert "No successful process." in text
