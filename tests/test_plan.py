"""The interleaved design: every round runs each variant once, in a reshuffled, seeded order."""

import json
from pathlib import Path

from jitbench.plan.schedule import interleaved

FIXTURES = Path(__file__).resolve().parent / "results" / "schema1"


def test_interleaving_alternates_variants_every_round():
    slots = interleaved(["a", "b"], ["x"], processes=20, seed=7)
    assert [s.index for s in slots] == list(range(40))
    for r in range(20):
        assert sorted(s.variant for s in slots if s.round == r) == ["a", "b"]
    # Never all of A, then all of B: within any window of 2 rounds both variants appear.
    order = [s.variant for s in slots]
    assert order[:20] != ["a"] * 20 and order[:20] != ["b"] * 20


def test_interleaving_reshuffles_each_round():
    slots = interleaved(["a", "b", "c"], ["x"], processes=60, seed=1)
    orders = [tuple(s.variant for s in slots if s.round == r) for r in range(60)]
    # Reshuffled, not one order repeated or rotated: all 6 orders of 3 variants occur, each
    # variant opens some round, and most rounds differ from the one before.
    assert len(set(orders)) == 6
    assert {o[0] for o in orders} == {"a", "b", "c"}
    assert sum(o != prev for prev, o in zip(orders, orders[1:], strict=False)) >= 40


def test_a_schedule_written_by_schema_1_is_planned_again_from_its_seed():
    doc = json.loads((FIXTURES / "run.json").read_text(encoding="utf-8"))
    again = interleaved(
        list(doc["variants"]), list(doc["benchmarks"]), doc["design"]["processes"], doc["seed"]
    )
    assert [(s.index, s.round, s.benchmark, s.variant) for s in again] == [
        (s["slot"], s["round"], s["benchmark"], s["variant"]) for s in doc["schedule"]
    ]


def test_instruments_add_one_slot_per_variant_shuffled_with_the_timed_ones():
    slots = interleaved(["a", "b"], ["x"], processes=20, seed=4, instruments=("valgrind",))
    for r in range(20):
        kinds = sorted((s.variant, s.instrument or "") for s in slots if s.round == r)
        assert kinds == [("a", ""), ("a", "valgrind"), ("b", ""), ("b", "valgrind")]
    firsts = {next(s for s in slots if s.round == r).instrument for r in range(20)}
    assert firsts == {None, "valgrind"}  # some rounds open with an instrumented process


def test_interleaving_is_reproducible_from_the_seed():
    a = interleaved(["a", "b"], ["x", "y"], processes=10, seed=42)
    b = interleaved(["a", "b"], ["x", "y"], processes=10, seed=42)
    c = interleaved(["a", "b"], ["x", "y"], processes=10, seed=43)
    assert a == b
    assert [s.variant for s in a] != [s.variant for s in c]


def test_more_rounds_keep_the_order_of_earlier_rounds():
    short = interleaved(["a", "b"], ["x"], processes=5, seed=3)
    more = interleaved(["a", "b"], ["x"], processes=5, seed=3, first_round=5)
    longer = interleaved(["a", "b"], ["x"], processes=10, seed=3)
    assert [s.variant for s in short + more] == [s.variant for s in longer]


def test_each_benchmark_gets_every_variant_per_round():
    slots = interleaved(["a", "b"], ["x", "y", "z"], processes=3, seed=0)
    for r in range(3):
        for bench in "xyz":
            assert sorted(s.variant for s in slots if s.round == r and s.benchmark == bench) == [
                "a",
                "b",
            ]
