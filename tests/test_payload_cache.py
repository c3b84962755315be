"""Payload bundles are cached on the target by content hash: sent whole once, then named only;
a target whose cache was emptied says so and gets them whole again."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from jitbench.execute import process
from jitbench.execute.payload import decode, folder_bundle, make_bundle
from jitbench.execute.transport import LocalTransport
from jitbench.model import Runtime, Variant
from jitbench.suites import pyperformance as suite

TASK = {"action": "run", "loops": 1, "warmups": 0, "values": 1}


class RecordingTransport(LocalTransport):
    """The local transport, keeping every payload it sent (decoded) and every exit status."""

    def __init__(self):
        self.sent: list[dict] = []
        self.status: list[int | None] = []

    def run(self, argv, env, stdin, timeout):
        self.sent.append(decode(stdin))
        done = super().run(argv, env, stdin, timeout)
        self.status.append(done.returncode)
        return done


@pytest.fixture
def target(tmp_path, monkeypatch):
    """A private temp dir for the target's cache, and no memory of earlier targets."""
    tmp = tmp_path / "target-tmp"
    tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp))
    monkeypatch.setattr(process, "_held", {})
    return tmp


def _whole(doc: dict) -> list[str]:
    return sorted(b["mount"] for b in doc["bundles"] if "files" in b)


def test_bundles_travel_once_then_by_hash_and_again_when_the_cache_is_gone(target):
    transport = RecordingTransport()
    variant = Variant("host", Runtime("py", (sys.executable,)))
    (telco,) = suite.expand("pyperformance:telco")

    first = process.run_process(transport, variant, telco, TASK, 120)
    second = process.run_process(transport, variant, telco, TASK, 120)
    assert first["status"] == second["status"] == "ok", (first, second)
    assert _whole(transport.sent[0]) == ["bench", "runner", "shim"]
    assert _whole(transport.sent[1]) == []  # the second process named the bundles only
    (cache,) = target.glob("jitbench-cache-*")
    assert len([p for p in cache.iterdir() if p.is_dir()]) == 3
    assert not list(target.glob("jitbench-[0-9]*"))  # each process removed its own folder

    shutil.rmtree(cache)
    third = process.run_process(transport, variant, telco, TASK, 120)
    assert third["status"] == "ok", third
    # Named only, refused as missing (status 3), then sent whole.
    assert _whole(transport.sent[2]) == [] and transport.status[2] == 3
    assert _whole(transport.sent[3]) == ["bench", "runner", "shim"]
    assert transport.status[3] == 0


def test_a_bundle_digest_follows_content_and_place_only():
    a = make_bundle("bench", {"x.py": b"1", "data/y": b"2"})
    assert a.digest == make_bundle("bench", {"data/y": b"2", "x.py": b"1"}).digest
    assert a.digest != make_bundle("bench", {"x.py": b"1", "data/y": b"3"}).digest
    assert a.digest != make_bundle("bench", {"x.py": b"1", "data/z": b"2"}).digest
    assert a.digest != make_bundle("site", {"x.py": b"1", "data/y": b"2"}).digest


def test_a_folder_bundle_is_named_as_its_files_are_and_read_only_when_sent(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "x.py").write_bytes(b"1")
    (tmp_path / "data" / "y").write_bytes(b"2")
    b = folder_bundle("bench", tmp_path)
    assert b.files is None
    assert b.digest == make_bundle("bench", {"x.py": b"1", "data/y": b"2"}).digest
    assert b.contents() == {"x.py": b"1", "data/y": b"2"}


def test_a_cache_folder_another_user_could_write_is_refused(target):
    cache = target / f"jitbench-cache-{os.getuid()}"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    variant = Variant("host", Runtime("py", (sys.executable,)))
    (telco,) = suite.expand("pyperformance:telco")
    rec = process.run_process(RecordingTransport(), variant, telco, TASK, 120)
    assert rec["status"] == "failed"
    assert "is not a private folder of this user; remove it" in rec["stderr_tail"]
