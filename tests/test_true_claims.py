"""True identities are proved; true claims at extreme scales are never refuted."""

import pytest
from sympy import (
    Derivative,
    GoldenRatio,
    I,
    Matrix,
    Symbol,
    TribonacciConstant,
    atan,
    cosh,
    diag,
    exp,
    log,
    sinh,
    sqrt,
)

from derivations.classes import Classes
from derivcheck import sigmoid, verify_step

x, y, z = (Symbol(name, real=True) for name in "xyz")
p, q = (Symbol(name, positive=True) for name in "pq")
yhat = Symbol("yhat", real=True)
softmax3 = Classes(3, weights=False, label_sum=False)

PASSING = ("proved", "confirmed")


def test_sigmoid_derivative():
    result = verify_step(Derivative(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z)))
    assert result.verdict == "proved"
    assert result.autodiff.status == "agree"


def test_softmax_jacobian_entries_for_three_classes():
    c = softmax3
    jacobian = Matrix(3, 3, lambda k, m: Derivative(c.yhat[k], c.z[m]))
    expected = diag(*c.yhat) - Matrix(c.yhat) * Matrix(c.yhat).T
    result = verify_step(
        jacobian, expected, domains=c.context.domains, definitions=c.context.definitions
    )
    assert result.verdict == "proved"


def test_softmax_sums_to_one_for_three_classes():
    c = softmax3
    result = verify_step(sum(c.yhat), 1, definitions=c.context.definitions)
    assert result.verdict == "proved"


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (log(p * q), log(p) + log(q)),
        (log(p / q), log(p) - log(q)),
        (log(p**3), 3 * log(p)),
        (log(exp(x)), x),
        (log(1 / (1 + exp(-x))), -log(1 + exp(-x))),
    ],
    ids=["product", "quotient", "power", "log-exp", "log-sigmoid"],
)
def test_log_identities(lhs, rhs):
    assert verify_step(lhs, rhs).verdict == "proved"


def test_removable_singularity():
    assert verify_step((x**2 - 1) / (x - 1), x + 1).verdict == "proved"


def test_matrix_claim_is_compared_elementwise():
    gradient = Matrix([[Derivative(x * y**2, x), Derivative(x * y**2, y)]])
    result = verify_step(gradient, Matrix([[y**2, 2 * x * y]]))
    assert result.verdict == "proved"
    assert result.autodiff.points == 2 * result.numeric.points  # both entries checked


def test_shorthand_symbol_through_definitions():
    result = verify_step(Derivative(yhat, z), yhat * (1 - yhat), definitions={yhat: sigmoid(z)})
    assert result.verdict == "proved"


# More, each with its exact verdict, in test_adversarial.py.
@pytest.mark.parametrize(
    ("lhs", "rhs", "domains"),
    [
        (cosh(x) ** 2 - sinh(x) ** 2, 1, {x: (600, 700)}),  # terms near 10^570 cancel
        ((1 + x) ** 2 - 1 - x**2, 2 * x, {x: (1e-20, 1e-18)}),  # 1 + x is 1 in float64
        (Derivative(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z)), {z: (100, 110)}),
    ],
    ids=["cosh-sinh-large", "square-cancellation-tiny", "sigmoid-deeply-saturated"],
)
def test_true_claims_at_extreme_scales_pass(lhs, rhs, domains):
    """Never refuted, nor an error: a true claim must not fail for want of precision."""
    result = verify_step(lhs, rhs, domains=domains)
    assert result.verdict in PASSING, result.message


def test_identity_of_an_algebraic_constant():
    t = TribonacciConstant  # the real root of t³ = t² + t + 1
    assert verify_step(t**3 - t**2 - t, 1).verdict in PASSING


def test_complex_arithmetic_is_exact():
    # Rounded to float64, (10^17 + 1)·i would lose its + 1 on one side only.
    result = verify_step((10**17 + 1) * I + p, I * (p + 10**17 + 1) - I * p + p)
    assert result.verdict in PASSING, result.message


def test_cancellation_past_200_digits_is_never_a_refutation():
    # True (atan a − atan b = atan((a − b)/(1 + ab)); φ² − φ = 1), but y − 1 rounds to y below
    # 250 digits and atan has no interval version: the checker must not refute them.
    big = Symbol("y", positive=True)
    domains = {big: (1e250, 2e250)}
    claims = [
        (x + big**2 * (atan(big) - atan(big - 1)), x + big**2 * atan(1 / (big**2 - big + 1))),
        (
            x + big * (sqrt(big**2 + GoldenRatio**2 - GoldenRatio) - big),
            x + big / (sqrt(big**2 + 1) + big),
        ),
    ]
    for lhs, rhs in claims:
        assert verify_step(lhs, rhs, domains=domains).verdict != "refuted"
