"""The index rules never prove what is false: normal forms agree with the sums written out, and
perturbed lines of the notes are never proved."""

import random
from dataclasses import replace

import pytest
import sympy
from sympy import Derivative, IndexedBase, KroneckerDelta, Sum, exp

import derivations
from derivations.index_classes import K, context, i, j, k, m, y, yhat, z
from derivcheck.indices import IndexedClaim, prove, sum_except
from derivcheck.indices.instantiate import written_out
from derivcheck.indices.prove import write_out
from derivcheck.indices.rules import Trace
from derivcheck.indices.sums import normalize

c = IndexedBase("c", real=True)
q = sympy.Symbol("q", integer=True)  # an index with no declared range: given a value outside 1…K
SOFTMAX = context(label_sum=False)


def random_factor(rng, i):
    pool = [
        c[i],
        y[i],
        c[m],
        y[k],
        exp(z[i]),
        yhat[i],
        KroneckerDelta(i, m),
        KroneckerDelta(i, k),
        KroneckerDelta(i, q),
        sympy.Rational(rng.randint(1, 5), rng.randint(1, 3)),
        1 - KroneckerDelta(i, m),
    ]
    return rng.choice(pool)


def random_sum(rng, depth=0):
    """Σ_i of a random sum of products, possibly with a sum inside."""
    i = sympy.Symbol(f"i{depth}", integer=True)
    terms = []
    for _ in range(rng.randint(1, 3)):
        factors = [random_factor(rng, i) for _ in range(rng.randint(1, 3))]
        if depth == 0 and rng.random() < 0.3:
            factors.append(random_sum(rng, depth + 1))
        terms.append(sympy.Mul(*factors))
    body = sympy.Add(*terms)
    if rng.random() < 0.2:
        return sum_except(body, i, m, K)
    return Sum(body, (i, 1, K))


def value_at(expr, size, values):
    written = written_out(write_out(expr, (yhat,), SOFTMAX, Trace()), {K: size, **values[0]})
    return sympy.N(written.xreplace(values[1]), 30)


def numbers(rng, size):
    indices = {k: rng.randint(1, size), m: rng.randint(1, size), q: size + 2}
    symbols = {}
    for base in (c, y, z):
        for v in range(1, size + 3):
            symbols[sympy.Symbol(f"{base}{v}", real=True)] = sympy.Rational(rng.randint(-9, 9), 7)
    return indices, symbols


@pytest.mark.parametrize("seed", range(60))
def test_normal_form_equals_the_sum_written_out(seed):
    rng = random.Random(seed)
    expr = random_sum(rng)
    normal = normalize(expr, {k: K, m: K}, SOFTMAX, Trace())
    for size in (3, 4):
        values = numbers(rng, size)
        before, after = value_at(expr, size, values), value_at(normal, size, values)
        assert abs(before - after) <= 1e-20 * (1 + abs(before)), (expr, normal, size)


def symbolic_steps():
    for d in derivations.ALL:
        for s in d.steps:
            parts = [s.indexed] if not s.erratum else [s.correction.indexed]
            for claim in parts:
                if claim is not None:
                    yield pytest.param(claim, id=f"{d.name}-{s.number}")


@pytest.mark.parametrize("claim", list(symbolic_steps()))
def test_perturbed_lines_of_the_notes_are_not_proved(claim):
    assert prove(claim).proved
    rhs = sympy.sympify(claim.rhs)
    # (k ↔ m is no perturbation: the Jacobian is symmetric, dŷ_k/dz_m = dŷ_m/dz_k.)
    perturbed = [rhs + sympy.Rational(1, 7), rhs + y[m] * yhat[m] / 5, 2 * rhs + 1]
    for wrong in perturbed:
        result = prove(IndexedClaim(claim.lhs, wrong, claim.context))
        assert not result.proved, wrong


def test_a_derivative_proved_for_all_K_matches_sympy_at_three_K():
    # ∂/∂z_m of Σ_j y_j e^{z_j} / Σ_j e^{z_j}: the rules' derivative against SymPy's diff.
    from derivcheck.indices.derivative import eliminate

    expr = Sum(y[j] * exp(z[j]), (j, 1, K)) / Sum(exp(z[j]), (j, 1, K))
    found = normalize(eliminate(Derivative(expr, z[m]), SOFTMAX, Trace()), {m: K}, SOFTMAX, Trace())
    rng = random.Random(3)
    for size in (2, 3, 5):
        indices, symbols = numbers(rng, size)
        plain = written_out(expr, {K: size})
        variable = sympy.Symbol(f"z{indices[m]}", real=True)
        expected = sympy.diff(plain, variable).xreplace(symbols)
        got = written_out(found, {K: size, **indices}).xreplace(symbols)
        assert abs(sympy.N(expected - got, 30)) < 1e-25


# A summation index is another index than a free one of the same name (issue 10.1, 10.2).

APART = context(label_sum=False, distinct=True)  # k ≠ m for the free k and m


@pytest.mark.parametrize(
    "lhs, rhs",
    [
        (sum_except(z[k], k, m, K), Sum(z[k], (k, 1, K))),  # Σ_{k≠m} z_k = Σ_k z_k
        (sum_except(z[m], m, k, K), Sum(z[m], (m, 1, K))),  # the other index of the pair bound
        (Sum(KroneckerDelta(k, m) * z[k], (k, 1, K)), 0),  # Σ_k δ_km z_k is z_m, not 0
        (Sum(Sum(KroneckerDelta(k, m) * y[k], (k, 1, K)) * z[m], (m, 1, K)), 0),  # both bound
        (
            KroneckerDelta(k, m) * Sum(z[k], (k, 1, K)) + sum_except(y[k], k, m, K),
            Sum(y[j], (j, 1, K)),
        ),
    ],
    ids=["k-bound", "m-bound", "delta-sum", "nested", "free-and-bound"],
)
def test_a_bound_index_named_like_a_distinct_free_one_is_not_distinct(lhs, rhs):
    assert not prove(IndexedClaim(lhs, rhs, APART)).proved


def test_delta_of_a_bound_and_a_distinct_free_index_still_sums_out():
    # Σ_k δ_km z_k = z_m although the free k and m are declared distinct: the bound k is not them.
    assert prove(IndexedClaim(Sum(KroneckerDelta(k, m) * z[k], (k, 1, K)), z[m], APART)).proved
    assert prove(IndexedClaim(KroneckerDelta(k, m) * z[k], 0, APART)).proved  # both free: 0


@pytest.mark.parametrize("name", ["ι0", "ι1"])
def test_a_free_symbol_named_like_a_canonical_bound_index_is_not_captured(name):
    # Σ_j z_j^q = Σ_j z_j^j with q named ι0 was proved: the canonical name of j captured q.
    q = sympy.Symbol(name, integer=True)
    scalar = sympy.Symbol(name, positive=True)  # not even an index
    ranged = replace(SOFTMAX, ranges={**SOFTMAX.ranges, q: K})
    false_lines = [
        (Sum(z[j] ** q, (j, 1, K)), Sum(z[j] ** j, (j, 1, K))),
        (Sum(z[j] * scalar, (j, 1, K)), Sum(z[j] * j, (j, 1, K))),
        (  # the outer index named by depth 1
            Sum(Sum(z[i] ** j * y[i] ** q, (i, 1, K)), (j, 1, K)),
            Sum(Sum(z[i] ** j * y[i] ** j, (i, 1, K)), (j, 1, K)),
        ),
        (  # the inner one, by depth 0
            Sum(Sum(z[i] ** j * y[i] ** q, (i, 1, K)), (j, 1, K)),
            Sum(Sum(z[i] ** j * y[i] ** i, (i, 1, K)), (j, 1, K)),
        ),
    ]
    for lhs, rhs in false_lines:
        assert not prove(IndexedClaim(lhs, rhs, ranged)).proved, (lhs, rhs)
    assert prove(IndexedClaim(Sum(z[j] ** q, (j, 1, K)), Sum(z[k] ** q, (k, 1, K)), ranged)).proved


def test_every_limit_of_a_sum_counts():
    # SymPy merges Σ_j Σ_i f into Sum(f, (i, 1, K), (j, 1, K)); the rules and the instances read
    # only the first limit, and Σ_j Σ_i z_i = Σ_i z_i (K times too small) was proved for all K.
    double = Sum(Sum(z[i], (i, 1, K)), (j, 1, K))
    assert len(double.limits) == 2
    assert not prove(IndexedClaim(double, Sum(z[i], (i, 1, K)), SOFTMAX)).proved
    assert prove(IndexedClaim(double, K * Sum(z[i], (i, 1, K)), SOFTMAX)).proved
    pairs = Sum(KroneckerDelta(i, j) * z[i] * y[j], (i, 1, K), (j, 1, K))
    assert prove(IndexedClaim(pairs, Sum(z[j] * y[j], (j, 1, K)), SOFTMAX)).proved
    gradient = Derivative(Sum(z[i] * z[j], (i, 1, K), (j, 1, K)), z[m])
    assert prove(IndexedClaim(gradient, 2 * Sum(z[i], (i, 1, K)), SOFTMAX)).proved
    assert not prove(IndexedClaim(gradient, Sum(z[i], (i, 1, K)), SOFTMAX)).proved
    z1, z2 = (sympy.Symbol(f"z{v}", real=True) for v in (1, 2))
    assert written_out(double, {K: 2}) == 2 * z1 + 2 * z2
