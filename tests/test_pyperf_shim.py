"""The pyperf shim, exercised the way jitbench's runner uses it: in real subprocesses, with the
shim's folder first on sys.path, a hook installed, and pyperf-style scripts run as __main__."""

import ast
import importlib.util
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import jitbench

from .conftest import find_interpreter

SHIM_DIR = Path(jitbench.__file__).resolve().parent / "runner" / "pyperf"
LOOPS = (1, 10, 1000)

# Stands in for jitbench's runner: shim first on sys.path, hook installed, script run as __main__.
# The hook times each registration at a few loop counts; everything it saw goes to a JSON file so
# the script's own prints cannot interfere.
DRIVER = """
import json, os, runpy, sys

with open(sys.argv[1]) as f:
    cfg = json.load(f)
sys.path.insert(0, os.path.dirname(os.path.abspath(cfg["script"])))
sys.path.insert(0, cfg["payload"])
import pyperf

seen = []

def hook(name, time_func, inner_loops, metadata):
    ns = [time_func(n) for n in cfg["loops"]]
    seen.append({"name": name, "inner_loops": inner_loops, "metadata": metadata, "ns": ns,
                 "ns_are_ints": all(type(x) is int for x in ns)})

if cfg["hook"]:
    pyperf._jitbench_hook = hook
sys.argv = [cfg["script"]] + cfg["argv"]
error = None
try:
    runpy.run_path(cfg["script"], run_name="__main__")
except BaseException as exc:
    error = "%s: %s" % (type(exc).__name__, exc)
with open(cfg["out"], "w") as f:
    json.dump({"seen": seen, "error": error, "pyperf_file": pyperf.__file__,
               "is_shim": getattr(pyperf, "_jitbench_shim", False)}, f, default=repr)
"""


@pytest.fixture
def run_script(tmp_path):
    """Run a pyperf-style script through the shim; return (result dict, script stdout)."""
    payload = tmp_path / "payload"
    shutil.copytree(SHIM_DIR, payload / "pyperf", ignore=shutil.ignore_patterns("__pycache__"))
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    counter = iter(range(1000))

    def run(source=None, *, script=None, argv=(), loops=LOOPS, hook=True, python=sys.executable):
        n = next(counter)
        if script is None:
            script = tmp_path / f"bench_{n}.py"
            script.write_text(textwrap.dedent(source))
        out = tmp_path / f"result_{n}.json"
        cfg = tmp_path / f"cfg_{n}.json"
        cfg.write_text(
            json.dumps(
                {
                    "payload": str(payload),
                    "script": str(script),
                    "out": str(out),
                    "loops": list(loops),
                    "argv": list(argv),
                    "hook": hook,
                }
            )
        )
        proc = subprocess.run(
            [python, "-E", str(driver), str(cfg)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr
        return json.loads(out.read_text()), proc.stdout

    return run


def _assert_positive_and_growing(entry):
    ns = entry["ns"]
    assert entry["ns_are_ints"], ns
    assert all(x > 0 for x in ns), ns
    assert ns[-1] > ns[0], ns


def _line(stdout, tag):
    """The words after ``tag`` on the script's output line starting with it."""
    for line in stdout.splitlines():
        if line.startswith(tag + " "):
            return line[len(tag) + 1 :]
    raise AssertionError(f"no {tag!r} line in {stdout!r}")


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
    result, stdout = run_script(BENCH_FUNC_SCRIPT)
    assert result["error"] is None
    [entry] = result["seen"]
    assert entry["name"] == "work"
    assert entry["inner_loops"] == 5
    assert entry["metadata"] == {"name": "work", "inner_loops": 5, "unit": "second"}
    _assert_positive_and_growing(entry)
    assert _line(stdout, "CALLS") == f"{sum(LOOPS)} True"


def test_bench_time_func_converts_float_seconds_to_int_ns(run_script):
    result, stdout = run_script(
        """
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
    )
    assert result["error"] is None
    timed, constant = result["seen"]
    assert timed["name"] == "timed"
    assert timed["inner_loops"] == 1
    assert timed["metadata"] == {"name": "timed", "unit": "second"}
    _assert_positive_and_growing(timed)
    assert json.loads(_line(stdout, "ARGS")) == [[n, 300, "x"] for n in LOOPS]
    assert constant["ns"] == [1_500_000] * len(LOOPS)
    assert constant["ns_are_ints"]


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
    result, stdout = run_script(ASYNC_SCRIPT)
    assert result["error"] is None
    [entry] = result["seen"]
    assert entry["name"] == "async_work"
    assert entry["inner_loops"] == 1
    assert entry["metadata"] == {"name": "async_work", "unit": "second", "kind": "async"}
    _assert_positive_and_growing(entry)
    # one event loop per time_func call, every await inside it
    assert _line(stdout, "AWAITS") == f"{sum(LOOPS)} True {len(LOOPS)}"


def test_bench_async_func_runs_in_loops_from_loop_factory(run_script):
    result, stdout = run_script(
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
    assert result["error"] is None
    assert [e["name"] for e in result["seen"]] == ["factory"]
    assert _line(stdout, "MADE") == f"{len(LOOPS)} True True"


def test_script_options_and_metadata_reach_the_hook(run_script):
    result, stdout = run_script(
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
    assert result["error"] is None
    assert _line(stdout, "IDEMPOTENT") == "True"
    [entry] = result["seen"]
    assert entry["name"] == "demo"
    assert entry["metadata"] == {
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
    _assert_positive_and_growing(entry)


def test_two_benchmarks_register_in_order_and_duplicate_names_fail(run_script):
    result, stdout = run_script(
        """
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
    )
    assert result["error"] is None
    first, second = result["seen"]
    assert (first["name"], first["inner_loops"]) == ("first", 1)
    assert (second["name"], second["inner_loops"]) == ("second", 2)
    assert first["metadata"]["description"] == second["metadata"]["description"] == "pair"
    _assert_positive_and_growing(first)
    _assert_positive_and_growing(second)
    assert "duplicated benchmark name" in _line(stdout, "DUPLICATE")


def test_timeit_registers_statements_with_duplicate_as_inner_loops(run_script):
    result, _ = run_script(
        """
        import pyperf

        runner = pyperf.Runner()
        runner.timeit("sort", stmt="sorted(data)", setup="data = list(range(200))[::-1]",
                      duplicate=4, inner_loops=2)
        """
    )
    assert result["error"] is None
    [entry] = result["seen"]
    assert entry["name"] == "sort"
    assert entry["inner_loops"] == 8
    assert entry["metadata"] == {
        "name": "sort",
        "unit": "second",
        "inner_loops": 8,
        "timeit_stmt": "'sorted(data)'",
        "timeit_setup": "'data = list(range(200))[::-1]'",
        "timeit_teardown": "'pass'",
        "timeit_duplicate": 4,
    }
    _assert_positive_and_growing(entry)


def test_bench_command_starts_the_command_once_per_loop(run_script, tmp_path):
    log = tmp_path / "starts.log"
    result, _ = run_script(
        f"""
        import sys
        import pyperf

        runner = pyperf.Runner()
        runner.bench_command("startup", [sys.executable, "-c",
                                         "open({str(log)!r}, 'a').write('x')"])
        """,
        loops=(1, 3),
    )
    (entry,) = result["seen"]
    assert entry["name"] == "startup"
    assert entry["metadata"]["command"].endswith(f"open({str(log)!r}, 'a').write('x')")
    assert entry["ns_are_ints"] and all(x > 0 for x in entry["ns"])
    # 1 + 3 loops: one whole process each, waited for before the next.
    assert log.read_text() == "xxxx"


def test_bench_command_failing_names_the_command_and_its_status(run_script):
    result, _ = run_script(
        """
        import sys
        import pyperf

        runner = pyperf.Runner()
        runner.bench_command("bad", [sys.executable, "-c", "import sys; sys.exit('boom')"])
        """,
        loops=(1,),
        hook=True,
    )
    # The hook calls time_func: the failing command surfaces as the script's error.
    assert result["seen"] == []
    assert "exited with status 1: boom" in result["error"]


def test_bench_calls_without_a_hook_say_the_shim_needs_jitbench(run_script):
    result, stdout = run_script(
        """
        import pyperf

        runner = pyperf.Runner()
        runner.parse_args()
        print("PARSED", runner.args.fast)
        runner.bench_func("work", sum, [1, 2])
        """,
        hook=False,
    )
    assert _line(stdout, "PARSED") == "False"
    assert result["error"].startswith("RuntimeError: jitbench: ")
    assert "only works inside jitbench" in result["error"]


def test_module_api_answers_like_pyperf(run_script):
    result, stdout = run_script(
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
        """
    )
    assert result["error"] is None
    api = json.loads(_line(stdout, "API"))
    assert api["perf_counter"] is True
    assert api["runner"] is True
    assert api["implementation"] == sys.implementation.name
    assert isinstance(api["has_jit"], bool)
    assert api["version"] == ".".join(map(str, api["version_tuple"]))
    assert api["version_tuple"][0] == 2
    assert "jitbench" in api["unsupported"]
    if importlib.util.find_spec("pyperf") is not None:
        import pyperf as real_pyperf

        # Same interpreter as the subprocess, so the answers must agree.
        assert api["implementation"] == real_pyperf.python_implementation()
        assert api["has_jit"] == real_pyperf.python_has_jit()


def test_shim_shadows_installed_pyperf_when_first_on_sys_path(run_script, tmp_path):
    real = importlib.util.find_spec("pyperf")
    assert real is not None, "pyperf is a pinned test dependency: ./jb test installs it"
    result, _ = run_script("import pyperf\n")
    assert result["error"] is None
    assert result["is_shim"] is True
    shim_init = (tmp_path / "payload" / "pyperf" / "__init__.py").resolve()
    assert Path(result["pyperf_file"]).resolve() == shim_init
    assert Path(real.origin).resolve() != shim_init


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
    result, stdout = run_script(OPTIONS_PROBE)
    assert result["is_shim"] is True
    shim = json.loads(_line(stdout, "OPTIONS"))
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
    result, _ = run_script(script=script, argv=argv, loops=(1, 2))
    assert result["error"] is None
    [entry] = result["seen"]
    assert entry["name"] == name
    assert entry["inner_loops"] == inner_loops
    assert entry["metadata"]["name"] == name
    assert entry["metadata"]["description"]
    assert entry["ns_are_ints"]
    assert all(x > 0 for x in entry["ns"])


@pytest.mark.slow
@pytest.mark.parametrize("command", ["pypy3", "python3.9"])
def test_shim_works_on_older_and_other_interpreters(run_script, command):
    exe = find_interpreter(command)
    if exe is None:
        pytest.skip(f"{command} is not on PATH or does not run")
    result, stdout = run_script(BENCH_FUNC_SCRIPT, python=exe)
    assert result["error"] is None
    [entry] = result["seen"]
    assert (entry["name"], entry["inner_loops"]) == ("work", 5)
    _assert_positive_and_growing(entry)
    assert _line(stdout, "CALLS") == f"{sum(LOOPS)} True"

    result, stdout = run_script(ASYNC_SCRIPT, python=exe)
    assert result["error"] is None
    [entry] = result["seen"]
    _assert_positive_and_growing(entry)
    assert _line(stdout, "AWAITS") == f"{sum(LOOPS)} True {len(LOOPS)}"


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
