"""Claims built to fool a naive checker: each one line, with the one verdict it must get.

True claims whose float64 evaluation cancels, overflows or saturates must be proved; false ones
whose error hides below float64 (an absolute 1e-9 on a value of 1e-9, a relative 1e-30), at
integers, or on half the domain must be refuted. `Derivative` variants put the JAX autodiff
check in the path. SymPy folds (1 + x) − 1 and e^x·e^{−x} as they are built, so the cancelling
forms below are ones it keeps: |1 + x| − 1, (e^x + 1)·e^{−x}, d/dx (1 + x)² − 2.
"""

import pytest
from sympy import Abs, Derivative, Rational, Symbol, cos, exp, log, pi, sin, sqrt

from derivcheck import sigmoid, verify_step

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
