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

from .. import config as cfgmod
from ..builds.revisions import builds_dir, materialize
from ..config import Config
from ..errors import JitbenchError
from ..model import Design, Experiment, Variant
from .experiment import nothing_to_resume, variant_record

AGAIN = "-again"  # the A/A candidate's name suffix (``ab base base``)


def config_for(doc: dict, path: Path, given: Path | None) -> Config:
    """The configuration to resume ``doc`` with: ``--config`` if given, else the one the run used.

    The result records that file's path and a hash of its content; a file that moved or changed
    since is not used silently.
    """
    if given is not None:
        return cfgmod.load(given)
    recorded = doc.get("config")
    if recorded is None:
        return cfgmod.default_config()  # the run used no configuration file
    where = Path(recorded)
    if not where.is_file():
        raise JitbenchError(
            f"{path}: the configuration the run used, {recorded}, is no longer "
            "there (moved or deleted); resume with --config FILE"
        )
    wanted = doc.get("config_sha256")
    if wanted is not None and cfgmod.digest(where) != wanted:
        raise JitbenchError(
            f"{path}: the configuration the run used, {recorded}, changed since "
            "the run; resume with --config FILE to use it as it is now (the "
            "variants must still match the result)"
        )
    return cfgmod.load(where)


def experiment_from(
    doc: dict,
    path: Path,
    cfg: Config,
    *,
    gate: bool = True,
    log: Callable[[str], None] = lambda s: None,
) -> Experiment:
    """The Experiment of artifact ``doc`` (read from ``path``), with variants from ``cfg``."""
    if doc.get("complete"):
        raise JitbenchError(nothing_to_resume(path))
    where = cfg.path.name if cfg.path else "the default configuration"
    sweep = doc.get("sweep")
    variants = [
        _variant(cfg, name, rec, path, where)
        if not _is_point(sweep, name)
        else _sweep_point(cfg, name, rec, sweep["default"], path, where)
        for name, rec in doc["variants"].items()
    ]
    variants = materialize(variants, cache_dir=builds_dir(cfg.path), gate=gate, log=log)
    variants = [_as_recorded(v, doc["variants"][v.name], path) for v in variants]
    d = doc["design"]
    design = Design(
        processes=d["processes"],
        values=d["values"],
        warmups=d["warmups"],
        timeout=d["timeout"],
        seed=doc["seed"],
        min_time=d.get("min_time", 0.05),
        loops=d.get("loops"),
        measures=tuple(d.get("measures") or ("time",)),
        instruments=tuple(d.get("instruments") or ()),
        instrumented_rounds=d.get("instrumented_rounds"),
        instrumented_values=d.get("instrumented_values"),
        instrumented_benchmarks=(
            tuple(d["instrumented_benchmarks"]) if d.get("instrumented_benchmarks") else None
        ),
        # Counted as the run began: the missing slots are counted alike.
        counter=(doc.get("counting") or {}).get("backend", "auto"),
    )
    benches = [cfg.benchmark(name) for name in doc["benchmarks"]]
    return Experiment(
        variants=variants,
        benchmarks=benches,
        design=design,
        config_path=cfg.path,
        extra={"sweep": sweep} if sweep else {},
    )


def _is_point(sweep: dict | None, name: str) -> bool:
    """Whether ``name`` is a point a sweep derived (not its default, which the config holds)."""
    return bool(sweep) and name in sweep.get("points", {}) and name != sweep.get("default")


def _sweep_point(
    cfg: Config, name: str, rec: dict, default: str, path: Path, where: str
) -> Variant:
    """A sweep point: the default variant with the mode and JIT options the point ran with."""
    base = _variant(cfg, default, {}, path, where)
    return replace(
        base,
        name=name,
        mode=rec.get("mode"),
        jit_options=tuple((rec.get("jit_options") or {}).items()),
    )


def _variant(cfg: Config, name: str, rec: dict, path: Path, where: str) -> Variant:
    """The config's variant of this name (or the runtime and revision the record names)."""
    if name in cfg.variants:
        found = cfg.variants[name]
    elif name.endswith(AGAIN) and name[: -len(AGAIN)] in cfg.variants:
        found = replace(cfg.variants[name[: -len(AGAIN)]], name=name)
    elif rec.get("rev") and rec.get("runtime") in cfg.runtimes:
        found = Variant(name=name, runtime=cfg.runtimes[rec["runtime"]], rev=rec["rev"])
    else:
        raise JitbenchError(
            f"{path}: variant {name!r} is not in {where}; resume with the "
            "configuration the run used (--config FILE)"
        )
    return replace(found, rev=rec["rev"]) if rec.get("rev") else found


def _as_recorded(v: Variant, rec: dict, path: Path) -> Variant:
    """The variant with the env it ran with (a mode may have added some, e.g. a JIT list)."""
    v = replace(v, env=tuple(rec["env"].items()))
    now = variant_record(v)
    for key in ("command", "env", "args", "host"):
        if key in rec and now[key] != rec[key]:
            raise JitbenchError(
                f"{path}: variant {v.name!r} changed since the run ({key} is now "
                f"{now[key]!r}, was {rec[key]!r}); resume with the configuration "
                "the run used"
            )
    if rec.get("sha") and now.get("sha") != rec["sha"]:
        raise JitbenchError(
            f"{path}: variant {v.name!r}: revision {rec.get('rev')!r} is now "
            f"{now.get('sha')}, the run used {rec['sha']}; resume needs the same "
            "commit"
        )
    return v
