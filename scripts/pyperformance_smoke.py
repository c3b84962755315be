#!/usr/bin/env python3
"""Run every benchmark of a pyperformance group once per runtime, and count what ran.

A smoke test, not a measurement: one process, one value, one loop (``-p 1 -n 1 -w 0 --loops 1``)
per benchmark, on CPython 3.11 and on the CinderX root in ``nojit`` and ``autojit=1000`` modes.
Each benchmark either ran or is listed with the first line of why it did not. Takes tens of
minutes for the default group (requirements environments are prepared, and cached, on first use).

    .venv/bin/python scripts/pyperformance_smoke.py [--group default] [--only py311,nojit,autojit]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jitbench.runtimes import provisioned

VARIANTS = ("py311", "nojit", "autojit")


def config(py311: str | None, cinderx: list[str] | None) -> str:
    """A jitbench.toml with the runtimes that exist here."""
    text = ""
    if py311:
        text += f'[runtimes.cpython311]\ncommand = {json.dumps([py311])}\nkind = "cpython"\n\n'
        text += '[variants.py311]\nruntime = "cpython311"\n\n'
    if cinderx:
        text += f'[runtimes.cx]\ncommand = {json.dumps(cinderx)}\nkind = "cinderx"\n\n'
        text += '[variants.nojit]\nruntime = "cx"\nmode = "nojit"\n\n'
        text += '[variants.autojit]\nruntime = "cx"\nmode = "autojit=1000"\n\n'
    return text


def outcomes(artifact: dict) -> dict[str, str | None]:
    """Per benchmark: None when it ran, else the first line of why not."""
    out: dict[str, str | None] = {}
    for name, entry in artifact["benchmarks"].items():
        out[name] = entry["error"]
    for p in artifact["processes"]:
        if out.get(p["benchmark"]) is None and p["status"] != "ok":
            out[p["benchmark"]] = p.get("error") or "failed"
    return {k: (v.splitlines()[0][:200] if v else None) for k, v in out.items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--group", default="default", help="pyperformance group or benchmark")
    ap.add_argument("--only", default=",".join(VARIANTS), help="variants: py311,nojit,autojit")
    ap.add_argument("--timeout", default="600", help="seconds per process")
    ap.add_argument("--out", type=Path, help="folder for the artifacts (default: a temp dir)")
    args = ap.parse_args()
    chosen = [v for v in args.only.split(",") if v]
    cinderx = provisioned.cinderx_command()
    text = config(shutil.which("python3.11"), cinderx)
    out = args.out or Path(tempfile.mkdtemp(prefix="pyperformance-smoke-"))
    out.mkdir(parents=True, exist_ok=True)
    (out / "jitbench.toml").write_text(text)
    totals = []
    for variant in chosen:
        if f"[variants.{variant}]" not in text:
            print(f"{variant}: runtime not available here (python3.11 / the CinderX root)")
            continue
        t0 = time.monotonic()
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "jitbench",
                "run",
                variant,
                "--bench",
                f"pyperformance:{args.group}",
                "-p",
                "1",
                "-n",
                "1",
                "-w",
                "0",
                "--loops",
                "1",
                "--timeout",
                args.timeout,
                "--db",
                "off",
                "--out",
                str(out / f"{variant}.json"),
                "--json",
            ],
            cwd=out,
            capture_output=True,
            text=True,
        )
        minutes = (time.monotonic() - t0) / 60
        path = out / f"{variant}.json"
        if not path.is_file():
            print(f"{variant}: no artifact; jitbench said: {proc.stderr.strip()[-500:]}")
            continue
        result = outcomes(json.loads(path.read_text()))
        failed = {k: v for k, v in result.items() if v}
        totals.append((variant, len(result) - len(failed), len(failed)))
        print(
            f"\n{variant}: {len(result) - len(failed)} ran, {len(failed)} did not "
            f"({minutes:.1f} min; {path})"
        )
        for name, why in sorted(failed.items()):
            print(f"  {name}: {why}")
    print("\nsummary: " + "; ".join(f"{v} {ok} ran / {bad} not" for v, ok, bad in totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
