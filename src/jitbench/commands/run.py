"""``jitbench run`` and ``jitbench ab``: run an interleaved experiment, save it, compare."""

from __future__ import annotations

import argparse
import secrets
from dataclasses import replace
from pathlib import Path

from ..analysis import experiment as an
from ..builds.revisions import builds_dir, materialize
from ..errors import JitbenchError
from ..execute.experiment import Runner, resume_hint
from ..execute.load import Quiet
from ..execute.resume import config_for, experiment_from
from ..model import Design, Experiment, Variant
from ..plan.adaptive import Target, extender
from ..results import artifact as results
from ..results.artifact import default_results_dir
from .common import (
    analysis_options,
    chosen_benchmarks,
    live_progress,
    load_config,
    present,
    print_json,
    record_result,
    stderr_console,
    wide_console,
)
from .options import add_analysis, add_build, add_run, cores, duration

DEFAULT_BUDGET_S = 1800.0


def _instruments(args: argparse.Namespace) -> tuple[str, ...]:
    """--profile [asm|hir|lir]: the perf instrument dumping that code."""
    from ..profile.instrument import instrument_name

    code = getattr(args, "profile", None)
    return (instrument_name(code),) if code else ()


def design_from(args: argparse.Namespace, defaults: dict) -> Design:
    """Command line first, then the config's [experiment] table, then built-in defaults."""
    base = Design()

    def pick(name: str, attr: str | None = None):
        v = getattr(args, attr or name, None)
        if v is not None:
            return v
        return defaults.get(name, getattr(base, name))

    seed = pick("seed")
    if args.seed is None and "seed" not in defaults:
        seed = secrets.randbelow(2**31)
    return Design(processes=pick("processes"), values=pick("values"), warmups=pick("warmups"),
                  timeout=pick("timeout"), seed=seed, min_time=pick("min_time"),
                  loops=pick("loops"),
                  instruments=_instruments(args))


def quiet_from(args: argparse.Namespace) -> Quiet:
    """The host-load options: threshold, --wait-idle, --exclude-contaminated."""
    return Quiet(threshold=args.load_threshold, wait_idle=args.wait_idle,
                 exclude_contaminated=args.exclude_contaminated)


def resume_command(args: argparse.Namespace, argv: list[str]) -> int:
    """``run --resume RESULT``: run the slots the partial artifact lacks, then compare."""
    if args.variants:
        raise JitbenchError("--resume takes no variants: the result names them; drop "
                            f"{' '.join(args.variants)}")
    path = args.resume
    doc = results.load(path)
    cfg = config_for(doc, path, args.config)
    quiet = args.json or args.markdown
    log = (lambda m: None) if quiet else stderr_console().print
    exp = experiment_from(doc, path, cfg, gate=not args.no_gate, log=log)
    runner = Runner(exp, path, argv=doc.get("command", argv), quiet=quiet_from(args), doc=doc)
    with live_progress(enabled=not quiet) as progress:
        runner.progress = progress
        doc = runner.resume()
    if doc.get("jit_only"):
        return jit_only_done(doc, str(path), args.json)
    analysis = an.analyse(doc, analysis_options(args, cfg, seed=doc["seed"]))
    present(analysis, doc, args, str(path))
    record_result(doc, str(path), cfg, args.db)
    raise_on_failures(doc, str(path))
    return 0


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
    quiet = args.json or args.markdown
    variants = materialize(variants, cache_dir=builds_dir(cfg.path), rebuild=args.rebuild,
                           gate=not args.no_gate,
                           log=(lambda m: None) if quiet else stderr_console().print)
    exp = Experiment(variants=variants, benchmarks=benches,
                     design=design_from(args, cfg.experiment), config_path=cfg.path)
    out = args.out or default_results_dir()
    runner = Runner(exp, out, argv=argv, quiet=quiet_from(args))
    if args.jit_only:
        runner.doc["jit_only"] = True  # kept by --resume
    opts = analysis_options(args, cfg, seed=exp.design.seed)
    extend = None
    if args.target_ci is not None:
        extend = extender(Target(args.target_ci, args.budget or DEFAULT_BUDGET_S), opts)
    with live_progress(enabled=not quiet) as progress:
        runner.progress = progress
        doc = runner.run(extend=extend)
    path = str(runner.out_path)
    if args.jit_only:
        return jit_only_done(doc, path, args.json)
    analysis = an.analyse(doc, opts)
    present(analysis, doc, args, path)
    record_result(doc, path, cfg, args.db)
    report_adaptive(doc, quiet)
    raise_on_failures(doc, path)
    return 0


def jit_only_done(doc: dict, path: str, as_json: bool) -> int:
    """After ``--jit-only``: where the result is and how to read it; no verdict."""
    raise_on_failures(doc, path)
    machines = {name: {"machine": v["facts"].get("machine"),
                       "emulation": v["facts"].get("emulation")}
                for name, v in doc["variants"].items()}
    if as_json:
        print_json({"result": path, "jit_only": True, "variants": machines})
        return 0
    console = wide_console()
    for name, m in machines.items():
        how = m["emulation"]["text"] if m["emulation"] else "native"
        console.print(f"{name}: {m['machine']} ({how})")
    console.print(f"result: {path} (JIT only: no time verdict); what the JIT compiled: "
                  f"jitbench jit {path}")
    return 0


def rev_variants(cfg, runtime_name: str, rev_a: str, rev_b: str) -> list:
    """``ab REV_A REV_B --runtime NAME``: two variants of a built runtime, named by revision."""
    runtime = cfg.runtimes.get(runtime_name)
    if runtime is None:
        raise JitbenchError(f"--runtime {runtime_name!r} is not a runtime of the config; "
                            f"defined: {', '.join(cfg.runtimes) or 'none'}")
    if runtime.build is None:
        raise JitbenchError(f"runtime {runtime_name!r} is not built from a repository; give it "
                            "repo/base/build in the config to compare revisions")
    name_b = rev_b if rev_b != rev_a else f"{rev_b}-again"
    return [Variant(name=rev_a, runtime=runtime, rev=rev_a),
            Variant(name=name_b, runtime=runtime, rev=rev_b)]


def report_adaptive(doc: dict, quiet: bool) -> None:
    """Say whether an adaptive run reached its precision targets, and which it did not."""
    state = doc.get("adaptive")
    if not state or quiet:
        return
    console = stderr_console()
    if not state["unreached"]:
        console.print(f"adaptive: every CI half-width ≤ {state['target_ci_pct']:g} % after "
                      f"{state['rounds']} rounds")
        return
    missed = ", ".join(f"{u['benchmark']}/{u['candidate']} "
                       + (f"(±{u['halfwidth_pct']:.2f} %)" if u["halfwidth_pct"] is not None
                          else "(no CI yet)")
                       for u in state["unreached"])
    console.print(f"[yellow]adaptive: {state['stopped']} after {state['rounds']} rounds; target "
                  f"±{state['target_ci_pct']:g} % not reached for {missed}[/]")


def raise_on_failures(doc: dict, path: str) -> None:
    """A run with failed processes ends with one line naming the first failure (exit 2)."""
    problems = [(f"benchmark {name!r}", e["error"]) for name, e in doc["benchmarks"].items()
                if e["error"]]
    failed = [p for p in doc["processes"] if p["status"] != "ok"]
    problems += [(f"benchmark {p['benchmark']!r}, variant {p['variant']!r}", p["error"])
                 for p in failed]
    if not problems:
        return
    lost = [p for p in failed if p.get("connection_lost")]
    if lost:
        raise JitbenchError(
            f"{len(lost)} of {len(doc['processes'])} processes lost their connection to host "
            f"{lost[0].get('host')!r}; finished processes are kept in {path}; run them again "
            f"with: {resume_hint(path)}")
    what, error = problems[0]
    raise JitbenchError(
        f"{len(failed)} of {len(doc['processes'])} processes failed"
        f"{' and a calibration failed' if len(problems) > len(failed) else ''}; first: {what}: "
        f"{error}; finished processes are kept in {path}; fix the benchmark or runtime "
        "(or raise --timeout) and rerun")


def register(sub: argparse._SubParsersAction) -> None:
    """``run`` and ``ab``."""
    p = sub.add_parser("run", help="run variants × benchmarks, interleaved, and compare them")
    p.add_argument("variants", nargs="*", metavar="VARIANT",
                   help="variants to run (default: all in the config); the first is the baseline")
    add_run(p)
    add_build(p)
    add_quiet(p)
    p.add_argument("--resume", type=Path, default=None, metavar="RESULT",
                   help="complete a partial result: run its missing slots (and those whose "
                        "connection was lost) with the same seed, order and loops")
    add_jit_only(p)
    add_analysis(p)
    p.set_defaults(func=run_command)
    p = sub.add_parser("ab", help="run a baseline and a candidate, then compare them")
    p.add_argument("baseline", metavar="BASELINE", help="a variant, or a revision with --runtime")
    p.add_argument("candidate", metavar="CANDIDATE", help="a variant, or a revision with --runtime")
    p.add_argument("--runtime", default=None, metavar="NAME",
                   help="compare two revisions of this runtime (built from its repo)")
    add_run(p)
    add_build(p)
    add_quiet(p)
    add_jit_only(p)
    add_analysis(p)
    p.set_defaults(func=run_command)


def add_jit_only(p: argparse.ArgumentParser) -> None:
    """``--jit-only``: record what the JIT did, draw no time verdict (emulated runtimes may run)."""
    p.add_argument("--jit-only", action="store_true",
                   help="record what the JIT compiled for `jitbench jit RESULT`, and print no "
                        "time verdict; runtimes under emulation (e.g. aarch64 on qemu-user) run "
                        "only so")


def add_quiet(p: argparse.ArgumentParser) -> None:
    """Options about the load of the hosts processes run on."""
    p.add_argument("--load-threshold", type=cores, default=None, metavar="CORES",
                   help="cores other processes may use during a process before it is flagged "
                        "contaminated (default: the host's load_threshold, else 0.5)")
    p.add_argument("--wait-idle", type=duration, nargs="?", const=120.0, default=None,
                   metavar="MAX",
                   help="before each process, wait (at most MAX, default 2m) until the host is "
                        "quiet")
    p.add_argument("--exclude-contaminated", action="store_true",
                   help="run processes measured under load again (twice at most), so the "
                        "comparison uses quiet ones")
