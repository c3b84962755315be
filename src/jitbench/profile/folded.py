"""``perf script`` output → folded stacks ("root;…;leaf" → samples), and their compact storage.

Pure functions. A frame is its symbol without offset, or ``[file]`` when perf could not name it,
so that stacks of different processes add up.
"""

from __future__ import annotations

import base64
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterable

# "\t    7fac10600d13 __CINDER_JIT:__main__:fib+0x12 (/tmp/perf-15895.map)"
_FRAME = re.compile(r"^\s+([0-9a-f]+)\s+(.*?)\s+\((.*)\)\s*$")
_OFFSET = re.compile(r"\+0x[0-9a-f]+$")
# The header of a sample: "python 15895/15895     250000 cpu-clock: " (fields comm,pid,tid,period,event)
_HEADER = re.compile(r"^(.*?)\s+(\d+)/(\d+)\s+(\d+)\s+(\S+):\s*$")
KERNEL_DSO = "[kernel.kallsyms]"
KERNEL_MARK = "_[k]"
JIT_UNNAMED = "[JIT]"
# perf names anonymous executable memory after the perf map it would read ("/tmp/perf-PID.map").
_ANON = re.compile(r"(^|/)perf-\d+\.map$|^//anon|^\[anon")
SEP = ";"

#: The ``perf script -F`` fields :func:`parse` reads.
SCRIPT_FIELDS = "comm,pid,tid,period,event,ip,sym,dso"


def frame_name(sym: str, dso: str) -> str:
    """One frame's label: the symbol, else ``[file name]`` of the code it was in."""
    sym = _OFFSET.sub("", sym.strip())
    if dso == KERNEL_DSO:
        # Marked as flame graph tools do, so kernel and user functions of one name stay apart.
        return f"{sym}{KERNEL_MARK}" if sym and sym != "[unknown]" else "[kernel]"
    if sym and sym != "[unknown]":
        # Separators inside a symbol would split it in two frames.
        return sym.replace(SEP, ",").replace("\n", " ")
    if dso in ("", "[unknown]"):
        return "[unknown]"
    if _ANON.search(dso):
        # Anonymous executable memory no perf map names: JIT code (PyPy's, or a map entry missing).
        return JIT_UNNAMED
    return f"[{os.path.basename(dso)}]"


def parse(lines: Iterable[str], pids: set[int] | None = None) -> Counter:
    """Fold ``perf script -F SCRIPT_FIELDS`` output: {"root;…;leaf": samples} for ``pids`` (all)."""
    folded: Counter = Counter()
    stack: list[str] = []
    keep = False
    for line in lines:
        if not line.strip():
            if keep and stack:
                folded[SEP.join(reversed(stack))] += 1
            stack, keep = [], False
            continue
        frame = _FRAME.match(line)
        if frame and not line[0].isspace():
            frame = None
        if frame:
            stack.append(frame_name(frame.group(2), frame.group(3)))
            continue
        head = _HEADER.match(line)
        if head:
            if keep and stack:
                folded[SEP.join(reversed(stack))] += 1
            stack = []
            keep = pids is None or int(head.group(2)) in pids
    if keep and stack:
        folded[SEP.join(reversed(stack))] += 1
    return folded


def pids_of(lines: Iterable[str]) -> set[int]:
    """The process ids in ``perf script -F pid`` output."""
    return {int(s) for s in (ln.strip() for ln in lines) if s.isdigit()}


ENCODING = "zlib+base64"  # what :func:`encode` writes, as a profile record names it


def encode(folded: Counter) -> str:
    """Folded stacks as compressed text (zlib, base64): they compress ~20x."""
    text = "\n".join(f"{stack} {n}" for stack, n in sorted(folded.items()))
    return base64.b64encode(zlib.compress(text.encode("utf-8"), 6)).decode("ascii")


def decode(data: str) -> Counter:
    """The inverse of :func:`encode`."""
    text = zlib.decompress(base64.b64decode(data)).decode("utf-8")
    out: Counter = Counter()
    for line in text.splitlines():
        stack, _, n = line.rpartition(" ")
        if stack:
            out[stack] += int(n)
    return out
