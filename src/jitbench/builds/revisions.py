"""Turn variants of runtimes built from a repository into runnable ones: build, install and gate
each revision (cached), then point the variant at the built interpreter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..model import Runtime, Variant
from . import prepare


def builds_dir(config_path: Path | None) -> Path:
    """Where built revisions are cached: beside the config file, under .jitbench/builds."""
    base = config_path.resolve().parent if config_path else Path.cwd()
    return base / ".jitbench" / "builds"


def variant_for_rev(variant: Variant, rev: str, name: str | None = None) -> Variant:
    """The same variant on another revision of its runtime."""
    return replace(variant, name=name or variant.name, rev=rev, build=None)


def materialize(
    variants: list[Variant],
    *,
    cache_dir: Path,
    rebuild: bool = False,
    gate: bool = True,
    log: Callable[[str], None] = lambda s: None,
) -> list[Variant]:
    """Build every (runtime, revision) once; return variants whose runtime command is the build's.

    Raises JitbenchError (one line, with the log path) when a build or a gate fails, before any
    measurement starts.
    """
    built: dict[tuple[str, str], tuple[Runtime, dict]] = {}
    out = []
    for v in variants:
        spec = v.runtime.build
        if spec is None:
            out.append(v)
            continue
        rev = v.rev or "HEAD"
        key = (v.runtime.name, rev)
        if key not in built:
            log(f"preparing {v.runtime.name} at {rev}")
            b = prepare(spec, rev, cache_dir=cache_dir, rebuild=rebuild, gate=gate, log=log)
            log(
                f"{v.runtime.name} at {rev}: {b.sha[:12]} "
                f"({'cached' if b.cached else 'built'}, gate {b.gate})"
            )
            runtime = replace(v.runtime, command=tuple(b.command))
            built[key] = (runtime, b.to_dict())
        runtime, info = built[key]
        out.append(replace(v, runtime=runtime, build=info))
    return out
