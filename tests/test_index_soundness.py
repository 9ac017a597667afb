"""The index rules never prove what is false: normal forms agree with the sums written out, and
perturbed lines of the notes are never proved."""

import random

import pytest
import sympy
from sympy import Derivative, IndexedBase, KroneckerDelta, Sum, exp

import derivations
from derivations.index_classes import K, context, j, k, m, y, yhat, z
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
