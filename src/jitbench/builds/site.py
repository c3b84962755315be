"""Where a build happens: the steps of ``prepare`` call a Site, which runs them here or on a host.

``LocalSite`` is this machine (files, ``flock``, subprocesses, a git worktree); ``RemoteSite``
(``builds.remote``) does the same over SSH under a host's ``workdir``. ``prepare`` itself holds
the order of the steps, the cache rules and the messages, once for both.
"""

from __future__ import annotations

import fcntl
import hashlib
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePath
from typing import Protocol

from jitbench.builds import cache
from jitbench.builds.git import add_worktree_argv, remove_worktree
from jitbench.builds.model import WORKTREE
from jitbench.builds.snapshot import copy_snapshot
from jitbench.builds.steps import run_step, step_environ
from jitbench.errors import JitbenchError
from jitbench.model import BuildSpec

PROBE = "import platform, sys; print(sys.version); print(platform.machine())"


class Site(Protocol):
    """The operations a build needs from the machine it builds on."""

    where: str  # "" here; " on host 'arm'" for messages

    def show(self, path: PurePath) -> str:
        """A path as the user can find it (``arm:/var/tmp/...`` for a host)."""
        ...

    def base_version(self, spec: BuildSpec) -> str: ...

    def entry(self, runtime: str, sha: str, digest: str) -> cache.Entry: ...

    def locked(
        self, entry: cache.Entry, on_wait: Callable[[], None]
    ) -> AbstractContextManager[None]: ...

    def read_marker(self, entry: cache.Entry) -> dict | None: ...

    def write_marker(self, entry: cache.Entry, data: dict) -> None: ...

    def fresh(self, entry: cache.Entry, spec: BuildSpec) -> None:
        """Wipe the entry and create it empty with its ``out`` folder."""
        ...

    def write_log(self, path: PurePath, text: str, append: bool = False) -> None: ...

    def checkout(
        self, spec: BuildSpec, sha: str, entry: cache.Entry, log: Callable[[str], None]
    ) -> int:
        """Put the revision's files in ``entry.src``; the exit status of the step."""
        ...

    def run_step(
        self, argv: list[str], cwd: PurePath, log_path: PurePath, env_dir: PurePath | None
    ) -> int:
        """Run one step (in the environment ``env_dir`` if given), output appended to the log."""
        ...

    def wheels(self, out: PurePath) -> list[str]: ...


class LocalSite:
    """This machine: the cache folder beside the config, steps as local subprocesses."""

    where = ""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        cache.mark_cache_dir(cache_dir)

    def show(self, path: PurePath) -> str:
        return str(path)

    def base_version(self, spec: BuildSpec) -> str:
        if not spec.base:
            raise JitbenchError(
                f"runtime '{spec.runtime}': `base` is empty; name the "
                'interpreter, e.g. ["python3.14"]'
            )
        try:
            result = subprocess.run(
                [*spec.base, "-c", PROBE], capture_output=True, text=True, stdin=subprocess.DEVNULL
            )
        except OSError:
            raise JitbenchError(
                f"runtime '{spec.runtime}': base interpreter {spec.base[0]!r} not "
                "found; install it or fix `base`"
            ) from None
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            raise JitbenchError(
                f"runtime '{spec.runtime}': base interpreter "
                f"{' '.join(spec.base)!r} failed to start ({last}); fix `base`"
            )
        return result.stdout.strip()

    def entry(self, runtime: str, sha: str, digest: str) -> cache.Entry:
        return cache.entry_for(self.cache_dir, runtime, sha, digest)

    def locked(
        self, entry: cache.Entry, on_wait: Callable[[], None]
    ) -> AbstractContextManager[None]:
        return cache.locked(entry, on_wait=on_wait)

    def read_marker(self, entry: cache.Entry) -> dict | None:
        return cache.read_marker(entry)

    def write_marker(self, entry: cache.Entry, data: dict) -> None:
        cache.write_marker(entry, data)

    def fresh(self, entry: cache.Entry, spec: BuildSpec) -> None:
        with _worktrees_of(spec.repo):
            cache.wipe(entry, lambda path: remove_worktree(spec, path))
        Path(entry.out).mkdir(parents=True)

    def write_log(self, path: PurePath, text: str, append: bool = False) -> None:
        with Path(path).open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)

    def checkout(
        self, spec: BuildSpec, sha: str, entry: cache.Entry, log: Callable[[str], None]
    ) -> int:
        if sha.startswith(WORKTREE + "-"):
            log("copying the working tree")
            copy_snapshot(spec, Path(entry.src), sha)
            return 0
        log("checkout")
        with _worktrees_of(spec.repo):
            return run_step(
                add_worktree_argv(spec, Path(entry.src), sha),
                cwd=Path(entry.dir),
                log_path=Path(entry.build_log),
            )

    def run_step(
        self, argv: list[str], cwd: PurePath, log_path: PurePath, env_dir: PurePath | None
    ) -> int:
        environ = step_environ(Path(env_dir)) if env_dir is not None else None
        return run_step(argv, cwd=Path(cwd), log_path=Path(log_path), environ=environ)

    def wheels(self, out: PurePath) -> list[str]:
        return sorted(str(path) for path in Path(out).glob("*.whl"))


@contextmanager
def _worktrees_of(repo: PurePath) -> Iterator[None]:
    """Adds and removes of one repository's worktrees take turns, across processes.

    git names a worktree's admin folder after its path's last part (every entry's is ``src``),
    so two builds adding worktrees at once can pick the same name and one of them fails.
    """
    key = hashlib.sha256(str(Path(repo).resolve()).encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"jitbench-worktrees-{key}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
