"""A pyperformance benchmark on an SSH host: its folder (sibling modules) travels once, is cached
on the host by content hash, and later processes name it only."""

from __future__ import annotations

import sys

from jitbench.execute import process
from jitbench.execute.payload import decode
from jitbench.execute.ssh import SshConnection, SshTransport
from jitbench.model import Host, Runtime, Variant
from jitbench.suites import pyperformance as suite

TASK = {"action": "run", "loops": 1, "warmups": 0, "values": 1}


class RecordingSsh(SshTransport):
    """The SSH transport, keeping the mounts of the bundles each payload carried whole."""

    def __init__(self, conn):
        super().__init__(conn)
        self.whole: list[list[str]] = []

    def run(self, argv, env, stdin, timeout):
        doc = decode(stdin)
        self.whole.append(sorted(b["mount"] for b in doc["bundles"] if "files" in b))
        return super().run(argv, env, stdin, timeout)


def test_sibling_modules_ship_once_to_the_ssh_host_and_are_named_after(
    servers, tmp_path, monkeypatch
):
    monkeypatch.setattr(process, "_held", {})
    remote_tmp = tmp_path / "remote-tmp"
    remote_tmp.mkdir()
    host = Host(name="lo", ssh="lo", ssh_config=servers.ssh_config)
    variant = Variant(
        "remote", Runtime("py", (sys.executable,), host=host), env=(("TMPDIR", str(remote_tmp)),)
    )
    (regex_compile,) = suite.expand("pyperformance:regex_compile")
    conn = SshConnection(host)
    try:
        conn.connect()
        transport = RecordingSsh(conn)
        records = [
            process.run_process(transport, variant, regex_compile, TASK, 300) for _ in range(2)
        ]
    finally:
        conn.close()
    for rec in records:
        assert rec["status"] == "ok", (rec.get("error"), rec.get("stderr_tail"))
        assert rec["host"] == "lo" and rec["values_ns"][0] > 0
    # bm_regex_compile imports bm_regex_effbot and bm_regex_v8 from its folder.
    assert transport.whole == [["bench", "runner", "shim"], []]
    (cache,) = remote_tmp.glob("jitbench-cache-*")
    assert any((d / "bm_regex_effbot.py").is_file() for d in cache.iterdir())
