"""translate.at_points, every point at once, against jax.grad at each point on its own."""

import jax
import numpy as np
import pytest
import sympy

from derivcheck.checks.translate import MEMO, at_points, at_points_all, key, to_jax

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


# Sides translated together (at_points_all): the entries of a gradient share one jax.grad.
L = sympy.log(1 + sympy.exp(x) * y**2) + sympy.sin(x * y)
GRADIENT = [
    sympy.Derivative(L, x),
    sympy.Derivative(L, y),
    L,
    sympy.Derivative(L, x, y),  # a second derivative: not one of the group
    sympy.Subs(sympy.Derivative(p * L, p), p, y),
]


def test_sides_together_are_each_side_alone_to_the_bit():
    rng = np.random.default_rng(1)
    env = {key(x): rng.uniform(-2, 2, 9), key(y): rng.uniform(-2, 2, 9)}
    together = at_points_all(GRADIENT, env, 9)
    for expr, column in zip(GRADIENT, together):
        np.testing.assert_array_equal(column, at_points(expr, env, 9), err_msg=str(expr))


def test_the_first_derivatives_of_one_expression_take_one_jax_grad(monkeypatch):
    from derivcheck.checks import translate

    calls = []
    original = translate.jax.grad

    def counted(fn, *args, **kwargs):
        calls.append(fn)
        return original(fn, *args, **kwargs)

    monkeypatch.setattr(translate.jax, "grad", counted)
    env = {key(x): np.array([0.5, 1.5]), key(y): np.array([-1.0, 2.0])}
    dx, dy = at_points_all(GRADIENT[:2], env, 2)
    assert len(calls) == 1
    # and each entry is its own symbol's derivative, not the other's
    xs, ys = env[key(x)], env[key(y)]
    e = np.exp(xs)
    np.testing.assert_allclose(dx, e * ys**2 / (1 + e * ys**2) + ys * np.cos(xs * ys), rtol=1e-14)
    np.testing.assert_allclose(dy, 2 * e * ys / (1 + e * ys**2) + xs * np.cos(xs * ys), rtol=1e-14)
