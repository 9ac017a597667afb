"""The concrete instances of a symbolic-K line: which sizes, which entries, what they may cost,
and one convention for sums that run empty (issue 10.4, 10.10, 10.11, 16.4)."""

import json
from dataclasses import replace

import pytest
import sympy
from sympy import Derivative, IndexedBase, KroneckerDelta, Sum

from derivations.index_classes import K, L, context, i, j, k, m, n, y, yhat, z
from derivcheck import verify_derivations
from derivcheck.dsl import derivation, for_all, step
from derivcheck.indices import IndexedClaim, prove
from derivcheck.indices.instantiate import (
    BUILD_LIMIT,
    MAX_ENTRIES,
    Unbuilt,
    choose_sizes,
    concrete,
    entry_count,
    instances,
    planned,
    written_out,
)
from derivcheck.reports.json import render_json
from derivcheck.results import ClaimResult
from derivcheck.run.api import at_instances, step_result

SOFTMAX = context(label_sum=False)
APART = context(label_sum=False, distinct=True)
c = IndexedBase("c", real=True)


def only_step(claim, seed=0):
    report = verify_derivations([derivation("t", "t", "test", steps=[step("s", claim)])], seed=seed)
    (outcome,) = report.outcomes
    return outcome.result, json.loads(render_json(report))["derivations"][0]["steps"][0]


def index_of(symbol) -> int:
    return int(str(symbol)[1:])


# 10.4: every entry where the size allows, one size past the declared range.


def test_a_slip_at_one_entry_is_seen_at_every_seed():
    # z_m + δ_m1 z_m = z_m was confirmed at seed 0: the one random entry missed m = 1.
    claim = IndexedClaim(z[m] + KroneckerDelta(m, 1) * z[m], z[m], SOFTMAX)
    for seed in range(25):
        made = instances(claim, seed)
        for instance in made:
            values = {index_of(e.free_symbols.pop()) for e in instance.rhs}
            size = int(instance.context.label.split("=")[1])
            assert {1, size} <= values, (seed, instance.context.label)
            if size <= SOFTMAX.sizes[K][1]:  # within the declared sizes: every entry
                assert values == set(range(1, size + 1)), (seed, instance.context.label)
                assert instance.context.entries == f"all {size} entries (m)"
        assert int(made[-1].context.label.split("=")[1]) > SOFTMAX.sizes[K][1]


def test_a_slip_at_one_entry_is_refuted():
    for slip in (KroneckerDelta(m, 1), KroneckerDelta(m, 5), KroneckerDelta(m, K)):
        result, _ = only_step(for_all(z[m] + slip * z[m], z[m], SOFTMAX))
        assert result.verdict == "refuted", slip


def test_a_factor_that_vanishes_at_every_declared_size_is_refuted():
    # (K − 2)(K − 3)…(K − 12) z_m = 0 was confirmed: false for every K ≥ 13.
    vanishing = sympy.Mul(*[K - v for v in range(2, 13)])
    result, data = only_step(for_all(vanishing * z[m], 0, SOFTMAX))
    assert result.verdict == "refuted"
    sizes = [int(label.split("=")[1].split(" ")[0]) for label in data["proof"]["instances"]]
    assert max(sizes) > 12


def test_one_instance_past_the_declared_range_where_the_cost_allows():
    claim = IndexedClaim(
        Derivative(yhat[k], z[m]), yhat[k] * (KroneckerDelta(k, m) - yhat[m]), SOFTMAX
    )
    for seed in range(10):
        sizes = [int(i.context.label.split("=")[1]) for i in instances(claim, seed)]
        assert sizes[:-1] == sorted(v[K] for v in choose_sizes(SOFTMAX, seed))
        assert 12 < sizes[-1] <= 24


def test_the_verdict_says_which_sizes_and_entries_were_checked():
    claim = IndexedClaim(
        Derivative(yhat[k], z[m]), yhat[k] * (KroneckerDelta(k, m) - yhat[m]), SOFTMAX
    )
    made = instances(claim, 0)
    agreeing = tuple(ClaimResult("confirmed", "agree", i.context.label) for i in made)
    claims = (claim, *made)
    found = at_instances(claims, (ClaimResult("proved", "", proof=prove(claim)), *agreeing))
    result = step_result(claims, found)
    at = result.proof.instances
    assert at[0] == "K=2 (all 4 entries (k, m))"
    assert any(" of " in a and "entries (k, m) = 1,1 " in a for a in at)  # sampled: listed
    assert result.verdict == "proved"
    assert result.message.endswith("checked at " + "; ".join(at))


def test_sampled_entries_have_the_corners_and_every_pattern():
    claim = IndexedClaim(
        Derivative(yhat[k], z[m]), yhat[k] * (KroneckerDelta(k, m) - yhat[m]), SOFTMAX
    )
    for seed in range(10):
        last = instances(claim, seed)[-1]
        size = int(last.context.label.split("=")[1])
        shown = last.context.entries.split(" = ")[1].split(" ")
        points = {tuple(int(v) for v in p.split(",")) for p in shown}
        corners = {(1, 1), (1, size), (size, 1), (size, size)}
        assert len(points & corners) >= min(3, len(points) - 2), points  # after the patterns
        assert any(a == b for a, b in points) and any(a != b for a, b in points)
        assert len(points) <= MAX_ENTRIES
        assert f"of {size * size} entries" in last.context.entries


def test_entry_count_leaves_out_the_entries_that_are_not_claimed():
    assert entry_count([k, m], {k: 5, m: 5}, [(k, m)]) == 20
    assert entry_count([k, m, n], {k: 5, m: 5, n: 5}, [(k, m), (m, n)]) == 5 * 4 * 4
    assert entry_count([k, m], {k: 5, m: 3}, [(k, m)]) == 15 - 3
    assert entry_count([], {}, []) == 1


# 10.10: an instance's cost is bounded before anything is written out.


def test_large_sizes_with_three_free_indices_are_bounded_with_a_clear_error():
    # K in 200…202 with three free indices: 55 s and 2 GB in the parent, under --timeout 5.
    three = replace(SOFTMAX, ranges={k: K, m: K, n: K}, sizes={K: (200, 202)})
    cheap = IndexedClaim(z[k] * y[m] * c[n], y[m] * z[k] * c[n], three)
    for instance in instances(cheap, 0):
        assert instance.lhs.shape[0] <= MAX_ENTRIES
        size = int(instance.context.label.split("=")[1])
        assert f"of {size**3} entries (k, m, n) = 1,1,1 " in instance.context.entries
    pairs = Sum(z[i] * z[j], (i, 1, K), (j, 1, K))  # K² terms for each entry
    heavy = IndexedClaim(pairs * c[n] * y[k] * z[m], 0, three)
    made = instances(heavy, 0)
    assert made and all(isinstance(i, Unbuilt) for i in made)
    assert f"would pass the limit of {BUILD_LIMIT} written out" in made[0].message
    assert "declare smaller sizes" in made[0].message
    result, _ = only_step(for_all(heavy.lhs, heavy.rhs, three))
    assert result.verdict == "error"
    assert "not checked at K=200" in result.message


def test_an_entry_written_out_must_not_take_a_symbol_name_of_the_claim():
    z1 = sympy.Symbol("z1", real=True)  # a scalar named like the entry z[1]
    domains = {**SOFTMAX.domains, z1: (-1.0, 1.0)}
    clash = replace(SOFTMAX, domains=domains)
    made = instances(IndexedClaim(z[1], z1, clash), 0)
    assert all(isinstance(i, Unbuilt) for i in made)
    assert "the name of the symbol z1" in made[0].message
    # Written out in the worker (a run plans instances and the workers write them out): the
    # same error for each instance, saying why.
    result, _ = only_step(for_all(z[1], z1, clash))
    assert result.claims and all(c.verdict == "error" for c in result.claims)
    assert all("the name of the symbol z1" in c.message for c in result.claims)
    assert all(c.message.startswith(f"not checked at {c.label}: ") for c in result.claims)


def test_a_planned_instance_is_the_instance_written_out():
    claim = IndexedClaim(Derivative(L, z[m]), yhat[m] - y[m], context(label_sum=True))
    plans, built = planned(claim, 3), instances(claim, 3)
    assert len(plans) == len(built) >= 3
    for plan, instance in zip(plans, built):
        assert plan.build() == instance
        assert plan.context.label == instance.context.label
        assert plan.context.entries == instance.context.entries


# 10.11: an empty sum is 0, in the rules and in the instances; the boundary is always drawn.


def test_the_least_declared_size_is_always_an_instance():
    for seed in range(30):
        assert choose_sizes(SOFTMAX, seed)[0][K] == SOFTMAX.sizes[K][0]


def test_a_sum_that_can_run_backwards_is_not_proved_by_the_count_rule():
    # Σ_{j=1}^{K−3} 1 = K − 3: SymPy's convention gives −1 at K = 2, the empty sum 0.
    assert not prove(IndexedClaim(Sum(1, (j, 1, K - 3)), K - 3, SOFTMAX)).proved
    assert not prove(IndexedClaim(Sum(z[m], (j, 1, m - 2)), (m - 2) * z[m], SOFTMAX)).proved
    assert prove(IndexedClaim(Sum(1, (j, 1, K - 2)), K - 2, SOFTMAX)).proved  # K ≥ 2 declared
    assert prove(IndexedClaim(Sum(z[k], (j, 1, m)), m * z[k], SOFTMAX)).proved  # m ≥ 1


def test_an_empty_sum_written_out_is_zero():
    assert written_out(Sum(z[j], (j, 1, K - 3)), {K: 2}) == 0
    assert written_out(Sum(z[j], (j, 1, K - 3)), {K: 3}) == 0
    assert written_out(Sum(1, (j, 1, K - 3)), {K: 5}) == 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_sum_that_runs_empty_at_the_least_size_is_refuted_at_every_seed(seed):
    result, _ = only_step(for_all(Sum(1, (j, 1, K - 3)), K - 3, SOFTMAX), seed)
    assert result.verdict == "refuted"
    assert "K=2" in result.message


def test_a_sum_to_a_free_index_that_runs_empty_is_refuted():
    result, _ = only_step(for_all(Sum(z[j], (j, 1, m - 2)), (m - 2) * z[1], SOFTMAX))
    assert result.verdict == "refuted"


# 16.4: a condition is suggested only for the sum the proof used; the verdict stands.


def test_no_condition_for_a_partial_sum_and_the_run_goes_on():
    # Σ_{k=1}^{m} y_k z_m = z_m crashed the run: m was taken for the size of y's sum.
    claim = IndexedClaim(Sum(y[k], (k, 1, m)) * z[m], z[m], SOFTMAX)
    proof = prove(claim)
    assert not proof.proved and proof.holds_only_if == "" and proof.condition is None
    result, _ = only_step(for_all(claim.lhs, claim.rhs, SOFTMAX))
    assert result.verdict == "refuted"
    partial = IndexedClaim(Sum(y[k], (k, 1, K - 1)) * z[m], z[m], SOFTMAX)
    assert prove(partial).holds_only_if == ""
    assert prove(IndexedClaim(Sum(y[k], (k, 1, K)) * z[m], z[m], SOFTMAX)).holds_only_if


def test_the_concrete_instances_of_a_line_are_bounded_by_the_cost_limit():
    claim = IndexedClaim(
        Derivative(yhat[k], z[m]), yhat[k] * (KroneckerDelta(k, m) - yhat[m]), APART
    )
    for instance in instances(claim, 3):
        assert 1 <= instance.lhs.shape[0] <= MAX_ENTRIES
    assert concrete(claim, {K: 3}).lhs.shape == (6, 1)


def test_writing_out_scopes_a_summation_index_apart_from_a_free_one_of_its_name():
    # Σ_k z_k y_k with a free k = 2 given: the sum's k is its own, the free k's value is not it
    total = Sum(z[k] * y[k], (k, 1, K)) + z[k]
    z1, z2, z3, y1, y2, y3 = sympy.symbols("z1 z2 z3 y1 y2 y3", real=True)
    assert written_out(total, {K: 3, k: 2}) == z1 * y1 + z2 * y2 + z3 * y3 + z2
    # Σ_j Σ_k: each index its own; an inner limit set by the outer index is not a number here
    nested = Sum(Sum(z[j] * y[k], (k, 1, K)), (j, 1, K))
    assert written_out(nested, {K: 2}) == sympy.expand((z1 + z2) * (y1 + y2))
    with pytest.raises(ValueError, match="the sum over k runs from 1 to j, not numbers"):
        written_out(Sum(Sum(z[k], (k, 1, j)), (j, 1, K)), {K: 2})


def test_writing_out_records_each_plain_symbol_and_refuses_two_of_one_name():
    made: dict = {}
    w = IndexedBase("w", real=True)
    out = written_out(Derivative(L, w[k, m]) + w[1, 2], {k: 1, m: 2}, made)
    w1_2 = sympy.Symbol("w1_2", real=True)
    assert out == Derivative(L, w1_2) + w1_2
    assert made == {w1_2: (w, (1, 2))}
    w1 = IndexedBase("w1", real=True)
    with pytest.raises(ValueError, match=r"written out are both w11; rename a base"):
        written_out(w[11] + w1[1], {}, {})
