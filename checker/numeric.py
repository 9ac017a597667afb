"""The numeric check: both sides at random points with mpmath, far beyond float64 precision.

A mismatch counts only if, re-evaluated at twice and four times the digits, the difference has
converged; one that vanishes as the digits grow was rounding noise. Values may be complex (a log
of a negative number): the sides are compared as complex numbers.
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
MAX_DIGITS = 2000  # the most digits a difference found by SymPy's residual is resolved at
PROBED_POINTS = 5  # points at which a residual SymPy left is evaluated
MIN_VALID_FRACTION = 0.5  # fewer valid points than this share of those drawn: verdict error
SHOWN_DIGITS = 20  # digits of the values shown in a counterexample

UNDEFINED = (ZeroDivisionError, ValueError, OverflowError, ArithmeticError, TypeError)


def compile_sides(prepared: Prepared, symbols):
    """One mpmath function returning every lhs element then every rhs element at a point."""
    exprs = [*prepared.lhs_evaluated, *prepared.rhs_evaluated]
    return sympy.lambdify(symbols, exprs, modules="mpmath", cse=True, dummify=True)


def evaluate(fn, sample: Sample, index: int, dps: int, count: int):
    """Each element's (lhs, rhs) pair at a point, or None where a side is undefined there."""
    values = sample.at_precision(index, dps)
    with mpmath.workdps(dps):
        try:
            results = [mpmath.mpmathify(v) for v in fn(*(values[s] for s in sample.symbols))]
        except UNDEFINED:
            return None
        if not all(mpmath.isfinite(v) for v in results):
            return None
        results = [+v for v in results]
    return list(zip(results[:count], results[count:]))


def relative(lhs, rhs):
    scale = max(abs(lhs), abs(rhs))
    return abs(lhs - rhs) / scale if scale else mpmath.mpf(0)


class Evaluations:
    """Both sides at every sampled point, at the working digits and twice them, shared by checks.

    Two precisions, because a large cancelling term can make the sides agree exactly at one
    precision while a real difference shows at the other.
    """

    def __init__(self, prepared: Prepared, sample: Sample):
        start = time.perf_counter()
        self.prepared, self.sample = prepared, sample
        self.count = len(prepared.lhs_evaluated)
        self.fn = compile_sides(prepared, sample.symbols)
        self.pairs = [
            evaluate(self.fn, sample, i, WORKING_DIGITS, self.count)
            for i in range(len(sample.points))
        ]
        self.finer = [
            evaluate(self.fn, sample, i, 2 * WORKING_DIGITS, self.count) if pairs else None
            for i, pairs in enumerate(self.pairs)
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
        pairs, finer = evaluations.pairs[index], evaluations.finer[index]
        if pairs is None or finer is None:
            skipped += 1
            continue
        valid += 1
        for element, ((lhs, rhs), (lhs2, rhs2)) in enumerate(zip(pairs, finer)):
            with mpmath.workdps(2 * WORKING_DIGITS):
                rel = max(relative(lhs, rhs), relative(lhs2, rhs2))
            if rel <= AGREE_RELATIVE:
                worst = max(worst, rel)
                continue
            literal_zero = 0 in (prepared.lhs_evaluated[element], prepared.rhs_evaluated[element])
            outcome, confirmed, rel = confirm_mismatch(
                fn, sample, index, element, count, literal_zero
            )
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


def confirm_mismatch(fn, sample, index, element, count, literal_zero=False):
    """Re-evaluate at 2×, 4×, … the digits: a real difference converges, noise vanishes.

    Two levels at least, so a difference that only looks like shrinking noise at 2× (a large
    cancelling term hiding a small real one) is still caught at 4×. A side that is exactly 0
    while the other is not may be a complete cancellation (cosh²x − sinh²x at x = 650 is 0 at
    200 digits), so it is pushed up to MAX_DIGITS before it counts.
    """
    previous = None
    digits = 2 * WORKING_DIGITS
    while digits <= MAX_DIGITS:
        pairs = evaluate(fn, sample, index, digits, count)
        if pairs is None:
            return "unresolved", None, mpmath.mpf(1)
        lhs, rhs = pairs[element]
        with mpmath.workdps(digits):
            difference = lhs - rhs
            rel = relative(lhs, rhs)
            if rel <= AGREE_RELATIVE:
                return "noise", None, rel
            settled = previous is not None and (
                abs(difference - previous) <= CONVERGED * abs(difference)
            )
        one_side_zero = (lhs == 0) != (rhs == 0) and not literal_zero
        if settled and (not one_side_zero or 2 * digits > MAX_DIGITS):
            return "refuted", Mismatch(lhs, rhs, rel, digits), rel
        if (
            not settled
            and previous is not None
            and digits >= 4 * WORKING_DIGITS
            and not one_side_zero
        ):
            break
        previous = difference
        digits *= 2
    # Neither converged nor vanished: the point is dropped, never counted as a pass.
    return "unresolved", None, rel


def probe_residuals(evaluations: Evaluations, residuals, numeric: NumericResult) -> NumericResult:
    """Look for a difference too small for the comparison where SymPy left lhs − rhs = R ≠ 0.

    R evaluated by itself has no cancellation between two large sides, so a nonzero, converged
    R(p) points at a real difference; it counts only once lhs − rhs itself, evaluated at enough
    digits to resolve it, converges to a nonzero value.
    """
    sample, fn, count = evaluations.sample, evaluations.fn, evaluations.count
    valid = [i for i, pairs in enumerate(evaluations.pairs) if pairs is not None]
    for element, residual in residuals.items():
        probe = sympy.lambdify(sample.symbols, residual, modules="mpmath", dummify=True)
        for index in valid[:PROBED_POINTS]:
            pairs = evaluations.pairs[index]
            estimate = converged_value(probe, sample, index, WORKING_DIGITS)
            if not estimate:
                continue
            lhs, rhs = pairs[element]
            with mpmath.workdps(WORKING_DIGITS):
                scale = max(abs(lhs), abs(rhs), abs(estimate))
                gap = int(mpmath.ceil(mpmath.log10(scale / abs(estimate))))
            digits = WORKING_DIGITS + max(gap, 0) + 20
            if 2 * digits > MAX_DIGITS:
                continue
            differences = []
            for dps in (digits, 2 * digits):
                at = evaluate(fn, sample, index, dps, count)
                if at is None:
                    break
                with mpmath.workdps(dps):
                    differences.append((at[element][0] - at[element][1], at[element]))
            if len(differences) < 2:
                continue
            (first, _), (second, (lhs, rhs)) = differences
            with mpmath.workdps(2 * digits):
                if second == 0 or abs(second - first) > CONVERGED * abs(second):
                    continue
                rel = relative(lhs, rhs)
            mismatch = Mismatch(lhs, rhs, rel, 2 * digits)
            return NumericResult(
                "refuted",
                numeric.points,
                numeric.skipped,
                float(rel),
                WORKING_DIGITS,
                numeric.rechecked,
                counterexample_at(sample, index, evaluations.prepared, element, mismatch),
                numeric.seconds,
                f"the sides differ by a relative {float(rel):.3g}, resolved at {2 * digits} digits "
                "where SymPy's residual pointed",
            )
    return numeric


def converged_value(fn, sample, index, dps):
    """fn at a point once two successive precisions (dps, 2·dps, … up to MAX_DIGITS / 2) agree
    and are nonzero; None when it vanishes, is undefined, or never settles."""
    previous = None
    digits = dps
    while 2 * digits <= MAX_DIGITS:
        point = sample.at_precision(index, digits)
        with mpmath.workdps(digits):
            try:
                value = mpmath.mpmathify(fn(*(point[s] for s in sample.symbols)))
            except UNDEFINED:
                return None
            if not mpmath.isfinite(value):
                return None
            value = +value
            if previous is not None and value != 0:
                if abs(value - previous) <= CONVERGED * abs(value):
                    return value
        previous = value
        digits *= 2
    return None


class Mismatch:
    def __init__(self, lhs, rhs, relative_error, dps):
        self.lhs, self.rhs, self.relative_error, self.dps = lhs, rhs, relative_error, dps


def counterexample_at(sample, index, prepared, element, mismatch) -> Counterexample:
    point = []
    exact = dict(zip(sample.independent, sample.points[index]))
    precise = sample.at_precision(index, mismatch.dps)
    for s in sample.symbols:
        if s not in prepared.shown:
            continue
        if s in exact:
            point.append((s.name, repr(exact[s])))
        else:
            point.append((s.name, mpmath.nstr(precise[s], SHOWN_DIGITS)))
    return Counterexample(
        tuple(point),
        mpmath.nstr(mismatch.lhs, SHOWN_DIGITS),
        mpmath.nstr(mismatch.rhs, SHOWN_DIGITS),
        float(mismatch.relative_error),
        prepared.position(element),
        mismatch.dps,
        "numeric",
    )
