"""An emulated aarch64 runtime on an SSH host is known as such: the host's own binfmt_misc names
the emulator, and no time verdict is drawn on it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jitbench.runtimes import provisioned

from ..conftest import Cli, assert_one_line_error, write
from .conftest import HOSTS, hosts_toml, need

pytestmark = pytest.mark.slow


def test_an_emulated_runtime_on_an_ssh_host_is_refused_naming_its_emulator(tmp_path: Path, servers):
    arm = provisioned.cinderx_arm64_command()
    need(
        arm and os.geteuid() == 0,
        "the aarch64 CinderX root is not provisioned (run scripts/provision-test-env as root)",
    )
    write(
        tmp_path / "jitbench.toml",
        HOSTS.format(**hosts_toml(servers, tmp_path / "work"))
        + f"""
[runtimes.arm]
host = "lo"
command = {json.dumps(arm)}
kind = "cinderx"

[variants.arm]
runtime = "arm"
mode = "autojit=2"

[variants.arm_generic]
runtime = "arm"
mode = "autojit=2"
jit_options = {{ specialized_opcodes = false }}
""",
    )
    proc = Cli(tmp_path)("ab", "arm", "arm_generic", "--bench", "richards")
    # The emulator is named from the SSH host's binfmt_misc, read by a fixed script over SSH.
    assert_one_line_error(
        proc,
        "variant 'arm' runs aarch64 code emulated on x86_64 by qemu-aarch64 (binfmt_misc)",
        "no time or instruction verdict",
    )
