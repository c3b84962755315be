"""Fields the readers need are typed, and a part keeps each key's presence as it was read."""

from __future__ import annotations

import json
from pathlib import Path

from jitbench.results.model import ProcessRecord, Result, VariantRecord

HERE = Path(__file__).resolve().parent / "schema1"


def test_a_null_and_an_absent_key_round_trip_as_read():
    read = VariantRecord.from_json(
        {"runtime": "py", "command": ["python3"], "env": {}, "args": [], "rev": None}
    )
    assert read.rev is None and read.host is None
    assert read.to_json()["rev"] is None  # a null read stays a null
    assert "host" not in read.to_json()  # an absent key stays absent
    # Negative control: built in code, a field that is not optional is written, null or not.
    built = VariantRecord(runtime="py", command=["python3"], env={}, args=[])
    assert built.to_json()["host"] is None and "against" not in built.to_json()


def test_the_sections_readers_use_are_typed():
    doc = json.loads((HERE / "run.json").read_text(encoding="utf-8"))
    doc["design"]["measures"] = ["time", "instructions"]
    doc["jit_only"] = True
    doc["replaced"] = [doc["processes"][0]]
    doc["processes"][1]["counting"] = {"counts": {"instructions": [1, 2]}}
    result = Result.from_json(doc)
    assert result.design.measures == ["time", "instructions"] and result.jit_only is True
    assert isinstance(result.replaced[0], ProcessRecord)
    assert result.processes[1].counting == {"counts": {"instructions": [1, 2]}}
    assert result.variants["base"].host == "local" and result.variants["base"].group is None
    assert result.to_json() == doc
    assert "replaced" not in result.extra and "jit_only" not in result.extra
