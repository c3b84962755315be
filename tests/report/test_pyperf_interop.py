"""pyperf interop with the real pyperf: import its files, export files its CLI reads, and the
statistics cross-check (jitbench's mean/median/stdev equal ``python -m pyperf stats``)."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

import pyperf
import pytest

from jitbench import stats
from jitbench.results.artifact import first_error, load, processes_of
from jitbench.results.model import Result

from ..conftest import Cli, assert_one_line_error

SUITE_SCRIPT = """\
import pyperf

def sum_range():
    return sum(range(300))

def sort_desc():
    return sorted(range(200, 0, -1))

runner = pyperf.Runner()
runner.bench_func("sum_range", sum_range)
runner.bench_func("sort_desc", sort_desc, inner_loops=4)
"""


def pyperf_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyperf", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def pyperf_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real pyperf suite file: two benchmarks (one with inner loops), six worker processes."""
    d = tmp_path_factory.mktemp("pyperf")
    (d / "suite_bench.py").write_text(SUITE_SCRIPT)
    out = d / "suite.json"
    proc = subprocess.run(
        [
            sys.executable,
            "suite_bench.py",
            "--processes",
            "6",
            "--values",
            "3",
            "--warmups",
            "1",
            "--min-time",
            "0.005",
            "--quiet",
            "-o",
            str(out),
        ],
        cwd=d,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return out


def _stats_lines(path: Path, bench: str) -> dict[str, str]:
    """'Mean +- std dev' and 'Median +- MAD' of ``python -m pyperf stats -b BENCH``."""
    proc = pyperf_cli("stats", "-b", bench, str(path))
    assert proc.returncode == 0, proc.stderr
    found = dict(
        re.findall(
            r"^(Mean \+- std dev|Median \+- MAD|Minimum|Maximum):\s+(.*)$", proc.stdout, flags=re.M
        )
    )
    assert len(found) == 4, proc.stdout
    return found


def _imported(cli: Cli, source: Path, *extra: str) -> tuple[Path, dict]:
    out = json.loads(
        cli("import", str(source), "--out", "imported", "--json", *extra, check=0).stdout
    )
    path = cli.cwd / out["result"]
    return path, load(path)


def test_imported_pyperf_suite_matches_pyperf_stats_to_display_precision(tmp_path, pyperf_suite):
    cli = Cli(tmp_path)
    path, doc = _imported(cli, pyperf_suite, "--no-db")
    assert "valid jitbench result" in cli("validate", str(path), check=0).stdout
    assert list(doc["benchmarks"]) == ["sum_range", "sort_desc"]
    assert list(doc["variants"]) == ["suite"]  # named after the file
    suite = pyperf.BenchmarkSuite.load(str(pyperf_suite))
    for bench in suite.get_benchmarks():
        name = bench.get_name()
        runs = [r for r in bench.get_runs() if r.values]
        procs = processes_of(Result.from_json(doc), name, "suite")
        assert len(procs) == len(runs) == 6
        # Runs → processes with their loops, inner loops, warmups and metadata kept.
        for view, run in zip(procs, runs, strict=True):
            assert view.record.loops == run.get_loops()
            assert view.record.inner_loops == run.get_inner_loops()
            assert len(view.warmups) == len(run.warmups) == 1
            assert view.record.pyperf["metadata"]["date"] == run.get_metadata()["date"]
        assert doc["benchmarks"][name]["inner_loops"] == (4 if name == "sort_desc" else 1)
        s = stats.summarize([p.values for p in procs])
        shown = _stats_lines(pyperf_suite, name)
        # pyperf prints a centre and its spread in one unit (format_values), 3 digits.
        assert shown["Mean +- std dev"] == " +- ".join(bench.format_values((s.mean, s.stdev)))
        assert shown["Median +- MAD"] == " +- ".join(bench.format_values((s.median, s.mad)))
    assert doc["pyperf"]["metadata"]["perf_version"] == pyperf.__version__
    assert doc["host"]["hostname"] == suite.get_metadata()["hostname"]


def test_import_then_export_gives_pyperf_the_same_statistics(tmp_path, pyperf_suite):
    cli = Cli(tmp_path)
    path, _ = _imported(cli, pyperf_suite, "--variant", "main", "--no-db")
    cli("export", str(path), "--pyperf", "back.json.gz", check=0)
    assert gzip.decompress((tmp_path / "back.json.gz").read_bytes()).startswith(b"{")
    for name in ("sum_range", "sort_desc"):
        assert _stats_lines(tmp_path / "back.json.gz", name) == _stats_lines(pyperf_suite, name)
    back = pyperf.BenchmarkSuite.load(str(tmp_path / "back.json.gz"))
    assert back.get_benchmark("sort_desc").get_runs()[-1].get_inner_loops() == 4
    assert back.get_metadata()["jitbench_variant"] == "main"


def test_exported_variants_are_read_by_pyperf_stats_and_compare_to(tmp_path, real_result):
    cli = Cli(tmp_path)
    cli("export", str(real_result), "--pyperf", "base.json", "--variant", "base", check=0)
    cli("export", str(real_result), "--pyperf", "slower.json", "--variant", "slower", check=0)
    doc = load(real_result)
    bench = pyperf.Benchmark.load(str(tmp_path / "base.json"))
    s = stats.summarize([p.values for p in processes_of(Result.from_json(doc), "work", "base")])
    assert _stats_lines(tmp_path / "base.json", "work")["Mean +- std dev"] == (
        " +- ".join(bench.format_values((s.mean, s.stdev)))
    )
    assert len(bench.get_runs()) == 5
    # -v: show the comparison even when pyperf's t-test finds it not significant (noisy hosts).
    proc = pyperf_cli(
        "compare_to", "-v", str(tmp_path / "base.json"), str(tmp_path / "slower.json")
    )
    assert proc.returncode == 0, proc.stderr
    assert "Mean +- std dev: [base] " in proc.stdout and "-> [slower] " in proc.stdout


def test_export_of_several_variants_needs_one_named(tmp_path, real_result):
    proc = Cli(tmp_path)("export", str(real_result), "--pyperf", "x.json")
    assert_one_line_error(proc, "2 variants", "base, slower", "--variant")
    assert not (tmp_path / "x.json").exists()


def test_import_refuses_what_is_not_a_pyperf_timing(tmp_path, pyperf_suite):
    cli = Cli(tmp_path)
    (tmp_path / "other.json").write_text('{"hello": 1}')
    assert_one_line_error(
        cli("import", "other.json", "--no-db"), "other.json", "not a pyperf result"
    )
    data = json.loads(pyperf_suite.read_text())
    data["benchmarks"][0].setdefault("metadata", {})["unit"] = "byte"
    (tmp_path / "mem.json").write_text(json.dumps(data))
    assert_one_line_error(
        cli("import", "mem.json", "--no-db"), "sum_range", "'byte'", "timings only"
    )
    assert not (tmp_path / ".jitbench" / "results").exists()


def test_import_writes_under_the_results_folder_and_records_in_the_database(tmp_path, pyperf_suite):
    cli = Cli(tmp_path)
    proc = cli("import", str(pyperf_suite), "--json", check=0)
    out = json.loads(proc.stdout)
    assert out["result"].startswith(".jitbench/results/") and out["result"].endswith(".json")
    assert first_error(json.loads((tmp_path / out["result"]).read_text())) is None
    hist = cli("history", "sort_desc", "--json", check=0)
    (row,) = json.loads(hist.stdout)["rows"]
    assert row["result"] == out["id"] and row["variant"] == "suite"
    # Importing the same file again replaces its record instead of adding one.
    cli("import", str(pyperf_suite), check=0)
    assert len(json.loads(cli("history", "sort_desc", "--json", check=0).stdout)["rows"]) == 1
