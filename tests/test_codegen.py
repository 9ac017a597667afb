"""codegen.lambdified makes lambdify's code, but with its stand-ins named by rank: the same
values, and code that does not depend on what the process made before."""

import inspect
import re

import mpmath
import pytest
import sympy
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from derivcheck.checks.codegen import lambdified
from derivcheck.checks.mpeval import INTERVAL_NAMESPACE

x, y, z = sympy.symbols("x y z", real=True)
a = sympy.symbols("a0:12", real=True)
K = sympy.Dummy("c0")  # a constant's stand-in, as mpeval makes them: lambdify must dummify
softmax = [sympy.exp(t) / sum(sympy.exp(u) for u in a) for t in a]
weighted = [sum((i + 1) * t for i, t in enumerate(a))]  # a sum of the arguments themselves
CASES = [
    ([x, y], [x + y, x * y - sympy.Rational(1, 3)]),
    ([x, y, z, K], [sympy.exp(x - y) / (1 + sympy.exp(z)) + K * x, sympy.log(x**2 + y) * K]),
    (list(a), softmax),
    (list(a), weighted),  # a dozen symbols in one sum: the Dummies' names order its terms
    ([x, y], [sympy.sqrt(x**2 + 1) * sympy.Abs(y), sympy.tanh(x) ** 2 + sympy.cosh(y)]),
    ([x], [sympy.Integer(0)]),
]


def source(fn):
    return fn.source if hasattr(fn, "source") else inspect.getsource(fn)


def named_by_rank(text):
    """The source without the Dummies' process-wide numbers (a00003_1234 -> a00003)."""
    return re.sub(r"(a\d{5})_\d+", r"\1", text)


def at(values, modules):
    if modules == "numpy" or modules == "math":
        return [float(v) for v in values]
    return [mpmath.mpf(v) for v in values]


@pytest.mark.parametrize("modules, key", [("mpmath", "mpmath"), (None, "interval")])
@pytest.mark.parametrize("arguments, exprs", CASES)
def test_the_code_does_not_depend_on_what_the_process_made_before(arguments, exprs, modules, key):
    modules = modules or [INTERVAL_NAMESPACE, "mpmath"]
    sources = []
    for start in (100, 995):  # lambdify's Dummy_1000 sorts before its Dummy_999
        sympy.Dummy._count = start
        sources.append(named_by_rank(source(lambdified(arguments, exprs, modules, key))))
    assert sources[0] == sources[1]


@pytest.mark.parametrize("arguments, exprs", CASES)
def test_the_values_are_lambdifys(arguments, exprs):
    ours = lambdified(arguments, exprs, "mpmath", "mpmath")
    theirs = sympy.lambdify(arguments, exprs, modules="mpmath", cse=True, dummify=True)
    with mpmath.workdps(60):
        values = [mpmath.mpf(i + 1) / 7 for i in range(len(arguments))]
        for a, b in zip(ours(*values), theirs(*values)):
            assert abs(a - b) <= mpmath.mpf(10) ** -55 * max(1, abs(b))


def test_lambdifys_own_code_did_depend_on_it():
    """Why the stand-ins are named by rank: the order lambdify prints a sum in changes."""
    sources = []
    for start in (100, 995):
        sympy.Dummy._count = start
        fn = sympy.lambdify(list(a), weighted, modules="mpmath", cse=True, dummify=True)
        sources.append(by_argument(inspect.getsource(fn)))
    assert sources[0] != sources[1]


def by_argument(text):
    """The source with each argument's name replaced by its place in the signature."""
    names = re.search(r"def \w+\((.*)\):", text).group(1).split(", ")
    for place, name in enumerate(names):
        text = re.sub(rf"\b{name}\b", f"arg{place}", text)
    return text


ONE = [
    ([x, y], x + y),
    (list(a), 1 - sum(a[:-1]) + sympy.pi),  # a side condition's dependent, Σ y = 1
    ([x, y, z], sympy.exp(x) * y / (1 + z**2) - sympy.sqrt(y)),
]


@pytest.mark.parametrize("modules", ["mpmath", "numpy", "math"])
@pytest.mark.parametrize("arguments, expr", ONE)
def test_one_expression_without_common_subexpressions(arguments, expr, modules):
    ours = lambdified(arguments, expr, modules, modules, common=False)
    theirs = sympy.lambdify(arguments, expr, modules=modules, dummify=True)
    values = at([0.25 * (i + 1) for i in range(len(arguments))], modules)
    assert abs(ours(*values) - theirs(*values)) <= 1e-14 * max(1, abs(theirs(*values)))
    assert "return" in source(ours) and "Dummy" not in source(ours)


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


# The stand-ins are put in without SymPy evaluating each node again (codegen.renamed): the code
# must be what xreplace, which does evaluate, gives, line for line.
u, v, w = sympy.symbols("u v w", real=True)
p = sympy.Symbol("p", positive=True)
RENAMED = [
    *CASES,
    (
        [u, v, w, p],
        [sympy.Piecewise((u**2, u > v), (-w, True)) + sympy.Max(u, 1) * sympy.Min(v, w)],
    ),
    (
        [u, v, p],
        [sympy.Abs(u - v) * sympy.sign(v) + sympy.erf(u) / sympy.sqrt(p), sympy.log(p) * u],
    ),
    ([u, v, w], [-2 * u * v + sympy.Rational(3, 7) * w**-2 - 1, (u + v) ** sympy.Rational(1, 3)]),
    ([u, v, w, K], [K * sympy.exp(-u) / (1 + sympy.exp(-u)) ** 2 - v * w, sympy.exp(u + v) * K]),
]


def with_xreplace(arguments, exprs, modules, key):
    import derivcheck.checks.codegen as codegen

    plain = codegen.renamed
    codegen.renamed = lambda expr, names, memo: expr.xreplace(names)
    try:
        return lambdified(arguments, exprs, modules, key)
    finally:
        codegen.renamed = plain


@pytest.mark.parametrize("modules, key", [("mpmath", "mpmath"), (None, "interval")])
@pytest.mark.parametrize("arguments, exprs", RENAMED)
def test_the_stand_ins_put_in_unevaluated_give_xreplaces_code(arguments, exprs, modules, key):
    modules = modules or [INTERVAL_NAMESPACE, "mpmath"]
    ours = named_by_rank(source(lambdified(arguments, exprs, modules, key)))
    assert ours == named_by_rank(source(with_xreplace(arguments, exprs, modules, key)))


LEAVES = sympy.symbols("s0:6", real=True)


@st.composite
def expressions(draw, depth=3):
    """Random sums, products, powers and functions of six real symbols."""
    if depth == 0 or draw(st.booleans()):
        if draw(st.booleans()):
            return draw(st.sampled_from(LEAVES))
        return sympy.Rational(draw(st.integers(-9, 9)), draw(st.integers(1, 5)))
    kind = draw(st.sampled_from(["add", "mul", "pow", "exp", "log", "abs", "max"]))
    a, b = draw(expressions(depth - 1)), draw(expressions(depth - 1))
    if kind == "add":
        return a + b + draw(expressions(depth - 1))
    if kind == "mul":
        return a * b
    if kind == "pow":
        return a ** draw(st.sampled_from([2, -1, -2, sympy.Rational(1, 2), 3]))
    if kind == "exp":
        return sympy.exp(a) / (1 + sympy.exp(b))
    if kind == "log":
        return sympy.log(1 + a**2)
    if kind == "abs":
        return sympy.Abs(a) - b
    try:
        return sympy.Max(a, b)
    except ValueError:  # a complex argument (log of a negative rational): not comparable
        return a - b


@settings(max_examples=150, deadline=None)
@given(st.lists(expressions(), min_size=1, max_size=4))
def test_random_expressions_get_xreplaces_code(exprs):
    assume(not any(e.has(sympy.zoo, sympy.nan) for e in exprs))  # 0⁻¹: no code for it
    ours = named_by_rank(source(lambdified(list(LEAVES), exprs, "mpmath", "mpmath")))
    assert ours == named_by_rank(source(with_xreplace(list(LEAVES), exprs, "mpmath", "mpmath")))
