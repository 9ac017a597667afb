"""The numeric check: both sides at random points with mpmath, far beyond float64 precision.

A mismatch counts only if it survives re-evaluation at twice (then four times) the precision and
the difference has converged; a difference that shrinks with precision was rounding noise.
"""

from __future__ import annotations

import time

import mpmath
import sympy

from .domains import Sample
from .prepare import Prepared
from .results import Counterexample, NumericResult

# Tolerances of the numeric check, in one place.
WORKING_DIGITS = 50  # significant digits of the first evaluation
AGREE_RELATIVE = mpmath.mpf("1e-40")  # relative difference below which the sides agree
CONVERGED = mpmath.mpf("1e-3")  # a real difference changes by less than this when rechecked
NOISE_SHRINK = mpmath.mpf("1e-25")  # rounding noise shrinks at least this much when digits double
MIN_VALID_FRACTION = 0.5  # fewer valid points than this share of those drawn: verdict error
SHOWN_DIGITS = 20  # digits of the values shown in a counterexample

UNDEFINED = (ZeroDivisionError, ValueError, OverflowError, ArithmeticError, TypeError)


def compile_sides(prepared: Prepared, symbols):
    """One mpmath function returning every lhs element then every rhs element at a point."""
    exprs = [*prepared.lhs_evaluated, *prepared.rhs_evaluated]
    return sympy.lambdify(symbols, exprs, modules="mpmath", cse=True)


def evaluate(fn, sample: Sample, index: int, dps: int, count: int):
    """Each element's (lhs, rhs) pair at a point, or None where a side is undefined or complex."""
    values = sample.at_precision(index, dps)
    with mpmath.workdps(dps):
        try:
            results = fn(*(values[s] for s in sample.symbols))
        except UNDEFINED:
            return None
        reals = []
        for v in results:
            v = mpmath.mpmathify(v)
            if isinstance(v, mpmath.mpc):
                if abs(v.imag) > abs(v.real) * mpmath.mpf(10) ** (10 - dps) and v.imag != 0:
                    return None
                v = v.real
            if not mpmath.isfinite(v):
                return None
            reals.append(+v)
    return list(zip(reals[:count], reals[count:]))


def relative(lhs, rhs):
    scale = max(abs(lhs), abs(rhs))
    return abs(lhs - rhs) / scale if scale else mpmath.mpf(0)


class Evaluations:
    """Both sides evaluated at every sampled point at the working precision, shared by checks."""

    def __init__(self, prepared: Prepared, sample: Sample):
        start = time.perf_counter()
        self.prepared, self.sample = prepared, sample
        self.count = len(prepared.lhs_evaluated)
        self.fn = compile_sides(prepared, sample.symbols)
        self.pairs = [
            evaluate(self.fn, sample, i, WORKING_DIGITS, self.count)
            for i in range(len(sample.points))
        ]
        self.seconds = time.perf_counter() - start


def check_numeric(evaluations: Evaluations) -> NumericResult:
    start = time.perf_counter() - evaluations.seconds
    prepared, sample, fn = evaluations.prepared, evaluations.sample, evaluations.fn
    count = evaluations.count
    drawn = len(sample.points)
    valid = skipped = rechecked = 0
    worst = mpmath.mpf(0)
    for index in range(drawn):
        pairs = evaluations.pairs[index]
        if pairs is None:
            skipped += 1
            continue
        valid += 1
        for element, (lhs, rhs) in enumerate(pairs):
            rel = relative(lhs, rhs)
            if rel <= AGREE_RELATIVE:
                worst = max(worst, rel)
                continue
            outcome, confirmed, rel = confirm_mismatch(fn, sample, index, element, count, lhs - rhs)
            if outcome == "noise":
                rechecked += 1
                worst = max(worst, rel)
                continue
            if outcome == "unresolved":  # never counted as agreement
                valid -= 1
                skipped += 1
                break
            return NumericResult(
                "refuted",
                valid,
                skipped,
                float(confirmed.relative_error),
                WORKING_DIGITS,
                rechecked,
                counterexample_at(sample, index, prepared, element, confirmed),
                time.perf_counter() - start,
                f"the sides differ by a relative {float(confirmed.relative_error):.3g}",
            )
    needed = max(3, int(drawn * MIN_VALID_FRACTION + 0.5))
    if valid < needed:
        return NumericResult(
            "insufficient",
            valid,
            skipped,
            float(worst),
            WORKING_DIGITS,
            rechecked,
            None,
            time.perf_counter() - start,
            f"only {valid} of {drawn} sampled points are inside the domain of both sides "
            f"(need {needed}); narrow the symbols' domains",
        )
    return NumericResult(
        "agree",
        valid,
        skipped,
        float(worst),
        WORKING_DIGITS,
        rechecked,
        None,
        time.perf_counter() - start,
    )


def confirm_mismatch(fn, sample, index, element, count, difference):
    """Re-evaluate at 2× and 4× the digits; a real difference converges, noise shrinks."""
    previous = difference
    rel = mpmath.mpf(1)
    for factor in (2, 4):
        dps = WORKING_DIGITS * factor
        pairs = evaluate(fn, sample, index, dps, count)
        if pairs is None:
            return "unresolved", None, rel
        lhs, rhs = pairs[element]
        with mpmath.workdps(dps):
            current = lhs - rhs
            rel = relative(lhs, rhs)
            if rel <= AGREE_RELATIVE:
                return "noise", None, rel
            if abs(current) <= abs(previous) * NOISE_SHRINK:
                return "noise", None, rel
            if abs(current - previous) <= CONVERGED * abs(current):
                return "refuted", Mismatch(lhs, rhs, rel, dps), rel
        previous = current
    # Neither converged nor vanished by 200 digits: the point is dropped, never counted as a pass.
    return "unresolved", None, rel


class Mismatch:
    def __init__(self, lhs, rhs, relative_error, dps):
        self.lhs, self.rhs, self.relative_error, self.dps = lhs, rhs, relative_error, dps


def counterexample_at(sample, index, prepared, element, mismatch) -> Counterexample:
    point = []
    exact = dict(zip(sample.independent, sample.points[index]))
    precise = sample.at_precision(index, mismatch.dps)
    for s in sample.symbols:
        if s in exact:
            point.append((s.name, repr(exact[s])))
        else:
            point.append((s.name, mpmath.nstr(precise[s], SHOWN_DIGITS)))
    position = tuple(divmod(element, prepared.shape[1])) if len(prepared.shape) == 2 else ()
    return Counterexample(
        tuple(point),
        mpmath.nstr(mismatch.lhs, SHOWN_DIGITS),
        mpmath.nstr(mismatch.rhs, SHOWN_DIGITS),
        float(mismatch.relative_error),
        position,
        mismatch.dps,
        "numeric",
    )
