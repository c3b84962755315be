"""A chroot runtime gets a /proc of its own: a benchmark reading /proc/self/status runs in the
CinderX root; the same root started through ``env chroot`` (not recognised, so not given one)
fails on the missing file, and the host never sees the mount."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..conftest import write
from .conftest import artifact, project, runtime_table

# Reads the kernel's view of its own process, as psutil-based benchmarks (dask) do.
STATUS_PY = """\
def main():
    with open("/proc/self/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    assert int(fields["Pid"]) > 0, fields
    return fields["Name"]
"""


@pytest.mark.slow
def test_a_chroot_benchmark_reads_proc_self_status(tmp_path: Path, cinderx_cmd) -> None:
    root = cinderx_cmd[1]
    write(tmp_path / "bench" / "status.py", STATUS_PY)
    cli = project(
        tmp_path,
        runtime_table("cx", cinderx_cmd, "cinderx")
        # Negative control: the same interpreter in the same root, behind a wrapper jitbench does
        # not take for a chroot, so it gets no /proc.
        + runtime_table("bare", ["env", *cinderx_cmd], "cinderx")
        + """\
        [benchmarks.status]
        path = "bench/status.py"
        function = "main"

        [variants.cx]
        runtime = "cx"
        mode = "nojit"

        [variants.bare]
        runtime = "bare"
        mode = "nojit"
        """,
    )
    design = ["--bench", "status", "-p", "1", "-n", "1", "-w", "0", "--loops", "1", "--db", "off"]
    doc = cli.json("run", "cx", *design)
    (ok,) = [p for p in artifact(cli, doc)["processes"] if p.get("benchmark") == "status"]
    assert ok["status"] == "ok", ok.get("error")
    # Negative control: without a /proc the same benchmark fails on the file it reads.
    bare = cli("run", "bare", *design)
    assert bare.returncode == 2, bare.stderr
    assert "FileNotFoundError" in bare.stderr and "'/proc/self/status'" in bare.stderr
    # The mount lived in the process's own namespace: the host's view of the root is unchanged.
    assert not (Path(root) / "proc" / "self").exists()
