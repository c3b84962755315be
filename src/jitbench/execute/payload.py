"""What travels to the target: a tiny bootstrap on the command line, the runner and benchmark on stdin.

The target needs nothing but an interpreter. ``python -c BOOTSTRAP`` reads a compressed JSON payload
from stdin, unpacks the runner, the pyperf shim and the benchmark sources into a temporary folder,
runs the task, and removes the folder. The same bytes serve a local interpreter, one inside a chroot
and one over SSH.
"""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path

RUNNER_DIR = Path(__file__).resolve().parent.parent / "runner"

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
    "def _jb():\n"
    "    doc=json.loads(zlib.decompress(sys.stdin.buffer.read()).decode('utf-8'))\n"
    # tempfile would import random and shutil: a private folder from the pid and urandom is enough.
    "    base=os.environ.get('TMPDIR') or '/tmp'\n"
    "    root=os.path.join(base,'jitbench-%d-%s'%(os.getpid(),base64.b16encode(os.urandom(6)).decode()))\n"
    "    os.mkdir(root,0o700)\n"
    "    try:\n"
    "        for rel,data in doc['files'].items():\n"
    "            p=os.path.join(root,rel)\n"
    "            os.makedirs(os.path.dirname(p),exist_ok=True)\n"
    "            with open(p,'wb') as f: f.write(base64.b64decode(data))\n"
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


def _runner_files() -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in ("jitbench_runner.py", "jitbench_probes.py", "jitbench_counters.py"):
        files[f"runner/{name}"] = (RUNNER_DIR / name).read_bytes()
    for path in sorted((RUNNER_DIR / "pyperf").glob("*.py")):
        files[f"shim/pyperf/{path.name}"] = path.read_bytes()
    return files


def benchmark_files(path: Path, extra: tuple[Path, ...] = ()) -> dict[str, bytes]:
    """The benchmark file plus its declared data files, keyed by their place under ``bench/``."""
    base = path.parent
    files = {f"bench/{path.name}": path.read_bytes()}
    for item in extra:
        paths = sorted(p for p in item.rglob("*") if p.is_file() and not _compiled(p)
                       ) if item.is_dir() else [item]
        for p in paths:
            files[f"bench/{p.relative_to(base).as_posix()}"] = p.read_bytes()
    return files


def _compiled(path: Path) -> bool:
    """Bytecode caches: the target compiles for itself."""
    return "__pycache__" in path.parts or path.suffix == ".pyc"


def build_payload(task: dict, files: dict[str, bytes]) -> bytes:
    """Compress the task and every file into the bytes the bootstrap reads from stdin."""
    all_files = _runner_files()
    all_files.update(files)
    doc = {
        "task": task,
        "files": {k: base64.b64encode(v).decode("ascii") for k, v in all_files.items()},
    }
    return zlib.compress(json.dumps(doc).encode("utf-8"), 6)
