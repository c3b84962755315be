"""Package environments for benchmarks with requirements, made on the host for the target.

The target may have no network and no pip (the CinderX root), so everything happens here: its
interpreter is asked once what wheels it takes (implementation, version, ABI, glibc, machine);
``pip download --only-binary=:all:`` fetches wheels for exactly that, and ``pip install --target``
lays them out offline into a site folder. The folder is cached by what went into it and ships to
the target as a payload bundle (sent once per target, then named by its hash), where the runner
adds it as a site directory ahead of the runtime's own packages.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from packaging.requirements import InvalidRequirement, Requirement

from ..execute.payload import Bundle, folder_bundle
from ..execute.transport import Transport
from ..model import Benchmark, Runtime
from ..runtimes import provisioned

PIP_TIMEOUT = 900.0
# pyperformance's own venvs hold these installer packages too; setuptools' distutils shim is what
# older pinned packages (Django 3.2) import on Python 3.12+, where distutils is gone.
INSTALLER_PACKAGES = ("setuptools", "wheel")
# What the target reports about itself: enough to name the wheels it can import.
PROBE = (
    "import sys,json,platform,sysconfig\n"
    "print(json.dumps({'impl':sys.implementation.name,'version':list(sys.version_info[:2]),"
    "'soabi':sysconfig.get_config_var('SOABI') or '','machine':platform.machine(),"
    "'libc':list(platform.libc_ver()),'platform':sysconfig.get_platform()}))\n"
)


@dataclass(frozen=True)
class Target:
    """The wheel tags a target interpreter accepts, in pip's command-line terms."""

    implementation: str  # cp, pp
    python_version: str  # 3.14
    abis: tuple[str, ...]  # cp314, abi3, none
    platforms: tuple[str, ...]  # manylinux_2_41_x86_64 ... linux_x86_64

    @property
    def label(self) -> str:
        return f"{self.abis[0]} {self.platforms[-1]}"

    def pip_args(self) -> list[str]:
        out = [
            "--only-binary=:all:",
            "--implementation",
            self.implementation,
            "--python-version",
            self.python_version,
        ]
        for abi in self.abis:
            out += ["--abi", abi]
        for plat in self.platforms:
            out += ["--platform", plat]
        return out


def target_from_facts(facts: dict) -> Target:
    """Wheel tags from what the target interpreter reported (``PROBE``)."""
    major, minor = facts["version"]
    impl = {"cpython": "cp", "pypy": "pp"}.get(facts["impl"], facts["impl"][:2])
    soabi = facts.get("soabi") or ""
    abis: tuple[str, ...]
    if impl == "cp":
        # cpython-314-x86_64-linux-gnu → cp314; a free-threaded build says cpython-314t.
        m = re.match(r"cpython-(\d+t?)", soabi)
        abis = (f"cp{m.group(1) if m else f'{major}{minor}'}", "abi3", "none")
    else:
        # pypy39-pp73-x86_64-linux-gnu → pypy39_pp73
        abis = ("_".join(soabi.split("-")[:2]) or "none", "none")
    machine = facts["machine"]
    libc, libc_version = facts.get("libc") or ["", ""]
    platforms: list[str] = []
    if libc == "glibc" and libc_version:
        glibc_major, glibc_minor = (int(x) for x in libc_version.split(".")[:2])
        platforms += [f"manylinux_{glibc_major}_{m}_{machine}" for m in range(glibc_minor, 16, -1)]
        platforms += [
            f"manylinux2014_{machine}",
            f"manylinux2010_{machine}",
            f"manylinux1_{machine}",
        ]
    platforms.append(facts["platform"].replace("-", "_").replace(".", "_"))
    return Target(impl, f"{major}.{minor}", abis, tuple(platforms))


_targets: dict[tuple, Target | str] = {}


def probe_target(transport: Transport, runtime: Runtime, timeout: float) -> Target | str:
    """What wheels ``runtime`` takes (asked once per runtime), or why it could not be asked."""
    key = (runtime.host_name, runtime.command)
    if key not in _targets:
        done = transport.run([*runtime.command, "-c", PROBE], {}, b"", min(timeout, 120.0))
        try:
            _targets[key] = target_from_facts(json.loads(done.stdout.decode().splitlines()[-1]))
        except (ValueError, IndexError, KeyError, TypeError):
            tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no answer"]
            return (
                f"runtime {runtime.name!r} did not say which wheels it takes: {tail[0]}; "
                f"check runtimes.{runtime.name}.command"
            )
    return _targets[key]


def applicable(requirements: tuple[str, ...], target: Target) -> tuple[str, ...]:
    """The requirement lines whose environment markers hold for ``target``'s Python."""
    impl = {"cp": "cpython", "pp": "pypy"}.get(target.implementation, target.implementation)
    env = {
        "python_version": target.python_version,
        "python_full_version": f"{target.python_version}.0",
        "implementation_name": impl,
        "platform_python_implementation": {"cpython": "CPython", "pypy": "PyPy"}.get(impl, impl),
    }
    out = []
    for line in requirements:
        req = _parsed(line)
        if req is None or req.marker is None or req.marker.evaluate(env):
            out.append(line)
    return tuple(out)


def _parsed(line: str) -> Requirement | None:
    """The requirement a line states; None for what only pip reads (options, paths)."""
    try:
        return Requirement(line)
    except InvalidRequirement:
        return None


def environments_dir() -> Path:
    """Where prepared site folders and downloaded wheels are kept on the host."""
    return provisioned.cache_dir() / "environments"


def for_benchmark(
    transport: Transport, runtime: Runtime, bench: Benchmark, timeout: float
) -> tuple[Bundle, dict] | str | None:
    """The site bundle holding ``bench``'s requirements for ``runtime`` and its record, or why not;
    None when none of them applies to that runtime (e.g. a backport its Python does not need)."""
    target = probe_target(transport, runtime, timeout)
    if isinstance(target, str):
        return target
    requirements = applicable(bench.requirements, target)
    if not requirements:
        return None
    prepared = prepare(requirements, target)
    if isinstance(prepared, str):
        return f"benchmark {bench.name!r} on runtime {runtime.name!r}: {prepared}"
    site, record = prepared
    return _bundle(str(site)), record


@functools.cache
def _bundle(site: str) -> Bundle:
    return folder_bundle("site", Path(site))


_prepared: dict[str, tuple[Path, dict] | str] = {}
_prepare_lock = threading.Lock()  # hosts run in parallel threads; one pip at a time


def prepare(requirements: tuple[str, ...], target: Target) -> tuple[Path, dict] | str:
    """A site folder with ``requirements`` installed for ``target`` (cached), or one line why not."""
    key = hashlib.sha256(
        json.dumps([sorted(requirements), target.pip_args()]).encode()
    ).hexdigest()[:24]
    with _prepare_lock:
        if key not in _prepared:
            root = environments_dir()
            record_path = root / key / "environment.json"
            if record_path.is_file() and (root / key / "site").is_dir():
                _prepared[key] = root / key / "site", json.loads(record_path.read_text())
            else:
                _prepared[key] = _build(requirements, target, root, key)
        return _prepared[key]


_PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]


def _build(
    requirements: tuple[str, ...], target: Target, root: Path, key: str
) -> tuple[Path, dict] | str:
    """Download, build where needed and install ``requirements`` for ``target`` under ``root``;
    (site folder, record), or one line why not."""
    wheels = root / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jitbench-env-", dir=root) as tmp:
        lines = _requirement_lines(requirements, Path(tmp) / "local", target)
        if isinstance(lines, str):
            return lines
        reqfile = Path(tmp) / "requirements.txt"
        reqfile.write_text("\n".join([*lines, *INSTALLER_PACKAGES]) + "\n", encoding="utf-8")
        problem = _download(reqfile, wheels, target)
        if problem is not None:
            return problem
        staged = Path(tmp) / "site"
        problem = _install(reqfile, wheels, staged, target)
        if problem is not None:
            return problem
        record = {
            "key": key,
            "python": target.abis[0],
            "platform": target.platforms[0],
            "requirements": list(requirements),
            "packages": sorted(_installed(staged)),
        }
        final = _keep(staged, record, root / key)
    return final / "site", record


def _requirement_lines(
    requirements: tuple[str, ...], local_wheels: Path, target: Target
) -> list[str] | str:
    """The requirements as pip reads them, local projects as wheels built here; or why not."""
    lines = []
    for line in requirements:
        local = _local_project(line)
        if local is None:
            lines.append(line)
            continue
        wheel = _wheel_of_project(_PIP, local, local_wheels, target)
        if isinstance(wheel, str):
            return wheel
        lines.append(str(wheel))
    return lines


def _download(reqfile: Path, wheels: Path, target: Target) -> str | None:
    """Every wheel ``reqfile`` needs for ``target`` into ``wheels``; one line why not, or None."""
    download = [*_PIP, "download", "-q", *target.pip_args(), "-d", str(wheels)]
    download += ["--find-links", str(wheels), "-r", str(reqfile)]
    # A package published only as source is built into a wheel here, once, if the wheel
    # fits the target: pure Python, or compiled by an interpreter of the target's own kind.
    built: set[str] = set()
    while (failure := _pip(download, target)) is not None:
        message, package = failure
        if package is None or package in built:
            return message
        built.add(package)
        if not _wheel_from_source(_PIP, package, wheels, target):
            return message
    return None


def _install(reqfile: Path, wheels: Path, staged: Path, target: Target) -> str | None:
    """Install from ``wheels`` alone into the folder ``staged``; one line why not, or None."""
    install = [*_PIP, "install", "-q", *target.pip_args(), "--no-index", "--find-links"]
    install += [str(wheels), "--no-compile", "--target", str(staged), "-r", str(reqfile)]
    failure = _pip(install, target)
    return None if failure is None else failure[0]


def _keep(staged: Path, record: dict, final: Path) -> Path:
    """Move the staged site to ``final`` and write its record, each step atomic."""
    final.mkdir(parents=True, exist_ok=True)
    if not (final / "site").exists():
        os.replace(staged, final / "site")
    (final / "environment.json.tmp").write_text(json.dumps(record, indent=1))
    os.replace(final / "environment.json.tmp", final / "environment.json")
    return final


def _installed(site: Path) -> list[str]:
    """name==version of every distribution in ``site``."""
    out = []
    for d in site.glob("*.dist-info"):
        name, _, version = d.name[: -len(".dist-info")].partition("-")
        out.append(f"{name}=={version}")
    return out


def _local_project(line: str) -> Path | None:
    """The folder of a ``NAME @ file:///FOLDER`` requirement (a project shipped with a benchmark)."""
    req = _parsed(line)
    url = req.url if req is not None else None
    if url is None or not url.startswith("file:"):
        return None
    return Path(url2pathname(urlparse(url).path))


def _wheel_of_project(pip: list[str], folder: Path, out: Path, target: Target) -> Path | str:
    """A wheel built here from a local project folder, or one line why not."""
    out.mkdir(parents=True, exist_ok=True)
    # Built by this host's Python for the target's: the target's Python is checked on install.
    argv = [*pip, "wheel", "-q", "--no-deps", "--no-cache-dir", "--ignore-requires-python"]
    argv += ["-w", str(out), str(folder)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"building a wheel of {folder} took over {PIP_TIMEOUT:g} s; check the network"
    built = sorted(out.glob("*.whl"), key=lambda p: p.stat().st_mtime)
    if proc.returncode != 0 or not built:
        last = (proc.stderr.strip().splitlines() or ["no wheel"])[-1]
        return f"cannot build a wheel of {folder}: {last}"
    wheel = _as_pure(built[-1]) or built[-1]
    if not fits(wheel.name, target):
        return f"the wheel built from {folder} ({wheel.name}) does not fit {target.label}"
    return wheel


# How a source build is tried: as this host builds it, then as a target without a compiler would
# (many packages then fall back to pure Python: markupsafe, coverage).
_SOURCE_BUILDS: tuple[tuple[dict[str, str], tuple[str, ...]], ...] = (
    ({}, ()),
    ({"CC": "false", "CXX": "false"}, ()),
)
# Projects whose source builds without its C extensions by a switch of its own (env vars, pip
# options), as its documentation says; the result is pure Python even where its tag says not.
PURE_PYTHON_BUILDS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "sqlalchemy": ({"DISABLE_SQLALCHEMY_CEXT": "1"}, ()),
    "dulwich": ({}, ("--config-settings=--global-option=--pure",)),
}


def _wheel_from_source(pip: list[str], package: str, wheels: Path, target: Target) -> bool:
    """Build ``package`` from its source into ``wheels`` if a wheel that fits ``target`` results."""
    name = re.split(r"[<>=!~;\[ ]", package, maxsplit=1)[0]
    key = name.lower().replace("_", "-")
    builds = [*_SOURCE_BUILDS, *([PURE_PYTHON_BUILDS[key]] if key in PURE_PYTHON_BUILDS else [])]
    for extra_env, options in builds:
        with tempfile.TemporaryDirectory(prefix="jitbench-wheel-") as out:
            argv = [
                *pip,
                "wheel",
                "-q",
                "--no-deps",
                "--no-cache-dir",
                "--no-binary",
                name,
                *options,
                "-w",
                out,
                package,
            ]
            try:
                proc = subprocess.run(
                    argv, capture_output=True, timeout=PIP_TIMEOUT, env={**os.environ, **extra_env}
                )
            except subprocess.TimeoutExpired:
                return False
            built = list(Path(out).glob("*.whl"))
            if proc.returncode != 0 or len(built) != 1:
                continue
            wheel = built[0] if fits(built[0].name, target) else _as_pure(built[0])
            if wheel is not None and fits(wheel.name, target):
                shutil.move(str(wheel), wheels / wheel.name)
                return True
    return False


# Files that make a wheel specific to one interpreter and platform.
_COMPILED = (".so", ".pyd", ".dylib", ".dll")


def _as_pure(wheel: Path) -> Path | None:
    """``wheel`` tagged ``py3-none-any`` when it holds no compiled file (a project that claims a
    platform tag even when built without its extensions, as SQLAlchemy 1.4 does), else None."""
    if wheel.name.endswith("-none-any.whl"):
        return wheel
    with zipfile.ZipFile(wheel) as z:
        if any(n.endswith(_COMPILED) or ".so." in n for n in z.namelist()):
            return None
    argv = [sys.executable, "-m", "wheel", "tags", "--remove"]
    argv += ["--python-tag", "py3", "--abi-tag", "none", "--platform-tag", "any", str(wheel)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    retagged = wheel.parent / proc.stdout.strip()
    return retagged if proc.returncode == 0 and retagged.is_file() else None


def fits(wheel: str, target: Target) -> bool:
    """Whether the wheel file name's tags are ones ``target`` takes."""
    *_, abi, platform = wheel[: -len(".whl")].split("-")
    if abi == "none" and platform == "any":
        return True
    return abi in target.abis and any(p in target.platforms for p in platform.split("."))


def _pip(argv: list[str], target: Target) -> tuple[str, str | None] | None:
    """Run pip; None when it worked, else one line naming the package and the fix, and the
    requirement that has no wheel (None when pip failed otherwise)."""
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=PIP_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"pip did not finish within {PIP_TIMEOUT:g} s; check the network and rerun", None
    if proc.returncode == 0:
        return None
    text = proc.stderr + proc.stdout
    if "No module named pip" in text:
        return (
            f"jitbench's interpreter {sys.executable} has no pip; install pip next to jitbench"
        ), None
    m = re.search(
        r"(?:No matching distribution found for|satisfies the requirement) ([^\s(]+)", text
    )
    if m:
        return (
            f"package {m.group(1)} has no binary wheel for {target.label} and its source is "
            f"not pure Python; the target installs wheels only (no compiler, no network): "
            f"use a runtime it has wheels for, or put a wheel of it in "
            f"{environments_dir() / 'wheels'}"
        ), m.group(1)
    last = [ln for ln in text.strip().splitlines() if ln.strip()][-1:] or ["(no message)"]
    return f"pip failed: {last[0].strip()}", None
