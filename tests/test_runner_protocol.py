"""Host and runner read their protocol from one file; a runner of another version is named in
one line, with both versions, instead of being misread."""

from __future__ import annotations

import sys

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
