"""A runtime built from a revision on an SSH host: the files travel there, the build, install and
gate run there, and the cache lives under the host's workdir."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from ..builds.test_builds import git, make_package_repo
from ..conftest import Cli, assert_one_line_error, write
from ..test_ab_revisions import BENCH
from .conftest import FAST, HOSTS, artifact, hosts_toml

CONFIG = (
    HOSTS
    + """
[runtimes.dev]
host = "lo"
repo = "repo"
base = [{python}]
build = "python tools/build.py {{out}}"
test = "python tests/gate.py"
kind = "cpython"

[benchmarks.w]
path = "bench/w.py"
function = "main"
"""
)


@pytest.fixture(scope="module")
def remote_revs(tmp_path_factory: pytest.TempPathFactory, servers) -> Path:
    root = tmp_path_factory.mktemp("remote-revs")
    make_package_repo(root / "repo")
    write(root / "jitbench.toml", CONFIG.format(**hosts_toml(servers, root / "host-work")))
    write(root / "bench" / "w.py", BENCH)
    return root


def test_remote_ab_of_two_commits_builds_and_gates_on_the_host(remote_revs: Path):
    cli = Cli(remote_revs)
    doc = cli.json(
        "ab", "c1", "c2", "--runtime", "dev", "--bench", "w", *FAST, "-p", "10", "--seed", "7"
    )
    (c,) = doc["comparisons"]
    # c2 does 3x the work: at 10 processes slower in 1000 of 1000 seeded simulations with
    # host-like noise (python -m tests.stats.e2e_rates; 927 at 5 processes); negative control:
    # read the other way round, it is faster.
    assert (c["baseline"], c["candidate"], c["verdict"]) == ("c1", "c2", "slower"), c
    back = cli.json("compare", doc["result"], "--baseline", "c2", "--candidate", "c1")
    assert back["comparisons"][0]["verdict"] == "faster", back["comparisons"]
    art = artifact(doc, remote_revs)
    workdir = remote_revs / "host-work" / "builds"
    for name in ("c1", "c2"):
        build = art["variants"][name]["build"]
        assert build["host"] == "lo" and build["gate"] == "passed"
        # The entry lives in the host's workdir (here the host is this machine, so it can be read).
        assert Path(build["build_log"]).is_relative_to(workdir)
        assert "# exit status 0" in Path(build["build_log"]).read_text()
        assert art["variants"][name]["host"] == "lo"
        assert art["variants"][name]["command"] == build["command"]
    # The revision travelled as files: no worktree was registered in the user's repository.
    assert len(git(remote_revs / "repo", "worktree", "list").splitlines()) == 1
    # The second run reuses both builds on the host.
    again = cli(
        "ab",
        "c1",
        "c2",
        "--runtime",
        "dev",
        "--bench",
        "w",
        "-p",
        "2",
        "--values",
        "2",
        "--min-time",
        "0.01",
        check=0,
    )
    assert again.stderr.count("(cached, gate passed)") == 2, again.stderr


def test_remote_gate_failure_names_the_host_and_the_log(remote_revs: Path):
    proc = Cli(remote_revs)("ab", "c1", "c3", "--runtime", "dev", "--bench", "w", *FAST)
    assert_one_line_error(proc, "runtime 'dev'", "gate failed", "on host 'lo'", "lo:", "gate.log")


def test_remote_worktree_build_sends_uncommitted_files(remote_revs: Path, tmp_path: Path):
    repo = tmp_path / "repo"
    make_package_repo(repo)
    git(repo, "checkout", "-q", "c1")
    (repo / "src" / "workpkg" / "__init__.py").write_text(
        (repo / "src" / "workpkg" / "__init__.py").read_text().replace('"1.0"', '"1.0+local"')
    )
    config = (
        (remote_revs / "jitbench.toml")
        .read_text()
        .replace('repo = "repo"', f"repo = {json.dumps(str(repo))}")
    )
    write(
        tmp_path / "jitbench.toml",
        config + '\n[variants.mine]\nruntime = "dev"\nrev = "WORKTREE"\n',
    )
    write(tmp_path / "bench" / "w.py", BENCH + "\nassert workpkg.VERSION == '1.0+local'\n")
    doc = Cli(tmp_path).json("run", "mine", "--bench", "w", "-p", "2", *FAST)
    art = artifact(doc, tmp_path)
    (variant,) = art["variants"].values()
    assert variant["sha"].startswith("WORKTREE-") and variant["build"]["host"] == "lo"
    assert all(p["status"] == "ok" for p in art["processes"])


def test_missing_base_interpreter_on_the_host_is_one_line(remote_revs: Path, tmp_path: Path):
    config = (
        (remote_revs / "jitbench.toml")
        .read_text()
        .replace(f"base = [{json.dumps(sys.executable)}]", 'base = ["/nonexistent/python3.99"]')
    )
    config = config.replace('repo = "repo"', f"repo = {json.dumps(str(remote_revs / 'repo'))}")
    write(tmp_path / "jitbench.toml", config)
    write(tmp_path / "bench" / "w.py", BENCH)
    proc = Cli(tmp_path)("ab", "c1", "c2", "--runtime", "dev", "--bench", "w", *FAST)
    assert_one_line_error(proc, "runtime 'dev'", "/nonexistent/python3.99", "on host 'lo'")
