"""--profile on an SSH host: perf runs there, with that host's perf maps and binaries."""

from __future__ import annotations

import json

import pytest

from jitbench.runtimes import provisioned

from ..conftest import Cli, write
from .conftest import HOSTS, artifact, hosts_toml, need


@pytest.mark.slow
def test_profile_of_a_chrooted_cinderx_on_an_ssh_host_names_its_jit_functions(servers, tmp_path):
    command = provisioned.cinderx_command()
    need(command, "the CinderX root is not provisioned (run scripts/provision-test-env as root)")
    write(
        tmp_path / "jitbench.toml",
        HOSTS.format(**hosts_toml(servers, tmp_path / "work"))
        + f"""
[runtimes.cx]
host = "lo"
command = {json.dumps(command)}
kind = "cinderx"

[variants.auto]
runtime = "cx"
mode = "autojit=1000"

[variants.nojit]
runtime = "cx"
mode = "nojit"
""",
    )
    cli = Cli(tmp_path)
    doc = cli.json(
        "run",
        "auto",
        "nojit",
        "--bench",
        "richards",
        "-p",
        "1",
        "-w",
        "3",
        "-n",
        "4",
        "--min-time",
        "0.05",
        "--profile",
    )
    profiled = [p for p in artifact(doc, tmp_path)["processes"] if p.get("instrument")]
    assert len(profiled) == 2
    assert all(p["host"] == "lo" and p["profile"]["samples"] > 0 for p in profiled)
    summary = cli.json("profile", doc["result"])
    auto = summary["benchmarks"]["richards"]["profiles"]["auto"]
    # JIT frames resolve through the perf map copied out of the root on that host; the
    # interpreter's C functions through the root's own binaries (--symfs).
    assert auto["shares"]["jit_functions"]["share_pct"] > 5, auto["shares"]
    names = {r["function"] for r in auto["top"]}
    assert any(n.startswith("__CINDER_JIT:richards:") for n in names), names
    assert any(n.startswith(("Ci_", "_Ci", "cinderx::", "Py")) for n in names), names
    # Negative control: the same host and root without the JIT.
    nojit = summary["benchmarks"]["richards"]["profiles"]["nojit"]
    assert nojit["shares"]["jit_functions"]["share_pct"] == 0
