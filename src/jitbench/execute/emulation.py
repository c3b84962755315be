"""Emulated runtimes: an interpreter whose code is for another architecture than its machine.

Such a runtime (e.g. aarch64 CinderX under qemu-user on an x86-64 host) compiles real code of its
own architecture, so code sizes, JIT introspection and dumps are exact; its times and instruction
counts measure the emulator, so jitbench refuses verdicts on them.
"""

from __future__ import annotations

from pathlib import Path

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


def binfmt_handler(code_machine: str, binfmt_dir: Path = BINFMT_DIR) -> dict | None:
    """The enabled binfmt_misc handler of this machine that runs ``code_machine`` programs.

    ``{"name": "qemu-aarch64", "interpreter": "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"}``;
    None when none is registered or binfmt_misc is not mounted.
    """
    try:
        entries = sorted(p for p in binfmt_dir.iterdir() if p.name not in ("register", "status"))
    except OSError:
        return None
    for entry in entries:
        try:
            lines = entry.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        fields = dict(line.split(" ", 1) for line in lines[1:] if " " in line)
        interpreter = fields.get("interpreter", "")
        if lines[:1] == ["enabled"] and (code_machine in entry.name or code_machine in interpreter):
            return {"name": entry.name, "interpreter": interpreter or None}
    return None


def describe(code_machine: str, host_machine: str, handler: dict | None) -> str:
    """One phrase naming the emulation, e.g. ``aarch64 code emulated on x86_64 by qemu-aarch64``."""
    by = f" by {handler['name']} (binfmt_misc)" if handler else " (by an emulator, e.g. qemu-user)"
    return f"{code_machine} code emulated on {host_machine}{by}"


def emulation_of(code_machine: str | None, host_machine: str | None, *,
                 local: bool) -> dict | None:
    """The record of an emulated runtime (``code``, ``machine``, ``via``, ``text``), else None.

    ``local``: the runtime runs on this machine, whose binfmt_misc handlers can name the emulator.
    """
    if not is_emulated(code_machine, host_machine):
        return None
    assert code_machine and host_machine
    handler = binfmt_handler(code_machine) if local else None
    return {"code": code_machine, "machine": host_machine, "via": handler,
            "text": describe(code_machine, host_machine, handler)}


def refusal(variant: str, emulation: dict) -> str:
    """The one-line reason why a time or instruction verdict on ``variant`` is refused."""
    return (f"variant {variant!r} runs {emulation['text']}: its times and instruction counts "
            "measure the emulator (and valgrind does not run under qemu-user), so jitbench gives "
            "no time or instruction verdict on it; fix: measure on a real "
            f"{emulation['code']} machine, or use `jitbench codesize`, or `--jit-only` and "
            "`jitbench jit RESULT` for what its JIT compiled")
