"""Input that cannot be checked is an error with a one-line message saying why.

The one place where message wording is pinned (by a key phrase each).
"""

import pytest
import sympy
from sympy import Derivative, Eq, Function, Matrix, Symbol, oo, sin

from checker import verify_step

x, y = Symbol("x", real=True), Symbol("y", real=True)
x_positive = Symbol("x", positive=True)  # same name as x, different assumptions
f = Function("f")


def assert_error(result, phrase):
    assert result.verdict == "error"
    assert phrase in result.message
    assert "\n" not in result.message
    assert "internal error" not in result.message
    assert result.counterexample is None


@pytest.mark.parametrize(
    ("lhs", "rhs", "phrase"),
    [
        (x + sympy.nan, x, "NaN"),
        (x + 1 / sympy.S(0), x, "complex infinity"),
        (sympy.zoo, x, "complex infinity"),
        (oo - oo, 0, "NaN"),
        (f(x), x, "undefined function f(x)"),
        (Derivative(f(x), x), 1, "undefined function f(x)"),
        (Matrix([x, y]), Matrix([[x, y]]), "different shapes"),
        (Matrix([x, y]), x, "different shapes"),
        ("x + 1", x + 1, "not a SymPy expression"),
        ([x], [x], "not a SymPy expression"),
        (Eq(x, 1), x, "equation"),
        (Derivative(x**2, x_positive), 2 * x, "two different symbols are both named 'x'"),
    ],
    ids=[
        "nan",
        "zoo-division",
        "zoo",
        "oo-minus-oo",
        "undefined-function",
        "derivative-of-undefined",
        "matrix-shapes",
        "matrix-and-scalar",
        "string",
        "list",
        "equation-as-side",
        "same-name-other-assumptions",
    ],
)
def test_bad_claim(lhs, rhs, phrase):
    assert_error(verify_step(lhs, rhs), phrase)


@pytest.mark.parametrize("domain", [(1, 0), (1, 1)], ids=["reversed", "empty"])
def test_bad_domain(domain):
    assert_error(verify_step(x, x, domains={x: domain}), "empty or reversed")


@pytest.mark.parametrize("condition", [x > 0, x - 1], ids=["inequality", "expression"])
def test_side_condition_that_is_not_an_equation(condition):
    assert_error(verify_step(x, x, given=(condition,)), "not a sympy.Eq")


@pytest.mark.parametrize(
    "condition", [Eq(x**2 + y**2, 1), Eq(sin(x), 0)], ids=["polynomial", "transcendental"]
)
def test_side_condition_that_is_not_linear(condition):
    assert_error(verify_step(x + y, y + x, given=(condition,)), "not linear")
