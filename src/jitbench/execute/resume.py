"""``jitbench run --resume RESULT``: rebuild the experiment a partial artifact describes.

The artifact holds the design, the seed, the schedule, the loops and every variant as it ran; the
configuration supplies what cannot be stored (runtimes, hosts, benchmark files). Each rebuilt
variant must still resolve to what the artifact recorded — same command, env and args, same
built commit — or the resumed processes would not measure the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeGuard

from .. import config as cfgmod
from ..builds.revisions import builds_dir, materialize
from ..config import Config
from ..errors import JitbenchError
from ..model import Design, Experiment, Variant
from ..results.model import Result, VariantRecord
from .experiment import nothing_to_resume, variant_record

AGAIN = "-again"  # the A/A candidate's name suffix (``ab base base``)


def config_for(result: Result, path: Path, given: Path | None) -> Config:
    """The configuration to resume ``result`` with: ``--config`` if given, else the one the run used.

    The result records that file's path and a hash of its content; a file that moved or changed
    since is not used silently.
    """
    if given is not None:
        return cfgmod.load(given)
    recorded = result.config
    if recorded is None:
        return cfgmod.default_config()  # the run used no configuration file
    where = Path(recorded)
    if not where.is_file():
        raise JitbenchError(
            f"{path}: the configuration the run used, {recorded}, is no longer "
            "there (moved or deleted); resume with --config FILE"
        )
    wanted = result.config_sha256
    if wanted is not None and cfgmod.digest(where) != wanted:
        raise JitbenchError(
            f"{path}: the configuration the run used, {recorded}, changed since "
            "the run; resume with --config FILE to use it as it is now (the "
            "variants must still match the result)"
        )
    return cfgmod.load(where)


def experiment_from(
    result: Result,
    path: Path,
    cfg: Config,
    *,
    gate: bool = True,
    log: Callable[[str], None] = lambda s: None,
) -> Experiment:
    """The Experiment of artifact ``result`` (read from ``path``), with variants from ``cfg``."""
    if result.complete:
        raise JitbenchError(nothing_to_resume(path))
    where = cfg.path.name if cfg.path else "the default configuration"
    sweep = result.sweep
    variants = [
        _variant(cfg, name, rec, path, where)
        if not _is_point(sweep, name)
        else _sweep_point(cfg, name, rec, sweep["default"], path, where)
        for name, rec in result.variants.items()
    ]
    variants = materialize(variants, cache_dir=builds_dir(cfg.path), gate=gate, log=log)
    variants = [_as_recorded(v, result.variants[v.name], path) for v in variants]
    d = result.design
    design = Design(
        processes=d.processes,
        values=d.values,
        warmups=d.warmups,
        # Only imported results record no timeout, and they are complete: the default is a guard.
        timeout=d.timeout if d.timeout is not None else Design.timeout,
        seed=result.seed,
        min_time=d.min_time if d.min_time is not None else 0.05,
        loops=d.loops,
        measures=tuple(d.measures or ("time",)),
        instruments=tuple(d.instruments or ()),
        instrumented_rounds=d.instrumented_rounds,
        instrumented_values=d.instrumented_values,
        instrumented_benchmarks=(
            tuple(d.instrumented_benchmarks) if d.instrumented_benchmarks else None
        ),
        instrumented_variants=(tuple(d.instrumented_variants) if d.instrumented_variants else None),
        # Counted as the run began: the missing slots are counted alike.
        counter=(result.counting or {}).get("backend", "auto"),
    )
    benches = [cfg.benchmark(name) for name in result.benchmarks]
    return Experiment(
        variants=variants,
        benchmarks=benches,
        design=design,
        config_path=cfg.path,
        extra={"sweep": sweep} if sweep else {},
    )


def _is_point(sweep: dict | None, name: str) -> TypeGuard[dict]:
    """Whether ``name`` is a point a sweep derived (not its default, which the config holds)."""
    if not sweep:
        return False
    return name in sweep.get("points", {}) and name != sweep.get("default")


def _sweep_point(
    cfg: Config, name: str, rec: VariantRecord, default: str, path: Path, where: str
) -> Variant:
    """A sweep point: the default variant with the mode and JIT options the point ran with."""
    base = _variant(cfg, default, None, path, where)
    return replace(
        base,
        name=name,
        mode=rec.mode,
        jit_options=tuple((rec.jit_options or {}).items()),
    )


def _variant(cfg: Config, name: str, rec: VariantRecord | None, path: Path, where: str) -> Variant:
    """The config's variant of this name (or the runtime and revision the record names)."""
    rev = rec.rev if rec is not None else None
    if name in cfg.variants:
        found = cfg.variants[name]
    elif name.endswith(AGAIN) and name[: -len(AGAIN)] in cfg.variants:
        found = replace(cfg.variants[name[: -len(AGAIN)]], name=name)
    elif rev and rec is not None and rec.runtime in cfg.runtimes:
        found = Variant(name=name, runtime=cfg.runtimes[rec.runtime], rev=rev)
    else:
        raise JitbenchError(
            f"{path}: variant {name!r} is not in {where}; resume with the "
            "configuration the run used (--config FILE)"
        )
    return replace(found, rev=rev) if rev else found


def _as_recorded(v: Variant, rec: VariantRecord, path: Path) -> Variant:
    """The variant with the env it ran with (a mode may have added some, e.g. a JIT list)."""
    v = replace(v, env=tuple(rec.env.items()))
    now = variant_record(v)
    for key in ("command", "env", "args", "host"):
        was = getattr(rec, key)  # None: not recorded by the release that ran it
        if was is not None and getattr(now, key) != was:
            raise JitbenchError(
                f"{path}: variant {v.name!r} changed since the run ({key} is now "
                f"{getattr(now, key)!r}, was {was!r}); resume with the configuration "
                "the run used"
            )
    if rec.sha and now.sha != rec.sha:
        raise JitbenchError(
            f"{path}: variant {v.name!r}: revision {rec.rev!r} is now "
            f"{now.sha}, the run used {rec.sha}; resume needs the same "
            "commit"
        )
    return v
