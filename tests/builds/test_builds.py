"""End-to-end builds from real git repositories: checkout, venv, build, install, gate, cache, lock.

The package under test builds with a tiny stdlib-only PEP 517 backend kept in its own repository,
so ``pip wheel --no-build-isolation --no-index`` works offline in a fresh venv of any Python
(Python 3.11's venv has setuptools but not ``wheel``; 3.12+ venvs have no setuptools at all).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from jitbench.builds import (
    WORKTREE,
    BuildSpec,
    BuiltRuntime,
    first_parent_range,
    prepare,
    resolve_rev,
)
from jitbench.builds.cache import mark_cache_dir
from jitbench.errors import JitbenchError

pytestmark = pytest.mark.slow

GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "jitbench tests",
    "GIT_AUTHOR_EMAIL": "tests@jitbench.invalid",
    "GIT_COMMITTER_NAME": "jitbench tests",
    "GIT_COMMITTER_EMAIL": "tests@jitbench.invalid",
}

BACKEND = '''\
"""A PEP 517 backend using only the stdlib, so the package builds offline in any fresh venv."""
import base64
import hashlib
import pathlib
import re
import zipfile


def _version():
    text = pathlib.Path("src/workpkg/__init__.py").read_text()
    return re.search(r'VERSION = "([^"]+)"', text).group(1)


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    version = _version()
    dist = f"workpkg-{version}.dist-info"
    files = {p.relative_to("src").as_posix(): p.read_bytes() for p in sorted(pathlib.Path("src").rglob("*.py"))}
    files[f"{dist}/METADATA"] = f"Metadata-Version: 2.1\\nName: workpkg\\nVersion: {version}\\n".encode()
    files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\\nGenerator: wheelmaker\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    record = []
    for arcname, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{arcname},sha256={digest},{len(data)}")
    files[f"{dist}/RECORD"] = ("\\n".join(record + [f"{dist}/RECORD,,"]) + "\\n").encode()
    name = f"workpkg-{version}-py3-none-any.whl"
    with zipfile.ZipFile(pathlib.Path(wheel_directory, name), "w") as wheel:
        for arcname, data in files.items():
            wheel.writestr(arcname, data)
    return name
'''

# The build command: counts builds, can stall (to be killed), then runs a real offline pip wheel.
BUILD_SCRIPT = """\
import os
import subprocess
import sys
import time

print("build python prefix:", sys.prefix, flush=True)
if os.environ.get("WORKPKG_BUILD_COUNTER"):
    with open(os.environ["WORKPKG_BUILD_COUNTER"], "a") as counter:
        counter.write("build\\n")
if os.environ.get("WORKPKG_BUILD_STARTED"):
    open(os.environ["WORKPKG_BUILD_STARTED"], "w").close()
time.sleep(float(os.environ.get("WORKPKG_BUILD_SLEEP", "0")))
subprocess.run(
    [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
     "--disable-pip-version-check", ".", "-w", sys.argv[1]],
    check=True,
)
"""

GATE = """\
import sys

import workpkg

print("gate python prefix:", sys.prefix)
assert workpkg.work(10) == 285, "work() gives the wrong total"
print("gate ok", workpkg.VERSION)
"""

PYPROJECT = """\
[build-system]
requires = []
build-backend = "wheelmaker"
backend-path = ["tools"]

[project]
name = "workpkg"
dynamic = ["version"]
"""

WORK = {
    "c1": """\
VERSION = "1.0"


def work(n=1000):
    total = 0
    for i in range(n):
        total += i * i
    return total
""",
    "c2": """\
VERSION = "2.0"


def work(n=1000):
    for _ in range(3):  # three times the work (no host noise hides it), the same answer
        total = 0
        for i in range(n):
            total += i * i
    return total
""",
    "c3": """\
VERSION = "3.0"


def work(n=1000):
    total = 1  # broken: the gate catches it
    for i in range(n):
        total += i * i
    return total
""",
}


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its stdout."""
    result = subprocess.run(
        ["git", "-C", str(repo), *args], env=GIT_ENV, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def make_package_repo(repo: Path) -> dict[str, str]:
    """A repository with commits c1 (baseline), c2 (three times the work), c3 (gate broken), tagged."""
    (repo / "tools").mkdir(parents=True)
    (repo / "tests").mkdir()
    (repo / "src" / "workpkg").mkdir(parents=True)
    (repo / "pyproject.toml").write_text(PYPROJECT)
    (repo / "tools" / "wheelmaker.py").write_text(BACKEND)
    (repo / "tools" / "build.py").write_text(BUILD_SCRIPT)
    (repo / "tests" / "gate.py").write_text(GATE)
    (repo / ".gitignore").write_text("*.ignored\n__pycache__/\n")
    git(repo, "init", "-q", "-b", "main")
    shas = {}
    for name, source in WORK.items():
        (repo / "src" / "workpkg" / "__init__.py").write_text(source)
        shas[name] = commit_all(repo, name)
        git(repo, "tag", name)
    return shas


def spec_for(repo: Path, **changes: object) -> BuildSpec:
    settings: dict = {
        "runtime": "dev",
        "repo": repo,
        "base": (sys.executable,),
        "build": "python tools/build.py {out}",
        "test": "python tests/gate.py",
    }
    settings.update(changes)
    return BuildSpec(**settings)


def package_version(built: BuiltRuntime) -> str:
    """What the built environment's interpreter imports: workpkg's VERSION."""
    result = subprocess.run(
        [*built.command, "-c", "import workpkg; print(workpkg.VERSION)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=built.env_dir,
    )
    return result.stdout.strip()


def count_builds(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("builds") / "cinder-like"
    return path, make_package_repo(path)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def built(repo: tuple[Path, dict[str, str]], cache_dir: Path) -> dict[str, BuiltRuntime]:
    """c1, c2 and c3 (gate off, it is broken) built once, in parallel, for the whole module."""
    path, _ = repo
    spec = spec_for(path)
    with ThreadPoolExecutor(3) as pool:
        futures = {
            rev: pool.submit(prepare, spec, rev, cache_dir=cache_dir, gate=rev != "c3")
            for rev in ("c1", "c2", "c3")
        }
        return {rev: future.result() for rev, future in futures.items()}


def test_build_installs_each_revision_into_its_own_environment(repo, built):
    path, shas = repo
    c1, c2 = built["c1"], built["c2"]
    assert (c1.sha, c2.sha) == (shas["c1"], shas["c2"])
    assert package_version(c1) == "1.0"
    assert package_version(c2) == "2.0"
    assert c1.env_dir != c2.env_dir
    assert c1.build_hash == c2.build_hash
    assert not c1.cached
    assert c1.gate == "passed" and c1.gate_log is not None
    assert Path(c1.command[0]).is_relative_to(c1.env_dir)
    log = c1.build_log.read_text()
    assert "worktree add --force --detach" in log
    assert "tools/build.py" in log and "# exit status 0" in log
    # `python` in the build command was the environment's interpreter.
    assert f"build python prefix: {c1.env_dir}" in log
    assert f"gate python prefix: {c1.env_dir}" in c1.gate_log.read_text()
    json.dumps(c1.to_dict())


def test_user_checkout_is_untouched(repo, built):
    path, shas = repo
    assert git(path, "status", "--porcelain") == ""
    assert git(path, "rev-parse", "HEAD") == shas["c3"]
    assert git(path, "symbolic-ref", "HEAD") == "refs/heads/main"


def test_second_prepare_reuses_the_cache(repo, built, cache_dir, tmp_path, monkeypatch):
    path, _ = repo
    counter = tmp_path / "counter"
    monkeypatch.setenv("WORKPKG_BUILD_COUNTER", str(counter))
    log_before = built["c1"].build_log.stat()
    messages: list[str] = []
    again = prepare(spec_for(path), "c1", cache_dir=cache_dir, log=messages.append)
    assert again.cached
    assert again.env_dir == built["c1"].env_dir
    assert count_builds(counter) == 0
    log_after = again.build_log.stat()
    assert (log_after.st_size, log_after.st_mtime_ns) == (
        log_before.st_size,
        log_before.st_mtime_ns,
    )
    assert again.gate == "passed"  # the gate runs again on a cached build
    assert any("cached build" in message for message in messages)


def test_rebuild_forces_a_new_build(repo, built, cache_dir, tmp_path, monkeypatch):
    path, _ = repo
    counter = tmp_path / "counter"
    monkeypatch.setenv("WORKPKG_BUILD_COUNTER", str(counter))
    again = prepare(spec_for(path), "c1", cache_dir=cache_dir, rebuild=True, gate=False)
    assert not again.cached
    assert again.gate == "skipped" and again.gate_log is None
    assert count_builds(counter) == 1
    assert package_version(again) == "1.0"
    # The entry's worktree was replaced, not registered twice in the user's repository.
    worktrees = git(path, "worktree", "list", "--porcelain").splitlines()
    assert worktrees.count(f"worktree {again.env_dir.parent / 'src'}") == 1


def test_gate_failure_names_runtime_revision_and_log(repo, built, cache_dir):
    path, shas = repo
    assert built["c3"].gate == "skipped"
    with pytest.raises(JitbenchError) as caught:
        prepare(spec_for(path), "c3", cache_dir=cache_dir)
    message = str(caught.value)
    gate_log = built["c3"].env_dir.parent / "gate.log"
    assert message == (
        f"runtime 'dev': c3 ({shas['c3'][:12]}) gate failed with exit status 1; see {gate_log}"
    )
    assert "work() gives the wrong total" in gate_log.read_text()


def test_unknown_revision_is_one_line(repo, cache_dir):
    path, _ = repo
    with pytest.raises(
        JitbenchError,
        match=r"revision 'nope' not found in .* \(git rev-parse\); check the name or fetch it",
    ):
        prepare(spec_for(path), "nope", cache_dir=cache_dir)
    with pytest.raises(JitbenchError, match="revision '--all' not found"):
        resolve_rev(spec_for(path), "--all")


def test_not_a_repository_and_missing_base(repo, tmp_path, cache_dir):
    path, _ = repo
    with pytest.raises(JitbenchError, match="is not a git repository"):
        resolve_rev(spec_for(tmp_path), "HEAD")
    with pytest.raises(JitbenchError, match="base interpreter 'no-such-python-3.99' not found"):
        prepare(spec_for(path, base=("no-such-python-3.99",)), "c1", cache_dir=cache_dir)


def test_failed_build_is_reported_with_its_log_and_not_cached(repo, tmp_path):
    path, shas = repo
    spec = spec_for(path, build="python -c \"print('compiler exploded'); raise SystemExit(3)\"")
    with pytest.raises(JitbenchError) as caught:
        prepare(spec, "c2", cache_dir=tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"runtime 'dev': build step for c2 ({shas['c2'][:12]}) failed")
    log = Path(message.rsplit("see ", 1)[1])
    assert log.name == "build.log"
    assert "compiler exploded" in log.read_text()
    assert "$ python -c" in log.read_text()
    assert not (log.parent / "complete.json").exists()


def test_worktree_pseudo_revision_builds_uncommitted_changes(repo, tmp_path):
    origin, shas = repo
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True, env=GIT_ENV)
    init = clone / "src" / "workpkg" / "__init__.py"
    init.write_text(WORK["c1"].replace('"1.0"', '"3.0+dirty"'))  # fixes c3's bug, uncommitted
    (clone / "src" / "workpkg" / "extra.py").write_text("EXTRA = True\n")  # untracked
    (clone / "src" / "workpkg" / "notes.ignored").write_text("not for the build\n")
    status = git(clone, "status", "--porcelain")
    spec = spec_for(clone)

    first = resolve_rev(spec, WORKTREE)
    assert first.startswith("WORKTREE-") and first == resolve_rev(spec, WORKTREE)
    assert first != shas["c3"]

    built = prepare(spec, WORKTREE, cache_dir=tmp_path / "cache")
    assert built.sha == first and built.rev == WORKTREE
    assert built.gate == "passed"
    assert package_version(built) == "3.0+dirty"
    subprocess.run([*built.command, "-c", "import workpkg.extra"], check=True)
    source = built.env_dir.parent / "src"
    assert (source / "src" / "workpkg" / "extra.py").exists()
    assert not (source / "src" / "workpkg" / "notes.ignored").exists()
    # The user's tree and repository are as they were; a copy registers no worktree.
    assert git(clone, "status", "--porcelain") == status
    assert len(git(clone, "worktree", "list").splitlines()) == 1

    init.write_text(init.read_text() + "\n# another edit\n")
    assert resolve_rev(spec, WORKTREE) != first


WORKER = textwrap.dedent(
    """\
    import json, sys
    from pathlib import Path
    from jitbench.builds import BuildSpec, prepare

    args = json.loads(sys.argv[1])
    spec = BuildSpec(runtime="dev", repo=Path(args["repo"]), base=tuple(args["base"]),
                     build=args["build"], test=args["test"])
    built = prepare(spec, args["rev"], cache_dir=Path(args["cache"]),
                    log=lambda line: print(line, file=sys.stderr, flush=True))
    print(json.dumps(built.to_dict()))
    """
)


def start_worker(spec: BuildSpec, rev: str, cache: Path, env: dict[str, str]) -> subprocess.Popen:
    """Another jitbench process calling prepare(); its stdout is the BuiltRuntime as JSON."""
    args = {
        "repo": str(spec.repo),
        "base": list(spec.base),
        "build": spec.build,
        "test": spec.test,
        "rev": rev,
        "cache": str(cache),
    }
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, json.dumps(args)],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_two_processes_build_one_revision_once(repo, tmp_path):
    path, shas = repo
    spec = spec_for(path, test=None)
    counter = tmp_path / "counter"
    env = {"WORKPKG_BUILD_COUNTER": str(counter), "WORKPKG_BUILD_SLEEP": "1"}
    workers = [start_worker(spec, "c2", tmp_path / "cache", env) for _ in range(2)]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    results = [json.loads(stdout) for stdout, _ in outputs]
    assert count_builds(counter) == 1
    assert sorted(result["cached"] for result in results) == [False, True]
    assert {result["sha"] for result in results} == {shas["c2"]}
    assert {result["env_dir"] for result in results} == {results[0]["env_dir"]}
    assert all(result["gate"] == "none" for result in results)
    assert any("waiting for another jitbench process" in stderr for _, stderr in outputs)


def test_interrupted_build_is_not_cached(repo, tmp_path, monkeypatch):
    path, _ = repo
    spec = spec_for(path, test=None)
    cache = tmp_path / "cache"
    counter, started = tmp_path / "counter", tmp_path / "started"
    worker = start_worker(
        spec,
        "c1",
        cache,
        {
            "WORKPKG_BUILD_COUNTER": str(counter),
            "WORKPKG_BUILD_STARTED": str(started),
            "WORKPKG_BUILD_SLEEP": "120",
        },
    )
    deadline = time.monotonic() + 60
    while not started.exists():
        assert worker.poll() is None, worker.communicate()
        assert time.monotonic() < deadline, "the build never started"
        time.sleep(0.05)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.communicate()
    (entry,) = [p for p in (cache / "dev").iterdir() if p.is_dir()]
    assert (entry / "env").exists() and not (entry / "complete.json").exists()

    monkeypatch.setenv("WORKPKG_BUILD_COUNTER", str(counter))
    built = prepare(spec, "c1", cache_dir=cache)
    assert not built.cached
    assert built.env_dir.parent == entry
    assert count_builds(counter) == 2
    assert (entry / "complete.json").exists()
    assert prepare(spec, "c1", cache_dir=cache).cached


def test_first_parent_range_lists_commits_after_good_up_to_bad(repo):
    path, shas = repo
    spec = spec_for(path)
    assert first_parent_range(spec, "c1", "c3") == [shas["c2"], shas["c3"]]
    assert first_parent_range(spec, "c3", "c3") == []
    with pytest.raises(JitbenchError, match="'c3' is not an ancestor of 'c1'"):
        first_parent_range(spec, "c3", "c1")
    with pytest.raises(JitbenchError, match="revision 'nope' not found"):
        first_parent_range(spec, "nope", "c3")


def test_first_parent_range_skips_commits_merged_from_side_branches(tmp_path):
    repo = tmp_path / "merges"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "f").write_text("1")
    m1 = commit_all(repo, "m1")
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "g").write_text("side")
    side = commit_all(repo, "s1")
    git(repo, "checkout", "-q", "main")
    (repo / "f").write_text("2")
    m2 = commit_all(repo, "m2")
    git(repo, "merge", "-q", "--no-edit", "side")
    merge = git(repo, "rev-parse", "HEAD")
    spec = spec_for(repo)
    assert first_parent_range(spec, m1, "main") == [m2, merge]
    assert side not in first_parent_range(spec, m1, merge)


def test_worktree_snapshot_leaves_out_a_cache_kept_inside_the_repository(tmp_path):
    repo = tmp_path / "inside"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "f").write_text("1")
    commit_all(repo, "m1")
    spec = spec_for(repo)
    before = resolve_rev(spec, WORKTREE)
    mark_cache_dir(repo / ".jitbench-cache")
    (repo / ".jitbench-cache" / "dev").mkdir()
    (repo / ".jitbench-cache" / "dev" / "build.log").write_text("anything")
    assert resolve_rev(spec, WORKTREE) == before
    (repo / "new.py").write_text("x = 1\n")
    assert resolve_rev(spec, WORKTREE) != before
