"""The interleaved design: every round runs each variant once, in a reshuffled, seeded order."""

from jitbench.plan.schedule import interleaved


def test_interleaving_alternates_variants_every_round():
    slots = interleaved(["a", "b"], ["x"], processes=20, seed=7)
    assert [s.index for s in slots] == list(range(40))
    for r in range(20):
        assert sorted(s.variant for s in slots if s.round == r) == ["a", "b"]
    # Never all of A, then all of B: within any window of 2 rounds both variants appear.
    order = [s.variant for s in slots]
    assert order[:20] != ["a"] * 20 and order[:20] != ["b"] * 20


def test_interleaving_reshuffles_each_round():
    slots = interleaved(["a", "b", "c"], ["x"], processes=30, seed=1)
    orders = {tuple(s.variant for s in slots if s.round == r) for r in range(30)}
    # With 3 variants there are 6 orders; 30 seeded rounds should use several of them.
    assert len(orders) >= 4


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
            assert sorted(s.variant for s in slots if s.round == r and s.benchmark == bench) == ["a", "b"]
