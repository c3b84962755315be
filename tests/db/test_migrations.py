"""The schema is versioned with Alembic: old databases are upgraded in place, never recreated."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from jitbench import db, stats
from jitbench.db import engine as dbengine
from jitbench.db.schema import HEAD
from jitbench.errors import ConfigError, JitbenchError
from jitbench.results.artifact import processes_of
from jitbench.results.model import Result

from ..report import synth


def _store_revision_1(conn: sa.Connection, doc: dict) -> None:
    """Write an artifact the way a jitbench at schema revision 0001 did (its columns only)."""
    md = sa.MetaData()
    md.reflect(conn)
    t = md.tables
    now = synth.datetime(2026, 1, 1)
    host = conn.execute(
        t["hosts"]
        .insert()
        .values(
            fingerprint="v1-host",
            hostname=doc["host"]["hostname"],
            machine="x86_64",
            facts=doc["host"],
        )
    ).inserted_primary_key[0]
    eid = conn.execute(
        t["experiments"]
        .insert()
        .values(
            result_id=doc["id"],
            created=now,
            complete=True,
            tool_version="0.0.9",
            seed=doc["seed"],
            baseline=doc["baseline"],
            design=doc["design"],
            command=doc["command"],
            host_id=host,
            host_facts=doc["host"],
            recorded=now,
        )
    ).inserted_primary_key[0]
    bid = conn.execute(t["benchmarks"].insert().values(name="alpha")).inserted_primary_key[0]
    conn.execute(
        t["experiment_benchmarks"]
        .insert()
        .values(experiment_id=eid, benchmark_id=bid, kind="plain", loops=10, inner_loops=1)
    )
    vids = {}
    for name, spec in doc["variants"].items():
        vids[name] = conn.execute(
            t["variants"]
            .insert()
            .values(
                experiment_id=eid,
                name=name,
                runtime=spec["runtime"],
                kind=spec["kind"],
                command=spec["command"],
                env=spec["env"],
                args=spec["args"],
                facts=spec["facts"],
                spec=spec,
            )
        ).inserted_primary_key[0]
    conn.execute(
        t["processes"].insert(),
        [
            {
                "experiment_id": eid,
                "variant_id": vids[p["variant"]],
                "benchmark_id": bid,
                "slot": p["slot"],
                "round": p["round"],
                "status": p["status"],
                "loops": p["loops"],
                "inner_loops": p["inner_loops"],
                "first_ns": p["first_ns"],
                "wall_ns": p["wall_ns"],
                "warmups_ns": p["warmups_ns"],
                "values_ns": p["values_ns"],
                "jit": p["jit"],
                "facts": p["facts"],
                "n_values": len(p["values_ns"]),
            }
            for p in doc["processes"]
        ],
    )


def test_a_revision_1_database_is_upgraded_with_its_data_and_backfilled(db_url):
    old = synth.result(
        variants={"main": 1.0},
        benchmarks={"alpha": 0.002},
        seed=21,
        rev={"main": {"rev": "v1-era", "sha": "a" * 40}},
    )
    engine = dbengine.create_engine(db_url)
    try:
        dbengine.upgrade(engine, "0001")
        with engine.begin() as conn:
            assert dbengine.current_revision(conn) == "0001"
            columns = {c["name"] for c in sa.inspect(conn).get_columns("processes")}
            assert "mean_s" not in columns
            _store_revision_1(conn, old)
    finally:
        engine.dispose()

    new = synth.result(
        variants={"main": 1.0},
        benchmarks={"alpha": 0.002},
        seed=22,
        created=synth.datetime(2026, 2, 1, tzinfo=synth.UTC),
        rev={"main": {"rev": "v2-era"}},
    )
    db.record(Result.from_json(new), None, db_url)  # opening migrates to the head revision first
    engine = db.open_database(db_url)
    try:
        with engine.connect() as conn:
            assert dbengine.current_revision(conn) == HEAD
            backfilled = conn.execute(
                sa.text(
                    "SELECT p.mean_s, p.steady_class, v.interpreter, v.rev FROM processes p "
                    "JOIN variants v ON v.id = p.variant_id JOIN experiments e ON e.id = "
                    "p.experiment_id WHERE e.result_id = :rid ORDER BY p.slot"
                ),
                {"rid": old["id"]},
            ).all()
        rows = db.history(engine, "alpha")
    finally:
        engine.dispose()
    views = processes_of(Result.from_json(old), "alpha", "main")
    assert len(backfilled) == len(views)
    for (mean_s, steady_class, interpreter, rev), view in zip(backfilled, views, strict=True):
        assert mean_s == pytest.approx(stats.summarize([view.values]).mean, rel=1e-12)
        assert steady_class in stats.CLASSES
        assert interpreter == "cpython 3.14.0" and rev == "v1-era"
    assert [r.revision for r in rows] == ["v1-era@aaaaaaaaaa", "v2-era"]
    assert rows[1].vs_previous is not None


def test_a_database_from_a_newer_jitbench_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    engine = db.open_database(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    with pytest.raises(JitbenchError, match="revision 0099, newer than this jitbench"):
        db.open_database(url)


def test_migrations_shipped_are_a_single_line_ending_at_the_schema_head():
    assert dbengine.known_revisions() == ["0001", "0002", "0003"]
    assert dbengine.known_revisions()[-1] == HEAD


def test_results_table_is_validated_for_the_config_parser(tmp_path):
    cfg = tmp_path / "jitbench.toml"
    s = db.validate_results_table({"db": "data/results.db"}, cfg)
    assert s.db == str(tmp_path / "data" / "results.db") and s.record
    assert db.validate_results_table({"db": "postgresql://u@h/x"}, cfg).db == "postgresql://u@h/x"
    assert not db.validate_results_table({"db": "off"}, cfg).record
    assert not db.validate_results_table({"record": False}, cfg).record
    for bad, needle in (
        ({"dbb": "x"}, "results.dbb: unknown key"),
        ({"db": 3}, "results.db: expected a string"),
        ({"db": "mysql://u@h/x"}, "unsupported database 'mysql'"),
        ({"record": "yes"}, "results.record: expected true or false"),
    ):
        with pytest.raises(ConfigError, match=needle) as info:
            db.validate_results_table(bad, cfg)
        assert str(info.value).startswith("jitbench.toml: ")


def test_where_the_database_is(monkeypatch):
    monkeypatch.delenv("JITBENCH_DB", raising=False)
    assert db.resolve() == str(db.DEFAULT_PATH)
    assert db.resolve("x.db") == "x.db"
    assert db.resolve(None, db.ResultsSettings(db="team.db")) == "team.db"
    assert db.resolve(None, db.ResultsSettings(record=False)) is None
    monkeypatch.setenv("JITBENCH_DB", "env.db")
    assert db.resolve(None, db.ResultsSettings(db="team.db")) == "env.db"
    assert db.resolve("off") is None
