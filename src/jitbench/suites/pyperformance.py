"""pyperformance's benchmarks by name, read from the installed pyperformance package.

``pyperformance:NAME`` is one benchmark of its manifest (``pickle_pure_python``, ``async_tree_io``)
and ``pyperformance:GROUP`` a group (``default``, ``apps``, ``startup``, ...). Each one becomes a
pyperf-script :class:`~jitbench.model.Benchmark` carrying what pyperformance would pass or ship: the
``extra_opts`` of its ``[tool.pyperformance]`` table, its whole folder (data files, sibling modules)
and its ``requirements.txt``. Nothing is fetched: the manifest is the installed package's.
"""

from __future__ import annotations

import functools
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import SpecifierSet

from ..errors import JitbenchError
from ..model import Benchmark

PREFIX = "pyperformance:"
PINNED = "pyperformance==1.14.0"  # the release whose manifest jitbench's tests check
_INSTALL = f"install it next to jitbench (pip install {PINNED})"


@dataclass(frozen=True)
class Entry:
    """One benchmark of pyperformance's manifest and what running it needs."""

    name: str
    script: Path  # its run_benchmark.py
    args: tuple[str, ...]  # extra_opts from its [tool.pyperformance] table
    tags: tuple[str, ...]
    requirements: tuple[str, ...]  # pinned lines of its requirements.txt, minus pyperf itself
    requirements_file: Path | None
    data: bool  # has a data folder
    command: bool  # times whole processes (pyperf bench_command)
    requires_python: str  # the project's requires-python, "" when none

    @property
    def folder(self) -> Path:
        return self.script.parent


@dataclass(frozen=True)
class Manifest:
    """The installed pyperformance's benchmarks by name and its groups."""

    version: str
    entries: dict[str, Entry]
    groups: dict[str, tuple[str, ...]]


def is_suite_name(name: str) -> bool:
    """Whether ``name`` names pyperformance benchmarks (``pyperformance:NAME``)."""
    return name.startswith(PREFIX)


@functools.cache
def manifest() -> Manifest:
    """Read the installed pyperformance's manifest, or fail in one line saying how to install it."""
    try:
        import pyperformance
        from pyperformance import _manifest
    except ImportError:
        raise JitbenchError(
            f"pyperformance benchmarks need the pyperformance package; {_INSTALL}"
        ) from None
    path = os.path.join(pyperformance.DATA_DIR, "benchmarks", "MANIFEST")
    raw = _manifest.load_manifest(path)
    entries = {b.name: _entry(b) for b in sorted(raw.benchmarks, key=lambda b: b.name)}
    groups = {
        g: tuple(sorted({b.name for b in raw.resolve_group(g, fail=False)}))
        for g in sorted(raw.groups)
    }
    return Manifest(pyperformance.__version__, entries, groups)


def _entry(bench) -> Entry:
    script = Path(bench.runscript)
    lockfile = Path(bench.requirements_lockfile) if bench.requirements_lockfile else None
    if lockfile is not None and not lockfile.is_file():
        lockfile = None
    reqs = _requirements(lockfile) if lockfile is not None else ()
    reqs += _vendored(script.parent / "vendor")
    source = script.read_text(encoding="utf-8", errors="replace")
    return Entry(
        name=bench.name,
        script=script,
        args=tuple(str(a) for a in bench.extra_opts or ()),
        tags=tuple(bench.tags or ()),
        requirements=reqs,
        requirements_file=lockfile if reqs else None,
        data=(script.parent / "data").is_dir(),
        command=".bench_command(" in source,
        requires_python=str(bench.python),
    )


def _requirements(path: Path) -> tuple[str, ...]:
    """Requirement lines of ``path`` other than pyperf (jitbench ships its own pyperf)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        project = re.split(r"[<>=!~;\[ ]", line, maxsplit=1)[0].lower().replace("_", "-")
        if project != "pyperf":
            out.append(line)
    return tuple(out)


def _vendored(folder: Path) -> tuple[str, ...]:
    """The project a benchmark ships in its ``vendor`` folder, as a requirement for the Pythons it
    declares (``bm_2to3``'s ``lib2to3`` for 3.13+, which pyperformance pip-installs at run time)."""
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return ()
    project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    line = f"{project['name']} @ {folder.resolve().as_uri()}"
    pythons = SpecifierSet(project.get("requires-python", ""))
    markers = [f'python_full_version {s.operator} "{s.version}"' for s in sorted(pythons, key=str)]
    return (line + (" ; " + " and ".join(markers) if markers else ""),)


def _shown(line: str) -> str:
    """``lib2to3 (vendored, python >= 3.13.0a0)`` for a vendored project's requirement line."""
    head, sep, marker = line.partition(" @ ")
    if not sep:
        return line
    pythons = re.findall(r'python_full_version (\S+) "([^"]+)"', marker)
    return f"{head} (vendored{''.join(f', python {op} {v}' for op, v in pythons)})"


def expand(name: str) -> list[Benchmark]:
    """The benchmarks ``pyperformance:NAME`` or ``pyperformance:GROUP`` stands for, by name."""
    m = manifest()
    key = name[len(PREFIX) :]
    if key in m.entries:
        return [benchmark(m.entries[key])]
    if key in m.groups:
        return [benchmark(m.entries[n]) for n in m.groups[key] if n in m.entries]
    raise JitbenchError(
        f"unknown pyperformance benchmark or group {key!r} (pyperformance "
        f"{m.version}); groups: {', '.join(m.groups)}; list them with: "
        "jitbench benchmarks --pyperformance"
    )


def benchmark(entry: Entry) -> Benchmark:
    """The jitbench benchmark that runs ``entry`` as pyperformance defines it."""
    return Benchmark(
        name=PREFIX + entry.name,
        path=entry.script,
        kind="pyperf",
        data_files=(entry.folder,),
        args=entry.args,
        requirements=entry.requirements,
        jit_idle_ok=True,
        description=f"pyperformance {manifest().version}: {entry.name}",
    )


def needs(entry: Entry) -> str:
    """What running ``entry`` takes, in a few words for the listing."""
    parts = []
    if entry.args:
        parts.append("args " + " ".join(entry.args))
    if entry.data:
        parts.append("data folder")
    siblings = sorted(p.stem for p in entry.folder.glob("*.py") if p.name != "run_benchmark.py")
    if siblings:
        parts.append("modules " + ", ".join(siblings))
    if entry.command:
        parts.append("whole processes (bench_command)")
    if entry.requirements:
        # A vendored project by its name and Pythons, not by the path it has here.
        shown = [_shown(r) for r in entry.requirements]
        parts.append("packages " + ", ".join(shown))
    if entry.requires_python:
        parts.append("python " + entry.requires_python)
    return "; ".join(parts) or "standard library"
