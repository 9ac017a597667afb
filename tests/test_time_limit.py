"""A claim past its time limit returns within a second of it, keeps what finished, and the run
goes on: the next claim is still checked."""

import time

import pytest
from sympy import Derivative, Symbol, cos, exp, expand, expand_trig, sin

from derivcheck import sigmoid, verify_step

x, y, z = (Symbol(name, real=True) for name in "xyz")
SLOW = expand(expand_trig((sin(x + y + z) ** 2 + cos(x + y + z) ** 2) ** 8))  # 1, expanded
SIGMOID_DERIVATIVE = (Derivative(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z)))
WITHIN = 1.0  # seconds past the time limit a claim may take, start to verdict


@pytest.fixture(autouse=True)
def _warm(warm_pool):
    """Worker start-up (the JAX import) is not part of any claim's time."""


def timed(lhs, rhs, timeout):
    # A worker killed by an earlier test is replaced by one still importing JAX: wait for it.
    assert verify_step(x, x).verdict == "proved"
    start = time.monotonic()
    result = verify_step(lhs, rhs, timeout=timeout)
    return result, time.monotonic() - start


def assert_the_run_goes_on():
    assert verify_step(*SIGMOID_DERIVATIVE).verdict == "proved"


def test_slow_simplification_is_confirmed_on_time():
    result, seconds = timed(SLOW, 1, timeout=5)
    assert seconds < 5 + WITHIN
    assert result.verdict == "confirmed"
    assert result.symbolic.status == "timeout"
    assert result.numeric.status == "agree"
    assert_the_run_goes_on()


@pytest.mark.parametrize(
    ("lhs", "rhs"),
    [
        (Derivative(exp(x**2) * sin(x) / (1 + x**2), (x, 50)), 0),  # doit() runs for minutes
        (Derivative(SLOW, x), 0),  # JAX traces a grad of thousands of terms
    ],
    ids=["derivative-order-50", "derivative-of-a-huge-expression"],
)
def test_claim_that_runs_for_minutes_is_an_error_and_the_run_goes_on(lhs, rhs):
    result, seconds = timed(lhs, rhs, timeout=2)
    assert seconds < 2 + WITHIN
    assert result.verdict == "error"
    assert_the_run_goes_on()


def test_run_of_several_claims_goes_on_past_one_that_hangs():
    from derivcheck.model import Claim
    from derivcheck.run.api import run_claims

    hanging = Claim(Derivative(exp(x**2) * sin(x) / (1 + x**2), (x, 50)), 0)
    true = Claim(x * (x + 1), x**2 + x)
    claims = [true, hanging, true, Claim(x + 1, x)]
    results = run_claims(claims, [0] * len(claims), points=20, timeout=2)
    assert [r.verdict for r in results] == ["proved", "error", "proved", "refuted"]
    assert results[1].seconds < 2 + WITHIN
