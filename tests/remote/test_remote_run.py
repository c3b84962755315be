"""A runtime on an SSH host behaves as a local one: same payload, same records, plus host facts,
host load, and one-line errors that name the host and the fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jitbench.execute.ssh import quote_command
from jitbench.model import Host
from jitbench.results.artifact import first_error

from ..conftest import WORK_PY, Cli, ab_holding_the_real_change, assert_one_line_error, write
from .conftest import FAST, HOSTS, artifact, hosts_toml


def test_remote_ab_calls_three_times_the_work_slower_and_records_the_host(rcli, remote_project):
    """Fails in ≈ 0.4 % of runs (see ab_holding_the_real_change), whatever the host's noise."""
    doc = ab_holding_the_real_change(rcli, "-p", "10", *FAST, seeds=("3", "4"))
    art = artifact(doc, remote_project)
    assert first_error(art) is None
    host = art["hosts"]["lo"]
    # Host facts as the user named the host, with the interpreter that ran there.
    assert host["name"] == "lo" and host["ssh"] == "lo"
    for key in ("machine", "cpu_count", "kernel", "os", "cpu_model"):
        assert host[key], key
    (interp,) = host["interpreters"].values()
    assert interp["version"] == ".".join(map(str, sys.version_info[:3]))
    assert art["variants"]["base"]["host"] == "lo"
    for p in art["processes"]:
        assert p["status"] == "ok" and p["host"] == "lo"
        assert isinstance(p["contaminated"], bool)
        load = p["host_load"]
        assert load["available"] and load["cpus"] >= 1 and load["interval_s"] > 0
        # The canary was timed on the host, by its shell, before each process.
        assert len(p["canary_ns"]) == 1 and p["canary_ns"][0] > 0


def test_env_values_reach_the_remote_interpreter_byte_for_byte(servers, tmp_path):
    nasty = {
        "A": "$(touch pwned) `id` $HOME",
        "B": 'it\'s "quoted"; exit 1',
        "C": "line\nbreak",
        "D": "*",
        "E": "",
    }
    host = Host(name="lo", ssh="lo", ssh_config=servers.ssh_config)
    from jitbench.execute.ssh import SshConnection, SshTransport

    conn = SshConnection(host)
    try:
        conn.connect()
        argv = [
            sys.executable,
            "-c",
            "import json,os,sys; json.dump({k: os.environ.get(k) for k in 'ABCDE'}, sys.stdout)",
        ]
        done = SshTransport(conn).run(argv, nasty, b"", timeout=60)
    finally:
        conn.close()
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == nasty
    assert not (Path.home() / "pwned").exists()
    # Every piece is quoted: the shell sees exactly the argv, whatever it holds.
    assert quote_command(["a b", "$x"]) == "'a b' '$x'"


def _config(servers, tmp_path: Path, ssh: str, command: str) -> Path:
    text = (
        HOSTS.format(**hosts_toml(servers, tmp_path / "w"))
        + f"""
[hosts.bad]
ssh = "{ssh}"
ssh_config = {json.dumps(str(servers.ssh_config))}

[runtimes.r]
host = "bad"
command = [{json.dumps(command)}]
"""
    )
    write(tmp_path / "jitbench.toml", text)
    write(tmp_path / "bench" / "work.py", WORK_PY)
    return tmp_path


def test_bad_host_name_refused_connection_and_wrong_key_are_one_line_errors(servers, tmp_path):
    cases = [
        ("no-such-host.invalid", ["host 'bad'", "cannot resolve", "hosts.bad.ssh"]),
        ("lo-refused", ["host 'bad'", "connection refused", "start sshd"]),
        ("lo-wrongkey", ["host 'bad'", "login to lo-wrongkey refused", "authorized_keys"]),
    ]
    for dest, needles in cases:
        project = _config(servers, tmp_path / dest, dest, sys.executable)
        proc = Cli(project)("run", "r", "--bench", "richards", "-p", "1", *FAST)
        assert_one_line_error(proc, *needles)


def test_missing_interpreter_on_the_host_names_host_and_runtime(servers, tmp_path):
    project = _config(servers, tmp_path, "lo", "/nonexistent/bin/python3")
    proc = Cli(project)("run", "r", "--bench", "richards", "-p", "1", *FAST)
    assert_one_line_error(
        proc, "runtime 'r'", "/nonexistent/bin/python3", "on host 'bad'", "runtimes.r.command"
    )


def test_unknown_host_in_config_is_one_line(tmp_path):
    write(tmp_path / "jitbench.toml", '[runtimes.r]\nhost = "arm"\ncommand = ["python3"]\n')
    proc = Cli(tmp_path)("run", "--bench", "richards", "-p", "1")
    assert_one_line_error(proc, "runtimes.r.host", "unknown host 'arm'", "[hosts.arm]")


def test_doctor_reports_each_knob_with_a_fix_here_and_on_a_host(rcli):
    for where in ("local", "lo"):
        proc = rcli("doctor", where, "--json", "--stability", "1", check=0)
        doc = json.loads(proc.stdout)
        names = {c["name"] for c in doc["checks"]}
        assert {
            "CPU frequency governor",
            "Turbo boost",
            "SMT (hyper-threading)",
            "Isolated CPUs",
            "ASLR",
            "Load",
            "Free memory",
            "Host stability",
        } <= names
        stability = next(c for c in doc["checks"] if c["name"] == "Host stability")
        # Measured where the processes would run: here by Python, on the host by its shell.
        assert stability["state"].startswith("±") and " over 1 s (" in stability["state"], where
        for c in doc["checks"]:
            assert c["ok"] is not False or c["fix"], c
    proc = rcli("doctor", "lo", check=0)
    assert "What disturbs measurements on host lo" in proc.stdout
    assert_one_line_error(rcli("doctor", "nope"), "unknown host 'nope'")


def test_ssh_is_never_asked_for_a_password_nor_to_skip_host_keys(servers):
    from jitbench.execute.ssh import SshConnection

    argv = SshConnection(Host(name="x", ssh="x")).argv("true")
    assert "BatchMode=yes" in argv
    assert not any("StrictHostKeyChecking" in a for a in argv)
    assert argv[argv.index("--") + 1] == "x"


def test_provision_script_is_idempotent():
    script = Path(__file__).resolve().parents[2] / "scripts" / "provision-ssh"
    proc = subprocess.run([str(script)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
