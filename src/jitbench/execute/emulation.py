"""Emulated runtimes: an interpreter whose code is for another architecture than its machine.

Such a runtime (e.g. aarch64 CinderX under qemu-user on an x86-64 host) compiles real code of its
own architecture, so code sizes, JIT introspection and dumps are exact; its times and instruction
counts measure the emulator, so jitbench refuses verdicts on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .hosts import HostAccess

BINFMT_DIR = Path("/proc/sys/fs/binfmt_misc")

# Architectures a kernel runs natively besides its own (32-bit user space on a 64-bit kernel).
NATIVE_PEERS = {
    "x86_64": {"x86_64", "amd64", "i386", "i486", "i586", "i686"},
    "amd64": {"x86_64", "amd64", "i386", "i486", "i586", "i686"},
    "aarch64": {"aarch64", "arm64", "armv7l", "armv8l", "armv7", "armv8"},
    "arm64": {"aarch64", "arm64", "armv7l", "armv8l", "armv7", "armv8"},
}


def is_emulated(code_machine: str | None, host_machine: str | None) -> bool:
    """True when code of ``code_machine`` cannot run natively on a ``host_machine`` kernel."""
    if not code_machine or not host_machine:
        return False
    code, host = code_machine.lower(), host_machine.lower()
    return code not in NATIVE_PEERS.get(host, {host})


# Fixed (no user data): every binfmt_misc entry of an SSH host, each after a "@@ NAME" line.
BINFMT_SCRIPT = (
    'for f in /proc/sys/fs/binfmt_misc/*; do case "${f##*/}" in register|status) '
    'continue ;; esac; echo "@@ ${f##*/}"; cat "$f"; done 2>/dev/null; exit 0'
)


def read_binfmt(binfmt_dir: Path = BINFMT_DIR) -> dict[str, list[str]]:
    """This machine's binfmt_misc entries: name → the lines of its file ({} if not mounted)."""
    try:
        paths = sorted(p for p in binfmt_dir.iterdir() if p.name not in ("register", "status"))
    except OSError:
        return {}
    out = {}
    for path in paths:
        try:
            out[path.name] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
    return out


def parse_binfmt(text: str) -> dict[str, list[str]]:
    """binfmt_misc entries from the output of ``BINFMT_SCRIPT``."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("@@ "):
            current = out.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return out


def binfmt_handler(code_machine: str, entries: dict[str, list[str]]) -> dict | None:
    """The enabled handler among ``entries`` that runs ``code_machine`` programs.

    ``{"name": "qemu-aarch64", "interpreter": "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"}``;
    None when none is registered.
    """
    for name, lines in entries.items():
        fields = dict(line.split(" ", 1) for line in lines[1:] if " " in line)
        interpreter = fields.get("interpreter", "")
        if lines[:1] == ["enabled"] and (code_machine in name or code_machine in interpreter):
            return {"name": name, "interpreter": interpreter or None}
    return None


def host_binfmt(access: HostAccess) -> dict[str, list[str]]:
    """The binfmt_misc entries of the machine behind ``access`` (this one, or an SSH host)."""
    # Imported here: reports read ``refusal`` without loading the SSH machinery.
    from .hosts import SshHostAccess

    if not isinstance(access, SshHostAccess):
        return read_binfmt()
    return parse_binfmt(access.fixed(BINFMT_SCRIPT, "reading binfmt_misc"))


def describe(code_machine: str, host_machine: str, handler: dict | None) -> str:
    """One phrase naming the emulation, e.g. ``aarch64 code emulated on x86_64 by qemu-aarch64``."""
    by = f" by {handler['name']} (binfmt_misc)" if handler else " (by an emulator, e.g. qemu-user)"
    return f"{code_machine} code emulated on {host_machine}{by}"


def emulation_of(
    code_machine: str | None, host_machine: str | None, access: HostAccess | None = None
) -> dict | None:
    """The record of an emulated runtime (``code``, ``machine``, ``via``, ``text``), else None.

    ``access``: the runtime's machine, whose binfmt_misc handlers name the emulator.
    """
    if not is_emulated(code_machine, host_machine):
        return None
    assert code_machine and host_machine
    handler = binfmt_handler(code_machine, host_binfmt(access)) if access is not None else None
    return {
        "code": code_machine,
        "machine": host_machine,
        "via": handler,
        "text": describe(code_machine, host_machine, handler),
    }


def refusal(variant: str, emulation: dict) -> str:
    """The one-line reason why a time or instruction verdict on ``variant`` is refused."""
    return (
        f"variant {variant!r} runs {emulation['text']}: its times and instruction counts "
        "measure the emulator (and valgrind does not run under qemu-user), so jitbench gives "
        "no time or instruction verdict on it; fix: measure on a real "
        f"{emulation['code']} machine, or use `jitbench codesize`, or `--jit-only` and "
        "`jitbench jit RESULT` for what its JIT compiled"
    )
