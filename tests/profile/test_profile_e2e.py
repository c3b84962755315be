"""--profile end to end on CinderX: shares, the A/B table with JIT facts, code diffs, HTML."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from jitbench.report import fmt

from ..conftest import Cli, assert_one_line_error
from ..report import synth
from ..report.chromium import Page, chromium_or_skip
from ..runtimes.conftest import project, runtime_table

# Fixed loops: no calibration process; enough values for the JIT to settle after its warmups.
DESIGN = ["--bench", "richards", "-w", "3", "-n", "4", "--loops", "3"]


@pytest.fixture(scope="module")
def cx(tmp_path_factory, cinderx_cmd) -> Cli:
    root = tmp_path_factory.mktemp("profiles")
    return project(
        root,
        runtime_table("cx", cinderx_cmd, "cinderx")
        + """\
        [variants.nojit]
        runtime = "cx"
        mode = "nojit"

        [variants.auto]
        runtime = "cx"
        mode = "autojit=1000"

        [variants.generic]
        runtime = "cx"
        mode = "autojit=1000"
        jit_options = { specialized_opcodes = false }
        """,
    )


@pytest.fixture(scope="module")
def jit_vs_nojit(cx) -> tuple[Path, dict]:
    doc = cx.json("run", "nojit", "auto", *DESIGN, "-p", "2", "--profile", "--seed", "1")
    path = cx.cwd / doc["result"]
    return path, cx.json("profile", str(path))


@pytest.mark.slow
def test_jit_time_lands_in_jit_functions_and_nojit_has_none(jit_vs_nojit, cx):
    path, summary = jit_vs_nojit
    bench = summary["benchmarks"]["richards"]
    auto, nojit = bench["profiles"]["auto"], bench["profiles"]["nojit"]
    # The shares' table names the level their intervals were computed at.
    assert auto["confidence"] == 0.95
    shown = " ".join(cx("profile", str(path), check=0).stdout.split())  # titles may wrap
    assert "share of samples, 95 % CI across processes" in shown
    assert auto["shares"]["jit_functions"]["share_pct"] > 5, auto["shares"]
    assert nojit["shares"]["jit_functions"]["share_pct"] == 0
    assert nojit["shares"]["jit"]["share_pct"] == 0
    assert any(r["function"].startswith("__CINDER_JIT:richards:") for r in auto["top"])
    assert auto["cost"]["samples_per_s"] > 0 and auto["cost"]["processes"] == 2
    # Each round has one timed and one profiled process per variant; only timed ones are compared.
    doc = json.loads(path.read_text())
    profiled = [p for p in doc["processes"] if p.get("instrument") == "perf"]
    timed = [p for p in doc["processes"] if "instrument" not in p]
    assert len(profiled) == 4 and len(timed) == 4
    assert all("profile" in p for p in profiled) and not any("profile" in p for p in timed)


@pytest.mark.slow
def test_ab_table_names_the_compiled_functions_with_their_facts(jit_vs_nojit):
    _, summary = jit_vs_nojit
    (diff,) = summary["benchmarks"]["richards"]["diffs"]
    assert (diff["a"], diff["b"]) == ("nojit", "auto")
    jitted = [r for r in diff["functions"] if r["function"].startswith("__CINDER_JIT:richards:")]
    assert jitted, diff["functions"]
    for r in jitted:
        assert r["jit"]["compiled"] == [False, True]
        assert r["jit"]["code_size"][0] is None and r["jit"]["code_size"][1] > 0
    # Functions that are not JIT code carry no JIT facts.
    assert all("jit" not in r for r in diff["functions"] if r not in jitted)


@pytest.mark.slow
def test_a_stripped_interpreter_is_its_own_category_with_how_to_get_symbols(jit_vs_nojit, cx):
    path, summary = jit_vs_nojit
    bench = summary["benchmarks"]["richards"]
    nojit, auto = bench["profiles"]["nojit"], bench["profiles"]["auto"]
    # The chroot's python3.14 is Debian's, stripped: its eval loop is not called runtime C.
    assert (
        nojit["shares"]["unsymbolised"]["share_pct"] > 50 > nojit["shares"]["runtime"]["share_pct"]
    )
    (note,) = [n for n in nojit["no_symbols"] if n["binary"] == "python3.14"]
    assert "apt-get install python3.14-dbg" in note["hint"]
    # Negative control: the interpreter perf can name (CinderX's, in _cinderx) stays the
    # interpreter, and nojit, which never runs it, has none.
    assert (
        auto["shares"]["interpreter"]["share_pct"]
        > 10
        > nojit["shares"]["interpreter"]["share_pct"]
    )
    # The A/B rows say what they are; the categories split the whole change.
    (diff,) = bench["diffs"]
    rows = {r["function"]: r for r in diff["functions"]}
    stock = rows["[python3.14]"]
    assert stock["what"].startswith("python3.14 without symbols") and stock["contribution_pct"] < 0
    parts = sum(c["contribution_pct"] for c in diff["categories"])
    assert abs(parts - diff["change_pct"]) < 1e-6
    # The profiling cost: its slowdown with an interval across the two processes a side.
    cost = auto["cost"]
    low, high = cost["slowdown_ci_pct"]
    assert low <= cost["slowdown_pct"] <= high
    assert cost["slowdown_within_noise"] == (low <= 0 <= high)
    # Every format says it: terminal, Markdown, HTML.
    text = " ".join(cx("profile", str(path), check=0).stdout.split())
    assert "Note: [python3.14] (interpreter + runtime (no symbols))" in text
    assert "python3.14 without symbols" in text and "By category (" in text
    md = cx("profile", str(path), "--markdown", check=0).stdout
    assert "| interpreter + runtime (no symbols) |" in md and "python3.14-dbg" in md
    assert "| `[python3.14]` | python3.14 without symbols: interpreter loop and runtime C |" in md
    assert fmt.slowdown(cost) in md
    page = cx.cwd / "profile.html"
    cx("profile", str(path), "--html", str(page), "--json", check=0)
    html = page.read_text()
    assert "class='note no-symbols'" in html and "python3.14-dbg" in html
    assert "python3.14 without symbols" in html
    findings = cx("report", str(path), "--markdown", check=0).stdout
    assert "#### Profiles of the measured values" in findings
    assert "| interpreter + runtime (no symbols) |" in findings


@pytest.mark.slow
@pytest.mark.parametrize("code", ["asm", "hir"])
def test_code_diff_shows_generic_against_specialised_operations(cx, code):
    doc = cx.json("ab", "auto", "generic", *DESIGN, "-p", "1", f"--profile={code}", "--seed", "2")
    summary = cx.json("profile", doc["result"], "--code", "6")
    (diff,) = summary["benchmarks"]["richards"]["diffs"]
    # The hottest functions compiled on both sides; one without integer or container operations
    # has no type guards to lose, so the first whose diff touches one is the one to read.
    changed = [
        c for c in diff["code"] if any("GuardType" in ln for ln in c["unified"] if ln[:1] in "+-")
    ]
    assert changed, [c["function"] for c in diff["code"]]
    hottest = changed[0]
    removed = "\n".join(ln for ln in hottest["unified"] if ln.startswith("-"))
    added = "\n".join(ln for ln in hottest["unified"] if ln.startswith("+"))
    assert "GuardType" in removed and "GuardType" not in added, hottest["function"]
    # Generic operations in their place (which ones depends on the function sampled hottest:
    # Task.hold's only arithmetic is ``hold_count += 1``, an InPlaceOp).
    generic = ("CompareBool", "BinaryOp", "InPlaceOp", "UnaryOp", "richCompare")
    assert any(op in added for op in generic), added[:2000]
    # Machine code only where it was asked for.
    assert ("callq" in removed + added) == (code == "asm")
    text = cx("profile", doc["result"], check=0).stdout
    assert f"Code of {hottest['function']}" in text
    # The other way round: the same diff with its sides swapped.
    (back,) = cx.json("profile", doc["result"], "--baseline", "generic")["benchmarks"]["richards"][
        "diffs"
    ]
    assert (back["a"], back["b"]) == ("generic", "auto")


@pytest.mark.slow
def test_html_report_shows_both_flame_graphs_and_the_differential(jit_vs_nojit, tmp_path):
    path, _ = jit_vs_nojit
    exe = chromium_or_skip()
    out = tmp_path / "report.html"
    Cli(path.parent)("report", str(path), "--html", str(out), check=0)
    with Page(exe, tmp_path / "chrome", tmp_path / "chromium.log") as page:
        page.open(out.as_uri())
        found = json.loads(
            page.evaluate("""JSON.stringify(
          Array.from(document.querySelectorAll('section.profile figure.flame')).map(f => {
            const svg = f.querySelector('svg'); const box = svg.getBoundingClientRect();
            return {variant: f.dataset.variant || null, diff: f.classList.contains('differential'),
                    w: box.width, h: box.height, boxes: svg.querySelectorAll('rect').length,
                    jit: Array.from(svg.querySelectorAll('title')).some(
                           t => t.textContent.startsWith('__CINDER_JIT:richards:'))};
          }))""")
        )
        shot = Path(os.environ.get("JITBENCH_ARTIFACTS_DIR") or tmp_path) / "profile-report.png"
        page.screenshot(shot)
        errors = page.errors()
    flames = {f["variant"]: f for f in found if not f["diff"]}
    assert set(flames) == {"nojit", "auto"}
    (differential,) = [f for f in found if f["diff"]]
    for f in found:
        assert f["w"] > 300 and f["h"] > 50 and f["boxes"] > 5, f
    assert flames["auto"]["jit"] and differential["jit"] and not flames["nojit"]["jit"]
    assert errors == [], errors


def test_profile_of_a_result_without_profiles_is_one_line(tmp_path):
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(synth.result()))
    assert_one_line_error(Cli(tmp_path)("profile", str(path)), "no profiled processes", "--profile")


# Each iteration calls ``step`` 20 times: under autojit=50 it is compiled during the third
# iteration, i.e. in warmup 2 with one first iteration before the warmups.
COUNTED = """def step(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total


def main():
    return sum(step(2000) for _ in range(20))
"""


@pytest.mark.slow
def test_events_show_the_last_compile_landing_in_the_warmups(cx):
    (cx.cwd / "counted.py").write_text(COUNTED)
    with (cx.cwd / "jitbench.toml").open("a") as f:
        f.write(
            '\n[benchmarks.counted]\npath = "counted.py"\nfunction = "main"\n'
            '\n[variants.auto50]\nruntime = "cx"\nmode = "autojit=50"\n'
            # Synchronous: with the compile thread, a loaded host lets the compile land after the
            # last value (seen in CI), and the events then say nothing was compiled.
            "jit_options = { background_compile = false }\n"
        )
    doc = cx.json(
        "run",
        "auto50",
        "nojit",
        "--bench",
        "counted",
        "--loops",
        "1",
        "-w",
        "6",
        "-n",
        "6",
        "-p",
        "1",
    )
    events = cx.json("profile", doc["result"])["benchmarks"]["counted"]["events"]
    (auto,) = events["auto50"]
    assert auto["last"]["compiled"].startswith("warmup "), auto
    assert auto["text"].startswith(f"the last compile lands at {auto['last']['compiled']}")
    # Negative control: nothing is compiled without the JIT.
    (nojit,) = events["nojit"]
    assert "compiled" not in nojit["last"] and "text" not in nojit


def test_profile_without_perf_is_one_line_naming_the_fix(cx):
    # perf lives in /usr/bin; the chroot command in /usr/sbin.
    proc = cx("run", "auto", *DESIGN, "-p", "1", "--profile", env={"PATH": "/usr/sbin:/sbin"})
    assert_one_line_error(
        proc, "instrument 'perf'", "perf, which is not installed", "apt-get install linux-perf"
    )
    # Negative control: without --profile the same run needs no perf.
    doc = cx.json("run", "auto", *DESIGN, "-p", "1", env={"PATH": "/usr/sbin:/sbin"})
    assert all(
        "instrument" not in p for p in json.loads((cx.cwd / doc["result"]).read_text())["processes"]
    )
