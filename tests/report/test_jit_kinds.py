"""Each runtime kind reads its own processes' JIT records: the report's JIT section and
``jitbench jit`` show what the kind found, whatever the variant is named."""

from __future__ import annotations

import numpy as np

from jitbench.commands.jit import summary_rows
from jitbench.report import jit
from jitbench.results import artifact
from jitbench.results.model import Result
from jitbench.runtimes import introspection
from tests.conftest import Cli

from . import synth

RECORDS = {
    "cx": lambda rng: synth.cinderx_jit(rng, n_functions=7),
    "py": lambda rng: {
        "pypy": {
            "available": True,
            "enabled": True,
            "loops": 5,
            "bridges": 2,
            "aborts": 1,
            "asm_bytes": 4096,
        }
    },
    "cp": lambda rng: {
        "cpython": {
            "available": True,
            "enabled": True,
            "executors": 4,
            "functions": 3,
            "uops": 90,
            "jit_code_bytes": 2048,
        }
    },
    "plain": lambda rng: {},
}


def _doc() -> Result:
    doc = synth.result(
        variants=dict.fromkeys(RECORDS, 1.0),
        benchmarks={"alpha": 0.001},
        processes=2,
        values=3,
        warmups=1,
    )
    rng = np.random.default_rng(2)
    for p in doc["processes"]:
        p["jit"] = RECORDS[p["variant"]](rng)
    return Result.from_json(doc)


def test_each_kind_summarises_its_own_record():
    doc = _doc()
    shown = introspection.report(doc, list(RECORDS), ["alpha"], top=3)["benchmarks"]["alpha"]
    v = shown["variants"]
    assert [v[n]["kind"] for n in RECORDS] == ["cinderx", "pypy", "cpython", None]
    assert v["cx"]["compiled_count"] == 7 and len(v["cx"]["top"]) == 3
    assert v["py"]["loops"] == 5 and v["py"]["bridges"] == 2 and "top" not in v["py"]
    assert v["cp"]["executors"] == 4 and v["cp"]["jit_code_bytes"] == 2048
    assert v["plain"]["note"] == "no JIT activity recorded"
    # Only a kind that lists compiled functions by size is diffed per function.
    assert shown["diffs"] == []
    ranked = jit.code_size_views(doc)
    assert [(b, name) for b, name, _ in ranked] == [("alpha", "cx")]


def test_the_activity_proof_counts_what_each_kind_reports():
    found = {a.variant: a for a in jit.activity(_doc())}
    assert found["cx"].compiled_range == (7, 7) and found["cx"].enabled == 2
    assert found["py"].compiled_range == (5, 5) and found["py"].code_bytes_range == (4096, 4096)
    assert found["cp"].compiled_range == (3, 3) and found["cp"].code_bytes_range == (2048, 2048)
    assert found["plain"].compiled_range is None and jit.enabled_text(found["plain"]) == (
        "not reported"
    )


def test_jitbench_jit_shows_each_kind_in_the_columns_it_declares():
    shown = introspection.report(_doc(), list(RECORDS), ["alpha"], top=3)
    columns, rows = summary_rows(shown["benchmarks"]["alpha"]["variants"])
    by = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
    assert by["cx"]["compiled"] == "7.0"
    assert (by["py"]["compiled"], by["py"]["code bytes"], by["py"]["bridges"]) == (
        "5.0",
        "4,096",
        "2.0",
    )
    assert (by["cp"]["compiled"], by["cp"]["code bytes"], by["cp"]["executors"]) == (
        "3.0",
        "2,048",
        "4.0",
    )
    # A column another kind declares stays empty; a kind without a summary fills none.
    assert by["cx"]["bridges"] == by["py"]["executors"] == by["cp"]["deopts"] == "–"
    assert {by["plain"][c] for c in columns[4:]} == {"–"}


def test_the_summary_holds_only_the_columns_of_the_kinds_present(tmp_path):
    doc = _doc()
    path = tmp_path / "cx_only.json"
    doc.variants = {"cx": doc.variants["cx"]}
    doc.processes = [p for p in doc.processes if p.variant == "cx"]
    doc.schedule = [s for s in doc.schedule if s.variant == "cx"]
    artifact.write_atomic(path, doc)
    text = Cli(tmp_path)("jit", str(path), check=0).stdout
    assert "compile ms" in text and "deopts" in text
    assert "bridges" not in text and "executors" not in text
    everything = tmp_path / "all.json"
    artifact.write_atomic(everything, _doc())
    text = Cli(tmp_path)("jit", str(everything), check=0).stdout
    assert "bridges" in text and "executors" in text  # negative control
