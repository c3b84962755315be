"""The results database on SQLite and on a real PostgreSQL server: record, history, plot."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from jitbench import db, stats
from jitbench.results.artifact import processes_of
from jitbench.results.model import Result

from ..conftest import Cli, assert_one_line_error
from ..report import synth

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _experiments(n: int = 5) -> list[dict]:
    """``n`` experiments of variant 'main' a day apart, revisions r1..rn; the last is 30 % slower."""
    out = []
    for i in range(n):
        factor = 1.3 if i == n - 1 else 1.0
        out.append(
            synth.result(
                variants={"main": factor},
                benchmarks={"alpha": 0.002},
                created=T0 + timedelta(days=i),
                seed=10 + i,
                rev={"main": {"rev": f"r{i + 1}", "sha": f"{i + 1}" * 40}},
            )
        )
    return out


def test_history_over_three_experiments_lists_them_in_time_order(db_url, tmp_path):
    docs = _experiments(3)
    elsewhere = synth.result(
        variants={"main": 1.0},
        benchmarks={"alpha": 0.002},
        seed=40,
        created=T0 + timedelta(hours=12),
        host={**synth.HOST, "hostname": "other-host"},
    )
    for i, doc in enumerate([docs[2], elsewhere, docs[0], docs[1]]):  # stored out of order
        db.record(Result.from_json(doc), f"results/{i}.json", db_url)
    engine = db.open_database(db_url)
    try:
        rows = db.history(engine, "alpha", variant="main", host="bench-host")
        everything = db.history(engine, "alpha")
    finally:
        engine.dispose()
    assert [r.result_id for r in rows] == [d["id"] for d in docs]
    assert [r.revision for r in rows] == ["r1@1111111111", "r2@2222222222", "r3@3333333333"]
    assert [r.created for r in rows] == [
        (T0 + timedelta(days=i)).replace(tzinfo=None) for i in range(3)
    ]
    assert len(everything) == 4 and everything[1].hostname == "other-host"
    for row, doc in zip(rows, docs, strict=True):
        # The numbers are recomputed from the stored values, exactly as from the artifact.
        expected = stats.summarize(
            [p.values for p in processes_of(Result.from_json(doc), "alpha", "main")]
        )
        assert row.summary.mean == expected.mean and row.summary.stdev == expected.stdev
        assert row.summary.n_processes == 6 and row.interpreter == "cpython 3.14.0"
    assert rows[0].vs_previous is None
    # Two earlier runs cannot measure the drift between runs: no verdict, and the reason.
    assert rows[2].vs_previous is not None and rows[2].vs_previous.verdict == "inconclusive"
    assert "3 needed to measure that drift" in rows[2].vs_previous.reason
    assert 25 < rows[2].vs_previous.change_pct < 35


def test_vs_previous_counts_the_drift_between_runs(db_url):
    for doc in _experiments(5):
        db.record(Result.from_json(doc), None, db_url)
    engine = db.open_database(db_url)
    try:
        rows = db.history(engine, "alpha", variant="main")
    finally:
        engine.dispose()
    assert [r.vs_previous.verdict for r in rows[1:3]] == ["inconclusive", "inconclusive"]
    assert rows[3].vs_previous.verdict not in ("faster", "slower")  # identical configurations
    assert rows[4].vs_previous.verdict == "slower" and rows[4].vs_previous.reason == ""
    assert 25 < rows[4].vs_previous.change_pct < 35


def test_history_command_prints_the_table_and_draws_the_plot(db_url, tmp_path):
    for doc in _experiments():
        db.record(Result.from_json(doc), None, db_url)
    cli = Cli(tmp_path)
    proc = cli(
        "history",
        "alpha",
        "--db",
        db_url,
        "--variant",
        "main",
        "--plot",
        "h.png",
        check=0,
        env={"COLUMNS": "250"},
    )
    for rev in ("r1@1111111111", "r2@2222222222", "r3@3333333333", "r5@5555555555"):
        assert rev in proc.stdout
    assert "slower" in proc.stdout and "no verdict: runs made apart drift together" in proc.stdout
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = json.loads(cli("history", "alpha", "--db", db_url, "--json", check=0).stdout)["rows"]
    assert [r["revision"] for r in rows][:3] == ["r1@1111111111", "r2@2222222222", "r3@3333333333"]
    assert rows[4]["vs_previous"]["verdict"] == "slower"
    assert rows[2]["vs_previous"]["reason"].startswith("runs made apart drift together")


def test_recording_a_result_again_replaces_it(db_url):
    doc = _experiments(1)[0]
    db.record(Result.from_json(doc), "a.json", db_url)
    db.record(Result.from_json(doc), "b.json", db_url)
    engine = db.open_database(db_url)
    try:
        with engine.connect() as conn:
            paths = conn.execute(sa.text("SELECT artifact_path FROM experiments")).scalars().all()
            n = conn.execute(sa.text("SELECT count(*) FROM processes")).scalar()
    finally:
        engine.dispose()
    assert paths == ["b.json"] and n == len(doc["processes"])


def test_unknown_benchmark_is_one_line_listing_the_stored_ones(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db.record(Result.from_json(_experiments(1)[0]), None, url)
    proc = Cli(tmp_path)("history", "gamma", "--db", url)
    assert_one_line_error(proc, "'gamma' has no stored experiments", "stored benchmarks: alpha")
    proc = Cli(tmp_path)("history", "alpha", "--db", url, "--variant", "nope")
    assert_one_line_error(proc, "variant 'nope'", "drop --variant/--host")


def test_unreachable_server_is_one_line_without_the_password(tmp_path):
    proc = Cli(tmp_path)("history", "alpha", "--db", "postgresql://me:s3cret@127.0.0.1:1/results")
    assert_one_line_error(proc, "results database postgresql://me:***@127.0.0.1:1/results", "--db")
    assert "s3cret" not in proc.stderr


def test_config_results_table_names_the_database(tmp_path):
    db.record(Result.from_json(_experiments(1)[0]), None, str(tmp_path / "team.db"))
    (tmp_path / "jitbench.toml").write_text('[results]\ndb = "team.db"\n')
    sub = tmp_path / "elsewhere"
    sub.mkdir()
    proc = Cli(sub)(
        "history", "alpha", "--config", str(tmp_path / "jitbench.toml"), "--plot", "h.html", check=0
    )
    assert "r1@1111111111" in proc.stdout
    page = (sub / "h.html").read_text()
    assert "<svg" in page and "default-src 'none'" in page


def test_a_real_run_is_recorded_and_shown(tmp_path, monkeypatch):
    from ..conftest import EXAMPLE_CONFIG, WORK_PY, write

    write(tmp_path / "jitbench.toml", EXAMPLE_CONFIG)
    write(tmp_path / "bench" / "work.py", WORK_PY)
    cli = Cli(tmp_path)
    out = cli.json(
        "ab",
        "base",
        "slower",
        "--bench",
        "work",
        "-p",
        "3",
        "--values",
        "4",
        "--warmups",
        "1",
        "--min-time",
        "0.01",
    )
    monkeypatch.chdir(tmp_path)
    doc = json.loads(Path(out["result"]).read_text())
    db.record(Result.from_json(doc), out["result"])  # the default database: .jitbench/results.db
    assert (tmp_path / db.DEFAULT_PATH).exists()
    rows = json.loads(cli("history", "work", "--json", check=0).stdout)["rows"]
    assert {r["variant"] for r in rows} == {"base", "slower"}
    assert {r["result"] for r in rows} == {doc["id"]}
    assert all(r["summary"]["n_processes"] == 3 for r in rows)


def test_history_table_names_the_level_vs_previous_used(db_url):
    import dataclasses

    from jitbench.commands.history import table

    for doc in _experiments(3):
        db.record(Result.from_json(doc), None, db_url)
    engine = db.open_database(db_url)
    try:
        rows = db.history(engine, "alpha", variant="main")
    finally:
        engine.dispose()
    assert "95 % CI counting the drift" in str(table("alpha", rows).title)
    for row in rows[1:]:
        row.vs_previous = dataclasses.replace(row.vs_previous, confidence=0.9)
    title = str(table("alpha", rows).title)
    assert "90 % CI counting the drift" in title and "95 %" not in title


def _counted_experiments() -> list[dict]:
    """Three experiments of 'main' with instructions counted under valgrind; the last runs 2 %
    more instructions in the same time (and the same time in every experiment)."""
    out = []
    for i, factor in enumerate((1.0, 1.0, 1.02)):
        doc = synth.result(
            variants={"main": 1.0},
            benchmarks={"alpha": 0.002},
            created=T0 + timedelta(days=i),
            seed=50 + i,
            rev={"main": {"rev": f"c{i + 1}"}},
        )
        out.append(synth.with_instructions(doc, {"main": factor}, per_iteration=2e6))
    return out


def test_history_of_instructions_reads_the_counted_processes_and_time_the_timed(db_url):
    docs = _counted_experiments()
    for doc in docs:
        db.record(Result.from_json(doc), None, db_url)
    engine = db.open_database(db_url)
    try:
        counted = db.history(engine, "alpha", measure="instructions")
        timed = db.history(engine, "alpha")
    finally:
        engine.dispose()
    assert [r.measure for r in counted] == ["instructions"] * 3
    for row, doc in zip(counted, docs, strict=True):
        # Exactly the values the analysis of the artifact reads.
        views = processes_of(Result.from_json(doc), "alpha", "main", measure="instructions")
        assert row.summary.n_processes == len(views) == 6
        assert row.summary.mean == stats.summarize([v.values for v in views]).mean
    means = [r.summary.mean for r in counted]
    assert means[2] / means[0] == pytest.approx(1.02, rel=1e-5)
    assert counted[2].vs_previous is not None and 1.99 < counted[2].vs_previous.change_pct < 2.01
    # Time: the six timed processes only; the six under valgrind (40x slower) stay out.
    for row, doc in zip(timed, docs, strict=True):
        expected = stats.summarize(
            [p.values for p in processes_of(Result.from_json(doc), "alpha", "main")]
        )
        assert row.summary.n_processes == 6 and row.summary.mean == expected.mean
        assert row.measure == "time"


def test_history_command_selects_the_measure(db_url, tmp_path):
    for doc in _counted_experiments():
        db.record(Result.from_json(doc), None, db_url)
    cli = Cli(tmp_path)
    out = json.loads(
        cli(
            "history", "alpha", "--db", db_url, "--measure", "instructions", "--json", check=0
        ).stdout
    )
    assert out["measure"] == "instructions" and len(out["rows"]) == 3
    assert 1.99 < out["rows"][2]["vs_previous"]["change_pct"] < 2.01
    table = cli(
        "history",
        "alpha",
        "--db",
        db_url,
        "--measure",
        "instructions",
        "--plot",
        "i.svg",
        check=0,
        env={"COLUMNS": "320"},
    )
    assert "instructions per iteration" in table.stdout and "2.04 M" in table.stdout
    assert "instructions per iteration (millions)" in (tmp_path / "i.svg").read_text()


def test_history_of_a_measure_never_counted_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db.record(Result.from_json(_experiments(1)[0]), None, url)
    proc = Cli(tmp_path)("history", "alpha", "--db", url, "--measure", "instructions")
    assert_one_line_error(
        proc, "'alpha' has no stored instructions counts", "--measure time,instructions"
    )
