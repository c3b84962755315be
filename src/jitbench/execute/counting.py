"""Where an experiment's counts come from: perf_event_open in the measured processes, or extra
processes under valgrind, chosen once per experiment so every variant is counted alike."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import JitbenchError
from ..measures import VALGRIND_MEASURES, counted
from ..model import Variant
from ..runner import jitbench_protocol as protocol
from ..runner.jitbench_protocol import Counting as C
from ..runtimes import counted_env_for
from . import valgrind
from .transport import Transport


@dataclass(frozen=True)
class Counting:
    """The counting backend of an experiment and why it was chosen."""

    backend: str  # perf | valgrind
    measures: tuple[str, ...]
    note: str
    valgrind_version: str | None = None
    # Settings that make counts deterministic, per variant, applied to counted processes only.
    env: dict[str, dict[str, str]] = field(default_factory=dict)

    def record(self) -> dict:
        """What the artifact keeps under ``counting``."""
        return {
            "backend": self.backend,
            "measures": list(self.measures),
            "note": self.note,
            "valgrind_version": self.valgrind_version,
            "env": self.env,
        }

    def task(self) -> dict:
        """The task keys of a counted process."""
        if self.backend == C.PERF:
            session = {C.BACKEND: C.PERF, C.EVENTS: list(self.measures)}
            return {protocol.Task.COUNTING: session}
        return valgrind.counting_task()


def choose(measures: tuple[str, ...], counter: str, probes: dict[str, dict]) -> tuple[str, str]:
    """(backend, why) for the counted ``measures``, given each variant's counting probe.

    ``probes`` maps a variant to what its runner found: ``{"perf": {event: None | why not}}``.
    """
    wanted = counted(measures)
    missing: dict[str, str] = {}
    for name, probe in probes.items():
        for m in wanted:
            why = (probe.get(C.PERF) or {}).get(m, "not probed")
            if why is not None:
                missing.setdefault(m, f"{why} (variant {name})")
    if counter in ("auto", "perf") and not missing:
        return "perf", f"{', '.join(wanted)} counted by perf_event_open in the measured processes"
    first, why = next(iter(missing.items())) if missing else (wanted[0], "")
    if counter == "perf":
        raise JitbenchError(
            f"--counter perf: cannot count {first} here: {why}; this host has no "
            "such counter; use --counter valgrind (counts instructions)"
        )
    beyond = [m for m in wanted if m not in VALGRIND_MEASURES]
    if beyond:
        raise JitbenchError(
            f"--measure {beyond[0]}: needs a hardware counter, and this host "
            f"has none for it ({missing.get(beyond[0], why)}); valgrind counts "
            "only instructions: use --measure time,instructions"
        )
    if missing:
        return "valgrind", (
            f"no hardware counters here ({why}); instructions are counted under "
            "valgrind (callgrind) in extra processes, one per variant and round"
        )
    return "valgrind", "instructions counted under valgrind (callgrind), as --counter asked"


def check_valgrind(transport: Transport, variant: Variant) -> str:
    """valgrind's version where ``variant``'s interpreter runs; one clear error when absent."""
    argv = valgrind.version_argv(list(variant.runtime.command))
    where = (
        f"inside {variant.runtime.command[1]}"
        if variant.runtime.command[0].endswith("chroot")
        else f"on host {variant.runtime.host_name!r}"
    )
    fix = "install it there (Debian/Ubuntu: apt-get install valgrind)"
    try:
        done = transport.run(argv, {}, b"", 60)
    except OSError:
        done = None
    text = (done.stdout or b"").decode("utf-8", "replace").strip() if done else ""
    if done is None or done.returncode != 0 or not text.startswith("valgrind"):
        raise JitbenchError(
            f"valgrind is not installed {where}, where runtime "
            f"{variant.runtime.name!r} runs; counting instructions needs it: "
            f"{fix}, or measure time only"
        )
    return text


def counted_env(variants: list[Variant]) -> dict[str, dict[str, str]]:
    """Per variant, the settings its runtime kind needs for deterministic counts."""
    return {v.name: counted_env_for(v) for v in variants}


def host_backends(transport: Transport, variant: Variant) -> dict:
    """What ``variant``'s interpreter can count where it runs: perf events, and valgrind.

    ``{"perf": {event: None | why not}, "valgrind": version | None, "valgrind_error": str}``
    (``jitbench doctor``).
    """
    from ..measures import COUNTED
    from .process import run_process

    rec = run_process(transport, variant, None, protocol.facts_task(COUNTED), 60)
    out: dict = {
        C.PERF: (rec.get(protocol.Result.COUNTING_PROBE) or {}).get(C.PERF)
        or {m: rec.get("error", "no answer") for m in COUNTED}
    }
    try:
        out["valgrind"] = check_valgrind(transport, variant)
    except JitbenchError as exc:
        out["valgrind"] = None
        out["valgrind_error"] = str(exc)
    return out
