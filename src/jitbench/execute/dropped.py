"""Processes a dropped SSH connection left running on its host, found by their marker and ended.

When a link drops silently (a network that stops answering), sshd on the host may not notice for
hours: the benchmark process keeps its stdin open and runs on. Every target process started over
SSH carries a random marker in its environment, inherited by whatever it starts (also through
``setsid``). After reconnecting, and before the next process starts there, jitbench ends every
process still carrying the marker of a process whose connection dropped, and waits until it is gone.

A child started with an emptied environment carries no marker, but it stays in the process group
the host's ``timeout`` made for the target (unless it also left that group): when a marked
process's group leader is that ``timeout`` (its command line names the marker: ``timeout ... env
JITBENCH_PROCESS=...``), the whole group is ended. No other group is touched: a marked process in
a group of anything else (a login shell, a test runner, another ``timeout``) ends alone.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from .leftovers import describe

MARKER_VAR = "JITBENCH_PROCESS"
# How long the host waits for the processes it killed to be gone (iterations of 0.1 s).
WAIT_STEPS = 100
_MARKER = re.compile(r"[0-9a-f]{16,64}")

# A fixed script; the markers arrive as its arguments. A zombie's environment reads as empty, so
# only processes still running match. SIGKILL at once: a benchmark whose connection dropped has no
# one to report to.
SCRIPT = f"""\
n=$#
for m in "$@"; do set -- "$@" -e "{MARKER_VAR}=$m"; done
shift "$n"
[ -r /proc/self/environ ] || {{ echo noproc; exit 0; }}
running() {{ grep -lsF "$@" /proc/[0-9]*/environ | sed 's,^/proc/,,; s,/environ$,,'; }}
# The state and process group of process $1 in st_ and pg_, without a fork; false when it is gone.
stat_of() {{
  s_=; {{ read -r s_ < "/proc/$1/stat"; }} 2>/dev/null
  [ -n "$s_" ] || return 1
  set -- ${{s_##*") "}}
  st_=$1; pg_=$3
}}
# The live (not zombie) members of the process groups in $groups.
members() {{
  [ -n "$groups" ] || return 0
  for d in /proc/[0-9]*; do
    q=${{d#/proc/}}
    stat_of "$q" || continue
    [ "$st_" = Z ] && continue
    case " $groups " in *" $pg_ "*) echo "$q" ;; esac
  done
}}
found() {{
  printf 'found %s ' "$1"
  tr '\\000\\n' '  ' < "/proc/$1/cmdline" 2>/dev/null | head -c 200
  echo
}}
groups=
for p in $(running "$@"); do
  stat_of "$p" || continue
  g=$pg_
  case " $groups " in *" $g "*) continue ;; esac
  if [ "$(cat "/proc/$g/comm" 2>/dev/null)" = timeout ] &&
    tr '\\000' '\\n' < "/proc/$g/cmdline" 2>/dev/null | grep -qxF "$@"; then
    groups="$groups $g"
  fi
done
for q in $(members); do found "$q"; done
for g in $groups; do kill -9 -"$g" 2>/dev/null; done
for p in $(running "$@"); do
  found "$p"
  kill -9 "$p" 2>/dev/null
done
i=0
while [ "$i" -lt {WAIT_STEPS} ]; do
  left=$(running "$@"; members)
  [ -z "$left" ] && break
  for p in $left; do kill -9 "$p" 2>/dev/null; done
  sleep 0.1
  i=$((i + 1))
done
for p in $(running "$@"; members); do echo "left $p"; done
"""


def new_marker() -> str:
    """A marker for one target process: random, so no other process carries it by chance."""
    return secrets.token_hex(16)


@dataclass
class Sweep:
    """What one sweep found running (and killed), and what was still running after the wait."""

    found: list[tuple[int, str]] = field(default_factory=list)
    left: list[tuple[int, str]] = field(default_factory=list)
    checked: bool = True  # False: the host has no /proc to look in


def script_args(markers: list[str]) -> list[str]:
    """``sh -c SCRIPT sh MARKER...``: the markers as arguments, never spliced into the script."""
    bad = [m for m in markers if not _MARKER.fullmatch(m)]
    if bad:
        raise ValueError(f"not a process marker: {bad[0]!r}")
    return ["sh", "-c", SCRIPT, "sh", *markers]


def parse(output: str) -> Sweep:
    """The sweep script's output as found and left processes."""
    found: dict[int, str] = {}
    left: list[int] = []
    for line in output.splitlines():
        word, _, rest = line.partition(" ")
        if word == "noproc":
            return Sweep(checked=False)
        pid_text, _, command = rest.partition(" ")
        if not pid_text.isdigit():
            continue
        if word == "found":
            found[int(pid_text)] = command.strip() or "?"
        elif word == "left":
            left.append(int(pid_text))
    return Sweep(
        found=list(found.items()),
        left=[(pid, found.get(pid, "?")) for pid in left],
    )


def still_running(host: str, sweep: Sweep) -> str:
    """One line: processes of a dropped connection that SIGKILL did not end, and what to do."""
    n = len(sweep.left)
    return (
        f"host {host!r}: {n} process{'es' if n > 1 else ''} of a dropped connection still "
        f"{'run' if n > 1 else 'runs'} there after SIGKILL ({describe(sweep.left)}); "
        f"end {'them' if n > 1 else 'it'} on the host, then resume"
    )
