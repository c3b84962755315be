"""Sweeps: derive one variant per setting of a base variant's mode and JIT options (a list, a
toggle or a grid), then read the verdicts of every point against the base as configured.

Pure functions: the ``sweep`` command runs the derived variants through the interleaving
``execute.experiment.Runner`` and prints what ``rows`` and ``best`` return.
"""

from __future__ import annotations

import itertools
import math
import statistics
from dataclasses import dataclass, replace

from ..analysis.experiment import Analysis
from ..errors import ConfigError
from ..model import Variant
from ..runtimes import check_variant


@dataclass(frozen=True)
class Point:
    """One setting of the swept parameters, as a variant of its own."""

    variant: Variant
    params: dict[str, object]


def mode_values(spec: str) -> list[str]:
    """'autojit=10,25,50' → ['autojit=10', 'autojit=25', 'autojit=50'].

    Commas separate points; a bare number repeats the previous point's ``…=`` prefix, so
    'nojit,autojit=10,100' is nojit, autojit=10 and autojit=100. Parameters of one PyPy mode
    cannot be comma-separated here: sweep them with --option instead.
    """
    out: list[str] = []
    prefix = ""
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        if "=" in item:
            prefix = item[: item.rindex("=") + 1]
            out.append(item)
        elif item[0].isdigit() and prefix:
            out.append(prefix + item)
        else:
            prefix = ""
            out.append(item)
    if not out:
        raise ConfigError(f"--mode {spec!r}: no mode given; e.g. --mode autojit=10,25,50")
    return out


def _value(text: str) -> object:
    low = text.strip().lower()
    if low in ("true", "on", "yes"):
        return True
    if low in ("false", "off", "no"):
        return False
    return int(low) if low.isdigit() else text.strip()


def option_values(spec: str) -> tuple[str, list[object]]:
    """'hir_inliner=true,false' → ('hir_inliner', [True, False])."""
    key, sep, values = spec.partition("=")
    items = [_value(v) for v in values.split(",") if v.strip()]
    if not sep or not key.strip() or not items:
        raise ConfigError(f"--option {spec!r}: expected KEY=V1,V2,... e.g. hir_inliner=true,false")
    return key.strip(), items


def _show(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def points(base: Variant, modes: list[str], options: list[tuple[str, list[object]]]) -> list[Point]:
    """Every combination of the swept values as a variant derived from ``base`` (the grid).

    A combination identical to the base variant is left out: the base itself is the default.
    """
    axes: list[tuple[str, list[object]]] = []
    if modes:
        axes.append(("mode", list(modes)))
    for key, values in options:
        if key == "mode" or any(k == key for k, _ in axes):
            raise ConfigError(f"--option {key}: swept twice; give each parameter once")
        axes.append((key, values))
    if not axes:
        raise ConfigError("nothing to sweep; give --mode LIST and/or --option KEY=V1,V2")
    out = []
    for combo in itertools.product(*(values for _, values in axes)):
        params = dict(zip((k for k, _ in axes), combo, strict=True))
        opts = dict(base.jit_options)
        opts.update({k: v for k, v in params.items() if k != "mode"})
        # The mode axis holds the --mode strings; the other axes any option value.
        mode = str(params["mode"]) if "mode" in params else base.mode
        if mode == base.mode and opts == dict(base.jit_options):
            continue
        label = ",".join(f"{k}={_show(v)}" if k != "mode" else str(v) for k, v in params.items())
        variant = replace(
            base, name=f"{base.name}@{label}", mode=mode, jit_options=tuple(opts.items())
        )
        problem = check_variant(variant)
        if problem is not None:
            raise ConfigError(f"sweep point {variant.name!r}: {problem[0]}: {problem[1]}")
        out.append(Point(variant, params))
    return out


def record(base: Variant, pts: list[Point]) -> dict:
    """``Result.sweep``: the parameters, the default variant, each point's parameter values."""
    names = list(dict.fromkeys(k for p in pts for k in p.params))
    defaults = {k: (base.mode if k == "mode" else dict(base.jit_options).get(k)) for k in names}
    return {
        "parameters": names,
        "default": base.name,
        "points": {base.name: defaults, **{p.variant.name: {**defaults, **p.params} for p in pts}},
    }


def rows(analysis: Analysis, sweep: dict) -> list[dict]:
    """One row per benchmark, point and measure: its parameters, the value (time or a count
    per iteration), change vs the default, verdict."""
    out = []
    for c in analysis.comparisons:
        if c.candidate not in sweep["points"]:
            continue
        r = c.result
        # The per-process numbers the change is computed from (steady values by default), so
        # the time column and the change column always agree.
        out.append(
            {
                "benchmark": c.benchmark,
                "variant": c.candidate,
                "measure": c.measure,
                "params": sweep["points"][c.candidate],
                "metric": r.metric,
                "mean": _mean(r.candidate.process_values),
                "default_mean": _mean(r.baseline.process_values),
                "change_pct": r.change_pct,
                "ci_low_pct": r.ci_low_pct,
                "ci_high_pct": r.ci_high_pct,
                "verdict": r.verdict,
            }
        )
    return out


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else math.nan


def best(table: list[dict], default: str, measure: str = "time") -> dict[str, dict]:
    """Per benchmark: the point with the largest significant decrease of ``measure`` (time: the
    largest speed-up), else the default."""
    out: dict[str, dict] = {}
    table = [r for r in table if r.get("measure", "time") == measure]
    for bench in dict.fromkeys(r["benchmark"] for r in table):
        faster = [r for r in table if r["benchmark"] == bench and r["verdict"] == "faster"]
        if faster:
            top = min(faster, key=lambda r: r["change_pct"])
            out[bench] = {
                "variant": top["variant"],
                "params": top["params"],
                "change_pct": top["change_pct"],
            }
        else:
            out[bench] = {
                "variant": default,
                "params": None,
                "change_pct": 0.0,
                "note": "no point is significantly faster than the default"
                if measure == "time"
                else f"no point runs significantly fewer {measure} than the default",
            }
    return out
