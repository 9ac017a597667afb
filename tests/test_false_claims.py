"""False claims are refuted, with a counterexample whose two sides differ."""

import mpmath
import pytest
from sympy import (
    Abs,
    Derivative,
    E,
    I,
    Integer,
    Matrix,
    Rational,
    Symbol,
    atan,
    exp,
    log,
    pi,
    sqrt,
)

from derivations.classes import Classes
from derivcheck import sigmoid, verify_step

x, y, z = (Symbol(name, real=True) for name in "xyz")
softmax3 = Classes(3, weights=False, label_sum=False)
yhat0, yhat1 = softmax3.yhat[:2]
z0 = softmax3.z[0]

sigma = sigmoid(z)
dsigma = Derivative(sigma, z)


def assert_refuted(result):
    assert result.verdict == "refuted", result.message
    example = result.counterexample
    assert example is not None
    assert mpmath.mpf(example.lhs) != mpmath.mpf(example.rhs)
    return example


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (dsigma, -sigma * (1 - sigma)),
        (dsigma, sigma),
    ],
    ids=["sign-flip", "dropped-factor"],  # more in test_adversarial.py
)
def test_false_claim_is_refuted(lhs, rhs):
    assert_refuted(verify_step(lhs, rhs))


def test_swapped_softmax_index_is_refuted():
    # dŷ_0/dz_0 = ŷ_0(1 − ŷ_0); ŷ_1(1 − ŷ_1) is the entry of another class.
    c = softmax3.context
    result = verify_step(
        Derivative(yhat0, z0), yhat1 * (1 - yhat1), domains=c.domains, definitions=c.definitions
    )
    assert_refuted(result)


def test_tiny_false_term_on_saturated_sigmoid_is_refuted():
    # 1 − σ(z) cancels to nothing in float64 there; the extra e^{-z} must still show.
    result = verify_step(dsigma, sigma * (1 - sigma) + exp(-z), domains={z: (20, 40)})
    example = assert_refuted(result)
    assert 20 < float(dict(example.point)["z"]) < 40


def test_matrix_claim_names_the_wrong_entry():
    gradient = Matrix([[Derivative(x * y, x), Derivative(x * y, y)]])
    example = assert_refuted(verify_step(gradient, Matrix([[y, y]])))
    assert example.element == (0, 1)


A = 10**46  # A·atan(2) + A·atan(3) − A·3π/4 is exactly 0: atan(2) + atan(3) = 3π/4


# Differences far below float64 resolution, or hidden under a cancellation: the verdict must still
# be refuted. (The counterexample's values may print alike at the digits shown, so only the
# verdict and the presence of a counterexample are asserted.)
@pytest.mark.parametrize(
    ("lhs", "rhs", "domains"),
    [
        (x + 10**41, Integer(10**41), None),
        (x + exp(100), exp(100), None),
        (x * (1 + Rational(1, 10**45)), x, None),
        (Integer(1), 1 + Rational(1, 10**45), None),
        (x + I * x / 10**45, x, None),
        (exp(x) + I, exp(x), {x: (200, 300)}),
        (x + 1 / Integer(10) ** 1000, x, None),
        (A * atan(2) + A * atan(3) - A * 3 * pi / 4 + 1 + x / 10**31, Integer(1), None),
    ],
    ids=[
        "x-beside-1e41",
        "x-beside-exp-100",
        "relative-1e-45",
        "constant-relative-1e-45",
        "tiny-imaginary-part",
        "unit-imaginary-beside-huge-exp",
        "term-1e-1000",
        "hidden-by-cancellation",
    ],
)
def test_tiny_difference_is_refuted(lhs, rhs, domains):
    result = verify_step(lhs, rhs, domains=domains)
    assert result.verdict == "refuted", result.message
    assert result.counterexample is not None


@pytest.mark.parametrize(
    ("lhs", "rhs", "domains"),
    [
        (Symbol("e", real=True) * x, E * x, None),
        (Symbol("pi", real=True), pi, None),
        (log(x**2), 2 * log(x), {x: (-1, 3)}),  # 2·log(x) is complex for x < 0
    ],
    ids=["symbol-named-e", "symbol-named-pi", "log-square-on-negatives"],
)
def test_lookalike_is_refuted(lhs, rhs, domains):
    result = verify_step(lhs, rhs, domains=domains)
    assert result.verdict == "refuted", result.message
    assert result.counterexample is not None


def test_term_below_every_precision_is_never_passed():
    # y·e^{-3000} is beyond what the checker may resolve: refuting or declining are both fine.
    result = verify_step(x + y * exp(-3000), x)
    assert result.verdict in ("refuted", "error"), result.message


xp = Symbol("x", positive=True)


@pytest.mark.parametrize(
    "lhs, rhs, options",
    [
        # SymPy given no time at all: lhs − rhs itself is still probed.
        (x, x + exp(-200), {"timeout": 1}),
        # Exactly 0 at 50 and 100 digits; the difference shows near 300.
        (sqrt(x**2 + exp(-700)), Abs(x), {}),
        # Different only where x > 2, which the first sampled points miss.
        (x + exp(-300) * (x - 2 + Abs(x - 2)), x, {}),
        # Noise at 50 digits that shrinks at 100 hides a real 1e-80 difference.
        (10**40 * (atan(xp) + atan(1 / xp)) + atan(xp + exp(-184)), 10**40 * pi / 2 + atan(xp), {}),
    ],
    ids=["no-time-for-sympy", "zero-until-300-digits", "only-past-2", "noise-then-difference"],
)
def test_difference_the_probe_must_find_is_never_passed(lhs, rhs, options):
    result = verify_step(lhs, rhs, **options)
    assert result.verdict in ("refuted", "error"), result.message


def test_a_derivative_real_where_the_other_side_is_complex_is_refuted_not_an_error():
    # Found by `make mutation` on the catalogue (batchnorm step 2, ε's sign flipped): where the
    # rhs is complex, JAX's float64 derivative of the lhs has nothing to be compared with.
    result = verify_step(Derivative(sqrt(x), x), 1 / (2 * sqrt(x - 1)), domains={x: (0.2, 1.1)})
    assert result.verdict == "refuted", result.message
    example = result.counterexample
    assert mpmath.mpmathify(example.lhs) != mpmath.mpmathify(example.rhs.replace(" ", ""))


def test_a_shorthand_the_evaluated_claim_no_longer_uses_is_not_shown():
    # Found by `make mutation` (gaussian-nll step 4, 0 → 1): x̄'s definition cancels away, so
    # the claim is 0 = 1 with nothing sampled that x̄ could be shown at.
    xbar = Symbol("xbar", real=True)
    result = verify_step(2 * xbar - x - y, 1, definitions={xbar: (x + y) / 2})
    assert_refuted(result)
