"""Running a target process under valgrind (callgrind) so the runner can count instructions.

Only the measured values are counted: valgrind starts uninstrumented, and the runner zeroes the
counts before each value and dumps them after it (callgrind client requests, see the runner's
``jitbench_counters``). valgrind must run where the interpreter runs: inside a chroot, it is the
chroot's valgrind, so it is inserted after the chroot prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import JitbenchError
from ..runner import jitbench_protocol as protocol
from ..runtimes import counted_env_for
from .chroot import proc_prefix
from .instruments import InstrumentedProcess, register

if TYPE_CHECKING:
    from ..model import Variant
    from .hosts import HostAccess

# Where callgrind writes its dumps, on the target; ``%p`` is the process id (valgrind expands it,
# the runner too). The runner reads and removes the dumps itself.
OUT_FILE = "/tmp/jitbench-callgrind-%p"

VALGRIND_OPTIONS = (
    "--tool=callgrind",
    "--instr-atstart=no",  # start-up and warmups run uninstrumented (and faster)
    f"--callgrind-out-file={OUT_FILE}",
    "-q",  # only valgrind's warnings reach stderr
)

# Wrappers that may prefix an interpreter in a runtime command, and how many arguments each takes
# before the command it runs (options starting with "-" are skipped as well).
_WRAPPERS = {"chroot": 1, "nice": 0, "setarch": 1, "taskset": 1, "env": 0}


def split_command(command: list[str]) -> tuple[list[str], str, list[str]]:
    """(wrapper prefix, interpreter, interpreter args) of a runtime command."""
    i = 0
    while i < len(command) and command[i].rsplit("/", 1)[-1] in _WRAPPERS:
        takes = _WRAPPERS[command[i].rsplit("/", 1)[-1]]
        i += 1
        while i < len(command) and (command[i].startswith("-") or "=" in command[i]):
            i += 2 if command[i] in ("-n", "--userspec", "--groups") else 1
        i += takes
    if i >= len(command):
        raise ValueError(f"no interpreter in runtime command {command!r}")
    return command[:i], command[i], command[i + 1 :]


def _with_proc(prefix: list[str]) -> list[str]:
    """valgrind reads /proc/self/maps: inside a chroot without /proc, mount one for this
    process alone (a private mount namespace; it goes away with the process)."""
    if prefix and prefix[0].rsplit("/", 1)[-1] == "chroot":
        return [*proc_prefix(prefix[-1]), *prefix]
    return prefix


def wrap_argv(
    argv: list[str], runtime_command: list[str], executable: str | None, valgrind: str = "valgrind"
) -> list[str]:
    """``argv`` (which starts with ``runtime_command``) run under callgrind.

    ``executable`` is the interpreter's real binary as the target reports it (``sys.executable``):
    a shell shim would make valgrind trace the shell instead.
    """
    prefix, interpreter, _ = split_command(runtime_command)
    rest = argv[len(prefix) + 1 :]
    return [*_with_proc(prefix), valgrind, *VALGRIND_OPTIONS, executable or interpreter, *rest]


def counting_task() -> dict:
    """The task keys that make the runner count under valgrind."""
    session = {
        protocol.Counting.BACKEND: protocol.Counting.VALGRIND,
        protocol.Counting.OUT_FILE: OUT_FILE,
    }
    return {protocol.Task.COUNTING: session}


def version_argv(runtime_command: list[str], valgrind: str = "valgrind") -> list[str]:
    """``valgrind --version`` where the interpreter runs (inside its chroot, if any)."""
    prefix, _, _ = split_command(runtime_command)
    return [*_with_proc(prefix), valgrind, "--version"]


class Valgrind:
    """The ``valgrind`` instrument: counted processes under callgrind, as extra slots."""

    name = "valgrind"
    # Measured by scripts/bench_counting_cost.py: richards under callgrind, 34x native per process
    # on CPython 3.11 (x86-64, valgrind 3.19); rounded up, JIT runtimes cost valgrind more.
    cost = 40.0

    def check(self, variant: Variant, host: HostAccess) -> str | None:
        """valgrind must be where the interpreter runs (in its chroot, on its host)."""
        from .counting import check_valgrind

        try:
            check_valgrind(host.transport, variant)
        except JitbenchError as exc:
            return str(exc)
        return None

    def start(self, variant: Variant, facts: dict) -> InstrumentedProcess:
        """Wrap the process in callgrind; deterministic settings for this process only."""
        command = list(variant.runtime.command)
        executable = facts.get("executable")
        return InstrumentedProcess(
            wrap=lambda argv: wrap_argv(argv, command, executable),
            env=counted_env_for(variant),
            task=counting_task(),
        )


register(Valgrind())
