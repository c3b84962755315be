"""Each runtime kind reads its own processes' JIT records: the report's JIT section and
``jitbench jit`` show what the kind found, whatever the variant is named."""

from __future__ import annotations

import numpy as np

from jitbench.report import jit
from jitbench.results.model import Result
from jitbench.runtimes import introspection

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
