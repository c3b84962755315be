"""The bundled benchmarks run, check themselves in real interpreters, and are described correctly."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from jitbench.benchmarks import (
    BENCHMARKS_DIR,
    BUNDLED,
    BundledBenchmark,
    bundled,
    bundled_names,
    read_facts,
)

from .conftest import find_interpreter

NAMES = ["richards", "nbody", "deltablue"]

# Loads the benchmark file given as argv[1] the way a target does (by path, not as a package
# module), then runs the test's statements. Kept Python 3.9 compatible: it runs in old targets too.
LOADER = """\
import importlib.util, sys

spec = importlib.util.spec_from_file_location("bundled_benchmark", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""

# Statements that expect run() to raise a self-check failure; they print its message.
EXPECT_FAILURE = """
try:
    module.run()
except RuntimeError as exc:
    print("FAILED:", exc)
else:
    print("NOT DETECTED")
"""

# Other interpreters the benchmarks must run on, found on PATH only when present.
OTHER_INTERPRETERS = ["pypy3", "python3.9"]


def run_in(executable: str, name: str, statements: str, *flags: str) -> str:
    """Run ``statements`` after loading bundled benchmark ``name`` in a fresh process; its stdout."""
    path = str(BUNDLED[name].path)
    done = subprocess.run(
        [executable, *flags, "-c", LOADER + statements, path],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def working_interpreter(command: str) -> str:
    """A working interpreter for ``command`` (PATH, or pyenv for python3.X); skip otherwise."""
    executable = find_interpreter(command)
    if executable is None:
        pytest.skip(f"no working {command} here (not on PATH, nor an installed pyenv version)")
    return executable


# -- the self-checks pass ------------------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_run_passes_its_self_check_in_a_subprocess(name):
    assert run_in(sys.executable, name, "module.run(); module.run(); print('ok')") == "ok"


@pytest.mark.parametrize("command", OTHER_INTERPRETERS)
@pytest.mark.parametrize("name", NAMES)
def test_run_passes_its_self_check_in_other_interpreters(name, command):
    executable = working_interpreter(command)
    assert run_in(executable, name, "module.run(); print('ok')") == "ok"


def test_richards_standard_run_has_the_classic_counts():
    out = run_in(sys.executable, "richards", "print(module.simulate(10000))")
    assert out == "(23246, 9297)"


def test_nbody_energies_match_the_published_reference():
    out = run_in(sys.executable, "nbody", "print('%.9f %.9f' % module.simulate(1000))")
    assert out == "-0.169075164 -0.169087605"


# -- the self-checks can fail --------------------------------------------------------------------


def test_richards_counts_depend_on_the_idle_count():
    # A different scale gives different counters, so the check compares something that can differ.
    out = run_in(sys.executable, "richards", "print(module.simulate(1000))")
    assert out != "(23246, 9297)"


def test_richards_detects_a_wrong_expected_count():
    out = run_in(sys.executable, "richards", "module.EXPECTED_HOLD_COUNT = 9298" + EXPECT_FAILURE)
    assert out.startswith("FAILED: richards self-check failed")
    assert "hold count 9297 (expected 9298)" in out


def test_richards_check_survives_optimize_flag():
    # The checks use RuntimeError, not assert, so ``python -O`` must not silence them.
    statements = "module.EXPECTED_QUEUE_COUNT = 1" + EXPECT_FAILURE
    out = run_in(sys.executable, "richards", statements, "-O")
    assert out.startswith("FAILED: richards self-check failed")


def test_nbody_energy_depends_on_the_step_count():
    out = run_in(sys.executable, "nbody", "print('%.9f' % module.simulate(999)[1])")
    assert out != "-0.169087605"


def test_nbody_detects_a_wrong_final_energy():
    out = run_in(
        sys.executable, "nbody", "module.EXPECTED_FINAL_ENERGY = '-0.169087606'" + EXPECT_FAILURE
    )
    assert (
        out == "FAILED: nbody self-check failed: final energy -0.169087605 (expected -0.169087606)"
    )


def test_deltablue_detects_a_broken_equality_constraint():
    # With equalities that propagate nothing, the last variable of the chain never follows the first.
    statements = "module.EqualityConstraint.execute = lambda self: None" + EXPECT_FAILURE
    out = run_in(sys.executable, "deltablue", statements)
    assert out.startswith("FAILED: Chain test failed")


def test_deltablue_detects_a_broken_scale_constraint():
    # The chain test passes; a scale constraint that forgets the offset must fail projection 1.
    statements = (
        "def forward_without_offset(self):\n"
        "    self.v2.value = self.v1.value * self.scale.value\n"
        "module.ScaleConstraint.execute = forward_without_offset\n" + EXPECT_FAILURE
    )
    out = run_in(sys.executable, "deltablue", statements)
    assert out.startswith("FAILED: Projection 1 failed")


def test_deltablue_detects_wrong_projected_values():
    statements = (
        "module.check_destinations([module.Variable('d0', 1000), module.Variable('d1', 7),"
        " module.Variable('last', 0)], 5, 1000, 'Projection 3 failed')"
    )
    done = subprocess.run(
        [sys.executable, "-c", LOADER + statements, str(BUNDLED["deltablue"].path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "RuntimeError: Projection 3 failed: dst1 is 7, expected 1005" in done.stderr


# -- the files are fit to ship into any target ---------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_bundled_source_parses_as_python_3_9(name):
    source = BUNDLED[name].path.read_text(encoding="utf-8")
    ast.parse(source, feature_version=(3, 9))


@pytest.mark.parametrize("name", NAMES)
def test_bundled_source_imports_only_the_standard_library(name):
    tree = ast.parse(BUNDLED[name].path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "a bundled benchmark is shipped alone: no relative imports"
            imported.add(node.module.split(".")[0])
    assert imported <= sys.stdlib_module_names


# -- the registry --------------------------------------------------------------------------------


def test_registry_lists_the_bundled_benchmarks_in_order():
    assert bundled_names() == NAMES
    assert list(BUNDLED) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_registry_describes_each_benchmark_from_its_source(name):
    bench = bundled(name)
    assert isinstance(bench, BundledBenchmark)
    assert bench.name == name
    assert bench.path == BENCHMARKS_DIR / f"{name}.py"
    assert bench.path.is_file()
    assert bench.function == "run"
    assert bench.description and "\n" not in bench.description
    assert bench.scale and "\n" not in bench.scale


def test_registry_reads_the_documented_scale():
    assert bundled("richards").scale.startswith("one standard simulation: idle task count 10000")
    assert bundled("nbody").description.startswith("N-body:")


def test_unknown_benchmark_is_none():
    assert bundled("pystone") is None


def test_read_facts_never_executes_the_module(tmp_path: Path):
    module = tmp_path / "explosive.py"
    module.write_text(
        '"""Explosive: a module that must never run on the host.\n\nMore text."""\n'
        "raise SystemExit('executed on the host')\n"
        'SCALE = "one bang"\n',
        encoding="utf-8",
    )
    assert read_facts(module) == (
        "Explosive: a module that must never run on the host.",
        "one bang",
    )


def test_read_facts_requires_a_scale(tmp_path: Path):
    module = tmp_path / "unscaled.py"
    module.write_text('"""Unscaled: no SCALE here."""\nSCALE = 3\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unscaled.py: .*SCALE"):
        read_facts(module)
