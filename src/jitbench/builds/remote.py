"""Building on an SSH host: the same steps as here, run there, cached under the host's workdir.

The revision's files travel as a tar stream (``git archive``, or the WORKTREE files) into the
base interpreter's ``tarfile`` on the host, so the host needs neither git nor the repository.
Every remote command line is built from argv lists with ``shlex.quote``; the few shell words
around them (``cd``, ``>>``, ``exit``) are fixed text. Small fixed Python scripts, run by the
base interpreter, hold the entry's lock and unpack the files.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePath, PurePosixPath

from jitbench.builds import cache
from jitbench.builds.model import WORKTREE
from jitbench.builds.site import PROBE
from jitbench.builds.snapshot import check_snapshot, snapshot_files
from jitbench.errors import JitbenchError
from jitbench.execute.hosts import access_for
from jitbench.execute.ssh import last_line, quote_command
from jitbench.execute.transport import Completed
from jitbench.model import BuildSpec, Host

# Holds an exclusive flock on argv[1] until stdin closes: when jitbench ends or dies, ssh closes
# the session, stdin ends, the process exits and the kernel drops the lock.
_LOCK = (
    "import fcntl,os,sys\n"
    "p=sys.argv[1]\n"
    "os.makedirs(os.path.dirname(p),exist_ok=True)\n"
    "f=open(p,'a')\n"
    "try:\n"
    "    fcntl.flock(f,fcntl.LOCK_EX|fcntl.LOCK_NB)\n"
    "except BlockingIOError:\n"
    "    print('waiting',flush=True)\n"
    "    fcntl.flock(f,fcntl.LOCK_EX)\n"
    "print('locked',flush=True)\n"
    "sys.stdin.read()\n"
)
# Unpacks a tar stream from stdin into argv[1] (a fresh folder).
_EXTRACT = (
    "import os,sys,tarfile\n"
    "os.makedirs(sys.argv[1],exist_ok=True)\n"
    "t=tarfile.open(fileobj=sys.stdin.buffer,mode='r|')\n"
    "kw={'filter':'tar'} if hasattr(tarfile,'tar_filter') else {}\n"
    "t.extractall(sys.argv[1],**kw)\n"
)
_SECONDS = "$(date +%s)"  # fixed shell text: the host's clock, to time a step in its log


class RemoteSite:
    """A host's build cache, ``<workdir>/builds``, and its steps over SSH."""

    def __init__(self, host: Host):
        self.host = host
        self.connection = access_for(host).connection
        self.root = PurePosixPath(host.workdir) / "builds"
        self.where = f" on host '{host.name}'"
        # The host's base interpreter runs the lock and unpack scripts; set by base_version(),
        # which prepare() calls before anything else.
        self._base: tuple[str, ...] = ()

    def show(self, path: PurePath) -> str:
        return f"{self.host.name}:{path}"

    # -- running commands ------------------------------------------------------------------

    def _run(self, remote: str, *, stdin: bytes = b"", timeout: float = 600.0) -> Completed:
        access_for(self.host).connect()
        done = self.connection.run(remote, stdin=stdin, timeout=timeout)
        if done.connection_lost:
            raise JitbenchError(
                f"host '{self.host.name}': connection lost while building "
                f"({last_line(done.stderr) or 'ssh exit status 255'}); check the "
                "host and run again"
            )
        return done

    def _must(self, remote: str, what: str, *, stdin: bytes = b"") -> str:
        done = self._run(remote, stdin=stdin)
        if done.returncode != 0:
            raise JitbenchError(
                f"host '{self.host.name}': {what} failed "
                f"({last_line(done.stderr) or f'exit status {done.returncode}'}); "
                f"check that {self.host.workdir} is writable there "
                f"(hosts.{self.host.name}.workdir)"
            )
        return done.stdout.decode("utf-8", errors="replace")

    # -- the Site operations ---------------------------------------------------------------

    def base_version(self, spec: BuildSpec) -> str:
        if not spec.base:
            raise JitbenchError(
                f"runtime '{spec.runtime}': `base` is empty; name the "
                'interpreter, e.g. ["python3.14"]'
            )
        self._base = spec.base
        done = self._run(quote_command([*spec.base, "-c", PROBE]))
        if done.returncode in (126, 127):
            raise JitbenchError(
                f"runtime '{spec.runtime}': base interpreter {spec.base[0]!r} not "
                f"found on host '{self.host.name}'; install it there or fix "
                "`base`"
            )
        if done.returncode != 0:
            raise JitbenchError(
                f"runtime '{spec.runtime}': base interpreter "
                f"{' '.join(spec.base)!r} failed to start on host "
                f"'{self.host.name}' ({last_line(done.stderr) or 'no output'}); "
                "fix `base`"
            )
        # The cache is tagged once the host is known to answer.
        tag = self.root / cache.CACHEDIR_TAG
        self._must(
            f"mkdir -p {shlex.quote(str(self.root))} && {{ test -f {shlex.quote(str(tag))} "
            f"|| cat > {shlex.quote(str(tag))}; }}",
            "creating the build cache",
            stdin=cache.TAG_TEXT.encode(),
        )
        return done.stdout.decode("utf-8", errors="replace").strip()

    def entry(self, runtime: str, sha: str, digest: str) -> cache.Entry:
        return cache.entry_at(self.root, runtime, sha, digest)

    @contextmanager
    def locked(self, entry: cache.Entry, on_wait: Callable[[], None]) -> Iterator[None]:
        remote = quote_command([*self._base, "-c", _LOCK, str(entry.lock_path)])
        access_for(self.host).connect()
        proc = subprocess.Popen(
            self.connection.argv(remote),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                line = raw.decode().strip()
                if line == "waiting":
                    on_wait()
                elif line == "locked":
                    break
            else:
                err = proc.stderr.read() if proc.stderr else b""
                raise JitbenchError(
                    f"host '{self.host.name}': cannot lock the build entry "
                    f"{entry.lock_path} ({last_line(err) or 'no answer'}); check "
                    f"that {self.host.workdir} is writable there"
                )
            yield
        finally:
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def read_marker(self, entry: cache.Entry) -> dict | None:
        done = self._run(
            f"test -x {shlex.quote(str(entry.python))} && "
            f"test -d {shlex.quote(str(entry.src))} && "
            f"cat {shlex.quote(str(entry.marker))}"
        )
        if done.returncode != 0:
            return None
        try:
            data = json.loads(done.stdout)
        except ValueError:
            return None
        return data if isinstance(data, dict) and data.get("format") == cache.FORMAT else None

    def write_marker(self, entry: cache.Entry, data: dict) -> None:
        payload = json.dumps({"format": cache.FORMAT, **data}, indent=2, sort_keys=True) + "\n"
        temp = shlex.quote(f"{entry.marker}.tmp")
        # Written whole, then renamed: complete.json exists entirely or not at all.
        self._must(
            f"cat > {temp} && mv -f {temp} {shlex.quote(str(entry.marker))}",
            "writing complete.json",
            stdin=payload.encode(),
        )

    def fresh(self, entry: cache.Entry, spec: BuildSpec) -> None:
        q = shlex.quote
        # The marker goes first: if the wipe is interrupted, the rest is known to be unfinished.
        self._must(
            f"rm -f {q(str(entry.marker))} && rm -rf {q(str(entry.dir))} && "
            f"mkdir -p {q(str(entry.out))}",
            "preparing the build folder",
        )

    def write_log(self, path: PurePath, text: str, append: bool = False) -> None:
        self._must(
            f"cat {'>>' if append else '>'} {shlex.quote(str(path))}",
            "writing a log",
            stdin=text.encode(),
        )

    def checkout(
        self, spec: BuildSpec, sha: str, entry: cache.Entry, log: Callable[[str], None]
    ) -> int:
        log(f"sending the revision's files to host '{self.host.name}'")
        with tempfile.TemporaryFile() as tar:
            if sha.startswith(WORKTREE + "-"):
                _worktree_tar(spec, sha, tar)
                what = "the working tree's files"
            else:
                what = f"git archive {sha}"
                if not _git_archive(spec, sha, tar):
                    return 128
            tar.seek(0)
            data = tar.read()
        self.write_log(
            entry.build_log, f"\n$ ({what}) | python -c EXTRACT {entry.src}\n", append=True
        )
        done = self._run(quote_command([*spec.base, "-c", _EXTRACT, str(entry.src)]), stdin=data)
        tail = done.stderr.decode("utf-8", errors="replace")
        self.write_log(entry.build_log, f"{tail}# exit status {done.returncode}\n", append=True)
        return done.returncode or 0

    def run_step(
        self, argv: list[str], cwd: PurePath, log_path: PurePath, env_dir: PurePath | None
    ) -> int:
        q = shlex.quote
        command = quote_command(argv)
        if env_dir is not None:
            # As in an activated venv: its bin first on the host's own PATH, no PYTHONHOME.
            command = (
                f"env -u PYTHONHOME VIRTUAL_ENV={q(str(env_dir))} "
                f'PATH={q(str(env_dir) + "/bin:")}"$PATH" {command}'
            )
        header = f"\n$ {shlex.join(argv)}\n# cwd: {cwd}\n"
        log = q(str(log_path))
        remote = (
            f"printf '%s' {q(header)} >> {log}; start={_SECONDS}; "
            f"cd {q(str(cwd))} && {command} >> {log} 2>&1 < /dev/null; s=$?; "
            f'echo "# exit status $s after $(( {_SECONDS} - start )) s" >> {log}; exit $s'
        )
        done = self._run(remote, timeout=24 * 3600)
        return done.returncode if done.returncode is not None else 1

    def wheels(self, out: PurePath) -> list[str]:
        listing = self._must(
            quote_command(["find", str(out), "-maxdepth", "1", "-type", "f", "-name", "*.whl"]),
            "listing the built wheels",
        )
        return sorted(line for line in listing.splitlines() if line.strip())


def _git_archive(spec: BuildSpec, sha: str, out) -> bool:
    """``git archive`` of the commit into ``out``; False when git refuses."""
    result = subprocess.run(
        ["git", "-C", str(spec.repo), "archive", "--format=tar", sha],
        stdout=out,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    return result.returncode == 0


def _worktree_tar(spec: BuildSpec, expected: str, out) -> None:
    """The WORKTREE files as a tar; one-line error if they changed while being read."""
    with tarfile.open(fileobj=out, mode="w") as tar:
        for rel, path in snapshot_files(spec, expected):
            tar.add(str(path), arcname=rel, recursive=False)
    out.flush()
    # The entry is named by ``expected``: an edit made while the files were read would break that.
    check_snapshot(spec, expected)
