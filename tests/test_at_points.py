"""translate.at_points, every point at once, against jax.grad at each point on its own."""

import jax
import numpy as np
import pytest
import sympy

from derivcheck.checks.translate import MEMO, at_points, key, to_jax

x, y, p = sympy.symbols("x y p", real=True)
CASES = [
    sympy.Derivative(sympy.exp(x) * y, x),
    sympy.Derivative(sympy.exp(x) * y, x, y),
    sympy.Derivative(sympy.Derivative(sympy.log(1 + x**2) * y, x), x),
    # a derivative at a constant point: the Subs's value must be each point's, not one for all
    sympy.Subs(sympy.Derivative(p * x * y, p), p, 1),
    sympy.Subs(sympy.Derivative(p**2 * x, p), p, sympy.Rational(1, 2)),
    sympy.Subs(sympy.Derivative(sympy.exp(p) * x, p), p, y),
    sympy.Integer(3),  # no symbol at all: one value for every point
]


@pytest.mark.parametrize("expr", CASES, ids=str)
def test_every_point_at_once_is_each_point_on_its_own(expr):
    rng = np.random.default_rng(0)
    xs, ys = rng.uniform(-2, 2, 7), rng.uniform(-2, 2, 7)
    together = at_points(expr, {key(x): xs, key(y): ys}, 7)
    fn = to_jax(expr)
    alone = [float(fn({key(x): a, key(y): b, MEMO: {}})) for a, b in zip(xs, ys)]
    np.testing.assert_array_equal(together, np.array(alone))
    assert jax.numpy.shape(together) == (7,)
