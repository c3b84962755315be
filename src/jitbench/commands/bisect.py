"""``jitbench bisect``: find the first commit that made a benchmark slower.

Binary search over the first-parent history between a good and a bad revision. Each step builds
(cached) and measures the middle commit against the good one with the usual interleaved design and
verdict machinery: a step is *bad* when the candidate is ``slower`` by at least ``--threshold``,
*good* when the CI rules out a slowdown of that size; anything else is re-measured with twice the
processes, up to ``--max-processes``.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, replace

from ..analysis import experiment as an
from ..builds import first_parent_range, resolve_rev
from ..builds.revisions import builds_dir, materialize
from ..errors import JitbenchError
from ..execute.experiment import Runner
from ..model import Experiment, Variant
from ..report import fmt
from ..results.artifact import default_results_dir
from .common import load_config, stderr_console, wide_console
from .options import add_build, add_run, percent, positive_int
from .run import design_from


@dataclass
class Step:
    """One measured commit of the search."""

    sha: str
    state: str  # bad | good | unsure
    comparison: an.BenchmarkComparison
    processes: int
    result: str


def classify(c: an.BenchmarkComparison, threshold: float) -> str:
    """bad: resolved slower by ≥ threshold; good: CI excludes a slowdown that large; else unsure."""
    r = c.result
    if r.verdict == "slower" and r.change_pct >= threshold:
        return "bad"
    if r.ci_high_pct < threshold:
        return "good"
    return "unsure"


def _measure(args, cfg, base: Variant, good: Variant, sha: str, processes: int, console) -> Step:
    cand = replace(base, name=sha[:12], rev=sha, build=None)
    variants = materialize([good, cand], cache_dir=builds_dir(cfg.path), rebuild=False,
                           gate=not args.no_gate, log=lambda m: None)
    design = replace(design_from(args, cfg.experiment), processes=processes)
    exp = Experiment(variants=variants, benchmarks=[cfg.benchmark(args.bench[0])], design=design,
                     config_path=cfg.path)
    runner = Runner(exp, args.out or default_results_dir(), argv=["jitbench", "bisect"])
    doc = runner.run()
    failed = [p for p in doc["processes"] if p["status"] != "ok"]
    analysis = an.analyse(doc, an.Options(min_effect_pct=0.0, seed=doc["seed"]))
    if failed or not analysis.comparisons:
        raise JitbenchError(f"bisect: measuring {sha[:12]} failed ({len(failed)} processes failed); "
                            f"see {runner.out_path}")
    c = analysis.comparisons[0]
    state = classify(c, args.threshold)
    console.print(f"  {sha[:12]}: {fmt.pct(c.result.change_pct)} "
                  f"{fmt.ci(c.result.ci_low_pct, c.result.ci_high_pct)} with {processes} processes "
                  f"→ {state}")
    return Step(sha, state, c, processes, str(runner.out_path))


def _decide(args, cfg, base, good, sha, console) -> Step:
    processes = design_from(args, cfg.experiment).processes
    while True:
        step = _measure(args, cfg, base, good, sha, processes, console)
        if step.state != "unsure" or processes * 2 > args.max_processes:
            return step
        processes *= 2


def bisect_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the search and print the first bad commit with its from → to and CI."""
    cfg = load_config(args.config)
    if len(args.bench) != 1:
        raise JitbenchError("bisect needs exactly one --bench NAME")
    runtime = cfg.runtimes.get(args.runtime)
    if runtime is None or runtime.build is None:
        raise JitbenchError(f"--runtime {args.runtime!r} must name a runtime built from a repository "
                            "(repo/base/build in the config)")
    spec = runtime.build
    good_sha = resolve_rev(spec, args.good)
    shas = first_parent_range(spec, args.good, args.bad)
    if not shas:
        raise JitbenchError(f"bisect: no commits between {args.good} and {args.bad}")
    console = stderr_console()
    base = Variant(name="candidate", runtime=runtime)
    good = Variant(name=f"good-{good_sha[:12]}", runtime=runtime, rev=good_sha)
    console.print(f"bisect: {len(shas)} commits after {good_sha[:12]} up to {args.bad}; "
                  f"threshold {args.threshold:g} %")
    steps: dict[str, Step] = {}
    steps[shas[-1]] = _decide(args, cfg, base, good, shas[-1], console)
    if steps[shas[-1]].state != "bad":
        raise JitbenchError(f"bisect: {args.bad} is not slower than {args.good} by ≥ "
                            f"{args.threshold:g} % ({steps[shas[-1]].state}); nothing to bisect")
    lo, hi = -1, len(shas) - 1  # shas[hi] is bad; lo is good (-1: the good revision itself)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        steps[shas[mid]] = step = _decide(args, cfg, base, good, shas[mid], console)
        if step.state == "bad":
            hi = mid
        else:
            lo = mid
    first = steps[shas[hi]]
    r = first.comparison.result
    unsure = [s.sha[:12] for s in steps.values() if s.state == "unsure"]
    wide_console().print(
        f"first bad commit: {first.sha}\n"
        f"  {args.bench[0]}: {fmt.from_to(r.baseline.value_mean, r.candidate.value_mean)} "
        f"({fmt.pct(r.change_pct)}, 95 % CI {fmt.ci(r.ci_low_pct, r.ci_high_pct)}, {r.verdict}) "
        f"vs good {good_sha[:12]}\n"
        f"  {len(steps)} commits measured; result {first.result}"
        + (f"\n  unresolved steps treated as good: {', '.join(unsure)}" if unsure else ""))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``bisect``."""
    p = sub.add_parser("bisect", help="find the first commit that made a benchmark slower")
    p.add_argument("--runtime", required=True, help="a runtime built from a repository")
    p.add_argument("--good", required=True, metavar="REV", help="a revision known to be fast")
    p.add_argument("--bad", required=True, metavar="REV", help="a revision known to be slow")
    p.add_argument("--threshold", type=percent, default=2.0,
                   help="slowdown in %% that makes a commit bad (default 2%%)")
    p.add_argument("--max-processes", type=positive_int, default=32,
                   help="re-measure unresolved steps with doubled processes up to this many")
    add_run(p)
    add_build(p)
    p.set_defaults(func=bisect_command)
