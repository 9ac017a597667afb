"""False claims are refuted, with a counterexample whose two sides differ."""

import mpmath
import pytest
from sympy import Abs, Derivative, Matrix, Rational, Symbol, exp, pi, sin

from checker import sigmoid, verify_step
from derivations.classes import Classes

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
        (dsigma, sigma * (1 - sigma) * (1 + Rational(1, 10**12))),
        (sin(pi * x), 0),
        (Abs(x), x),
    ],
    ids=["sign-flip", "dropped-factor", "relative-1e-12", "sin-pi-x", "abs"],
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
