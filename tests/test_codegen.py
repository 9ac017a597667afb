"""codegen.lambdified makes lambdify's own code: the same source, so the same roundings."""

import inspect

import mpmath
import pytest
import sympy

from derivcheck.checks.codegen import lambdified
from derivcheck.checks.mpeval import INTERVAL_NAMESPACE

x, y, z = sympy.symbols("x y z", real=True)
a = sympy.symbols("a0:12", real=True)
K = sympy.Dummy("c0")  # a constant's stand-in, as mpeval makes them: lambdify must dummify
softmax = [sympy.exp(t) / sum(sympy.exp(u) for u in a) for t in a]
CASES = [
    ([x, y], [x + y, x * y - sympy.Rational(1, 3)]),
    ([x, y, z, K], [sympy.exp(x - y) / (1 + sympy.exp(z)) + K * x, sympy.log(x**2 + y) * K]),
    (list(a), softmax),  # a dozen symbols: their Dummies' names change the printed order
    ([x, y], [sympy.sqrt(x**2 + 1) * sympy.Abs(y), sympy.tanh(x) ** 2 + sympy.cosh(y)]),
    ([x], [sympy.Integer(0)]),
]


def source(fn):
    return fn.source if hasattr(fn, "source") else inspect.getsource(fn)


@pytest.mark.parametrize("modules, key", [("mpmath", "mpmath"), (None, "interval")])
@pytest.mark.parametrize("arguments, exprs", CASES)
def test_the_same_source_as_lambdify(arguments, exprs, modules, key):
    modules = modules or [INTERVAL_NAMESPACE, "mpmath"]
    start = sympy.Dummy._count
    ours = lambdified(arguments, exprs, modules, key)
    sympy.Dummy._count = start  # lambdify makes the same Dummies, named the same
    theirs = sympy.lambdify(arguments, exprs, modules=modules, cse=True, dummify=True)
    assert source(ours) == source(theirs)


ONE = [
    ([x, y], x + y),
    (list(a), 1 - sum(a[:-1]) + sympy.pi),  # a side condition's dependent, Σ y = 1
    ([x, y, z], sympy.exp(x) * y / (1 + z**2) - sympy.sqrt(y)),
]


@pytest.mark.parametrize("modules", ["mpmath", "numpy", "math"])
@pytest.mark.parametrize("arguments, expr", ONE)
def test_one_expression_without_common_subexpressions_as_lambdify(arguments, expr, modules):
    start = sympy.Dummy._count
    ours = lambdified(arguments, expr, modules, modules, common=False)
    sympy.Dummy._count = start
    theirs = sympy.lambdify(arguments, expr, modules=modules, dummify=True)
    assert source(ours) == source(theirs)
    values = [0.25 * (i + 1) for i in range(len(arguments))]
    assert ours(*values) == theirs(*values)


def test_the_same_values_at_high_precision():
    fn = lambdified(list(a), softmax, "mpmath", "mpmath")
    with mpmath.workdps(60):
        values = fn(*[mpmath.mpf(i) / 7 for i in range(12)])
        assert abs(sum(values) - 1) < mpmath.mpf(10) ** -58


@pytest.mark.parametrize("name", ["exit", "os.system", "f"])
def test_an_undefined_function_is_refused_before_its_name_is_printed(name):
    called = sympy.Function(name)(sympy.Integer(2)) + x
    with pytest.raises(ValueError, match="undefined function"):
        lambdified([x], [called], "mpmath", "mpmath")
