"""Points beside a claim's kinks: a slip that moves a kink is refuted, not missed."""

import pytest
from sympy import Abs, Derivative, Heaviside, Max, Piecewise, Rational, Symbol, exp, sign

from derivcheck import verify_step
from derivcheck.checks.domains import draw, solve_given
from derivcheck.checks.kinks import kink_arguments, with_kinks

y, f, t = (Symbol(name, real=True) for name in ("y", "f", "t"))
DOMAINS = {y: (-2, 2), f: (-2, 2)}


@pytest.mark.parametrize("k", [2, 6, 12])
def test_a_kink_moved_by_a_tiny_factor_is_refuted(k):
    # Found by `make mutation` on the MAE derivation: true but on a set 20 points miss.
    moved = (1 + Rational(1, 10**k)) * y
    result = verify_step(Derivative(Abs(moved - f), f), -sign(y - f), domains=DOMAINS)
    assert result.verdict == "refuted", result.message


def test_a_true_claim_with_a_kink_still_passes():
    result = verify_step(Derivative(Abs(y - f), f), -(y - f) / Abs(y - f), domains=DOMAINS)
    assert result.verdict in ("proved", "confirmed"), result.message


def test_the_kink_points_straddle_the_kink():
    sample = draw((f, y), DOMAINS, solve_given(()), 5, seed=1)
    kinked = with_kinks(sample, [Abs(y - f)], DOMAINS)
    extra = kinked.points[5:]
    assert kinked.points[:5] == sample.points and len(extra) == 6
    differences = [p[1] - p[0] for p in extra]  # y − f, in the order (f, y)
    assert {d > 0 for d in differences} == {True, False}
    assert max(abs(d) for d in differences) < 0.01 and min(abs(d) for d in differences) < 1e-12


def test_no_points_are_added_where_there_is_no_kink_or_no_linear_root():
    sample = draw((t,), {t: (-2, 2)}, solve_given(()), 5, seed=1)
    assert with_kinks(sample, [exp(t) + t**2], {t: (-2, 2)}) is sample
    assert with_kinks(sample, [Abs(t**2 - 1)], {t: (-2, 2)}) is sample  # nonlinear in t
    assert with_kinks(sample, [Abs(t - 5)], {t: (-2, 2)}) is sample  # the kink is outside


def test_every_kind_of_kink_is_found():
    exprs = [
        Abs(t - 1) + sign(t) + Heaviside(t + 1) + Max(t, 2 * t - 1),
        Piecewise((t, t < 3), (0, True)),
    ]
    assert set(kink_arguments(exprs)) == {t - 1, t, t + 1, 1 - t, t - 3}
    assert kink_arguments(exprs) == kink_arguments(exprs)  # one order, run to run
