"""SymPy → JAX: one explicit table; anything not in it is an error, never a silent fallback.

`to_jax(expr)` gives a function of an environment {key(symbol): scalar}; a `Derivative` becomes
`jax.grad` of the translation of the expression it differentiates.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import sympy

jax.config.update("jax_enable_x64", True)


class Untranslatable(ValueError):
    """A SymPy construct with no JAX translation in the table."""


# SymPy function → JAX function. Add, Mul, Pow, numbers, symbols, Derivative and Subs are
# handled structurally below.
JAX_FUNCTIONS = {
    sympy.exp: jnp.exp,
    sympy.log: jnp.log,
    sympy.sin: jnp.sin,
    sympy.cos: jnp.cos,
    sympy.tan: jnp.tan,
    sympy.asin: jnp.arcsin,
    sympy.acos: jnp.arccos,
    sympy.atan: jnp.arctan,
    sympy.sinh: jnp.sinh,
    sympy.cosh: jnp.cosh,
    sympy.tanh: jnp.tanh,
    sympy.Abs: jnp.abs,
    sympy.sign: jnp.sign,
    sympy.erf: jax.scipy.special.erf,
}


def to_jax(expr):
    """A function env -> float64 scalar computing `expr`; derivatives by JAX autodiff."""
    if isinstance(expr, sympy.Symbol):
        name = key(expr)
        return lambda env: env[name]
    if expr.is_Number or expr in (sympy.pi, sympy.E):
        value = float(expr)
        return lambda env: jnp.float64(value)
    if isinstance(expr, sympy.Add):
        terms = [to_jax(a) for a in expr.args]
        return lambda env: sum_of(terms, env)
    if isinstance(expr, sympy.Mul):
        factors = [to_jax(a) for a in expr.args]
        return lambda env: product_of(factors, env)
    if isinstance(expr, sympy.Pow):
        return power(expr)
    if isinstance(expr, sympy.Derivative):
        return derivative(expr)
    if isinstance(expr, sympy.Subs):
        inner = to_jax(expr.expr)
        names = [key(v) for v in expr.variables]
        points = [to_jax(p) for p in expr.point]
        return lambda env: inner({**env, **{n: p(env) for n, p in zip(names, points)}})
    if isinstance(expr, sympy.Function) and expr.func in JAX_FUNCTIONS:
        fn = JAX_FUNCTIONS[expr.func]
        args = [to_jax(a) for a in expr.args]
        return lambda env: fn(*(a(env) for a in args))
    raise Untranslatable(
        f"no JAX translation for {type(expr).__name__} ({expr}); supported functions: "
        + ", ".join(sorted(f.__name__ for f in JAX_FUNCTIONS))
    )


def key(symbol: sympy.Symbol) -> str:
    """A symbol's key in the environment; other keys (the batch) cannot collide with it."""
    return "symbol:" + symbol.name


def sum_of(terms, env):
    total = terms[0](env)
    for t in terms[1:]:
        total = total + t(env)
    return total


def product_of(factors, env):
    total = factors[0](env)
    for f in factors[1:]:
        total = total * f(env)
    return total


def power(expr):
    base = to_jax(expr.base)
    exponent = expr.exp
    if exponent.is_Integer:
        n = int(exponent)
        # Integer powers as lax.integer_pow: exact for negative bases, like the notes' (…)^(-2).
        return lambda env: jax.lax.integer_pow(base(env), n)
    if exponent == sympy.Rational(1, 2):
        return lambda env: jnp.sqrt(base(env))
    power_of = to_jax(exponent)
    return lambda env: jnp.power(base(env), power_of(env))


def derivative(expr):
    inner = to_jax(expr.expr)
    fn = inner
    for variable, count in expr.variable_count:
        for _ in range(int(count)):
            if not isinstance(variable, sympy.Symbol):
                raise Untranslatable(f"a derivative by {variable}, which is not a symbol")
            fn = partial(fn, key(variable))
    return fn


def partial(fn, name):
    """∂fn/∂name as a function of the same environment, by jax.grad."""

    def d(env):
        return jax.grad(lambda v: fn({**env, name: v}))(env[name])

    return d
