"""The typed result model: one JSON round trip that loses nothing, and the published JSON Schema
describes exactly the fields the model types."""

from __future__ import annotations

import json
from dataclasses import MISSING, fields
from pathlib import Path

import pytest

from jitbench.results import artifact
from jitbench.results.migrate import upgrade
from jitbench.results.model import (
    SCHEMA_VERSION,
    BenchmarkRecord,
    DesignRecord,
    Part,
    ProcessRecord,
    ProfileRecord,
    Result,
    SlotRecord,
    VariantRecord,
)
from tests.conftest import Cli

HERE = Path(__file__).resolve().parent / "schema1"


@pytest.mark.parametrize("name", ["run", "ab", "imported"])
def test_a_schema1_result_survives_the_round_trip_unchanged(name):
    doc = json.loads((HERE / f"{name}.json").read_text(encoding="utf-8"))
    result = Result.from_json(doc)
    assert result.to_json() == doc
    assert list(result.to_json()) == list(doc)  # same key order: files rewrite as they were
    assert Result.from_json(result.to_json()) == result
    # Loading also corrects what earlier releases wrote wrongly (see results/migrate.py).
    assert artifact.load(HERE / f"{name}.json") == upgrade(doc)


def test_the_model_types_what_it_reads():
    result = artifact.load_result(HERE / "run.json")
    assert result.schema_version == SCHEMA_VERSION == 1
    assert isinstance(result.design, DesignRecord) and result.design.kind == "interleaved"
    p = result.processes[0]
    assert isinstance(p, ProcessRecord) and p.ok and p.timed and len(p.values_ns or []) == 5
    assert p.extra["bench_name"] == "work"  # keys the model does not name are kept, not dropped
    assert len(result.timed_processes()) == 12
    # Negative control: a process under an instrument is not timed.
    p.instrument = "valgrind"
    assert not p.timed and len(result.timed_processes()) == 11
    assert result.to_json()["processes"][0]["instrument"] == "valgrind"


def _parts() -> list[tuple[type[Part], dict]]:
    s = artifact.schema()
    props = s["properties"]
    return [
        (Result, s),
        (DesignRecord, props["design"]),
        (VariantRecord, props["variants"]["additionalProperties"]),
        (BenchmarkRecord, props["benchmarks"]["additionalProperties"]),
        (SlotRecord, props["schedule"]["items"]),
        (ProcessRecord, props["processes"]["items"]),
        (ProfileRecord, props["processes"]["items"]["properties"]["profile"]),
    ]


def test_a_profiled_process_types_its_samples_and_writes_them_back_as_read():
    profile = {
        "event": "cpu-clock",
        "samples": 3,
        "window_ns": 10,
        "encoding": "zlib+base64",
        "folded": "eJwDAAAAAAE=",
        "code": "hir",
    }
    data = {"slot": 0, "round": 0, "benchmark": "b", "variant": "v", "status": "ok"}
    p = ProcessRecord.from_json({**data, "instrument": "perf", "profile": profile})
    assert isinstance(p.profile, ProfileRecord) and p.profile.samples == 3
    assert p.profile.code == "hir"
    text = json.dumps({**data, "instrument": "perf", "profile": profile})
    assert json.dumps(p.to_json()) == text
    # Negative control: without the dumped code's kind, none is written back.
    del profile["code"]
    again = ProcessRecord.from_json({**data, "profile": profile})
    assert again.profile is not None and again.profile.code is None
    assert "code" not in again.to_json()["profile"]
    assert ProcessRecord.from_json(data).to_json() == data


@pytest.mark.parametrize("part, section", _parts(), ids=lambda x: getattr(x, "__name__", ""))
def test_the_json_schema_describes_the_model(part, section):
    typed = {f.name for f in fields(part)} - {"extra"}
    assert set(section["properties"]) == typed
    required = {
        f.name for f in fields(part) if f.default is MISSING and f.default_factory is MISSING
    }
    assert set(section["required"]) == required


def test_an_imported_pyperf_file_says_it_ran_sequentially_without_a_timeout(tmp_path):
    Cli(tmp_path)("import", str(HERE / "pyperf_source.json"), "--no-db", "--out", "r.json", check=0)
    result = artifact.load_result(tmp_path / "r.json")
    assert result.design.kind == "sequential"
    assert result.design.timeout is None
    assert result.design.extra == {}  # no note explaining a wrong kind
