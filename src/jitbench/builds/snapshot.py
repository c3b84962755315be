"""The WORKTREE pseudo-revision: the working tree's files, named by a hash of their names and contents.

Tracked and untracked files that git does not ignore are included (``git ls-files -co
--exclude-standard``), so a build sees what ``git add -A`` would commit. Tracked files deleted from
the disk are left out, as the commit would leave them out. Folders holding a ``CACHEDIR.TAG`` are
left out too, so a jitbench cache kept inside the repository is never copied into itself.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from jitbench.builds.cache import CACHEDIR_TAG
from jitbench.builds.git import working_tree_files
from jitbench.builds.model import WORKTREE
from jitbench.errors import JitbenchError
from jitbench.model import BuildSpec

_CHUNK = 1 << 20


def _entries(root: Path, names: list[str]) -> Iterator[tuple[str, str]]:
    """(relative path, kind) of each file or symlink; a listed folder (a submodule) is walked."""
    for name in names:
        path = root / name
        if path.is_symlink():
            yield name, "link"
        elif path.is_dir():
            for folder, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d != ".git")
                for file in sorted(files):
                    full = Path(folder, file)
                    rel = full.relative_to(root).as_posix()
                    yield rel, "link" if full.is_symlink() else _file_kind(full)
        elif path.is_file():
            yield name, _file_kind(path)


def _file_kind(path: Path) -> str:
    # The executable bit changes what a build can run, so it is part of the identity.
    return "exec" if path.stat().st_mode & 0o111 else "file"


def _digest(root: Path, names: list[str]) -> str:
    digest = hashlib.sha256()
    for rel, kind in sorted(_entries(root, names)):
        path = root / rel
        digest.update(f"{rel}\0{kind}\0".encode())
        if kind == "link":
            digest.update(os.readlink(path).encode() + b"\0")
            continue
        digest.update(f"{path.stat().st_size}\0".encode())
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return f"{WORKTREE}-{digest.hexdigest()[:40]}"


def _snapshot_names(spec: BuildSpec) -> list[str]:
    """The working tree's files, minus any under a cache folder (a jitbench cache inside the repo)."""
    names = working_tree_files(spec)
    tagged: dict[Path, bool] = {}

    def in_cache(relative: Path) -> bool:
        if relative in tagged:
            return tagged[relative]
        inside = (spec.repo / relative / CACHEDIR_TAG).is_file() or (
            relative != relative.parent and in_cache(relative.parent)
        )
        tagged[relative] = inside
        return inside

    return [name for name in names if not in_cache(Path(name).parent)]


def snapshot_id(spec: BuildSpec) -> str:
    """``WORKTREE-<hash>`` of the working tree as it is now."""
    return _digest(spec.repo, _snapshot_names(spec))


def copy_snapshot(spec: BuildSpec, dest: Path, expected: str) -> None:
    """Copy the working tree's files into ``dest`` and check the copy still hashes to ``expected``."""
    names = _snapshot_names(spec)
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for rel, kind in _entries(spec.repo, names):
        source, target = spec.repo / rel, dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if kind == "link":
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
        copied.append(rel)
    # The cache entry is named by ``expected``; an edit made while we copied would break that.
    if _digest(dest, copied) != expected:
        raise JitbenchError(
            f"runtime '{spec.runtime}': the working tree of {spec.repo} changed while jitbench "
            "copied it; run again once the edits are saved"
        )


def snapshot_files(spec: BuildSpec, expected: str) -> list[tuple[str, Path]]:
    """(relative name, path) of each working-tree file, checked to still hash to ``expected``."""
    check_snapshot(spec, expected)
    names = _snapshot_names(spec)
    return [(rel, spec.repo / rel) for rel, _kind in _entries(spec.repo, names)]


def check_snapshot(spec: BuildSpec, expected: str) -> None:
    """One-line error when the working tree no longer hashes to ``expected`` (edited meanwhile)."""
    if snapshot_id(spec) != expected:
        raise _changed(spec)


def _changed(spec: BuildSpec) -> JitbenchError:
    return JitbenchError(
        f"runtime '{spec.runtime}': the working tree of {spec.repo} changed while jitbench "
        "copied it; run again once the edits are saved"
    )
