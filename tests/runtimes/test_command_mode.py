"""The mode reaches the interpreters a whole-process benchmark starts: under autojit the command's
own Python has cinderx loaded and initialised, under nojit it has not (the command exits 3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import write
from .conftest import artifact, project, runtime_table

# The command succeeds only in an interpreter where cinderx is loaded and initialised, and which
# still ran the root's own sitecustomize (Debian's), with jitbench's folder gone from its path.
SCRIPT = """\
import sys

import pyperf

CHECK = (
    "import sys; m = sys.modules.get('cinderx'); s = sys.modules.get('sitecustomize'); "
    "own = s is not None and s.__file__ == '/usr/lib/python3.14/sitecustomize.py'; "
    "clean = not any(p.endswith('/child') for p in sys.path); "
    "sys.exit(0 if m is not None and m.is_initialized() and own and clean else 3)"
)
pyperf.Runner().bench_command("child_has_cinderx", [sys.executable, "-c", CHECK])
"""


@pytest.mark.slow
def test_autojit_reaches_the_commands_interpreter_and_nojit_does_not(tmp_path: Path, cinderx_cmd):
    write(tmp_path / "bench" / "child.py", SCRIPT)
    cli = project(
        tmp_path,
        runtime_table("cx", cinderx_cmd, "cinderx")
        + """\
        [benchmarks.child]
        path = "bench/child.py"

        [variants.nojit]
        runtime = "cx"
        mode = "nojit"

        [variants.auto]
        runtime = "cx"
        mode = "autojit=1000"
        """,
    )
    proc = cli(
        *("run", "nojit", "auto", "--bench", "child", "-p", "1", "-n", "1", "-w", "0"),
        *("--loops", "2", "--db", "off", "--json"),
    )
    art = artifact(cli, json.loads(proc.stdout))
    by = {p["variant"]: p for p in art["processes"] if p.get("benchmark") == "child"}
    auto = by["auto"]
    assert auto["status"] == "ok", auto.get("error")
    child = auto["jit"]["child_interpreter"]
    assert child["modules"] == {"cinderx": {"loaded": True, "initialized": True}}
    assert child["pid"] > 0
    assert auto["activity"] == "whole-process benchmark: its commands' interpreters loaded cinderx"
    # Negative control: the same command under nojit runs the plain interpreter and exits 3.
    nojit = by["nojit"]
    assert nojit["status"] == "failed"
    assert "exited with status 3" in nojit["error"], nojit["error"]
    assert "child_interpreter" not in nojit.get("jit", {})
