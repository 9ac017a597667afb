"""Symbolic-K steps end to end: the rules' proof combined with the concrete instances."""

import json

import sympy
from sympy import Derivative, Sum, cos, sin

from derivations.index_classes import D, K, L, context, d, j, k, m, x, y, yhat, z
from derivcheck import verify_derivations
from derivcheck.dsl import derivation, for_all, step
from derivcheck.indices import IndexedClaim, IndexProof
from derivcheck.indices.instantiate import choose_sizes, concrete, instances
from derivcheck.reports.json import render_json
from derivcheck.results import ClaimResult, StepResult

SOFTMAX = context(label_sum=False)
LABELS = context(label_sum=True)


def only_step(claim):
    report = verify_derivations([derivation("t", "t", "test", steps=[step("s", claim)])])
    (outcome,) = report.outcomes
    return outcome.result, json.loads(render_json(report))["derivations"][0]["steps"][0]


def test_ce_gradient_without_label_sum_is_refuted_with_the_missing_condition():
    result, data = only_step(for_all(Derivative(L, z[m]), yhat[m] - y[m], SOFTMAX))
    assert result.verdict == "refuted"
    assert not result.proved_for_all
    assert data["proof"]["status"] == "not proved"
    assert data["proof"]["holds_only_if"] == "holds only if Σ_k y_k = 1"
    assert data["proof"]["condition_proved"] is True
    assert data["proof"]["condition_checked"].startswith("with it, confirmed at K=")
    assert "condition" not in data["proof"]
    assert "holds only if Σ_k y_k = 1" in result.message


def test_ce_gradient_with_label_sum_is_proved_for_all_K():
    result, data = only_step(for_all(Derivative(L, z[m]), yhat[m] - y[m], LABELS))
    assert result.verdict == "proved"
    assert data["proved_for_all"] is True
    assert data["proof"]["rules"]
    labels = data["proof"]["instances"]
    assert len(set(labels)) >= 3
    assert all(2 <= int(label.split("=")[1]) <= 12 for label in labels)
    assert [i["label"] for i in data["instances"]] == labels


def test_true_step_the_rules_cannot_prove_is_checked_at_the_sizes_only():
    claim = for_all(Sum(sin(z[j]) ** 2 + cos(z[j]) ** 2, (j, 1, K)), K, SOFTMAX)
    result, data = only_step(claim)
    assert result.verdict == "confirmed"
    assert data["proved_for_all"] is False
    assert "not proved for all K" in result.message


def test_proved_by_the_rules_but_refuted_at_a_size_is_an_error():
    refuted = ClaimResult("refuted", "the sides differ", "K=7")
    agreeing = ClaimResult("confirmed", "agree", "K=3")
    result = StepResult((agreeing, refuted), IndexProof("proved", sizes="K"))
    assert result.verdict == "error"
    assert result.message.startswith("checkers disagree")
    assert not result.proved_for_all


def test_proved_by_the_rules_and_confirmed_at_every_size_is_proved():
    claims = tuple(ClaimResult("confirmed", "agree", f"K={n}") for n in (3, 5, 9))
    result = StepResult(claims, IndexProof("proved", sizes="K"))
    assert result.verdict == "proved"
    assert result.proved_for_all
    assert not StepResult(claims, IndexProof("not proved", sizes="K")).proved_for_all
    assert StepResult(claims, IndexProof("not proved", sizes="K")).verdict == "confirmed"


def test_sizes_are_seeded_and_distinct():
    first = choose_sizes(LABELS, 11)
    assert first == choose_sizes(LABELS, 11)
    values = [v[K] for v in first]
    assert len(set(values)) == 3 and all(2 <= v <= 12 for v in values)
    assert any(choose_sizes(LABELS, s) != first for s in range(12, 20))


def test_instance_writes_sums_out_and_gives_the_label_sum():
    claim = IndexedClaim(Sum(y[k], (k, 1, K)), 1, LABELS)
    (at3,) = [concrete(claim, {K: 3})]
    y1, y2, y3 = (sympy.Symbol(f"y{i}", real=True) for i in (1, 2, 3))
    assert at3.lhs == y1 + y2 + y3
    assert at3.context.given == (sympy.Eq(y1 + y2 + y3, 1),)
    assert at3.context.label == "K=3"
    assert not at3.context.symbolic


def test_instance_leaves_out_entries_with_k_equal_m():
    apart = context(label_sum=False, distinct=True)
    claim = IndexedClaim(Derivative(yhat[k], z[m]), -yhat[k] * yhat[m], apart)
    at3 = concrete(claim, {K: 3})
    assert at3.lhs.shape == (6, 1)  # the 3 · 2 ordered pairs k ≠ m
    for claim_at in instances(claim, 0):
        assert claim_at.lhs.shape == (1, 1)  # one random entry per size


def test_instance_checks_k_equal_m_and_k_unequal_m_both():
    # A slip on the diagonal alone (δ_km dropped) must not hide behind one off-diagonal entry.
    claim = IndexedClaim(Derivative(yhat[k], z[m]), -yhat[k] * yhat[m], context(label_sum=False))
    for claim_at in instances(claim, 0):
        assert claim_at.lhs.shape == (2, 1)
        pairs = [(e.expr.name[len("yhat") :], e.variables[0].name[1:]) for e in claim_at.lhs]
        assert sorted(a == b for a, b in pairs) == [False, True]


def test_same_seed_same_proof_and_sizes():
    # The workers live on between runs, so dummies are numbered differently: the certificate
    # must not depend on that.
    claim = for_all(Derivative(L, z[m]), yhat[m] - y[m], LABELS)
    first, second = only_step(claim)[1], only_step(claim)[1]
    for data in (first, second):
        data["proof"].pop("seconds")
    assert first["proof"] == second["proof"]


def test_proof_out_of_time_is_no_proof_and_the_instances_decide():
    from derivcheck.indices.check import check_indexed

    claim = IndexedClaim(Derivative(L, z[m]), yhat[m] - y[m], LABELS)
    timed_out = check_indexed(claim, 0, 1e-6)
    assert timed_out.verdict == "error"
    assert timed_out.proof.status == "error"
    claims = tuple(ClaimResult("confirmed", "agree", f"K={n}") for n in (3, 5, 9))
    result = StepResult(claims, timed_out.proof)
    assert result.verdict == "confirmed"
    assert not result.proved_for_all
    assert check_indexed(claim, 0, 10).proof.proved


def test_instance_gives_a_value_to_a_free_index_not_to_a_summation_index_of_that_name():
    claim = IndexedClaim(Sum(y[k], (k, 1, K)) * yhat[k], yhat[k], LABELS)
    at2 = concrete(claim, {K: 2})
    y1, y2 = (sympy.Symbol(f"y{i}", real=True) for i in (1, 2))
    yhat1 = sympy.Symbol("yhat1", real=True)
    assert at2.lhs[0] == (y1 + y2) * yhat1


def test_the_last_instance_has_every_size_and_index_at_its_largest():
    # Regression (found by `derivcheck mutate`): softmax-matrix-gradients step 3 with a term
    # multiplied by the index d was confirmed, every instance drawn at D = 1 (so d = 1).
    weights = context(label_sum=False, weights=True)
    claim = IndexedClaim(x[d] * d, x[d], weights)  # wrong for every d > 1
    for seed in range(30):
        chosen = choose_sizes(weights, seed)
        assert chosen[-1][D] == weights.sizes[D][1]
        assert [v[D] for v in chosen] == sorted(v[D] for v in chosen)
        last = instances(claim, seed)[-1]
        assert last.lhs != last.rhs  # the entry at d = D = 3
