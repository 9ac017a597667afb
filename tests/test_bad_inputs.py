"""Input that cannot be checked is an error with a one-line message saying why.

The one place where message wording is pinned (by a key phrase each).
"""

import numpy
import pytest
import sympy
from sympy import Derivative, Eq, Function, Integral, Matrix, MatrixSymbol, Symbol, log, oo, sin

from derivcheck import sigmoid, verify_step
from derivcheck.sources.loader import LoadError, load_path

x, y = Symbol("x", real=True), Symbol("y", real=True)
x_positive = Symbol("x", positive=True)  # same name as x, different assumptions
f = Function("f")
A, B = MatrixSymbol("A", 2, 2), MatrixSymbol("B", 2, 2)
x_nonnegative = Symbol("x", nonnegative=True)


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
        (x / (x - x), x, "complex infinity"),
        (sympy.zoo, x, "complex infinity"),
        (oo - oo, 0, "NaN"),
        (f(x), x, "undefined function f(x)"),
        (Derivative(f(x), x), 1, "undefined function f(x)"),
        (Matrix([x, y]), Matrix([[x, y]]), "different shapes"),
        (Matrix([x, y]), x, "different shapes"),
        ("x + 1", x + 1, "not a SymPy expression"),
        ("x +* 1", x, "is of type str ('x +* 1'), not a SymPy expression"),
        (object(), x, "is of type object (<object object"),
        (numpy.array([1.0, 2.0]), x, "is of type ndarray (array([1., 2.])), not a SymPy"),
        ([x], [x], "not a SymPy expression"),
        (Eq(x, 1), x, "equation"),
        (x, Eq(x, 1), "the right-hand side is an equation (Eq(x, 1)); pass its two sides"),
        (Derivative(x**2, x_positive), 2 * x, "two different symbols are both named 'x'"),
        (A * B, B * A, "matrix expression"),
        (0.1 * 3 * x, 0.3 * x, "floating-point"),
        (Matrix(0, 0, []), Matrix(0, 0, []), "empty matrix"),
        (Integral(sin(sin(y)), (y, 0, x)), Integral(sin(sin(y)), (y, 0, x)), "integral"),
    ],
    ids=[
        "nan",
        "zoo-division",
        "x-over-x-minus-x",
        "zoo",
        "oo-minus-oo",
        "undefined-function",
        "derivative-of-undefined",
        "matrix-shapes",
        "matrix-and-scalar",
        "string",
        "string-not-an-expression",
        "object",
        "numpy-array",
        "list",
        "equation-as-side",
        "equation-as-right-side",
        "same-name-other-assumptions",
        "matrix-symbols",
        "float-literal",
        "empty-matrix",
        "integral-left-undone",
    ],
)
def test_bad_claim(lhs, rhs, phrase):
    assert_error(verify_step(lhs, rhs), phrase)


@pytest.mark.parametrize("domain", [(1, 0), (1, 1)], ids=["reversed", "empty"])
def test_bad_domain(domain):
    assert_error(verify_step(x, x, domains={x: domain}), "empty or reversed")


@pytest.mark.parametrize(
    "domain", [(1.0, 1.0000000000000002), (-1e308, 1e308)], ids=["one-ulp", "whole-float-range"]
)
def test_domain_that_float64_cannot_sample(domain):
    assert_error(verify_step(x, x, domains={x: domain}), "float64")


@pytest.mark.parametrize(
    "given", [Eq(x, 2), Eq(x + y, 5)], ids=["outside-the-domain", "sum-out-of-reach"]
)
def test_side_condition_that_contradicts_the_domain(given):
    result = verify_step(x + y, y + x, domains={x: (0, 1), y: (0, 1)}, given=(given,))
    assert_error(result, "the side conditions may contradict the domains")


def test_domain_against_the_symbol_assumptions():
    result = verify_step(x_nonnegative, x_nonnegative, domains={x_nonnegative: (-2, 2)})
    assert_error(result, "assumed nonnegative")


def test_derivative_by_a_shorthand_and_its_variable_is_ambiguous():
    # SymPy merges d/dx(dL/dŷ) into Derivative(L, ŷ, x), though ŷ depends on x.
    yh, loss = Symbol("yh", real=True), Symbol("L", real=True)
    result = verify_step(
        Derivative(Derivative(loss, yh), x), 0, definitions={loss: -log(yh), yh: sigmoid(x)}
    )
    assert_error(result, "ambiguous")


@pytest.mark.parametrize("condition", [x > 0, x - 1], ids=["inequality", "expression"])
def test_side_condition_that_is_not_an_equation(condition):
    assert_error(verify_step(x, x, given=(condition,)), "not a sympy.Eq")


@pytest.mark.parametrize(
    "condition", [Eq(x**2 + y**2, 1), Eq(sin(x), 0)], ids=["polynomial", "transcendental"]
)
def test_side_condition_that_is_not_linear(condition):
    assert_error(verify_step(x + y, y + x, given=(condition,)), "not linear")


@pytest.mark.parametrize(
    "arguments",
    [
        {"timeout": float("inf")},
        {"timeout": float("nan")},
        {"timeout": 1e7},
        {"seed": -1},
    ],
    ids=["timeout-inf", "timeout-nan", "timeout-too-long", "negative-seed"],
)
def test_bad_argument_raises(arguments):
    with pytest.raises(ValueError):
        verify_step(x, x, **arguments)


@pytest.mark.parametrize(
    "argv, phrase",
    [
        (["explain", "no-such-derivation", "1"], "no-such-derivation"),
        (["explain", "bce-gradients", "99"], "no step matched"),
        (["verify", "--format", "pdf"], "invalid choice: 'pdf'"),
    ],
)
def test_bad_report_request_is_a_usage_error(argv, phrase, capsys):
    from derivcheck.cli import main

    try:
        code = main(argv)
    except SystemExit as exit:  # argparse's own usage errors
        code = exit.code
    assert code == 2
    assert phrase in capsys.readouterr().err


def test_index_messages():
    from derivations.index_classes import L, context, k, m, y, yhat, z
    from derivcheck.indices import IndexedClaim, IndexProof, prove
    from derivcheck.results import ClaimResult, StepResult

    softmax = context(label_sum=False)
    no_rule = prove(IndexedClaim(Derivative(sin(z[k]), z[k]), sympy.cos(z[k]), softmax))
    assert no_rule.message == "the index rules do not apply: no derivative rule for sin (sin(z[k]))"
    missing = prove(IndexedClaim(Derivative(L, z[m]), yhat[m] - y[m], softmax))
    assert missing.holds_only_if == "holds only if Σ_k y_k = 1"
    refuted = ClaimResult("refuted", "the sides differ", "K=7")
    disagree = StepResult((refuted,), IndexProof("proved", sizes="K"))
    assert disagree.message == (
        "checkers disagree: the index rules prove it for all K, but the sides differ (at K=7)"
    )
    agree = StepResult((ClaimResult("confirmed", "agree", "K=3"),), IndexProof("proved", sizes="K"))
    assert agree.message == "proved for all K by the index rules; checked at K=3"


def test_index_without_a_range_is_an_error_when_the_step_is_written():
    from derivations.index_classes import context, y
    from derivcheck.dsl import derivation, step

    q = Symbol("q", integer=True)
    with pytest.raises(ValueError, match="uses the index q, which has no range") as raised:
        derivation("t", "t", "t", for_all=context(label_sum=False), steps=[step("s", (y[q], 1))])
    # it says what to write
    assert "(declared: k, m); give it one in the IndexContext, ranges={k: K, m: K, q: SIZE}" in (
        str(raised.value)
    )
    assert "sizes={SIZE: (1, 3)}" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "source", "phrase"),
    [
        ("missing.py", None, "missing.py: no such file"),
        ("notes.txt", "x = 1\n", "notes.txt: not a Python file"),
        ("broken.py", "def f(:\n", "broken.py:1: syntax error"),
        (
            "raises.py",
            "x = 1\nraise RuntimeError('boom')\n",
            "raises.py:2: importing it raised Run",
        ),
        ("empty.py", "x = 1\n", "empty.py: defines no Derivation"),
    ],
    ids=["missing", "not-python", "syntax-error", "raises-on-import", "no-derivation"],
)
def test_unusable_derivations_file(name, source, phrase, tmp_path):
    path = tmp_path / name
    if source is not None:
        path.write_text(source, encoding="utf-8")
    with pytest.raises(LoadError) as raised:
        load_path(str(path))
    assert phrase in str(raised.value)
    assert "\n" not in str(raised.value)


def test_claim_past_its_time_limit(warm_pool):
    lhs = Derivative(sympy.exp(x**2) * sin(x) / (1 + x**2), (x, 50))  # doit() runs for minutes
    assert_error(verify_step(lhs, 0, timeout=1), "time limit of 1 s before it could be decided")
