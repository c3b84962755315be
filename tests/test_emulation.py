"""Which runtimes are emulated, and how the emulator is named (from binfmt_misc entries)."""

from __future__ import annotations

from pathlib import Path

from jitbench.execute.emulation import (
    binfmt_handler,
    emulation_of,
    is_emulated,
    parse_binfmt,
    read_binfmt,
    refusal,
)

QEMU_ENTRY = """\
enabled
interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
flags: POF
offset 0
magic 7f454c460201010000000000000000000200b700
mask ffffffffffffff00fffffffffffffffffeffffff
"""


def test_foreign_code_is_emulated_and_native_or_32_bit_code_is_not():
    assert is_emulated("aarch64", "x86_64")
    assert is_emulated("x86_64", "aarch64")
    assert not is_emulated("x86_64", "x86_64")
    assert not is_emulated("aarch64", "aarch64")
    # A 32-bit user space runs natively on its 64-bit kernel.
    assert not is_emulated("i686", "x86_64") and not is_emulated("armv7l", "aarch64")
    # Unknown facts (an old artifact, a host without uname) claim nothing.
    assert not is_emulated(None, "x86_64") and not is_emulated("aarch64", None)


def test_the_enabled_binfmt_handler_names_the_emulator(tmp_path: Path):
    (tmp_path / "status").write_text("enabled\n")
    (tmp_path / "register").write_text("")
    (tmp_path / "python3.11").write_text("enabled\ninterpreter /usr/bin/python3.11\n")
    (tmp_path / "qemu-aarch64").write_text(QEMU_ENTRY)
    local = read_binfmt(tmp_path)
    assert set(local) == {"python3.11", "qemu-aarch64"}
    qemu = {"name": "qemu-aarch64", "interpreter": "/usr/libexec/qemu-binfmt/aarch64-binfmt-P"}
    assert binfmt_handler("aarch64", local) == qemu
    assert binfmt_handler("riscv64", local) is None
    # An SSH host's entries, as its fixed script prints them, name the same handler.
    remote = parse_binfmt(
        f"@@ python3.11\nenabled\ninterpreter /usr/bin/python3.11\n@@ qemu-aarch64\n{QEMU_ENTRY}"
    )
    assert remote == local and binfmt_handler("aarch64", remote) == qemu
    disabled = {"qemu-aarch64": QEMU_ENTRY.replace("enabled", "disabled", 1).splitlines()}
    assert binfmt_handler("aarch64", disabled) is None
    assert read_binfmt(tmp_path / "not-mounted") == {}


def test_the_refusal_names_the_emulation_and_what_still_works():
    emulated = emulation_of("aarch64", "x86_64")
    assert emulated is not None and emulation_of("x86_64", "x86_64") is None
    assert "(by an emulator, e.g. qemu-user)" in emulated["text"]
    line = refusal("arm", emulated)
    assert "\n" not in line
    assert line.startswith("variant 'arm' runs aarch64 code emulated on x86_64")
    assert "no time or instruction verdict" in line and "jitbench codesize" in line
