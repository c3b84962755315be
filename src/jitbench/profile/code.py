"""The JIT's own code per function (CinderX's dumps in its JIT log), and A/B code diffs.

CinderX writes, for each compiled function, ``Disassembly for MODULE:QUALNAME`` followed by its
machine code annotated with the HIR instruction each piece implements (``asm``, the default);
on request its final HIR (``hir``) or its final LIR (``lir``). Addresses and value numbers differ
between processes, so both are normalised before two versions are compared. Pure functions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Each kind of dump: the env var that asks CinderX for it, and the log line that starts it, e.g.
# "JIT: cinderx/Jit/codegen/gen_asm.cpp:1683 -- Disassembly for richards:Task.run"
KINDS = {
    "asm": ("CINDERX_JIT_DUMP_ASM", re.compile(r"^JIT: \S+ -- Disassembly for (\S+)\s*$")),
    "hir": (
        "CINDERX_JIT_DUMP_FINAL_HIR",
        re.compile(r"^JIT: \S+ -- Optimized HIR for (\S+?):\s*$"),
    ),
    "lir": (
        "CINDERX_JIT_DUMP_LIR",
        re.compile(r"^JIT: \S+ -- LIR for (\S+) after postalloc rewrites:\s*$"),
    ),
}
_LOG_LINE = re.compile(r"^JIT: \S+ -- ")
# "  0x007fd398c00000:        pushq %r14"
_ADDRESS = re.compile(r"^(\s*)0x[0-9a-f]+:\s+")
_HEX = re.compile(r"0x[0-9a-f]{6,}|0x[0-9a-f]+(?=\(%rip\))")
_VALUE = re.compile(r"\bv(\d+)\b")
# aarch64 builds a 64-bit address 16 bits at a time (mov, then movk ..., lsl #16/32/48), or as an
# adrp page plus an add of its offset: as process-specific as x86's long immediates.
_ARM_MOV = re.compile(r"^(\s*mov[zk]?\s+([xw]\d+),\s*#)0x[0-9a-f]+")
_ARM_ADRP = re.compile(r"^\s*adrp\s+(x\d+),")
_ARM_ADD = re.compile(r"^(\s*add\s+(x\d+),\s*(x\d+),\s*#)0x[0-9a-f]+")


def dump_env(kind: str = "asm") -> dict[str, str]:
    """Env vars that make CinderX dump each compiled function's code of ``kind`` into its log."""
    return {KINDS[kind][0]: "1"}


@dataclass(frozen=True)
class FunctionCode:
    """One compiled function's final code, normalised for comparison."""

    name: str  # module:qualname, as in CinderX's perf map after "__CINDER_JIT:"
    lines: tuple[str, ...]
    instructions: int  # machine instructions (asm), or instructions and blocks (hir, lir)


def split_dump(log: str, kind: str = "asm") -> dict[str, list[str]]:
    """The raw dump lines of each function in a JIT log (the last dump wins on recompiles)."""
    header = KINDS[kind][1]
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in log.splitlines():
        head = header.match(line)
        if head:
            current = out[head.group(1)] = []
            continue
        if _LOG_LINE.match(line):
            current = None  # another log message ends the dump
            continue
        if current is not None:
            current.append(line)
    return out


def normalise(lines: list[str]) -> tuple[str, ...]:
    """Addresses dropped, long constants blanked, HIR values renumbered in order of appearance."""
    numbers: dict[str, str] = {}

    def renumber(m: re.Match) -> str:
        return numbers.setdefault(m.group(1), f"v{len(numbers)}")

    out = []
    for line in lines:
        line = _ADDRESS.sub(r"\1  ", line.rstrip())
        line = _HEX.sub("0x…", line)
        out.append(_VALUE.sub(renumber, line))
    _blank_arm_addresses(out)
    while out and not out[-1].strip():
        out.pop()
    return tuple(out)


def _blank_arm_addresses(out: list[str]) -> None:
    """Blank the immediates of aarch64 address materialisation (mov/movk runs, adrp + add)."""
    mov_at: dict[str, int] = {}  # register → line of the mov that may start a movk run
    page_in: set[str] = set()  # registers holding an adrp page
    for i, line in enumerate(out):
        mov, add = _ARM_MOV.match(line), _ARM_ADD.match(line)
        if mov and line.split()[0] == "movk":
            out[i] = _ARM_MOV.sub(r"\g<1>0x…", line)
            start = mov_at.pop(mov.group(2), None)
            if start is not None:
                out[start] = _ARM_MOV.sub(r"\g<1>0x…", out[start])
        elif mov:
            mov_at[mov.group(2)] = i
        elif add and add.group(3) in page_in:
            out[i] = _ARM_ADD.sub(r"\g<1>0x…", line)
            page_in.discard(add.group(3))
        elif (adrp := _ARM_ADRP.match(line)) is not None:
            page_in.add(adrp.group(1))


def _instructions(lines: list[str], kind: str) -> int:
    if kind == "asm":
        return sum(1 for ln in lines if _ADDRESS.match(ln))
    return sum(1 for ln in lines if ln.strip() and ln.strip() not in ("{", "}"))


def functions(log: str, kind: str = "asm") -> dict[str, FunctionCode]:
    """Every function's normalised code of ``kind`` in a CinderX JIT log."""
    return {
        name: FunctionCode(name, normalise(lines), _instructions(lines, kind))
        for name, lines in split_dump(log, kind).items()
    }


def unified_diff(
    a: FunctionCode | None, b: FunctionCode | None, label_a: str, label_b: str, context: int = 3
) -> list[str]:
    """A unified diff of two versions of a function's code (either may be missing)."""
    return list(
        difflib.unified_diff(
            list(a.lines) if a else [],
            list(b.lines) if b else [],
            f"{label_a}",
            f"{label_b}",
            n=context,
            lineterm="",
        )
    )


def side_by_side(a: FunctionCode | None, b: FunctionCode | None) -> list[tuple[str, str, str]]:
    """Rows (tag, line in A, line in B), tag one of "=", "-", "+", "~", aligned by difflib."""
    la, lb = list(a.lines) if a else [], list(b.lines) if b else []
    rows: list[tuple[str, str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, la, lb, autojunk=False).get_opcodes():
        if op == "equal":
            rows += [("=", x, y) for x, y in zip(la[i1:i2], lb[j1:j2], strict=True)]
        elif op == "delete":
            rows += [("-", x, "") for x in la[i1:i2]]
        elif op == "insert":
            rows += [("+", "", y) for y in lb[j1:j2]]
        else:
            n = max(i2 - i1, j2 - j1)
            left, right = la[i1:i2] + [""] * n, lb[j1:j2] + [""] * n
            rows += [("~", left[k], right[k]) for k in range(n)]
    return rows
