"""pyperformance's benchmarks by name, from the real installed pyperformance package: the manifest,
named variants with their extra_opts, folders shipped whole, command benchmarks, the listing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jitbench.suites import pyperformance as suite

from .conftest import Cli, assert_one_line_error, write

TINY = ["-p", "1", "-n", "1", "-w", "0", "--min-time", "0.001"]


def test_manifest_holds_named_variants_groups_and_what_each_needs():
    m = suite.manifest()
    assert m.version == "1.14.0"
    assert {"default", "apps", "startup", "serialize"} <= set(m.groups)
    assert len(m.groups["default"]) >= 90 and "pickle_pure_python" in m.groups["default"]
    assert set(m.groups["startup"]) == {"python_startup", "python_startup_no_site"}
    pure = m.entries["pickle_pure_python"]
    assert pure.args == ("--pure-python", "pickle") and pure.script.name == "run_benchmark.py"
    assert m.entries["async_tree_io"].args == ("io",)
    assert m.entries["telco"].data and not m.entries["telco"].requirements
    assert (m.entries["regex_compile"].folder / "bm_regex_effbot.py").is_file()
    assert m.entries["python_startup"].command and not m.entries["pickle"].command
    django = m.entries["django_template"]
    assert any(r.lower().startswith("django==") for r in django.requirements)
    assert not any(r.lower().startswith("pyperf") for r in django.requirements)


def test_a_group_expands_to_its_benchmarks_each_runnable_as_pyperformance_defines_it():
    benches = suite.expand("pyperformance:startup")
    assert [b.name for b in benches] == [
        "pyperformance:python_startup",
        "pyperformance:python_startup_no_site",
    ]
    no_site = benches[1]
    assert no_site.kind == "pyperf" and no_site.args == ("--no-site",)
    assert no_site.data_files == (no_site.path.parent,)
    (pickle,) = suite.expand("pyperformance:pickle")
    assert pickle.args == ("pickle",) and pickle.requirements == ()


def test_listing_shows_each_benchmark_and_what_it_needs(tmp_path):
    out = Cli(tmp_path)("benchmarks", "--pyperformance", check=0).stdout
    lines = {ln.split("│")[1].strip(): ln for ln in out.splitlines() if ln.count("│") >= 3}
    assert "args --pure-python pickle" in lines["pickle_pure_python"]
    assert "modules bm_regex_effbot, bm_regex_v8" in lines["regex_compile"]
    assert "data folder" in lines["telco"]
    assert "whole processes (bench_command)" in lines["python_startup"]
    assert "packages " in lines["django_template"] and "django==" in lines["django_template"]
    assert "groups (use with --bench pyperformance:GROUP): " in out and "default (" in out


def test_unknown_pyperformance_name_is_one_line_naming_the_groups(tmp_path):
    proc = Cli(tmp_path)("run", "--bench", "pyperformance:no_such_bench", *TINY)
    assert_one_line_error(
        proc,
        "unknown pyperformance benchmark or group 'no_such_bench'",
        "jitbench benchmarks --pyperformance",
    )


@pytest.fixture(scope="module")
def host_run(tmp_path_factory) -> dict:
    """One tiny run of benchmarks that need their folder, arguments or whole processes."""
    cli = Cli(tmp_path_factory.mktemp("pyperformance"))
    names = [
        "telco",
        "regex_compile",
        "pickle",
        "pickle_pure_python",
        "python_startup_no_site",
        "asyncio_tcp",
    ]
    args = [a for n in names for a in ("--bench", f"pyperformance:{n}")]
    proc = cli("run", *args, *TINY, "--timeout", "300", check=0)
    (path,) = [ln.split(": ", 1)[1] for ln in proc.stdout.splitlines() if ln.startswith("result: ")]
    art = json.loads((cli.cwd / path).read_text())
    art["stderr"] = proc.stderr  # progress: what the user saw while it ran
    return art


@pytest.mark.slow
def test_pyperformance_benchmarks_run_with_their_files_arguments_and_commands(host_run):
    by_bench = {p["benchmark"]: p for p in host_run["processes"]}
    assert len(by_bench) == 6
    for name, p in by_bench.items():
        assert p["status"] == "ok", (name, p.get("error"), p.get("stderr_tail"))
        assert p["values_ns"] and all(v > 0 for v in p["values_ns"])
    # The scripts name their benchmark from the arguments they were given: extra_opts travelled.
    assert by_bench["pyperformance:pickle"]["bench_name"] == "pickle"
    assert by_bench["pyperformance:pickle_pure_python"]["bench_name"] == "pickle_pure_python"
    startup = by_bench["pyperformance:python_startup_no_site"]
    assert startup["bench_name"] == "python_startup_no_site"
    assert startup["metadata"]["command"].endswith(" -S -c pass")
    assert startup["activity"].endswith("run the runtime as it is (the mode imports nothing)")


@pytest.mark.slow
def test_a_run_prints_its_estimate_before_the_rounds(host_run):
    err = host_run["stderr"]
    assert "6 processes planned; calibrating loops first (6 processes)" in err
    assert err.index("estimate: 6 processes, about ") < err.index(
        "pyperformance:", err.index("estimate:")
    )


@pytest.mark.slow
def test_a_benchmark_without_its_folder_fails_naming_the_missing_file(tmp_path):
    """Negative control for shipping: telco's script alone cannot find its data."""
    script = suite.manifest().entries["telco"].script
    write(tmp_path / "jitbench.toml", f'[benchmarks.telco_alone]\npath = "{script}"\n')
    proc = Cli(tmp_path)("run", "--bench", "telco_alone", *TINY)
    assert proc.returncode != 0
    assert "FileNotFoundError" in proc.stderr and "telco-bench.b" in proc.stderr


def test_payload_ships_the_folder_without_bytecode_caches():
    from jitbench.execute.payload import benchmark_files

    (bench,) = suite.expand("pyperformance:regex_compile")
    files = benchmark_files(bench.path, bench.data_files)
    assert {"bench/run_benchmark.py", "bench/bm_regex_effbot.py", "bench/pyproject.toml"} <= set(
        files
    )
    assert not any("__pycache__" in k or k.endswith(".pyc") for k in files)
    assert Path(bench.path).parent.name == "bm_regex_compile"


def test_a_script_sees_the_builtins_module_as_when_python_runs_it(tmp_path):
    """bm_sphinx assigns ``__builtins__.open``: in a script run by Python that is the module."""
    write(
        tmp_path / "bench" / "b.py",
        """\
        import pyperf

        __builtins__.jitbench_probe = len

        pyperf.Runner().bench_func("b", jitbench_probe, "abc")
        """,
    )
    write(tmp_path / "jitbench.toml", '[benchmarks.b]\npath = "bench/b.py"\n')
    doc = Cli(tmp_path).json("run", "--bench", "b", *TINY, "--db", "off")
    art = json.loads((tmp_path / doc["result"]).read_text())
    (p,) = art["processes"]
    assert p["status"] == "ok", p.get("error")


def test_every_pyperformance_script_is_recognised_as_a_pyperf_script_by_path(tmp_path):
    """Named by path in jitbench.toml (no kind), each script is a pyperf script, bm_asyncio_tcp
    (``from pyperf import Runner``) included; a plain file stays plain (negative control)."""
    from jitbench import config

    scripts = sorted({e.script for e in suite.manifest().entries.values()})
    lines = [f'[benchmarks.s{i}]\npath = "{p}"\n' for i, p in enumerate(scripts)]
    plain = write(tmp_path / "plain.py", "def main():\n    return 1\n")
    lines.append(f'[benchmarks.plain]\npath = "{plain}"\nfunction = "main"\n')
    write(tmp_path / "jitbench.toml", "\n".join(lines))
    cfg = config.load(tmp_path / "jitbench.toml")
    kinds = {
        cfg.benchmarks[f"s{i}"].path.parent.name: cfg.benchmarks[f"s{i}"].kind
        for i in range(len(scripts))
    }
    assert kinds["bm_asyncio_tcp"] == "pyperf"
    assert set(kinds.values()) == {"pyperf"}, kinds
    assert cfg.benchmarks["plain"].kind == "plain"
