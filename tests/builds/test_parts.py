"""The pieces of a build without building: templates, step logs, settings hash, cache entry, lock."""

from __future__ import annotations

import fcntl
import json
import threading
from pathlib import Path

import pytest

from jitbench.builds import WORKTREE, BuildSpec, BuiltRuntime, build_hash
from jitbench.builds.cache import FORMAT, entry_for, locked, read_marker, wipe, write_marker
from jitbench.builds.model import short_sha
from jitbench.builds.steps import expand, parse_template, run_step, step_environ
from jitbench.errors import JitbenchError

VALUES = {"out": "/o", "python": "/e/bin/python", "worktree": "/w", "env": "/e", "sha": "abc"}


def test_placeholders_are_replaced_inside_tokens_after_splitting():
    argv = parse_template("dev", "build", "python -m pip wheel . -w {out} --config='x={sha} y'")
    assert expand(argv, VALUES) == [
        "python",
        "-m",
        "pip",
        "wheel",
        ".",
        "-w",
        "/o",
        "--config=x=abc y",
    ]


def test_a_placeholder_value_with_spaces_stays_one_token():
    argv = parse_template("dev", "install", "{python} -m pip install {out}")
    assert expand(argv, {**VALUES, "python": "/my env/bin/python"})[0] == "/my env/bin/python"


def test_unknown_braces_pass_through():
    argv = parse_template("dev", "test", "python -c 'print({}, {outdir})'")
    assert expand(argv, VALUES) == ["python", "-c", "print({}, {outdir})"]


def test_bad_templates_are_one_line_errors():
    with pytest.raises(JitbenchError, match=r"runtime 'dev': `build` command .* cannot be split"):
        parse_template("dev", "build", "python -c 'unclosed")
    with pytest.raises(JitbenchError, match=r"runtime 'dev': `test` command is empty"):
        parse_template("dev", "test", "   ")


def test_step_environment_puts_the_env_bin_first(monkeypatch):
    monkeypatch.setenv("PATH", "/usr/bin")
    monkeypatch.setenv("PYTHONHOME", "/elsewhere")
    environ = step_environ(Path("/cache/e"))
    assert environ["PATH"].split(":") == ["/cache/e/bin", "/usr/bin"]
    assert environ["VIRTUAL_ENV"] == "/cache/e"
    assert "PYTHONHOME" not in environ


def test_run_step_logs_argv_output_and_status(tmp_path):
    log = tmp_path / "build.log"
    assert run_step(["sh", "-c", "echo out; echo err >&2; exit 4"], cwd=tmp_path, log_path=log) == 4
    text = log.read_text()
    assert "$ sh -c 'echo out; echo err >&2; exit 4'" in text
    assert "out\n" in text and "err\n" in text and "# exit status 4" in text
    assert run_step(["no-such-command-jb"], cwd=tmp_path, log_path=log) == 127
    assert "cannot start 'no-such-command-jb'" in log.read_text()


def spec(**changes: object) -> BuildSpec:
    settings: dict = {
        "runtime": "dev",
        "repo": Path("/r"),
        "base": ("python3",),
        "build": "b",
        "test": "t",
    }
    settings.update(changes)
    return BuildSpec(**settings)


def test_build_hash_covers_commands_and_base_version():
    reference = build_hash(spec(), "3.14.0")
    assert build_hash(spec(), "3.14.0") == reference
    assert build_hash(spec(repo=Path("/elsewhere")), "3.14.0") == reference
    for changed in (
        spec(base=("python3.13",)),
        spec(build="b2"),
        spec(test=None),
        spec(install="i"),
    ):
        assert build_hash(changed, "3.14.0") != reference
    assert build_hash(spec(), "3.14.1") != reference


def test_short_sha_keeps_the_worktree_prefix():
    assert short_sha("0123456789abcdef0123") == "0123456789ab"
    assert short_sha(f"{WORKTREE}-0123456789abcdef") == f"{WORKTREE}-0123456789ab"


def test_built_runtime_to_dict_is_json():
    built = BuiltRuntime(
        runtime="dev",
        rev="main",
        sha="a" * 40,
        build_hash="b" * 64,
        command=("/c/env/bin/python",),
        env_dir=Path("/c/env"),
        cached=True,
        gate="none",
        build_log=Path("/c/build.log"),
        gate_log=None,
    )
    assert json.loads(json.dumps(built.to_dict()))["command"] == ["/c/env/bin/python"]


def test_entry_folder_names_are_safe(tmp_path):
    entry = entry_for(tmp_path, "dev/../x y", "f" * 40, "e" * 64)
    assert entry.dir == tmp_path / "dev_.._x_y" / f"{'f' * 12}-{'e' * 12}"
    assert entry.lock_path == entry.dir.with_name(entry.dir.name + ".lock")


def test_marker_counts_only_when_whole_and_with_an_environment(tmp_path):
    entry = entry_for(tmp_path, "dev", "f" * 40, "e" * 64)
    entry.dir.mkdir(parents=True)
    write_marker(entry, {"sha": "f" * 40})
    assert read_marker(entry) is None  # no environment yet
    entry.python.parent.mkdir(parents=True)
    entry.python.touch()
    assert read_marker(entry) is None  # no checkout yet
    entry.src.mkdir()
    assert read_marker(entry) == {"format": FORMAT, "sha": "f" * 40}
    assert [p.name for p in entry.dir.iterdir() if p.name.startswith(".")] == []
    entry.marker.write_text('{"format": 1, "sha":')  # torn write from an older tool
    assert read_marker(entry) is None
    entry.marker.write_text(json.dumps({"format": FORMAT + 1}))
    assert read_marker(entry) is None
    wipe(entry, lambda path: None)
    assert not entry.dir.exists()


def test_lock_waits_for_the_holder_and_says_so(tmp_path):
    entry = entry_for(tmp_path, "dev", "f" * 40, "e" * 64)
    entry.lock_path.parent.mkdir(parents=True)
    waited, acquired = threading.Event(), threading.Event()

    def other() -> None:
        with locked(entry, on_wait=waited.set):
            acquired.set()

    with entry.lock_path.open("a") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        thread = threading.Thread(target=other)
        thread.start()
        assert waited.wait(10)
        assert not acquired.is_set()
        fcntl.flock(holder, fcntl.LOCK_UN)
    thread.join(10)
    assert acquired.is_set()


def test_free_lock_does_not_wait(tmp_path):
    entry = entry_for(tmp_path, "dev", "f" * 40, "e" * 64)
    calls: list[str] = []
    with locked(entry, on_wait=lambda: calls.append("waited")):
        pass
    assert calls == []
