"""What travels to the target: a tiny bootstrap on the command line, the task and files on stdin.

The target needs nothing but an interpreter. ``python -c BOOTSTRAP`` reads a compressed JSON payload
from stdin. Files come in bundles (the runner, the pyperf shim, the benchmark's folder, a package
environment), each named by the hash of its content and kept in a per-user cache folder under the
target's temp dir; a process links the bundles it needs into its own folder, runs the task and
removes the folder. A bundle the target already holds travels as its hash alone; when the cache no
longer has it, the bootstrap says so (exit status 3) and the host sends it whole. The same bytes
serve a local interpreter, one inside a chroot and one over SSH.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..runner import jitbench_protocol as protocol

RUNNER_DIR = Path(__file__).resolve().parent.parent / "runner"
MISSING_MARKER = protocol.MISSING_MARKER.encode("ascii")
MISSING_STATUS = protocol.MISSING_STATUS

# Python 3.9+ and PyPy compatible; kept on one line per statement so it survives any argv transport.
BOOTSTRAP = (
    "import sys,os,json,base64,zlib\n"
    "def _rm(top):\n"
    "    for d,dirs,files in os.walk(top,topdown=False):\n"
    "        for n in files: os.unlink(os.path.join(d,n))\n"
    "        for n in dirs:\n"
    "            p=os.path.join(d,n)\n"
    "            os.unlink(p) if os.path.islink(p) else os.rmdir(p)\n"
    "    os.rmdir(top)\n"
    "def _unpack(files,top):\n"
    "    for rel,data in files.items():\n"
    "        p=os.path.join(top,rel)\n"
    "        os.makedirs(os.path.dirname(p),exist_ok=True)\n"
    "        with open(p,'wb') as f: f.write(base64.b64decode(data))\n"
    "def _cache(base):\n"
    # Per user and private: a bundle found here is run as code, so nobody else may plant one.
    "    c=os.path.join(base,'jitbench-cache-%d'%os.getuid())\n"
    "    os.makedirs(c,0o700,exist_ok=True)\n"
    "    st=os.lstat(c)\n"
    "    if st.st_uid!=os.getuid() or st.st_mode&0o077 or os.path.islink(c):\n"
    "        raise SystemExit('jitbench: %s is not a private folder of this user; remove it'%c)\n"
    "    return c\n"
    # Bundles unused for two weeks go when a new one arrives; each use refreshes its time.
    "def _prune(cache,keep):\n"
    "    import time\n"
    "    old=time.time()-14*86400\n"
    "    for n in os.listdir(cache):\n"
    "        p=os.path.join(cache,n)\n"
    "        try:\n"
    "            if n!=keep and os.lstat(p).st_mtime<old: _rm(p)\n"
    "        except OSError: pass\n"
    "def _jb():\n"
    # The payload is framed by its length: jitbench keeps stdin open while the process lives.
    "    inp=sys.stdin.buffer\n"
    "    n=int(inp.readline() or 0)\n"
    "    data=inp.read(n)\n"
    "    if not n or len(data)<n: return 'jitbench: the payload on stdin ended early'\n"
    "    doc=json.loads(zlib.decompress(data).decode('utf-8'))\n"
    # tempfile would import random and shutil: a private folder from the pid and urandom is enough.
    "    base=os.environ.get('TMPDIR') or '/tmp'\n"
    "    cache=_cache(base)\n"
    "    root=os.path.join(base,'jitbench-%d-%s'%(os.getpid(),base64.b16encode(os.urandom(6)).decode()))\n"
    "    os.mkdir(root,0o700)\n"
    "    try:\n"
    "        missing=[]\n"
    "        for b in doc['bundles']:\n"
    "            d=os.path.join(cache,b['digest'])\n"
    "            if not os.path.isdir(d):\n"
    "                if 'files' not in b:\n"
    "                    missing.append(b['digest'])\n"
    "                    continue\n"
    # Unpacked aside and renamed into place: a bundle in the cache is always whole.
    "                tmp='%s.%d.tmp'%(d,os.getpid())\n"
    "                _unpack(b['files'],tmp)\n"
    "                try: os.rename(tmp,d)\n"
    "                except OSError: _rm(tmp)\n"
    "                else: _prune(cache,b['digest'])\n"
    "            else: os.utime(d)\n"
    "            os.symlink(d,os.path.join(root,b['mount']))\n"
    "        if missing:\n"
    f"            sys.stdout.write({protocol.MISSING_MARKER!r}+' '.join(missing)+'\\n')\n"
    f"            return {protocol.MISSING_STATUS}\n"
    "        sys.path.insert(0,os.path.join(root,'runner'))\n"
    "        import jitbench_runner\n"
    "        sys.path.pop(0)\n"
    "        return jitbench_runner.main(doc['task'],root)\n"
    "    finally:\n"
    "        os.chdir(base)\n"
    "        try: _rm(root)\n"
    "        except OSError: pass\n"
    "sys.exit(_jb())\n"
)


@dataclass(frozen=True)
class Bundle:
    """Files that appear together under ``mount`` in the process's folder, named by their hash.

    Small bundles keep their ``files``; a large one made from a folder (a package environment)
    keeps only the ``folder`` and reads it again on the rare occasions it is sent whole.
    """

    mount: str
    files: dict[str, bytes] | None  # path under the mount → content
    digest: str
    folder: Path | None = None

    def contents(self) -> dict[str, bytes]:
        if self.files is not None:
            return self.files
        assert self.folder is not None  # folder_bundle() keeps the folder when it keeps no files
        return folder_files(self.folder)


def _digest(mount: str, files: dict[str, bytes]) -> str:
    h = hashlib.sha256(mount.encode() + b"\0")
    for rel in sorted(files):
        data = files[rel]
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()[:32]


def make_bundle(mount: str, files: dict[str, bytes]) -> Bundle:
    """A bundle of ``files`` (paths relative to ``mount``), its digest computed from the content."""
    return Bundle(mount, dict(files), _digest(mount, files))


def folder_bundle(mount: str, folder: Path) -> Bundle:
    """A bundle of every file under ``folder``, hashed now and read again only when sent."""
    return Bundle(mount, None, _digest(mount, folder_files(folder)), folder)


@functools.cache
def runner_bundles() -> tuple[Bundle, ...]:
    """The runner and the pyperf shim, as read once per jitbench process."""
    runner = {
        name: (RUNNER_DIR / name).read_bytes()
        for name in (
            "jitbench_runner.py",
            "jitbench_protocol.py",
            "jitbench_probes.py",
            "jitbench_counters.py",
            "jitbench_lifetime.py",
            "child/sitecustomize.py",
        )
    }
    shim = {
        f"pyperf/{p.name}": p.read_bytes() for p in sorted((RUNNER_DIR / "pyperf").glob("*.py"))
    }
    return make_bundle("runner", runner), make_bundle("shim", shim)


def folder_files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` but bytecode caches, keyed by its path relative to it."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not _compiled(p)
    }


def benchmark_files(path: Path, extra: tuple[Path, ...] = ()) -> dict[str, bytes]:
    """The benchmark file plus its declared data files, keyed by their place under ``bench/``."""
    base = path.parent
    files = {f"bench/{path.name}": path.read_bytes()}
    for item in extra:
        paths = (
            sorted(p for p in item.rglob("*") if p.is_file() and not _compiled(p))
            if item.is_dir()
            else [item]
        )
        for p in paths:
            files[f"bench/{p.relative_to(base).as_posix()}"] = p.read_bytes()
    return files


def _compiled(path: Path) -> bool:
    """Bytecode caches: the target compiles for itself."""
    return "__pycache__" in path.parts or path.suffix == ".pyc"


def bundles_for(files: dict[str, bytes], extra: Iterable[Bundle] = ()) -> list[Bundle]:
    """The runner's bundles, one bundle per top folder of ``files`` (``bench/...``), and ``extra``."""
    by_mount: dict[str, dict[str, bytes]] = {}
    for key, data in files.items():
        mount, _, rel = key.partition("/")
        by_mount.setdefault(mount, {})[rel] = data
    return [*runner_bundles(), *(make_bundle(m, f) for m, f in sorted(by_mount.items())), *extra]


def encode(
    task: dict, bundles: list[Bundle], held: frozenset[str] | set[str] = frozenset()
) -> bytes:
    """The bytes the bootstrap reads: the task, and every bundle the target does not hold whole.

    A length line comes first: stdin stays open after the payload, and its end-of-file tells the
    target that jitbench (or the connection to it) is gone.
    """
    doc = {"task": task, "bundles": [_bundle_doc(b, b.digest in held) for b in bundles]}
    data = zlib.compress(json.dumps(doc).encode("utf-8"), 6)
    return b"%d\n" % len(data) + data


def decode(payload: bytes) -> dict:
    """The document ``encode`` framed (what the bootstrap reads): task and bundles."""
    length, _, data = payload.partition(b"\n")
    return json.loads(zlib.decompress(data[: int(length)]))


def _bundle_doc(b: Bundle, held: bool) -> dict:
    doc: dict = {"mount": b.mount, "digest": b.digest}
    if not held:
        doc["files"] = {k: base64.b64encode(v).decode("ascii") for k, v in b.contents().items()}
    return doc


def build_payload(task: dict, files: dict[str, bytes]) -> bytes:
    """Compress the task and every file (keyed ``MOUNT/PATH``) into what the bootstrap reads."""
    return encode(task, bundles_for(files))


def missing_digests(stdout: bytes) -> list[str] | None:
    """The bundles a target said it lacks, or None when it lacked none."""
    for line in stdout.splitlines():
        if line.startswith(MISSING_MARKER):
            return line[len(MISSING_MARKER) :].decode("ascii", "replace").split()
    return None
