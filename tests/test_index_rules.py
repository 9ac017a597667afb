"""Each index rule on its own: where it applies, and where it must not."""

import pytest
import sympy
from sympy import Derivative, IndexedBase, KroneckerDelta, Mul, Sum, exp, log, sin

from derivations.index_classes import D, K, L, context, d, j, k, m, n, total, y, yhat, z
from derivcheck.indices import IndexContext, IndexedClaim, UnitSum, prove, rules, sum_except
from derivcheck.indices.derivative import differentiate, eliminate
from derivcheck.indices.rules import Trace, free_indices
from derivcheck.indices.sums import normalize

c = IndexedBase("c", real=True)  # an input with no definition
SOFTMAX = context(label_sum=False)
LABELS = context(label_sum=True)
SCOPE = {k: K, m: K, d: D}


def normal(expr, ctx=SOFTMAX, scope=SCOPE):
    trace = Trace()
    return normalize(expr, dict(scope), ctx, trace), [u.rule for u in trace.uses]


def proves(lhs, rhs, ctx=SOFTMAX) -> bool:
    return prove(IndexedClaim(lhs, rhs, ctx)).proved


# ∂z_j/∂z_m = δ_jm and the derivative rules


def test_derivative_of_an_indexed_symbol_is_a_delta():
    trace = Trace()
    assert differentiate(z[j], z[m], SOFTMAX, trace) == KroneckerDelta(j, m)
    assert [u.rule for u in trace.uses] == [rules.DELTA]


def test_derivative_of_another_base_is_zero():
    assert differentiate(c[j] * y[j], z[m], SOFTMAX, Trace()) == 0


def test_derivative_through_exp_log_products_and_quotients():
    expr = exp(z[k]) * log(c[k] + z[k]) / (1 + z[k] ** 2)
    found = differentiate(expr, z[k], SOFTMAX, Trace())
    x = sympy.Symbol("x", real=True)
    plain = exp(x) * log(c[k] + x) / (1 + x**2)
    assert sympy.simplify(found - sympy.diff(plain, x).subs(x, z[k])) == 0


def test_derivative_through_a_sum_gives_a_delta_inside_it():
    trace = Trace()
    found = differentiate(total, z[m], SOFTMAX, trace)
    assert isinstance(found, Sum)
    assert rules.SUM_DERIVATIVE in [u.rule for u in trace.uses]
    assert normal(found)[0] == exp(z[m])


def test_derivative_by_a_shorthand_holds_it_as_a_variable():
    # dL/dŷ_k with L = −Σ_k y_k log ŷ_k: ŷ is the variable, not written out.
    assert proves(Derivative(L, yhat[k]), -y[k] / yhat[k])


def test_function_without_a_rule_is_an_error_not_a_proof():
    proof = prove(IndexedClaim(Derivative(sin(z[k]), z[k]), sympy.cos(z[k]), SOFTMAX))
    assert proof.status == "error"
    assert "no derivative rule" in proof.message


# Σ_j δ_jm f(j) = f(m), for m in 1…K only


def test_delta_sum_picks_the_term():
    found, used = normal(Sum(KroneckerDelta(j, m) * exp(z[j]), (j, 1, K)))
    assert found == exp(z[m])
    assert rules.DELTA_SUM in used


def test_delta_sum_does_not_apply_to_an_index_of_unknown_range():
    q = sympy.Symbol("q", integer=True)  # no declared range: q may lie outside 1…K
    found, used = normal(Sum(KroneckerDelta(j, q) * exp(z[j]), (j, 1, K)))
    assert rules.DELTA_SUM not in used
    assert isinstance(found, Sum)
    assert not proves(Sum(KroneckerDelta(j, q) * exp(z[j]), (j, 1, K)), exp(z[q]))


def test_delta_sum_does_not_apply_to_an_index_of_another_range():
    # d runs over 1…D; Σ_{j=1}^{K} δ_jd f(j) is f(d) only if d ≤ K.
    found, used = normal(Sum(KroneckerDelta(j, d) * c[j], (j, 1, K)))
    assert rules.DELTA_SUM not in used
    assert not proves(Sum(KroneckerDelta(j, d) * c[j], (j, 1, K)), c[d])


def test_delta_sum_rule_on_its_own():
    factors = Mul.make_args(KroneckerDelta(j, m) * c[j] * y[j])
    assert rules.delta_sum(factors, j, K, {m: K}) == c[m] * y[m]
    assert rules.delta_sum(factors, j, K, {}) is None
    assert rules.delta_sum(factors, j, K, {m: D}) is None


# linearity, pulling out, constants


def test_linearity_splits_the_sum():
    found, used = normal(Sum(c[j] + y[j], (j, 1, K)))
    assert rules.LINEARITY in used
    assert found == normal(Sum(c[j], (j, 1, K)))[0] + normal(Sum(y[j], (j, 1, K)))[0]


def test_factor_free_of_the_index_is_pulled_out():
    found, used = normal(Sum(exp(z[m]) * c[j], (j, 1, K)))
    assert rules.PULL_OUT in used
    assert found == exp(z[m]) * normal(Sum(c[j], (j, 1, K)))[0]


def test_factor_depending_on_the_index_is_not_pulled_out():
    outside, inside = rules.pull_out(Mul.make_args(exp(z[m]) * c[j] * y[j]), j)
    assert outside == exp(z[m])
    assert inside == c[j] * y[j]
    assert not proves(Sum(c[j] * y[j], (j, 1, K)), y[j] * Sum(c[j], (j, 1, K)))
    assert not proves(Sum(c[j] * y[j], (j, 1, K)), y[m] * Sum(c[j], (j, 1, K)))


def test_sum_of_a_constant_is_K_times_it():
    found, used = normal(Sum(c[m], (j, 1, K)))
    assert found == K * c[m]
    assert rules.CONSTANT_SUM in used
    assert not proves(Sum(c[j], (j, 1, K)), K * c[m])


def test_free_indices_leave_out_the_summation_index():
    assert free_indices(Sum(c[j] * y[m], (j, 1, K))) == {m, K}


# Σ_j ŷ_j = 1 from the softmax definition; Σ_k y_k = 1 only when given


def test_softmax_sums_to_one():
    found, used = normal(Sum(yhat[j], (j, 1, K)))
    assert found == 1
    assert rules.SOFTMAX_SUM in used


def test_an_input_does_not_sum_to_one():
    assert not rules.softmax_sum(c[j], j, K, SOFTMAX)
    assert not proves(Sum(c[j], (j, 1, K)), 1)


def test_a_definition_that_does_not_normalise_does_not_sum_to_one():
    p = IndexedBase("p", real=True)
    ctx = IndexContext(
        ranges={m: K},
        definitions={p: ((n,), exp(z[n]) / Sum(exp(2 * z[j]), (j, 1, K)))},
    )
    assert not rules.softmax_sum(p[j], j, K, ctx)
    assert not proves(Sum(p[j], (j, 1, K)), 1, ctx)


def test_a_softmax_over_another_range_does_not_sum_to_one():
    assert not rules.softmax_sum(yhat[j], j, D, SOFTMAX)


def test_labels_sum_to_one_only_when_given():
    found, used = normal(Sum(y[j], (j, 1, K)), LABELS)
    assert found == 1
    assert rules.GIVEN_SUM in used
    assert normal(Sum(y[j], (j, 1, K)), SOFTMAX)[0] != 1
    assert not proves(Sum(y[j], (j, 1, K)), 1, SOFTMAX)


def test_a_given_sum_over_one_slot_does_not_cover_another():
    ctx = IndexContext(ranges={m: K}, unit_sums=(UnitSum(c, 1, K, "k", 2),))
    assert rules.given_unit_sum(c[m, j], j, K, ctx) is not None
    assert rules.given_unit_sum(c[j, m], j, K, ctx) is None


# Σ_k f(k) = f(m) + Σ_{k≠m} f(k), and the cases k = m, k ≠ m


def test_sum_except_one_index_splits_off_that_term():
    found, used = normal(sum_except(c[k], k, m, K))
    assert rules.SPLIT in used
    assert proves(Sum(c[k], (k, 1, K)), c[m] + sum_except(c[k], k, m, K))


def test_sum_except_an_index_of_unknown_range_is_not_split():
    q = sympy.Symbol("q", integer=True)
    used = normal(sum_except(c[k], k, q, K))[1]
    assert rules.SPLIT not in used and rules.DELTA_SUM not in used
    assert not proves(Sum(c[k], (k, 1, K)), c[q] + sum_except(c[k], k, q, K))


def test_delta_of_distinct_indices_is_zero_only_when_they_are_distinct():
    apart = context(label_sum=False, distinct=True)
    assert rules.zero_distinct(KroneckerDelta(k, m) * c[k], apart) == 0
    assert rules.zero_distinct(KroneckerDelta(k, m) * c[k], SOFTMAX) != 0
    assert proves(Derivative(yhat[k], z[m]), -yhat[k] * yhat[m], apart)
    assert not proves(Derivative(yhat[k], z[m]), -yhat[k] * yhat[m], SOFTMAX)


def test_cases_k_equal_and_unequal_m():
    # δ_km ŷ_m = δ_km ŷ_k needs the case split: equal when k = m, both 0 when k ≠ m.
    proof = prove(
        IndexedClaim(
            Derivative(yhat[k], z[m]), KroneckerDelta(k, m) * yhat[m] - yhat[k] * yhat[m], SOFTMAX
        )
    )
    assert proof.proved
    assert proof.strategy == "cases"
    assert any(use.rule == rules.CASES for use in proof.rules)
    assert not proves(Derivative(yhat[k], z[m]), KroneckerDelta(k, m) * yhat[m], SOFTMAX)


# the whole proof


def test_certificate_lists_the_rules_in_order():
    proof = prove(IndexedClaim(Derivative(L, z[m]), yhat[m] - y[m], LABELS))
    used = [u.rule for u in proof.rules]
    assert proof.proved
    assert used.index(rules.DELTA) < used.index(rules.DELTA_SUM) < used.index(rules.GIVEN_SUM)
    assert used[-1] == rules.SCALAR


@pytest.mark.parametrize(
    "rhs",
    [yhat[m] + y[m], yhat[m] - y[m] + 1, yhat[k] - y[k], yhat[m] * (1 - y[m])],
    ids=["sign", "constant", "index", "product"],
)
def test_wrong_gradients_are_not_proved(rhs):
    assert not proves(Derivative(L, z[m]), rhs, LABELS)


def test_missing_label_sum_is_named():
    proof = prove(IndexedClaim(Derivative(L, z[m]), yhat[m] - y[m], SOFTMAX))
    assert proof.status == "not proved"
    assert proof.holds_only_if == "holds only if Σ_k y_k = 1"
    assert proof.condition_proved


def test_no_condition_is_suggested_for_a_slip_no_condition_fixes():
    proof = prove(IndexedClaim(Derivative(L, z[m]), yhat[m] + y[m], SOFTMAX))
    assert proof.holds_only_if == ""


def test_proof_time_does_not_depend_on_K():
    # K is a symbol: the proof is one and the same for every K.
    proof = prove(IndexedClaim(Derivative(L, z[m]), yhat[m] - y[m], LABELS))
    assert proof.sizes == "K"
    assert not any(str(K) + "=" in use.example for use in proof.rules)


def test_derivative_by_a_shorthand_through_eliminate():
    trace = Trace()
    found = eliminate(Derivative(L, yhat[k]), SOFTMAX, trace)
    assert not found.has(Derivative)


def test_missing_k_unequal_m_is_named():
    proof = prove(IndexedClaim(Derivative(yhat[k], z[m]), -yhat[k] * yhat[m], SOFTMAX))
    assert proof.status == "not proved"
    assert proof.holds_only_if == "holds only if k ≠ m"
    assert proof.condition_proved


def test_case_split_does_not_capture_a_summation_index():
    # k is free in δ_km and bound in Σ_k: the case k = m must not turn Σ_k c_k into Σ_m c_m y_m.
    lhs = KroneckerDelta(k, m) * yhat[m] + Sum(c[k], (k, 1, K)) * y[m]
    rhs = KroneckerDelta(k, m) * yhat[k] + Sum(c[j], (j, 1, K)) * y[m]
    assert proves(lhs, rhs)


def test_certificate_names_the_k_unequal_m_rule():
    apart = context(label_sum=False, distinct=True)
    proof = prove(IndexedClaim(Derivative(yhat[k], z[m]), -yhat[k] * yhat[m], apart))
    assert rules.DISTINCT in [use.rule for use in proof.rules]


# Rules the catalogue needed: each where it applies, and where it must not


W2 = IndexedBase("W", real=True)
FEATURES = IndexContext(
    ranges={k: K, m: K, d: D}, sizes={K: (1, 10), D: (1, 4)}, domains={c: (0.5, 2.0)}
)


def trace_of(lhs, rhs, ctx):
    proof = prove(IndexedClaim(lhs, rhs, ctx))
    return proof.proved, [u.rule for u in proof.rules]


def test_two_sums_are_exchanged_when_their_ranges_are_free_of_each_other():
    inner_d = Sum(c[k] * Sum(W2[k, d], (d, 1, D)), (k, 1, K))
    inner_k = Sum(Sum(c[k] * W2[k, d], (k, 1, K)), (d, 1, D))
    proved, used = trace_of(inner_d, inner_k, FEATURES)
    assert proved and rules.EXCHANGE in used


def test_exchanged_sums_with_the_indices_swapped_in_the_body_are_not_equal():
    inner_d = Sum(c[k] * Sum(W2[k, d], (d, 1, D)), (k, 1, K))
    wrong = Sum(Sum(c[d] * W2[k, d], (k, 1, K)), (d, 1, D))  # c indexed by d, not k
    assert not prove(IndexedClaim(inner_d, wrong, FEATURES)).proved


def test_a_sum_whose_range_depends_on_the_outer_index_is_not_exchanged():
    triangle = Sum(Sum(W2[k, d], (d, 1, k)), (k, 1, K))
    swapped = Sum(Sum(W2[k, d], (k, 1, d)), (d, 1, K))  # not the same triangle
    trace = Trace()
    normalize(triangle, {m: K}, FEATURES, trace)
    assert rules.EXCHANGE not in [u.rule for u in trace.uses]
    assert not prove(IndexedClaim(triangle, swapped, FEATURES)).proved


def test_sigma_is_written_in_its_explicit_form():
    from derivcheck.functions import sigmoid

    proved, used = trace_of(sigmoid(z[k]), 1 / (1 + exp(-z[k])), SOFTMAX)
    assert proved and rules.EXPLICIT in used
    assert not proves(sigmoid(z[k]), 1 / (1 + exp(z[k])))


def test_derivative_of_an_absolute_value_is_its_sign():
    u = z[k] - c[k]
    proved, used = trace_of(Derivative(sympy.Abs(u), z[k]), u / sympy.Abs(u), FEATURES)
    assert proved and rules.ABS_RULE in used
    assert not proves(Derivative(sympy.Abs(u), z[k]), -u / sympy.Abs(u), FEATURES)
    assert not proves(Derivative(sympy.Abs(u), z[k]), 1, FEATURES)


def test_the_log_of_a_product_of_positives_is_split():
    logsoftmax = log(exp(z[k]) / Sum(exp(z[j]), (j, 1, K)))
    proved, used = trace_of(logsoftmax, z[k] - log(Sum(exp(z[j]), (j, 1, K))), FEATURES)
    assert proved and rules.LOG_PRODUCT in used
    # c is sampled in (0.5, 2): positive; inside a sum too
    split = Sum(y[k] * log(c[k]), (k, 1, K)) + Sum(y[k] * z[k], (k, 1, K))
    assert proves(Sum(y[k] * log(c[k] * exp(z[k])), (k, 1, K)), split, FEATURES)


def test_the_log_of_a_product_is_not_split_unless_each_factor_is_positive():
    # z is sampled in an interval around 0 and y has no domain here: log(z y) ≠ log z + log y
    # for z, y < 0
    bare = IndexContext(ranges={k: K}, sizes={K: (1, 10)}, domains={z: (-4.0, 4.0)})
    assert not proves(log(z[k] * y[k]), log(z[k]) + log(y[k]), bare)
    assert not proves(log(z[k] ** 2), 2 * log(z[k]), bare)
    # a sum over a range that may be empty (K = 0) is not known positive
    empty = IndexContext(ranges={k: K}, sizes={K: (0, 10)}, domains={c: (0.5, 2.0)})
    assert not rules.positive(Sum(c[j], (j, 1, K)), empty)
    assert rules.positive(Sum(c[j], (j, 1, K)), FEATURES)


def test_a_sum_body_that_simplifies_only_as_a_whole_is_brought_to_one_fraction():
    u = exp(z[k])
    halves = Sum(c[k] / (1 + u) + c[k] * u / (1 + u), (k, 1, K))
    proved, used = trace_of(halves, Sum(c[k], (k, 1, K)), FEATURES)
    assert proved and rules.WHOLE_BODY in used
    wrong = Sum(c[k] / (1 + u) + 2 * c[k] * u / (1 + u), (k, 1, K))
    assert not proves(wrong, Sum(c[k], (k, 1, K)), FEATURES)
