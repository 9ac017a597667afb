"""Property-based tests: random expression trees over exp, log, powers, sums and products.

A tree against a rewritten form of itself is never refuted; a tree against itself plus a small
nonzero term is never passed. The symbols are positive (so every log is of a positive value,
and expand_log(force=True) is valid) on (1/2, 2), and the trees are kept to magnitudes within
1e±40 there, so that a term of 10⁻³⁰ is within what the checker resolves.

CI runs the derandomized "ci" profile: the same 60 examples per test on every run, no seed to
record. For a long search, `HYPOTHESIS_PROFILE=explore HYPOTHESIS_EXAMPLES=1000 pytest
tests/test_properties.py --hypothesis-seed=N`; a failure prints the blob that replays it.
"""

import os

import mpmath
import sympy
from hypothesis import HealthCheck, assume, event, given, note, settings
from hypothesis import strategies as st
from sympy import Rational, exp, log

from derivcheck import verify_step

settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    max_examples=60,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
settings.register_profile(
    "explore",
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "500")),
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

a, b = sympy.Symbol("a", positive=True), sympy.Symbol("b", positive=True)
DOMAINS = {a: (0.5, 2.0), b: (0.5, 2.0)}
CORNERS = [(0.5, 0.5), (0.5, 2.0), (2.0, 0.5), (2.0, 2.0), (1.0, 1.0), (0.7, 1.3)]
PASSING = ("proved", "confirmed")

constants = st.builds(Rational, st.integers(1, 5), st.integers(1, 3))
exponents = st.sampled_from(
    [Rational(n) for n in (-2, -1, 2, 3)] + [Rational(1, 2), -Rational(3, 2)]
)


def positive_trees(leaves):
    """Trees whose value is positive wherever a, b > 0: log is only ever taken of one."""
    return st.one_of(
        st.builds(lambda x, y: x + y, leaves, leaves),
        st.builds(lambda x, y: x * y, leaves, leaves),
        st.builds(lambda x, n: x**n, leaves, exponents),
        st.builds(lambda x: exp(x), leaves),
        st.builds(lambda x: exp(-x), leaves),
        st.builds(lambda x, y: exp(log(x) - y), leaves, leaves),  # a real exponent: log(x) − y
        st.builds(lambda x, y: x + log(y) ** 2, leaves, leaves),
        st.builds(lambda x, y: x ** log(y), leaves, leaves),  # a positive base, a real exponent
    )


positive = st.recursive(st.one_of(st.sampled_from([a, b]), constants), positive_trees, max_leaves=8)
# A real (not always positive) expression: a positive tree, its log, or sums and products of both.
real = st.recursive(
    st.one_of(positive, st.builds(log, positive)),
    lambda inner: st.one_of(
        st.builds(lambda x, y: x + y, inner, inner),
        st.builds(lambda x, y: x * y, inner, inner),
        st.builds(lambda x, y: x - y, inner, positive),
    ),
    max_leaves=4,
)


def sane(expr) -> bool:
    """Finite and within 1e±40 where it is sampled (checked at the corners and inside)."""
    if not expr.free_symbols:
        return False
    fn = sympy.lambdify((a, b), expr, "mpmath")
    with mpmath.workdps(30):
        for point in CORNERS:
            try:
                value = mpmath.mpmathify(fn(*point))
            except (ZeroDivisionError, ValueError, OverflowError):
                return False
            if not mpmath.isfinite(value) or (value != 0 and not 1e-40 < abs(value) < 1e40):
                return False
    return True


def small(expr) -> bool:
    """A rewriting can blow a tree up (cancel of a sum of exponentials): one that stays readable
    is checked well within the time limit, which a huge one may not be."""
    return sympy.count_ops(expr) <= MAX_OPERATIONS


MAX_OPERATIONS = 120
REWRITES = {
    "expand": lambda e: sympy.expand(e),
    "together": sympy.together,
    "expand_log": lambda e: sympy.expand_log(e, force=True),
    "factor": sympy.factor,
    "cancel": sympy.cancel,
    "powsimp": lambda e: sympy.powsimp(e, force=True),
    "logcombine": lambda e: sympy.logcombine(e, force=True),
    "expand-everything": lambda e: sympy.expand(e, power_exp=True, log=True, force=True),
    "powdenest": lambda e: sympy.powdenest(e, force=True),
    "collect-a": lambda e: sympy.collect(sympy.expand(e), a),
}


@settings(settings.get_profile(PROFILE))
@given(real, st.sampled_from(sorted(REWRITES)))
def test_rewritten_form_is_never_refuted(expr, rewrite):
    assume(sane(expr))
    rewritten = REWRITES[rewrite](expr)
    assume(small(rewritten))
    note(f"{rewrite}: {expr} = {rewritten}")
    result = verify_step(expr, rewritten, domains=DOMAINS)
    event(f"verdict {result.verdict}")
    assert result.verdict in PASSING, result.message


perturbations = st.one_of(
    st.builds(lambda c, k: c * Rational(1, 10**k), st.integers(1, 9), st.integers(1, 30)),
    st.builds(lambda k: a / 10**k, st.integers(1, 30)),
    st.builds(lambda k: exp(-b) / 10**k, st.integers(1, 30)),
)


@settings(settings.get_profile(PROFILE))
@given(real, perturbations, st.booleans())
def test_small_nonzero_term_is_never_passed(expr, term, relative):
    assume(sane(expr))
    perturbed = expr * (1 + term) if relative else expr + term
    note(f"{expr} against {perturbed}")
    result = verify_step(expr, perturbed, domains=DOMAINS)
    event(f"verdict {result.verdict}")
    assert result.verdict == "refuted", result.message


@settings(settings.get_profile(PROFILE))
@given(real, st.sampled_from(sorted(REWRITES)))
def test_derivative_of_a_rewritten_form_is_never_refuted(expr, rewrite):
    """d/da of the tree, by JAX autodiff too, against SymPy's derivative of its rewritten form."""
    assume(sane(expr) and sane(sympy.diff(expr, a)))
    rewritten = sympy.diff(REWRITES[rewrite](expr), a)
    assume(small(rewritten))
    note(f"{rewrite}: d/da {expr} = {rewritten}")
    result = verify_step(sympy.Derivative(expr, a), rewritten, domains=DOMAINS)
    event(f"verdict {result.verdict}")
    assert result.verdict in PASSING, result.message
