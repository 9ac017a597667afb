"""SymPy → JAX: one explicit table; anything not in it is an error, never a silent fallback.

`to_jax(expr)` gives a function of an environment {key(symbol): scalar}; a `Derivative` becomes
`jax.grad` of the translation of the expression it differentiates. `at_points(expr, env, n)`
evaluates it at n points at once, each symbol's value an array over the points.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import sympy

jax.config.update("jax_enable_x64", True)


class Untranslatable(ValueError):
    """A SymPy construct with no JAX translation in the table."""


# SymPy function → JAX function, every one elementwise (at_points relies on it). Add, Mul, Pow,
# numbers, symbols, Derivative and Subs are handled structurally below. The lax primitive where
# jax.numpy's function is only that primitive after promoting its float64 argument (the same
# values): jax.numpy wraps every call in a jit of its own, which costs more than the operation
# when a claim is evaluated op by op.
JAX_FUNCTIONS = {
    sympy.exp: jax.lax.exp,
    sympy.log: jax.lax.log,
    sympy.sin: jax.lax.sin,
    sympy.cos: jax.lax.cos,
    sympy.tan: jax.lax.tan,
    sympy.asin: jax.lax.asin,
    sympy.acos: jax.lax.acos,
    sympy.atan: jax.lax.atan,
    sympy.sinh: jax.lax.sinh,
    sympy.cosh: jax.lax.cosh,
    sympy.tanh: jax.lax.tanh,
    sympy.Abs: jax.lax.abs,
    sympy.sign: jax.lax.sign,
    sympy.erf: jax.scipy.special.erf,
}


MEMO = "memo"  # the environment's key for the values already computed in it
POINTS = "points"  # at_points's key: an array with the shape of the points


def to_jax(expr):
    """A function env -> float64 scalar computing `expr`; derivatives by JAX autodiff.

    A subexpression that occurs many times (Σ_j e^{z_j} in every entry of a softmax) is
    computed once per environment: the same operations on the same values, a tenth of the JAX
    operations to trace and differentiate for the claims of the notes.
    """
    fn = build(expr, {})
    return lambda env: fn({**env, MEMO: {}})


def at_points(expr, env, size: int) -> np.ndarray:
    """`expr` at `size` points at once, each of env's values an array over the points.

    Every operation is elementwise, so each point's value depends on that point's inputs alone,
    and the gradient of the sum over the points is each point's own derivative: the values
    jax.vmap of jax.grad computes, by the same operations, without a batching trace around
    every one of them.
    """
    return at_points_all([expr], env, size)[0]


def at_points_all(exprs, env, size: int) -> list[np.ndarray]:
    """Each of `exprs` as at_points gives it, translated together: a subexpression several of
    them share is computed once, and the first derivatives of one expression by several
    symbols (∂L/∂z_m for every m, the entries of a gradient) come from one jax.grad."""
    built: dict = {}
    fns = [build(e, built) for e in exprs]
    env = {**env, POINTS: np.zeros(size), MEMO: {}}
    return [np.broadcast_to(np.asarray(fn(env), dtype=np.float64), (size,)) for fn in fns]


def at_each(value, env):
    """`value` at every point of at_points (as it is, for one point)."""
    if POINTS not in env:
        return value
    return jnp.broadcast_to(value, env[POINTS].shape)


def build(expr, built: dict):
    """The translation of `expr`, one function per distinct subexpression (`built`)."""
    if expr not in built:
        built[expr] = shared(translated(expr, built))
    return built[expr]


def shared(fn):
    def value(env):
        memo = env[MEMO]
        if value not in memo:
            memo[value] = fn(env)
        return memo[value]

    return value


def translated(expr, built):
    if isinstance(expr, sympy.Symbol):
        name = key(expr)
        return lambda env: env[name]
    if expr.is_Number or expr in (sympy.pi, sympy.E):
        value = float(expr)
        return lambda env: jnp.float64(value)
    if isinstance(expr, sympy.Add):
        terms = [build(a, built) for a in expr.args]
        return lambda env: sum_of(terms, env)
    if isinstance(expr, sympy.Mul):
        factors = [build(a, built) for a in expr.args]
        return lambda env: product_of(factors, env)
    if isinstance(expr, sympy.Pow):
        return power(expr, built)
    if isinstance(expr, sympy.Derivative):
        return derivative(expr, built)
    if isinstance(expr, sympy.Subs):
        inner = build(expr.expr, built)
        names = [key(v) for v in expr.variables]
        points = [build(p, built) for p in expr.point]
        # A new environment: the values computed in the old one do not hold in it. A point's
        # value has a value at every point (a constant too), so that a derivative by it is
        # each point's own (at_points).
        return lambda env: inner(
            {**env, **{n: at_each(p(env), env) for n, p in zip(names, points)}, MEMO: {}}
        )
    if isinstance(expr, sympy.Function) and expr.func in JAX_FUNCTIONS:
        fn = JAX_FUNCTIONS[expr.func]
        args = [build(a, built) for a in expr.args]
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
        total = jax.lax.add(total, t(env))  # what `+` on float64 comes to, without its jit
    return total


def product_of(factors, env):
    total = factors[0](env)
    for f in factors[1:]:
        total = jax.lax.mul(total, f(env))
    return total


def power(expr, built):
    base = build(expr.base, built)
    exponent = expr.exp
    if exponent.is_Integer:
        n = int(exponent)
        # Integer powers as lax.integer_pow: exact for negative bases, like the notes' (…)^(-2).
        return lambda env: jax.lax.integer_pow(base(env), n)
    if exponent == sympy.Rational(1, 2):
        return lambda env: jax.lax.sqrt(base(env))
    power_of = build(exponent, built)
    return lambda env: jnp.power(base(env), power_of(env))


def derivative(expr, built):
    inner = build(expr.expr, built)
    if len(expr.variable_count) == 1 and expr.variable_count[0][1] == 1:
        variable = expr.variable_count[0][0]
        if isinstance(variable, sympy.Symbol):  # one of the expression's first derivatives
            group = built.setdefault(("first derivatives", expr.expr), Gradient(inner))
            group.names.append(key(variable))
            return group.by(key(variable))
    fn = inner
    for variable, count in expr.variable_count:
        for _ in range(int(count)):
            if not isinstance(variable, sympy.Symbol):
                raise Untranslatable(f"a derivative by {variable}, which is not a symbol")
            fn = partial(fn, key(variable))
    return fn


class Gradient:
    """The first derivatives of one translated expression by every symbol some side asks for,
    from one jax.grad per environment (each point's own, summed over the points)."""

    def __init__(self, fn):
        self.fn, self.names = fn, []

    def by(self, name):
        def d(env):
            memo = env[MEMO]
            if self not in memo:
                values = {n: env[n] for n in self.names if n in env}
                memo[self] = jax.grad(lambda v: jnp.sum(self.fn({**env, **v, MEMO: {}})))(values)
            return memo[self][name]

        return d


def partial(fn, name):
    """∂fn/∂name as a function of the same environment, by jax.grad."""

    def d(env):  # summed over the points, if any (at_points): each gets its own derivative
        return jax.grad(lambda v: jnp.sum(fn({**env, name: v, MEMO: {}})))(env[name])

    return d
