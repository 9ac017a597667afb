"""Claims built to fool a naive checker: each one line, with the one verdict it must get.

True claims whose float64 evaluation cancels, overflows or saturates must be proved; false ones
whose error hides below float64 (an absolute 1e-9 on a value of 1e-9, a relative 1e-30), at
integers, or on half the domain must be refuted. `Derivative` variants put the JAX autodiff
check in the path. SymPy folds (1 + x) − 1 and e^x·e^{−x} as they are built, so the cancelling
forms below are ones it keeps: |1 + x| − 1, (e^x + 1)·e^{−x}, d/dx (1 + x)² − 2.
"""

import pytest
from sympy import (
    Abs,
    Derivative,
    Integral,
    Limit,
    Product,
    Rational,
    Sum,
    Symbol,
    cos,
    exp,
    factorial,
    log,
    pi,
    sin,
    sqrt,
)

from derivcheck import sigmoid, verify_step
from derivcheck.checks.engine import check_claim
from derivcheck.model import Claim, Context

x, z = Symbol("x", real=True), Symbol("z", real=True)
s = sigmoid(z)
ds = Derivative(s, z)
TINY = {x: (1e-20, 1e-18)}  # 1 + x is 1 in float64
HUGE = {x: (600, 700)}  # e^x near 10^300, e^{-x} near 10^-300
LOGITS = {z: (20, 40)}  # 1 − σ(z) near e^{-z}, below 2e-9


def check(lhs, rhs, domains, verdict):
    """The one shared helper: `verdict` exactly, and a refutation carries its counterexample."""
    result = verify_step(lhs, rhs, domains=domains)
    assert result.verdict == verdict, result.message
    assert (result.counterexample is not None) == (verdict == "refuted"), result.message
    return result


def perturbed(k):
    return 1 + Rational(1, 10**k)


CASES = {
    # Catastrophic cancellation near x = 1e-19: true ones proved, their neighbours refuted.
    "cancel": (Abs(1 + x) - 1, x, TINY, "proved"),
    "cancel-rational": (((1 + x) ** 2 - 1) / (2 + x), x, TINY, "proved"),
    "cancel-neighbour-x2": (Abs(1 + x) - 1, x + x**2, TINY, "refuted"),
    "cancel-neighbour-2x": (Abs(1 + x) - 1, 2 * x, TINY, "refuted"),
    "cancel-neighbour-rational": (((1 + x) ** 2 - 1) / (2 + x), x + x**2, TINY, "refuted"),
    "cancel-derivative": (Derivative((1 + x) ** 2, x) - 2, 2 * x, TINY, "proved"),
    "cancel-derivative-neighbour": (Derivative((1 + x) ** 2, x) - 2, 2 * x + x**2, TINY, "refuted"),
    # Overflow ranges: e^x·e^{-x} for x in [600, 700], where e^{-x} is below float64's 1e-16·e^x.
    "overflow": ((exp(x) + 1) * exp(-x), 1 + exp(-x), HUGE, "proved"),
    "overflow-neighbour": ((exp(x) + 1) * exp(-x), 1, HUGE, "refuted"),
    "overflow-sigmoid": (exp(x) / (1 + exp(x)) * (1 + exp(-x)), 1, HUGE, "proved"),
    "overflow-derivative": (Derivative(exp(x), x) * exp(-x), 1, HUGE, "proved"),
    "overflow-derivative-neighbour": (
        Derivative(exp(x), x) * exp(-x),
        1 + exp(-x),
        HUGE,
        "refuted",
    ),
    # d/dx (e^x + 1)e^{-x} = −e^{-x}: both sides round to 0 at 50 digits, not at 600.
    "overflow-derivative-zero": (Derivative((exp(x) + 1) * exp(-x), x), 0, HUGE, "refuted"),
    # Large logits: σ′ = σ(1 − σ) for z in [20, 40]; the slip + e^{-z} is below 1e-8 absolute.
    "logit": (ds, s * (1 - s), LOGITS, "proved"),
    "logit-sigma-of-minus-z": (ds, s * sigmoid(-z), LOGITS, "proved"),
    "logit-negative": (ds, s * (1 - s), {z: (-40, -20)}, "proved"),
    "logit-softplus": (Derivative(log(1 + exp(z)), z), s, LOGITS, "proved"),
    "logit-slip": (ds, s * (1 - s) + exp(-z), LOGITS, "refuted"),
    "logit-slip-on-the-left": (s * (1 - s) + exp(-z), ds, LOGITS, "refuted"),
    "logit-slip-inside-the-derivative": (
        Derivative(s - exp(-z), z),
        s * (1 - s),
        LOGITS,
        "refuted",
    ),
    "logit-slip-negative": (ds, s * (1 - s) + exp(z), {z: (-40, -20)}, "refuted"),
    "logit-one-minus": (1 - s, sigmoid(-z), LOGITS, "proved"),
    "logit-one-minus-slip": (1 - s, sigmoid(-z) + exp(-2 * z), LOGITS, "refuted"),
    # Removable singularities: x = 1 is never drawn, the identity holds everywhere else.
    "removable": ((x**2 - 1) / (x - 1), x + 1, None, "proved"),
    "removable-cube": ((x**3 - 8) / (x - 2), x**2 + 2 * x + 4, {x: (1, 3)}, "proved"),
    "removable-derivative": (Derivative((x**2 - 1) / (x - 1), x), 1, None, "proved"),
    "removable-neighbour": ((x**2 - 1) / (x - 1), x - 1, None, "refuted"),
    "removable-derivative-neighbour": (
        Derivative((x**2 - 1) / (x - 1), x),
        perturbed(12),
        None,
        "refuted",
    ),
    # True at every integer, false between them, whatever the domain's ends.
    "sin-pi-x": (sin(pi * x), 0, None, "refuted"),
    "sin-pi-x-integer-ends": (sin(pi * x), 0, {x: (0, 3)}, "refuted"),
    "sin-pi-x-unit-interval": (sin(pi * x), 0, {x: (1, 2)}, "refuted"),
    "sin-pi-x-near-an-integer": (
        sin(pi * x),
        0,
        {x: (1 - Rational(1, 10**9), 1 + Rational(1, 10**9))},
        "refuted",
    ),
    "cos-2-pi-x": (cos(2 * pi * x), 1, {x: (0, 3)}, "refuted"),
    "sin-pi-x-derivative": (Derivative(cos(pi * x), x), 0, {x: (-2, 2)}, "refuted"),
    # True on half the domain only.
    "abs-half": (Abs(x), x, {x: (-1, 1)}, "refuted"),
    "abs-quarter": (Abs(x), x, {x: (-1, 3)}, "refuted"),
    "abs-positive-half": (Abs(x), x, {x: (0, 1)}, "proved"),
    "sqrt-square-half": (sqrt(x**2), x, {x: (-1, 1)}, "refuted"),
    "sqrt-square-positive-half": (sqrt(x**2), x, {x: (0, 1)}, "proved"),
    "abs-derivative-half": (Derivative(Abs(x), x), 1, {x: (-1, 1)}, "refuted"),
    "abs-derivative-positive-half": (Derivative(Abs(x), x), 1, {x: (0, 1)}, "proved"),
}
# Tiny relative perturbations, far below float64's 1e-16 from 1e-20 on.
for k in (8, 12, 16, 20, 30, 45, 100):
    CASES[f"relative-1e-{k}"] = (exp(x), exp(x) * perturbed(k), None, "refuted")
    CASES[f"relative-1e-{k}-derivative"] = (ds, s * (1 - s) * perturbed(k), None, "refuted")
CASES["relative-1e-30-large-logits"] = (ds, s * (1 - s) * perturbed(30), LOGITS, "refuted")
CASES["absolute-1e-30"] = (x + Rational(1, 10**30), x, None, "refuted")
# e^(e^(e^x)) is 10^703 at x = 2 and 10^(2·10^8) at x = 3: only the points near 2 resolve the 1.
CASES["one-beside-a-tower"] = (exp(exp(exp(x))) + 1, exp(exp(exp(x))), {x: (2, 3)}, "refuted")
CASES["integer-of-5000-digits"] = (x + 10**5000, x + 10**5000, None, "proved")


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [(x, x + Rational(1, 10**4000)), (x + 10**5000 + 1, x + 10**5000)],
    ids=["relative-1e-4000", "one-beside-1e5000"],
)
def test_constant_difference_beyond_every_precision_is_refuted(lhs, rhs):
    """SymPy's nonzero constant stands: no precision the numeric check may use can see it, which
    is no disagreement (there is no counterexample to show)."""
    result = verify_step(lhs, rhs)
    assert result.verdict == "refuted", result.message
    assert result.deciding.symbolic.status == "constant"


@pytest.mark.parametrize(("lhs", "rhs", "domains", "verdict"), CASES.values(), ids=CASES.keys())
def test_adversarial(lhs, rhs, domains, verdict):
    check(lhs, rhs, domains, verdict)


# True, but JAX's float64 cannot compute the derivative itself there (it overflows, or cancels
# inside jax.grad): the autodiff check cannot corroborate it, which is an error, never a
# refutation.
BEYOND_FLOAT64 = {
    "exp-2x-overflows": (Derivative(exp(2 * x), x) * exp(-2 * x), 2, HUGE),
    "cancels-inside-grad": (Derivative((exp(x) + 1) * exp(-x), x), -exp(-x), HUGE),
    "softplus-overflows": (Derivative(log(1 + exp(z)), z), s, {z: (700, 800)}),
    "log-one-minus-sigmoid": (Derivative(log(1 - s), z), -s, {z: (40, 60)}),  # log 0 in float64
}


@pytest.mark.parametrize(("lhs", "rhs", "domains"), BEYOND_FLOAT64.values(), ids=BEYOND_FLOAT64)
def test_true_claim_beyond_float64_is_an_error_never_a_refutation(lhs, rhs, domains):
    result = check(lhs, rhs, domains, "error")
    assert result.deciding.autodiff.status == "limited"
    assert result.deciding.numeric.status == "agree"


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [(ds, s * (1 - s) + exp(-z)), (s * (1 - s) + exp(-z), ds), (Derivative(s - exp(-z), z), ds)],
    ids=["slip-on-the-right", "slip-on-the-left", "slip-inside-the-derivative"],
)
def test_autodiff_on_its_own_sees_the_large_logit_slip(lhs, rhs):
    """JAX's float64 σ′ at z in [20, 40] is accurate to 1e-16 relative: the e^{-z} slip, an
    absolute 2e-9 at most, is a relative 0.5 to it."""
    result = check(lhs, rhs, LOGITS, "refuted")
    assert result.deciding.autodiff.status == "refuted", result.deciding.autodiff.message


# Constants below every precision a fixed ladder climbs: at 800 digits 1 + 10⁻¹⁰⁰⁰ is 1, so
# lhs − rhs is exactly 0 there though the claim is false. The ladder must go beyond the claim's
# constants (or say it cannot): refuted where 4000 digits resolve it, else an error.
def small(k):
    return Rational(1, 10**k)


SMALL_CONSTANT_FORMS = {
    "log": lambda c: (x * log(1 + c) + x, x),
    "power": lambda c: (x ** (1 + c), x),
    "shifted": lambda c: (sin(x + c), sin(x)),
    "large": lambda c: (log(x + 1 / c), log(1 / c)),
}


@pytest.mark.parametrize("k", [1000, 1700, 5000])
@pytest.mark.parametrize("form", SMALL_CONSTANT_FORMS.values(), ids=SMALL_CONSTANT_FORMS)
def test_constant_below_the_ladder_is_never_a_pass(form, k):
    lhs, rhs = form(small(k))
    result = verify_step(lhs, rhs, domains={x: (1, 2)})
    assert result.verdict in ("refuted", "error"), result.message
    if k <= 1000:  # resolvable within 4000 digits: the README promises it refuted
        assert result.verdict == "refuted", result.message
        assert result.counterexample is not None


@pytest.mark.parametrize("constant", [exp(-5000), exp(-2000), exp(-exp(9))], ids=str)
def test_constant_value_below_the_ladder_is_never_a_pass(constant):
    result = verify_step(sin(x + constant), sin(x), domains={x: (1, 2)})
    assert result.verdict in ("refuted", "error"), result.message


# SymPy's closed form of an integral, a sum or a product is checked against mpmath's own value
# (quad split at the integrand's kinks, sums and products term by term): a step never passes
# on SymPy's word alone, and a true one is not refuted because SymPy got the integral wrong.
t, n = Symbol("t", real=True), Symbol("n", integer=True)


@pytest.mark.parametrize("claimed", ["sympy", "true"])
@pytest.mark.parametrize(
    ("obj", "by_sympy", "true"),
    [
        (Integral(x * Abs(sin(t)), (t, 0, 3 * pi)), 2 * x, 6 * x),
        (Integral(Abs(cos(t)) + x, (t, 0, 5 * pi / 2)), 3 + 5 * pi * x / 2, 5 + 5 * pi * x / 2),
    ],
    ids=["abs-sin-three-humps", "abs-cos-five-quarters"],
)
def test_an_integral_sympy_gets_wrong_is_never_decided_on_its_word(obj, by_sympy, true, claimed):
    assert obj.doit() == by_sympy  # SymPy 1.14's answer; the test relies on it being wrong
    result = verify_step(obj, by_sympy if claimed == "sympy" else true, domains={x: (1, 2)})
    assert result.verdict == "error", result.message
    assert "checkers disagree" in result.message


@pytest.mark.parametrize(
    "obj",
    [
        Sum(x**n / factorial(n), (n, 0, 6)),
        Product(1 + x / n, (n, 1, 5)),
        Integral(t * x**2 + Abs(t - x), (t, 0, 3)),
        Sum(Integral(t**n * x, (t, 0, 1)), (n, 1, 3)),
    ],
    ids=["sum", "product", "integral", "sum-of-integrals"],
)
def test_a_wrong_closed_form_is_never_proved(obj, monkeypatch):
    """Whatever SymPy's evaluation of a sum, a product or an integral says, the step passes only
    if mpmath's own evaluation agrees: here SymPy's is made wrong by x/1000."""
    true = obj.doit()
    context = Context({x: (1, 2)})
    assert check_claim(Claim(obj, true, context)).verdict in ("proved", "confirmed")
    original = type(obj).doit
    monkeypatch.setattr(type(obj), "doit", lambda self, **hints: original(self, **hints) + x / 1000)
    for claimed in (true + x / 1000, true):  # SymPy's wrong answer, then the true one
        result = check_claim(Claim(obj, claimed, context))
        assert result.verdict == "error", result.message
        assert "checkers disagree" in result.message


@pytest.mark.parametrize(
    ("lhs", "rhs", "phrase"),
    [
        (Limit(sin(x * t) / t, t, 0), x, "limit"),
        (Limit((1 + x / t) ** t, t, 10**6), exp(x), "limit"),
        (Integral(t * x, t), x * t**2 / 2, "indefinite integral"),
    ],
    ids=["limit", "limit-at-a-large-point", "indefinite-integral"],
)
def test_what_only_sympy_can_evaluate_is_an_error(lhs, rhs, phrase):
    result = verify_step(lhs, rhs, domains={x: (1, 2)})
    assert result.verdict == "error", result.message
    assert phrase in result.message


def test_a_residual_sympy_got_wrong_does_not_hide_a_difference(monkeypatch):
    """The residual probe evaluates what SymPy left of lhs − rhs; where that vanishes, lhs − rhs
    itself must agree, or a rewriting SymPy got wrong would hide a relative 1e-60."""
    from derivcheck.checks import symbolic

    wrong = ("wrong", lambda difference: sin(x) ** 2 + cos(x) ** 2 - 1)  # 0, but not lhs − rhs
    monkeypatch.setattr(symbolic, "STRATEGIES", (wrong,))
    lhs = exp(x) * sin(x) * cos(x) + x**5 + log(x + 4)
    result = check_claim(Claim(lhs, lhs * perturbed(60), Context({x: (1, 2)})))
    assert result.verdict == "refuted", result.message
    assert check_claim(Claim(lhs, lhs, Context({x: (1, 2)}))).verdict == "proved"


@pytest.mark.parametrize("k", [20, 60])
def test_a_refutation_finer_than_the_independent_evaluation_is_an_error(k):
    """SymPy's closed form of a sum is checked to a relative 1e-12 only: a difference of 1e-k
    from it would rest on SymPy's closed form alone."""
    obj = Sum(x**n / factorial(n), (n, 0, 6))
    result = verify_step(obj, obj.doit() * perturbed(k), domains={x: (1, 2)})
    assert result.verdict == "error", result.message
    assert "rests on SymPy's closed form alone" in result.message
    assert verify_step(obj, obj.doit() * perturbed(3), domains={x: (1, 2)}).verdict == "refuted"


def test_the_probe_skips_only_sides_that_are_the_same_expression(monkeypatch):
    """An instance of a line the index rules did not prove gets no SymPy run, so the probe
    evaluates lhs − rhs itself, up to 800 digits. Where both sides are one expression that is
    x − x = 0 and nothing is evaluated beyond the checks' own digits; a relative 1e-60 apart
    they are not the same expression, and the probe still finds the difference."""
    from dataclasses import replace as replaced

    from derivcheck.checks import numeric

    digits = []
    original = numeric.evaluate

    def counted(fn, sample, index, dps, count):
        digits.append(dps)
        return original(fn, sample, index, dps, count)

    monkeypatch.setattr(numeric, "evaluate", counted)
    lhs = exp(x) * sin(x) * cos(x) + x**5 + log(x + 4)
    context = replaced(Context({x: (1, 2)}), symbolic=False)  # as an instance is checked
    same = check_claim(Claim(lhs, lhs, context))
    assert same.verdict == "confirmed", same.message
    assert max(digits) <= 2 * numeric.WORKING_DIGITS
    apart = check_claim(Claim(lhs, lhs * perturbed(60), context))
    assert apart.verdict == "refuted", apart.message
