"""The pyperf shim, exercised the way jitbench uses it: the real in-target runner, started by
jitbench's own process launcher, runs pyperf scripts as __main__ through the shim and times the
registration it is asked for."""

import ast
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import jitbench
from jitbench.execute import process
from jitbench.execute.transport import LocalTransport
from jitbench.model import Benchmark, Runtime, Variant
from jitbench.runner import jitbench_protocol as protocol

from .conftest import find_interpreter

SHIM_DIR = Path(jitbench.__file__).resolve().parent / "runner" / "pyperf"
LOOPS, WARMUPS, VALUES = 10, 1, 2
# The runner times one iteration first, then each warmup and value at LOOPS iterations.
TIMED = 1 + WARMUPS + VALUES
CALLS = 1 + (WARMUPS + VALUES) * LOOPS


@pytest.fixture
def run_script(tmp_path, monkeypatch):
    """Run a pyperf script in one real jitbench process; return its process record.

    The script's own prints reach the record's ``stderr_tail`` (the runner keeps stdout for its
    result), where the tests read them.
    """
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the target's bundle cache, private to the test
    monkeypatch.setattr(process, "_held", {})
    counter = iter(range(1000))

    def run(source=None, *, script=None, argv=(), bench_name=None, task=None, python=None):
        if script is None:
            script = tmp_path / f"bench_{next(counter)}.py"
            script.write_text(textwrap.dedent(source))
        bench = Benchmark(
            name=script.stem,
            path=script,
            kind="pyperf",
            bench_name=bench_name,
            args=tuple(argv),
            data_files=(script.parent,) if script.parent != tmp_path else (),
        )
        variant = Variant("shim", Runtime("py", (python or sys.executable,)))
        task = task or protocol.run_task(LOOPS, WARMUPS, VALUES)
        return process.run_process(LocalTransport(), variant, bench, task, 300)

    return run


def _ok(rec):
    assert rec["status"] == "ok", (rec.get("error"), rec.get("stderr_tail"))
    return rec


def _assert_timed(rec):
    """One value per warmup and value, each an integer number of ns, all positive."""
    ns = [rec["first_ns"], *rec["warmups_ns"], *rec["values_ns"]]
    assert all(type(x) is int and x > 0 for x in ns), ns
    assert (len(rec["warmups_ns"]), len(rec["values_ns"]), rec["loops"]) == (WARMUPS, VALUES, LOOPS)


def _line(output, tag):
    """The words after ``tag`` on the script's output line starting with it."""
    for line in output.splitlines():
        if line.startswith(tag + " "):
            return line[len(tag) + 1 :]
    raise AssertionError(f"no {tag!r} line in {output!r}")


BENCH_FUNC_SCRIPT = """
    import pyperf

    calls = []

    def work(n, scale):
        calls.append((n, scale))
        return sum(range(n)) * scale

    runner = pyperf.Runner()
    runner.bench_func("work", work, 200, 3, inner_loops=5)
    print("CALLS", len(calls), set(calls) == {(200, 3)})
"""


def test_bench_func_times_func_with_args_loops_times(run_script):
    rec = _ok(run_script(BENCH_FUNC_SCRIPT))
    assert rec["bench_name"] == "work"
    assert rec["inner_loops"] == 5
    assert rec["metadata"] == {"name": "work", "inner_loops": 5, "unit": "second"}
    _assert_timed(rec)
    assert _line(rec["stderr_tail"], "CALLS") == f"{CALLS} True"


TIME_FUNC_SCRIPT = """
    import json
    import pyperf

    received = []

    def timed(loops, n, label):
        received.append([loops, n, label])
        t0 = pyperf.perf_counter()
        for _ in range(loops):
            sum(range(n))
        return pyperf.perf_counter() - t0

    def constant(loops):
        return 0.0015

    runner = pyperf.Runner()
    runner.bench_time_func("timed", timed, 300, "x")
    runner.bench_time_func("constant", constant)
    print("ARGS", json.dumps(received))
"""


def test_bench_time_func_converts_float_seconds_to_int_ns(run_script):
    timed = _ok(run_script(TIME_FUNC_SCRIPT))
    assert timed["bench_name"] == "timed"
    assert timed["inner_loops"] == 1
    assert timed["metadata"] == {"name": "timed", "unit": "second"}
    _assert_timed(timed)
    loops = [1] + [LOOPS] * (WARMUPS + VALUES)
    assert json.loads(_line(timed["stderr_tail"], "ARGS")) == [[n, 300, "x"] for n in loops]

    constant = _ok(run_script(TIME_FUNC_SCRIPT, bench_name="constant"))
    assert constant["bench_name"] == "constant"
    assert constant["values_ns"] == [1_500_000] * VALUES
    assert constant["first_ns"] == 1_500_000
    # Only the registration asked for is timed: ``timed`` was never called in this process.
    assert json.loads(_line(constant["stderr_tail"], "ARGS")) == []


def test_calibration_through_the_shim_reaches_min_time(run_script):
    script = """
        import pyperf

        pyperf.Runner().bench_time_func("linear", lambda loops: loops * 0.0015)
    """
    # 1.5 ms per loop: one loop already reaches 1 ms, 2 ms takes two.
    one = _ok(run_script(script, task=protocol.calibrate_task(1_000_000)))
    assert (one["loops"], one["steps"]) == (1, [[1, 1_500_000]])
    two = _ok(run_script(script, task=protocol.calibrate_task(2_000_000)))
    assert (two["loops"], two["steps"]) == (2, [[1, 1_500_000], [2, 3_000_000]])


ASYNC_SCRIPT = """
    import asyncio
    import pyperf

    awaited = []
    event_loops = {}

    async def work(n):
        loop = asyncio.get_running_loop()
        event_loops[id(loop)] = loop  # keeps each loop alive, so ids stay distinct
        awaited.append(n)
        await asyncio.sleep(0)
        return sum(range(n))

    runner = pyperf.Runner()
    runner.bench_async_func("async_work", work, 100, metadata={"kind": "async"})
    print("AWAITS", len(awaited), set(awaited) == {100}, len(event_loops))
"""


def test_bench_async_func_awaits_loops_times_in_one_event_loop_run(run_script):
    rec = _ok(run_script(ASYNC_SCRIPT))
    assert rec["bench_name"] == "async_work"
    assert rec["inner_loops"] == 1
    assert rec["metadata"] == {"name": "async_work", "unit": "second", "kind": "async"}
    _assert_timed(rec)
    # one event loop per timed value, every await inside it
    assert _line(rec["stderr_tail"], "AWAITS") == f"{CALLS} True {TIMED}"


def test_bench_async_func_runs_in_loops_from_loop_factory(run_script):
    rec = run_script(
        """
        import asyncio
        import pyperf

        made = []
        inside_own_loop = []

        def factory():
            loop = asyncio.new_event_loop()
            made.append(loop)
            return loop

        async def work():
            inside_own_loop.append(asyncio.get_running_loop() is made[-1])
            await asyncio.sleep(0)

        runner = pyperf.Runner()
        runner.bench_async_func("factory", work, loop_factory=factory)
        print("MADE", len(made), all(inside_own_loop), all(l.is_closed() for l in made))
        """
    )
    assert _ok(rec)["bench_name"] == "factory"
    assert _line(rec["stderr_tail"], "MADE") == f"{TIMED} True True"


def test_script_options_and_metadata_reach_the_runner(run_script):
    rec = run_script(
        """
        import pyperf

        def add_cmdline_args(cmd, args):
            cmd.extend(("--iterations", str(args.iterations)))

        runner = pyperf.Runner(values=5, processes=4, add_cmdline_args=add_cmdline_args,
                               metadata={"origin": "constructor"})
        runner.metadata["description"] = "demo benchmark"
        runner.argparser.add_argument("--iterations", type=int, default=3)
        runner.argparser.add_argument("benchmark", nargs="?", default="all")
        args = runner.parse_args()
        print("IDEMPOTENT", runner.parse_args() is args and runner.args is args)
        runner.metadata["iterations"] = args.iterations

        def work(n):
            return sum(range(n))

        runner.bench_func("demo", work, args.iterations, metadata={
            "description": "per-call description",
            "fast": args.fast, "processes": args.processes, "values": args.values,
            "loops": args.loops, "inherit": args.inherit_environ, "bench": args.benchmark,
            "output": args.output, "worker": args.worker, "hooks": args.hook,
        })
        runner.metadata["late"] = "not seen"
        """,
        argv=[
            "--iterations", "7", "--fast", "-p", "9", "--inherit-environ", "A,B",
            "-l", "2^3", "-o", "out.json", "--worker", "--min-time", "0.5",
            "--hook", "perf_record", "selected",
        ],
    )  # fmt: skip
    _ok(rec)
    assert _line(rec["stderr_tail"], "IDEMPOTENT") == "True"
    assert rec["bench_name"] == "demo"
    assert rec["metadata"] == {
        "origin": "constructor",
        "description": "per-call description",  # the call's metadata wins over the runner's
        "iterations": 7,
        # pyperf's --fast derives processes/values from the Runner defaults
        "fast": True,
        "processes": 3,
        "values": 3,
        "loops": 8,
        "inherit": ["A", "B"],
        "bench": "selected",
        "output": "out.json",
        "worker": True,
        "hooks": ["perf_record"],
        "name": "demo",
        "unit": "second",
    }
    _assert_timed(rec)


TWO_SCRIPT = """
    import pyperf

    def one():
        return sum(range(100))

    def two(loops):
        t0 = pyperf.perf_counter()
        for _ in range(loops):
            sorted(range(100, 0, -1))
        return pyperf.perf_counter() - t0

    runner = pyperf.Runner()
    runner.metadata["description"] = "pair"
    runner.bench_func("first", one)
    runner.bench_time_func("second", two, inner_loops=2)
    try:
        runner.bench_func("first", one)
    except ValueError as exc:
        print("DUPLICATE", exc)
"""


def test_two_benchmarks_register_in_order_and_duplicate_names_fail(run_script):
    first = _ok(run_script(TWO_SCRIPT))
    second = _ok(run_script(TWO_SCRIPT, bench_name="second"))
    assert (first["bench_name"], first["inner_loops"]) == ("first", 1)
    assert (second["bench_name"], second["inner_loops"]) == ("second", 2)
    assert first["metadata"]["description"] == second["metadata"]["description"] == "pair"
    _assert_timed(first)
    _assert_timed(second)
    assert "duplicated benchmark name" in _line(first["stderr_tail"], "DUPLICATE")
    # Negative control: a name the script does not register fails, naming those it does.
    missing = run_script(TWO_SCRIPT, bench_name="third")
    assert missing["status"] == "failed"
    assert "registered first, second but not 'third'" in missing["error"]


def test_timeit_registers_statements_with_duplicate_as_inner_loops(run_script):
    rec = _ok(
        run_script(
            """
            import pyperf

            runner = pyperf.Runner()
            runner.timeit("sort", stmt="sorted(data)", setup="data = list(range(200))[::-1]",
                          duplicate=4, inner_loops=2)
            """
        )
    )
    assert rec["bench_name"] == "sort"
    assert rec["inner_loops"] == 8
    assert rec["metadata"] == {
        "name": "sort",
        "unit": "second",
        "inner_loops": 8,
        "timeit_stmt": "'sorted(data)'",
        "timeit_setup": "'data = list(range(200))[::-1]'",
        "timeit_teardown": "'pass'",
        "timeit_duplicate": 4,
    }
    _assert_timed(rec)


def test_bench_command_starts_the_command_once_per_loop(run_script, tmp_path):
    log = tmp_path / "starts.log"
    rec = run_script(
        f"""
        import sys
        import pyperf

        runner = pyperf.Runner()
        runner.bench_command("startup", [sys.executable, "-c",
                                         "open({str(log)!r}, 'a').write('x')"])
        """,
        task=protocol.run_task(3, 0, 1),
    )
    assert _ok(rec)["bench_name"] == "startup"
    assert rec["metadata"]["command"].endswith(f"open({str(log)!r}, 'a').write('x')")
    assert all(type(x) is int and x > 0 for x in [rec["first_ns"], *rec["values_ns"]])
    # 1 + 3 loops: one whole process each, waited for before the next.
    assert log.read_text() == "xxxx"


def test_bench_command_failing_names_the_command_and_its_status(run_script):
    rec = run_script(
        """
        import sys
        import pyperf

        runner = pyperf.Runner()
        runner.bench_command("bad", [sys.executable, "-c", "import sys; sys.exit('boom')"])
        """
    )
    assert rec["status"] == "failed"
    assert "exited with status 1: boom" in rec["error"]
    assert "values_ns" not in rec


def test_bench_calls_outside_jitbench_say_the_shim_needs_jitbench(tmp_path):
    # The shim alone, first on sys.path, without the runner that installs its hook.
    script = tmp_path / "alone.py"
    script.write_text(
        "import pyperf\n"
        "runner = pyperf.Runner()\n"
        "runner.parse_args()\n"
        "print('PARSED', runner.args.fast)\n"
        "runner.bench_func('work', sum, [1, 2])\n"
    )
    proc = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "PYTHONPATH": str(SHIM_DIR.parent)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert _line(proc.stdout, "PARSED") == "False"
    assert proc.returncode == 1
    assert "RuntimeError: jitbench: " in proc.stderr
    assert "only works inside jitbench" in proc.stderr


def test_module_api_answers_like_pyperf(run_script):
    rec = _ok(
        run_script(
            """
            import json
            import time
            import pyperf
            from pyperf import Runner

            try:
                pyperf.Benchmark
            except AttributeError as exc:
                unsupported = str(exc)
            print("API", json.dumps({
                "perf_counter": pyperf.perf_counter is time.perf_counter,
                "implementation": pyperf.python_implementation(),
                "has_jit": pyperf.python_has_jit(),
                "version": pyperf.__version__,
                "version_tuple": list(pyperf.VERSION),
                "runner": Runner is pyperf.Runner,
                "unsupported": unsupported,
            }))
            Runner().bench_func("noop", int)
            """
        )
    )
    api = json.loads(_line(rec["stderr_tail"], "API"))
    assert api["perf_counter"] is True
    assert api["runner"] is True
    assert api["implementation"] == sys.implementation.name
    assert isinstance(api["has_jit"], bool)
    assert api["version"] == ".".join(map(str, api["version_tuple"]))
    assert api["version_tuple"][0] == 2
    assert "jitbench" in api["unsupported"]
    if importlib.util.find_spec("pyperf") is not None:
        import pyperf as real_pyperf

        # Same interpreter as the target process, so the answers must agree.
        assert api["implementation"] == real_pyperf.python_implementation()
        assert api["has_jit"] == real_pyperf.python_has_jit()


def test_shim_shadows_installed_pyperf_in_the_target(run_script, tmp_path):
    real = importlib.util.find_spec("pyperf")
    assert real is not None, "pyperf is a pinned test dependency: ./jb test installs it"
    rec = _ok(
        run_script(
            """
            import json
            import pyperf

            print("PYPERF", json.dumps([pyperf.__file__, getattr(pyperf, "_jitbench_shim", 0)]))
            pyperf.Runner().bench_func("noop", int)
            """
        )
    )
    path, is_shim = json.loads(_line(rec["stderr_tail"], "PYPERF"))
    assert is_shim is True
    # The shim came with the payload, unpacked in the target's cache under its temp dir.
    assert Path(path).parts[-2:] == ("pyperf", "__init__.py")
    assert Path(path).is_relative_to(tmp_path)
    assert Path(real.origin).resolve() != Path(path).resolve()


OPTIONS_PROBE = """
import json
import pyperf


parser = pyperf.Runner().argparser
print("OPTIONS", json.dumps({
    "flags": sorted(s for action in parser._actions for s in action.option_strings),
    "defaults": vars(parser.parse_args([])),
}))
"""


def test_argparser_accepts_every_option_of_real_pyperf(run_script, tmp_path):
    """Compared with the pinned pyperf (constraints.txt); ./jb test-newest checks the newest."""
    real = subprocess.run(
        [sys.executable, "-E", "-c", OPTIONS_PROBE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rec = _ok(run_script(OPTIONS_PROBE + 'pyperf.Runner().bench_func("noop", int)\n'))
    shim = json.loads(_line(rec["stderr_tail"], "OPTIONS"))
    real = json.loads(_line(real.stdout, "OPTIONS"))
    assert set(real["flags"]) <= set(shim["flags"])
    assert shim["defaults"] == real["defaults"]


def _pyperformance_benchmarks():
    spec = importlib.util.find_spec("pyperformance")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data-files" / "benchmarks"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "argv", "name", "inner_loops"),
    [
        ("bm_richards", [], "richards", 1),
        ("bm_nbody", [], "nbody", 1),
        ("bm_float", [], "float", 1),
        ("bm_pickle", ["--pure-python", "pickle"], "pickle_pure_python", 20),
    ],
)
def test_pyperformance_benchmark_runs_through_the_shim(run_script, folder, argv, name, inner_loops):
    benchmarks = _pyperformance_benchmarks()
    assert benchmarks is not None, "pyperformance is a pinned test dependency"
    script = benchmarks / folder / "run_benchmark.py"
    assert script.is_file(), f"the pinned pyperformance has no {folder}"
    rec = _ok(run_script(script=script, argv=argv, task=protocol.run_task(2, 0, 1)))
    assert rec["bench_name"] == name
    assert rec["inner_loops"] == inner_loops
    assert rec["metadata"]["name"] == name
    assert rec["metadata"]["description"]
    assert all(type(x) is int and x > 0 for x in [rec["first_ns"], *rec["values_ns"]])


@pytest.mark.slow
@pytest.mark.parametrize("command", ["pypy3", "python3.9"])
def test_shim_works_on_older_and_other_interpreters(run_script, command):
    exe = find_interpreter(command)
    assert exe is not None, f"{command} is part of the test runtimes (./jb test provisions it)"
    rec = _ok(run_script(BENCH_FUNC_SCRIPT, python=exe))
    assert (rec["bench_name"], rec["inner_loops"]) == ("work", 5)
    _assert_timed(rec)
    assert _line(rec["stderr_tail"], "CALLS") == f"{CALLS} True"

    rec = _ok(run_script(ASYNC_SCRIPT, python=exe))
    _assert_timed(rec)
    assert _line(rec["stderr_tail"], "AWAITS") == f"{CALLS} True {TIMED}"
    assert rec["facts"]["implementation"] == ("pypy" if command == "pypy3" else "cpython")


def test_shim_sources_are_stdlib_only_python39_syntax():
    for path in sorted(SHIM_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path), feature_version=(3, 9))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.partition(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                roots = [node.module.partition(".")[0]]
            else:
                continue
            for root in roots:
                assert root in sys.stdlib_module_names, f"{path.name} imports {root}"
