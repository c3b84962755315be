"""The build cache: one folder per (revision, build settings), a lock per folder, a completion marker.

Layout under ``cache_dir``::

    CACHEDIR.TAG                         marks the folder as a cache (backups and WORKTREE skip it)
    <runtime>/<sha12>-<hash12>/          the entry
        src/          the revision's checkout (a git worktree, or the WORKTREE copy)
        env/          the virtual environment the runtime runs in
        out/          wheels the build wrote ({out})
        build.log     argv, output and exit status of every build step
        gate.log      output of the latest gate run
        complete.json written last; an entry without it is wiped and built again
    <runtime>/<sha12>-<hash12>.lock      flock'd while a process builds or gates the entry

Virtual environments embed their absolute path, so an entry is built in place, under its lock,
rather than in a temporary folder renamed at the end; ``complete.json`` is what makes it count.
"""

from __future__ import annotations

import fcntl
import json
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath

from jitbench.builds.model import short_sha
from jitbench.results.atomic import write_text_atomic

FORMAT = 1  # bump when the entry layout or marker changes, so old entries are rebuilt

CACHEDIR_TAG = "CACHEDIR.TAG"
# The Cache Directory Tagging Specification: backup tools skip the folder, and so do WORKTREE copies.
TAG_TEXT = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by jitbench (runtime builds).\n"
)


@dataclass(frozen=True)
class Entry:
    """Paths of one cache entry (``Path`` here; ``PurePosixPath`` on an SSH host)."""

    dir: Path

    @property
    def src(self) -> Path:
        return self.dir / "src"

    @property
    def env(self) -> Path:
        return self.dir / "env"

    @property
    def out(self) -> Path:
        return self.dir / "out"

    @property
    def python(self) -> Path:
        return self.env / "bin" / "python"

    @property
    def build_log(self) -> Path:
        return self.dir / "build.log"

    @property
    def gate_log(self) -> Path:
        return self.dir / "gate.log"

    @property
    def marker(self) -> Path:
        return self.dir / "complete.json"

    @property
    def lock_path(self) -> Path:
        # Beside the entry, not in it, so wiping the entry never removes a lock someone holds.
        return self.dir.with_name(self.dir.name + ".lock")


def mark_cache_dir(cache_dir: Path) -> None:
    """Create ``cache_dir`` with its ``CACHEDIR.TAG`` (written atomically) if it is not there yet."""
    tag = cache_dir / CACHEDIR_TAG
    if tag.is_file():
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(tag, TAG_TEXT)


def entry_for(cache_dir: Path, runtime: str, sha: str, build_hash: str) -> Entry:
    """The entry for ``sha`` built with settings ``build_hash``."""
    return entry_at(cache_dir.resolve(), runtime, sha, build_hash)


def entry_at(root: PurePath, runtime: str, sha: str, build_hash: str) -> Entry:
    """The entry under ``root``, a cache folder here or on a host (no file system access)."""
    # Runtime names are free-form TOML keys; keep the folder name to safe characters.
    folder = re.sub(r"[^A-Za-z0-9._-]", "_", runtime) or "_"
    return Entry(root / folder / f"{short_sha(sha)}-{build_hash[:12]}")  # type: ignore[arg-type]


@contextmanager
def locked(entry: Entry, on_wait: Callable[[], None]) -> Iterator[None]:
    """Hold an exclusive flock on the entry; ``on_wait`` is called once if another process has it.

    The kernel drops the lock when its holder dies, so a killed build never leaves it stuck.
    """
    entry.lock_path.parent.mkdir(parents=True, exist_ok=True)
    with entry.lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_marker(entry: Entry) -> dict | None:
    """The completion marker of a finished entry, or None when the entry is absent or unfinished."""
    try:
        data = json.loads(entry.marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    # An environment or checkout deleted by hand is not a usable entry, whatever the marker says.
    if not (entry.python.exists() and entry.src.is_dir()):
        return None
    return data


def write_marker(entry: Entry, data: dict) -> None:
    """Write ``complete.json`` atomically (temp file + os.replace): it exists whole or not at all."""
    payload = json.dumps({"format": FORMAT, **data}, indent=2, sort_keys=True) + "\n"
    write_text_atomic(entry.marker, payload)


def wipe(entry: Entry, remove_worktree: Callable[[Path], None]) -> None:
    """Delete the entry; ``remove_worktree`` first unregisters its checkout from the repository."""
    # The marker goes first: if the wipe is interrupted, the rest is still known to be unfinished.
    entry.marker.unlink(missing_ok=True)
    if entry.src.exists():
        remove_worktree(entry.src)
    shutil.rmtree(entry.dir, ignore_errors=True)
