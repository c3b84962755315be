"""Host and runner read their protocol from one file; a runner of another version is named in
one line, with both versions, instead of being misread."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from jitbench.errors import JitbenchError
from jitbench.execute import payload, process
from jitbench.execute.payload import make_bundle
from jitbench.execute.transport import LocalTransport
from jitbench.model import Runtime, Variant
from jitbench.runner import jitbench_protocol as protocol

VARIANT = Variant("host", Runtime("py", (sys.executable,)))
FACTS = {"action": "facts"}


@pytest.fixture
def target(tmp_path, monkeypatch):
    """A private temp dir for the target's bundle cache, and no memory of earlier targets."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(process, "_held", {})


def _runner_speaking(version: int) -> tuple:
    runner, shim = payload.runner_bundles()
    files = dict(runner.contents())
    line = f"VERSION = {protocol.VERSION}\n".encode()
    assert files["jitbench_protocol.py"].count(line) == 1
    files["jitbench_protocol.py"] = files["jitbench_protocol.py"].replace(
        line, f"VERSION = {version}\n".encode()
    )
    return make_bundle("runner", files), shim


def test_a_runner_of_another_protocol_version_is_one_line_naming_both(target, monkeypatch):
    # Negative control: the runner as shipped answers.
    assert process.run_process(LocalTransport(), VARIANT, None, FACTS, 120)["status"] == "ok"
    other = protocol.VERSION + 6
    bundles = _runner_speaking(other)
    monkeypatch.setattr(payload, "runner_bundles", lambda: bundles)
    with pytest.raises(JitbenchError) as err:
        process.run_process(LocalTransport(), VARIANT, None, FACTS, 120)
    message = str(err.value)
    assert f"speaks protocol {other}" in message
    assert f"this jitbench speaks {protocol.VERSION}" in message
    assert "\n" not in message


def test_the_bootstrap_takes_its_markers_from_the_protocol():
    assert f"{protocol.MISSING_MARKER!r}" in payload.BOOTSTRAP
    assert f"return {protocol.MISSING_STATUS}\n" in payload.BOOTSTRAP
    assert payload.MISSING_MARKER.decode() == protocol.MISSING_MARKER
    assert process.RESULT_MARKER.decode() == protocol.RESULT_MARKER


def test_a_run_against_a_runner_of_another_version_stops_with_one_line(
    target, monkeypatch, project, capsys
):
    from jitbench import cli

    bundles = _runner_speaking(protocol.VERSION + 1)
    monkeypatch.setattr(payload, "runner_bundles", lambda: bundles)
    monkeypatch.chdir(project)
    status = cli.main(
        [
            "ab",
            "base",
            "base",
            "--bench",
            "work",
            "-p",
            "1",
            "--values",
            "2",
            "--warmups",
            "0",
            "--min-time",
            "0.001",
        ]
    )
    err = capsys.readouterr().err
    assert status == 2, err
    errors = [ln for ln in err.splitlines() if ln.startswith("jitbench: error")]
    assert len(errors) == 1 and "Traceback" not in err, err
    assert (
        f"protocol {protocol.VERSION + 1}" in errors[0]
        and f"speaks {protocol.VERSION}" in errors[0]
    )


RUNNER_DIR = payload.RUNNER_DIR
KEY_CLASSES = (protocol.Task, protocol.Benchmark, protocol.Result, protocol.Counting)
KEYS = {v for c in KEY_CLASSES for k, v in vars(c).items() if k.isupper() and isinstance(v, str)}


def _literal_keys(path) -> list[str]:
    """Protocol keys written as string literals where a task or result is indexed or read."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript):
            key = node.slice
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "get":
            key = node.args[0] if node.args else None
        else:
            continue
        if isinstance(key, ast.Constant) and key.value in KEYS:
            found.append(f"{path.name}:{node.lineno} {key.value!r}")
    return found


def test_host_and_runner_name_task_and_result_keys_through_the_protocol(tmp_path):
    sides = [RUNNER_DIR / f"jitbench_{m}.py" for m in ("runner", "probes", "counters")]
    sides.append(Path(process.__file__))
    assert [hit for path in sides for hit in _literal_keys(path)] == []
    # Negative control: the check sees a literal key.
    probe = tmp_path / "literal.py"
    probe.write_text("def f(task):\n    return task['loops'], task.get('action')\n")
    assert [h.split(" ")[1] for h in _literal_keys(probe)] == ["'loops'", "'action'"]


def test_the_protocol_is_standard_library_python39_code():
    source = (RUNNER_DIR / "jitbench_protocol.py").read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 9))
    imported = {
        alias.name.partition(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
    }
    assert imported <= sys.stdlib_module_names
    # The task builders give what the runner reads.
    assert protocol.run_task(8, 1, 3) == {"action": "run", "loops": 8, "warmups": 1, "values": 3}
    assert protocol.calibrate_task(5e7) == {"action": "calibrate", "min_time_ns": 50_000_000}
    assert protocol.facts_task(["instructions"])["counting_probe"] == ["instructions"]
    assert "counting_probe" not in protocol.facts_task()


def test_the_runner_probes_what_the_variants_kind_declares(target):
    # The kind's declared probes travel in the task: a cinderx variant's process reports CinderX's
    # state (here: not loaded, mode nojit) on a stock CPython; a plain python variant's does not.
    cinderx = Variant("cx", Runtime("cx", (sys.executable,), "cinderx"), mode="nojit")
    declared = process.run_process(LocalTransport(), cinderx, None, FACTS, 120)
    assert declared["status"] == "ok"
    assert declared["facts"]["jit"][protocol.Probe.CINDERX]["loaded"] is False
    plain = process.run_process(LocalTransport(), VARIANT, None, FACTS, 120)
    assert plain["status"] == "ok"
    assert protocol.Probe.CINDERX not in plain["facts"]["jit"]
