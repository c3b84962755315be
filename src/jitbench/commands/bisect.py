"""``jitbench bisect``: find the first commit that made a benchmark slower.

Binary search over the first-parent history between a good and a bad revision. Each step builds
(cached) and measures the middle commit against the good one with the usual interleaved design and
verdict machinery: a step is *bad* when the candidate is ``slower`` by at least ``--threshold``,
*good* when the CI rules out a slowdown of that size. A step that is neither (*unsure*) after the
planned rounds gets the engine's adaptive rounds: more interleaved rounds until the CI half-width
is at most ``--target-ci`` (default: half the threshold) or ``--budget`` is spent. Those rounds
stop on precision, never on the step's outcome.

The measure judged is the first one named with ``--measure`` (default time): with
``--measure instructions`` a step is bad when it runs at least ``--threshold`` more instructions,
which valgrind counts to the instruction on a host whose times swing.

An interrupted search continues when the same command runs again: a journal beside the results
names each step's result; finished steps are reused and the interrupted one is resumed.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shlex
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from ..analysis import experiment as an
from ..builds import first_parent_range, resolve_rev
from ..builds.revisions import builds_dir, materialize
from ..errors import JitbenchError
from ..execute.experiment import Interrupted, Runner
from ..execute.resume import experiment_from
from ..model import Experiment, Variant
from ..plan.adaptive import Target, extender
from ..report import fmt
from ..results import artifact as results
from ..results.artifact import default_results_dir
from ..results.atomic import write_text_atomic
from ..results.model import Result
from .common import load_config, stderr_console, wide_console
from .measure import DEFAULT_BUDGET_S, design_from, measure
from .options import add_build, add_run, percent


@dataclass
class Step:
    """One measured commit of the search."""

    sha: str
    state: str  # bad | good | unsure
    comparison: an.BenchmarkComparison
    processes: int
    result: str


def judged_measure(args: argparse.Namespace) -> str:
    """The measure a step is judged on: the first named with ``--measure``, else time."""
    return (getattr(args, "measures", None) or ["time"])[0]


def judged(
    comparisons: list[an.BenchmarkComparison], measure: str
) -> an.BenchmarkComparison | None:
    """The step's comparison on the judged measure (None when it has none yet)."""
    return next((c for c in comparisons if c.measure == measure), None)


def classify(c: an.BenchmarkComparison, threshold: float) -> str:
    """bad: resolved slower by ≥ threshold; good: CI excludes a slowdown that large; else unsure."""
    r = c.result
    if r.verdict == "slower" and r.change_pct >= threshold:
        return "bad"
    if r.ci_high_pct < threshold:
        return "good"
    return "unsure"


def _until_precise(
    target: Target, opts: an.Options, threshold: float, measure: str = "time"
) -> Callable[[Runner], int]:
    """The engine's ``extend``: adaptive rounds, but only for a step unsure after its planned ones."""
    adaptive: Callable[[Runner], int] | None = None

    def extend(runner: Runner) -> int:
        nonlocal adaptive
        if adaptive is None:
            c = judged(an.analyse(runner.result, opts).comparisons, measure)
            if c is None or classify(c, threshold) != "unsure":
                return 0
            adaptive = extender(target, opts)
        return adaptive(runner)

    return extend


class _Search:
    """Measures commits against the good revision, each through the engine; builds once each."""

    def __init__(
        self,
        args: argparse.Namespace,
        argv: list[str],
        cfg,
        base: Variant,
        good: str,
        bad: str,
        console,
    ):
        self.args, self.argv, self.cfg, self.console = args, argv, cfg, console
        self.base = base
        self.good_sha = good  # the good revision's commit
        self.good = replace(base, name=f"good-{good[:12]}", rev=good)
        self.bad = bad  # the bad revision's commit
        self.journal: dict = {}
        self.rebuilt: set[str] = set()  # --rebuild: each revision is built again once
        target_ci = args.target_ci if args.target_ci is not None else args.threshold / 2
        self.judged_on = judged_measure(args)
        self.target = Target(target_ci, args.budget or DEFAULT_BUDGET_S, measures=(self.judged_on,))

    def _built(self, variant: Variant) -> Variant:
        rebuild = self.args.rebuild and variant.rev not in self.rebuilt
        self.rebuilt.add(variant.rev or "")
        (built,) = materialize(
            [variant],
            cache_dir=builds_dir(self.cfg.path),
            rebuild=rebuild,
            gate=not self.args.no_gate,
            log=self.console.print,
        )
        return built

    def _name(self) -> tuple[Path, str]:
        out = self.args.out or default_results_dir()
        folder = out.parent if out.suffix == ".json" else out
        return folder, f"bisect-{self.good_sha[:12]}-{self.bad[:12]}-{self.args.bench[0]}"

    def journal_path(self) -> Path:
        """The search's journal: which result holds which step, and whether the search ended.

        Hidden, so that nothing takes it for a result."""
        folder, name = self._name()
        return folder / f".{name}.journal.json"

    def open_journal(self) -> None:
        """Continue an interrupted search (same good, bad and benchmark), else start a new one."""
        path = self.journal_path()
        try:
            journal = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None
        if (
            journal is None
            or journal.get("finished")
            or self.args.rebuild
            or not isinstance(journal.get("steps"), dict)
        ):
            journal = {
                "good": self.good_sha,
                "bad": self.bad,
                "bench": self.args.bench[0],
                "steps": {},
                "finished": False,
            }
        self.journal = journal
        write_text_atomic(path, json.dumps(journal))

    def close_journal(self) -> None:
        """The search ended: the same command runs a new one."""
        self.journal["finished"] = True
        write_text_atomic(self.journal_path(), json.dumps(self.journal))

    def step_path(self, sha: str) -> Path:
        """Where a step's result goes, recorded in the journal before it is measured."""
        recorded = self.journal["steps"].get(sha)
        if recorded:
            return Path(recorded)
        folder, name = self._name()
        path = folder / f"{name}-{sha[:12]}-{secrets.token_hex(3)}.json"
        self.journal["steps"][sha] = str(path)
        write_text_atomic(self.journal_path(), json.dumps(self.journal))
        return path

    def _measured_before(self, sha: str, partial: Result, path: Path) -> Step | None:
        """The step of a commit whose experiment finished before, when it judged it."""
        opts = an.Options(min_effect_pct=0.0, seed=partial.seed)
        before = judged(an.analyse(partial, opts).comparisons, self.judged_on)
        if before is None:
            return None
        rounds = 1 + max(s.round for s in partial.schedule)
        return self._step(sha, before, rounds, str(path), " (measured before)")

    def _experiment(self, sha: str, partial: Result | None, path: Path) -> tuple[Experiment, int]:
        """(experiment, seed) measuring ``sha`` against the good commit; resumed if interrupted."""
        if partial is not None:
            # Interrupted while measuring this commit: its finished processes are kept.
            exp = experiment_from(
                partial, path, self.cfg, gate=not self.args.no_gate, log=self.console.print
            )
            return exp, partial.seed
        if self.good.build is None or self.args.rebuild and self.good.rev not in self.rebuilt:
            self.good = self._built(self.good)
        cand = self._built(replace(self.base, name=sha[:12], rev=sha, build=None))
        design = design_from(self.args, self.cfg.experiment)
        exp = Experiment(
            variants=[self.good, cand],
            benchmarks=[self.cfg.benchmark(self.args.bench[0])],
            design=design,
            config_path=self.cfg.path,
        )
        return exp, design.seed

    def measure(self, sha: str) -> Step:
        path = self.step_path(sha)
        partial = results.load_result(path) if path.exists() else None
        if partial is not None and partial.complete:
            before = self._measured_before(sha, partial, path)
            if before is not None:
                return before
        shown: list[an.BenchmarkComparison] = []

        def show(analysis: an.Analysis, doc: Result, path: str) -> None:
            c = judged(analysis.comparisons, self.judged_on)
            if c is not None:
                shown.append(c)

        exp, seed = self._experiment(sha, partial, path)
        opts = an.Options(min_effect_pct=0.0, seed=seed)
        try:
            measured = measure(
                exp,
                self.args,
                self.argv,
                self.cfg,
                opts=opts,
                show=show,
                extend=_until_precise(self.target, opts, self.args.threshold, self.judged_on),
                progress=False,
                resuming=partial,
                out=path,
            )
        except Interrupted as exc:
            raise Interrupted(
                f"interrupted while measuring {sha[:12]}; finished processes are "
                f"kept in {path}; continue the bisect with the same command: "
                f"{shlex.join(self.argv)}"
            ) from exc
        if not shown:
            raise JitbenchError(
                f"bisect: measuring {sha[:12]} gave no comparison; see {measured.path}"
            )
        return self._step(sha, shown[0], measured.runner.rounds_done(), measured.path, "")

    def _step(
        self, sha: str, c: an.BenchmarkComparison, processes: int, path: str, note: str
    ) -> Step:
        state = classify(c, self.args.threshold)
        what = "" if c.measure == "time" else f"{c.measure} "
        self.console.print(
            f"  {sha[:12]}: {what}{fmt.pct(c.result.change_pct)} "
            f"{fmt.ci(c.result.ci_low_pct, c.result.ci_high_pct)} with {processes} "
            f"processes → {state}{note}"
        )
        return Step(sha, state, c, processes, path)


def bisect_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the search and print the first bad commit with its from → to and CI."""
    cfg = load_config(args.config)
    if len(args.bench) != 1:
        raise JitbenchError("bisect needs exactly one --bench NAME")
    runtime = cfg.runtimes.get(args.runtime)
    if runtime is None or runtime.build is None:
        raise JitbenchError(
            f"--runtime {args.runtime!r} must name a runtime built from a repository "
            "(repo/base/build in the config)"
        )
    spec = runtime.build
    good_sha = resolve_rev(spec, args.good)
    shas = first_parent_range(spec, args.good, args.bad)
    if not shas:
        raise JitbenchError(f"bisect: no commits between {args.good} and {args.bad}")
    console = stderr_console()
    base = Variant(name="candidate", runtime=runtime)
    console.print(
        f"bisect: {len(shas)} commits after {good_sha[:12]} up to {args.bad}; "
        f"threshold {args.threshold:g} %"
        + ("" if judged_measure(args) == "time" else f" more {judged_measure(args)}")
    )
    search = _Search(args, argv, cfg, base, good_sha, shas[-1], console)
    search.open_journal()
    steps: dict[str, Step] = {}
    steps[shas[-1]] = search.measure(shas[-1])
    if steps[shas[-1]].state != "bad":
        search.close_journal()
        raise JitbenchError(
            f"bisect: {args.bad} is not slower than {args.good} by ≥ "
            f"{args.threshold:g} % ({steps[shas[-1]].state}); nothing to bisect"
        )
    lo, hi = -1, len(shas) - 1  # shas[hi] is bad; lo is good (-1: the good revision itself)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        steps[shas[mid]] = step = search.measure(shas[mid])
        if step.state == "bad":
            hi = mid
        else:
            lo = mid
    search.close_journal()
    first = steps[shas[hi]]
    r = first.comparison.result
    unsure = [s.sha[:12] for s in steps.values() if s.state == "unsure"]
    wide_console().print(
        f"first bad commit: {first.sha}\n"
        f"  {args.bench[0]}"
        + ("" if first.comparison.measure == "time" else f" {first.comparison.measure}")
        + f": {fmt.from_to(r.baseline.value_mean, r.candidate.value_mean, first.comparison.measure)} "
        f"({fmt.pct(r.change_pct)}, {100 * r.confidence:g} % CI "
        f"{fmt.ci(r.ci_low_pct, r.ci_high_pct)}, {r.verdict}) "
        f"vs good {good_sha[:12]}\n"
        f"  {len(steps)} commits measured; result {first.result}"
        + (f"\n  unresolved steps treated as good: {', '.join(unsure)}" if unsure else "")
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``bisect``."""
    p = sub.add_parser("bisect", help="find the first commit that made a benchmark slower")
    p.add_argument("--runtime", required=True, help="a runtime built from a repository")
    p.add_argument("--good", required=True, metavar="REV", help="a revision known to be fast")
    p.add_argument("--bad", required=True, metavar="REV", help="a revision known to be slow")
    p.add_argument(
        "--threshold",
        type=percent,
        default=2.0,
        help="slowdown in %% that makes a commit bad (default 2%%)",
    )
    add_run(
        p,
        target_ci_help="a step still unsure after its planned rounds gets more rounds "
        "until its CI half-width is at most this (default: half the "
        "threshold), or --budget is spent; the step is judged on the first measure "
        "named with --measure (default time)",
    )
    add_build(p)
    p.set_defaults(func=bisect_command)
