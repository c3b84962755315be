"""``jitbench run`` and ``jitbench ab``: run an interleaved experiment, save it, compare."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from ..builds.revisions import builds_dir, materialize
from ..errors import JitbenchError
from ..execute.resume import config_for, experiment_from
from ..model import Experiment, Variant
from ..results import artifact as results
from ..results.model import Result
from .common import (
    analysis_options,
    chosen_benchmarks,
    gate_status,
    load_config,
    print_json,
    stderr_console,
    wide_console,
)
from .measure import design_from, measure, silent
from .options import add_analysis, add_build, add_run, cores, duration
from .sweep import shown


def resume_command(args: argparse.Namespace, argv: list[str]) -> int:
    """``run --resume RESULT``: run the slots the partial artifact lacks, then compare."""
    if args.variants:
        raise JitbenchError(
            f"--resume takes no variants: the result names them; drop {' '.join(args.variants)}"
        )
    given = [
        f"--{name.replace('_', '-')}"
        for name in DESIGN_OPTIONS
        if getattr(args, name, None) not in (None, [])
    ]
    if given:
        raise JitbenchError(f"--resume runs the result's own design; drop {' '.join(given)}")
    path = args.resume
    partial = results.load_result(path)
    cfg = config_for(partial, path, args.config)
    log = (lambda m: None) if silent(args) else stderr_console().print
    exp = experiment_from(partial, path, cfg, gate=not args.no_gate, log=log)
    sweep = partial.sweep
    # A sweep shows its table again, against its default point.
    baseline = {"baseline": sweep["default"]} if sweep else {}
    measured = measure(
        exp,
        args,
        partial.command or argv,
        cfg,
        resuming=partial,
        out=path,
        opts=analysis_options(args, cfg, seed=partial.seed, **baseline),
        show=shown(args, sweep) if sweep else None,
    )
    if measured.analysis is None:  # a --jit-only result stays one
        return jit_only_done(measured.result, measured.path, args.json)
    return gate_status(measured.analysis, args)


# What a resumed run takes from its artifact, so the command line may not set it.
DESIGN_OPTIONS = (
    "bench",
    "processes",
    "values",
    "warmups",
    "timeout",
    "seed",
    "loops",
    "min_time",
    "target_ci",
    "budget",
    "out",
    "profile",
)


def run_command(args: argparse.Namespace, argv: list[str]) -> int:
    """Run the experiment the arguments describe and print the comparison."""
    if getattr(args, "resume", None) is not None:
        return resume_command(args, argv)
    cfg = load_config(args.config)
    if args.command == "ab" and args.runtime:
        variants = rev_variants(cfg, args.runtime, args.baseline, args.candidate)
    elif args.command == "ab":
        variants = [cfg.variant(args.baseline), cfg.variant(args.candidate)]
        if variants[0].name == variants[1].name:
            # A/A is a legitimate control: the same variant on both sides, under its own name.
            variants[1] = replace(variants[1], name=f"{variants[1].name}-again")
    else:
        # A name spread over hosts (``hosts = [...]``) means the variant on each of them.
        names = args.variants or [v.group or v.name for v in cfg.variants.values()]
        variants = list({v.name: v for n in dict.fromkeys(names) for v in cfg.select(n)}.values())
        first = cfg.experiment.get("baseline")
        if first:
            # [experiment] baseline names the variant the others are compared with.
            chosen = {v.name for v in cfg.select(first)}  # a group: each host's is a baseline
            variants.sort(key=lambda v: v.name not in chosen)
    if not variants:
        raise JitbenchError("no variants to run; define [variants.NAME] in jitbench.toml")
    benches = chosen_benchmarks(args, cfg)
    variants = materialize(
        variants,
        cache_dir=builds_dir(cfg.path),
        rebuild=args.rebuild,
        gate=not args.no_gate,
        log=(lambda m: None) if silent(args) else stderr_console().print,
    )
    exp = Experiment(
        variants=variants,
        benchmarks=benches,
        design=design_from(args, cfg.experiment),
        config_path=cfg.path,
    )
    counted = [m for m in exp.design.measures if m != "time"]
    if args.jit_only and counted:
        raise JitbenchError(
            f"--jit-only records what the JIT compiled and gives no verdict, so "
            f"it counts nothing; drop --measure {','.join(counted)} (or "
            "--jit-only)"
        )
    measured = measure(exp, args, argv, cfg, verdicts=not args.jit_only)
    if measured.analysis is None:  # --jit-only
        return jit_only_done(measured.result, measured.path, args.json)
    return gate_status(measured.analysis, args)


def jit_only_done(result: Result, path: str, as_json: bool) -> int:
    """After ``--jit-only``: where the result is and how to read it; no verdict."""
    from ..runtimes.introspection import machine_of

    machines = {name: machine_of(result, name) for name in result.variants}
    if as_json:
        print_json({"result": path, "jit_only": True, "variants": machines})
        return 0
    console = wide_console()
    for name, m in machines.items():
        how = m["emulation"]["text"] if m["emulation"] else "native"
        console.print(f"{name}: {m['machine']} ({how})")
    console.print(
        f"result: {path} (JIT only: no time verdict); what the JIT compiled: jitbench jit {path}"
    )
    return 0


def rev_variants(cfg, runtime_name: str, rev_a: str, rev_b: str) -> list:
    """``ab REV_A REV_B --runtime NAME``: two variants of a built runtime, named by revision."""
    runtime = cfg.runtimes.get(runtime_name)
    if runtime is None:
        raise JitbenchError(
            f"--runtime {runtime_name!r} is not a runtime of the config; "
            f"defined: {', '.join(cfg.runtimes) or 'none'}"
        )
    if runtime.build is None:
        raise JitbenchError(
            f"runtime {runtime_name!r} is not built from a repository; give it "
            "repo/base/build in the config to compare revisions"
        )
    name_b = rev_b if rev_b != rev_a else f"{rev_b}-again"
    return [
        Variant(name=rev_a, runtime=runtime, rev=rev_a),
        Variant(name=name_b, runtime=runtime, rev=rev_b),
    ]


def register(sub: argparse._SubParsersAction) -> None:
    """``run`` and ``ab``."""
    p = sub.add_parser("run", help="run variants × benchmarks, interleaved, and compare them")
    p.add_argument(
        "variants",
        nargs="*",
        metavar="VARIANT",
        help="variants to run (default: all in the config); the first is the baseline",
    )
    add_run(p)
    add_build(p)
    add_quiet(p)
    p.add_argument(
        "--resume",
        type=Path,
        default=None,
        metavar="RESULT",
        help="complete a partial result: run its missing slots (and those whose "
        "connection was lost) with the same seed, order and loops",
    )
    add_jit_only(p)
    add_analysis(p)
    p.set_defaults(func=run_command)
    p = sub.add_parser("ab", help="run a baseline and a candidate, then compare them")
    p.add_argument("baseline", metavar="BASELINE", help="a variant, or a revision with --runtime")
    p.add_argument("candidate", metavar="CANDIDATE", help="a variant, or a revision with --runtime")
    p.add_argument(
        "--runtime",
        default=None,
        metavar="NAME",
        help="compare two revisions of this runtime (built from its repo)",
    )
    add_run(p)
    add_build(p)
    add_quiet(p)
    add_jit_only(p)
    add_analysis(p)
    p.set_defaults(func=run_command)


def add_jit_only(p: argparse.ArgumentParser) -> None:
    """``--jit-only``: record what the JIT did, draw no time verdict (emulated runtimes may run)."""
    p.add_argument(
        "--jit-only",
        action="store_true",
        help="record what the JIT compiled for `jitbench jit RESULT`, and print no "
        "time verdict; runtimes under emulation (e.g. aarch64 on qemu-user) run "
        "only so",
    )


def add_quiet(p: argparse.ArgumentParser) -> None:
    """Options about the load of the hosts processes run on."""
    p.add_argument(
        "--load-threshold",
        type=cores,
        default=None,
        metavar="CORES",
        help="cores other processes may use during a process before it is flagged "
        "contaminated (default: the host's load_threshold, else 0.5)",
    )
    p.add_argument(
        "--wait-idle",
        type=duration,
        nargs="?",
        const=120.0,
        default=None,
        metavar="MAX",
        help="before each process, wait (at most MAX, default 2m) until the host is quiet",
    )
    p.add_argument(
        "--exclude-contaminated",
        action="store_true",
        help="run processes measured under load again (twice at most), so the "
        "comparison uses quiet ones",
    )
