"""The numeric check: both sides at random points with mpmath, far beyond float64 precision.

A mismatch counts only if, re-evaluated at twice and four times the digits, the difference has
converged; one that vanishes as the digits grow was rounding noise. Values may be complex (a log
of a negative number): the sides are compared as complex numbers.
"""

from __future__ import annotations

import math
import time
from dataclasses import replace
from functools import cached_property

import mpmath
import sympy

from ..results import Counterexample, NumericResult, Slice
from .domains import Sample
from .mpeval import MpFunction
from .prepare import Prepared
from .slices import line_through

# Tolerances of the numeric check, in one place.
WORKING_DIGITS = 50  # significant digits of the first evaluation
AGREE_RELATIVE = mpmath.mpf("1e-40")  # relative difference below which the sides agree
CONVERGED = mpmath.mpf("1e-3")  # a real difference changes by less than this when rechecked
MAX_DIGITS = 4000  # the most digits a difference is resolved at; beyond, the verdict is error
ZERO_DIGITS = 800  # a residual exactly 0 up to this many digits is taken as 0 ...
ZERO_MARGIN = WORKING_DIGITS  # ... and at least this many digits beyond the claim's constants
MIN_VALID_FRACTION = 0.5  # fewer valid points than this share of those drawn: verdict error
SHOWN_DIGITS = 20  # digits of the values shown in a counterexample
PLOT_DIGITS = 30  # digits a plotted value is computed with: its float is the same whatever
# state mpmath is in (at 15, two runs of one seed differed in the last bit of some values)


def compile_sides(prepared: Prepared, symbols) -> MpFunction:
    """One mpmath function returning every lhs element then every rhs element at a point."""
    return MpFunction(symbols, [*prepared.lhs_evaluated, *prepared.rhs_evaluated])


def evaluate(fn: MpFunction, sample: Sample, index: int, dps: int, count: int):
    """Each element's (lhs, rhs) pair at a point, or None where a side is undefined there.

    Computed once per point and precision: the probe of each element, the autodiff recheck of
    each side and the resolution of a mismatch ask for the same values again.
    """
    known = (id(sample), index, dps)
    if known not in fn.evaluated:
        fn.evaluated[known] = (sample, fn(sample.at_precision(index, dps), dps))  # sample kept
    results = fn.evaluated[known][1]
    if results is None:
        return None
    return list(zip(results[:count], results[count:]))


def relative(lhs, rhs):
    scale = max(abs(lhs), abs(rhs))
    return abs(lhs - rhs) / scale if scale else mpmath.mpf(0)


class Evaluations:
    """Both sides at every sampled point, at the working digits and twice them, shared by checks.

    Two precisions, because a large cancelling term can make the sides agree exactly at one
    precision while a real difference shows at the other.
    """

    def __init__(self, prepared: Prepared, sample: Sample, domains=None):
        start = time.perf_counter()
        self.prepared, self.sample, self.domains = prepared, sample, domains or {}
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

    @cached_property
    def demand(self) -> int:
        """The digits the claim's most extreme constant needs to show beside 1."""
        prepared = self.prepared
        return demanded_digits([*prepared.lhs_evaluated, *prepared.rhs_evaluated])


def demanded_digits(exprs) -> int:
    """The decimal digits at which the most extreme constant of `exprs` shows beside 1: the
    digits of a rational's numerator or denominator (1 + 10⁻¹⁰⁰⁰ is 1 below 1001 digits), or
    the decimal exponent of a constant subexpression (e^{−5000}: 2172), whichever is largest.

    Below that many digits a residual can be exactly 0 though the claim is false: a residual
    that vanishes at every precision tried is evidence of zero only beyond it."""
    demand = 1
    constant: dict = {}  # node -> is it free of symbols; each shared node visited once

    def walk(node) -> bool:
        nonlocal demand
        if node in constant:
            return constant[node]
        if isinstance(node, sympy.Rational):
            demand = max(demand, decimal_digits(node.p), decimal_digits(node.q))
            is_constant = True
        elif isinstance(node, sympy.Symbol):
            is_constant = False
        else:
            is_constant = all([walk(a) for a in node.args])  # every argument walked
            if is_constant and node.args:
                demand = max(demand, exponent_digits(node))
        constant[node] = is_constant
        return is_constant

    for expr in exprs:
        walk(expr)
    return demand


def decimal_digits(n: int) -> int:
    return len(str(abs(n))) if abs(n) < 10**50 else int(abs(n).bit_length() * math.log10(2)) + 1


def exponent_digits(node) -> int:
    """|decimal exponent| of a constant's value (0 where evalf cannot tell it quickly)."""
    try:
        value = sympy.Abs(node.evalf(10, maxn=60)).evalf(10, maxn=60)
    except Exception:  # a constant evalf cannot handle: its atoms were counted anyway
        return 0
    if not isinstance(value, sympy.Float) or value == 0 or value._prec <= 1:
        return 0  # no significant digit: a cancellation, which the rationals inside show
    with mpmath.workdps(15):
        magnitude = mpmath.mpf(value._to_mpmath(value._prec))
        return int(abs(mpmath.floor(mpmath.log10(magnitude))))


def check_numeric(evaluations: Evaluations) -> NumericResult:
    start = time.perf_counter() - evaluations.seconds
    prepared, sample, fn = evaluations.prepared, evaluations.sample, evaluations.fn
    count = evaluations.count
    drawn = len(sample.points)
    valid = skipped = rechecked = unresolved = 0
    worst = mpmath.mpf(0)
    errors = []  # the worst relative error at each valid point, for the report's histogram

    def result(status, error, counterexample=None, message=""):
        seconds = time.perf_counter() - start
        return NumericResult(status, valid, skipped, float(error), WORKING_DIGITS, rechecked,
                             counterexample, seconds, message, tuple(errors))  # fmt: skip

    for index in range(drawn):
        pairs, finer = evaluations.pairs[index], evaluations.finer[index]
        if pairs is None or finer is None:
            skipped += 1
            continue
        valid += 1
        errors.append(0.0)
        for element, ((lhs, rhs), (lhs2, rhs2)) in enumerate(zip(pairs, finer)):
            with mpmath.workdps(2 * WORKING_DIGITS):
                rel = max(relative(lhs, rhs), relative(lhs2, rhs2))
            if rel <= AGREE_RELATIVE:
                worst = max(worst, rel)
                errors[-1] = max(errors[-1], plotted_error(rel))
                continue
            literal_zero = 0 in (prepared.lhs_evaluated[element], prepared.rhs_evaluated[element])
            outcome, confirmed, rel = confirm_mismatch(
                fn, sample, index, element, count, literal_zero
            )
            if outcome == "noise":
                rechecked += 1
                worst = max(worst, rel)
                errors[-1] = max(errors[-1], plotted_error(rel))
                continue
            if outcome == "unresolved":  # never counted as agreement
                errors.pop()
                valid -= 1
                skipped += 1
                unresolved += 1
                break
            errors[-1] = plotted_error(confirmed.relative_error)
            return result(
                "refuted",
                confirmed.relative_error,
                counterexample_at(evaluations, index, element, confirmed),
                f"the sides differ by a relative {mpmath.nstr(confirmed.relative_error, 3)} at a "
                f"point, confirmed at {confirmed.dps} digits",
            )
    needed = max(3, int(drawn * MIN_VALID_FRACTION + 0.5))
    if valid < needed:
        why = (
            f"at {unresolved} the difference neither vanished nor settled as the digits grew "
            "(a cancellation too deep to resolve)"
            if unresolved
            else "at the others a side is undefined; narrow the symbols' domains"
        )
        return result(
            "insufficient",
            worst,
            message=f"only {valid} of {drawn} sampled points could be compared (need {needed}): "
            + why,
        )
    return result("agree", worst)


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
            if not certainly_different(fn, sample, index, element, count, digits, difference):
                break
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
    """Look for a difference too small for the comparison where SymPy did not reach zero.

    Each residual R (what SymPy left of lhs − rhs, or lhs − rhs itself where it ran out of time)
    is evaluated at doubling precision until it settles or vanishes. A settled nonzero R(p)
    points at a real difference, which counts once lhs − rhs itself, evaluated at enough digits
    to resolve it, converges to a nonzero value. One that cannot be resolved within MAX_DIGITS
    makes the result "unresolved": never a pass.
    """
    sample, fn, count = evaluations.sample, evaluations.fn, evaluations.count
    valid = [i for i, pairs in enumerate(evaluations.pairs) if pairs is not None]
    unresolved = False
    need = evaluations.demand + ZERO_MARGIN  # a vanishing residual counts from these digits on
    prepared = evaluations.prepared
    for element, residual in residuals.items():
        if residual is None and prepared.lhs_evaluated[element] == prepared.rhs_evaluated[element]:
            continue  # the same expression on both sides: x − x is 0 wherever x is defined
        if residual is None:  # SymPy did not get to it: lhs − rhs itself, already compiled
            value_at = difference_at(evaluations, element)
        else:
            value_at = residual_at(MpFunction(sample.symbols, [residual]), sample)
        for index in valid:
            outcome, estimate = settle(value_at, index, need)
            if outcome == "zero" and residual is not None:  # SymPy's word: lhs − rhs must agree
                outcome, estimate = corroborate(evaluations, element, index, need)
            if outcome in ("zero", "skip"):
                continue
            mismatch = None
            if outcome == "nonzero":
                mismatch = resolve(fn, sample, index, element, count, estimate)
            if mismatch is None:  # another point may still resolve it (the sides smaller there)
                unresolved = True
                continue
            rel = mpmath.nstr(mismatch.relative_error, 3)
            return replace(
                numeric,
                status="refuted",
                max_relative_error=float(mismatch.relative_error),
                counterexample=counterexample_at(evaluations, index, element, mismatch),
                message=f"the sides differ by a relative {rel} at a point, resolved at "
                f"{mismatch.dps} digits where SymPy's residual pointed",
            )
    if unresolved and need > MAX_DIGITS:
        return replace(
            numeric,
            status="unresolved",
            message=f"the claim holds a constant that only shows at {evaluations.demand} digits "
            f"(a rational or a value as far from 1 as 1e-{evaluations.demand}); SymPy left "
            f"lhs − rhs ≠ 0 and the numeric check cannot go beyond {MAX_DIGITS} digits to show "
            "it is 0; cannot decide: write the step with smaller constants",
        )
    if unresolved:
        return replace(
            numeric,
            status="unresolved",
            message="SymPy left lhs − rhs ≠ 0 and the difference could not be resolved within "
            f"{MAX_DIGITS} digits at any point; cannot decide",
        )
    return numeric


def corroborate(evaluations: Evaluations, element: int, index: int, need: int):
    """A residual of SymPy's that vanished at a point, against lhs − rhs itself there: a
    rewriting SymPy got wrong must not hide a difference. ("nonzero", value) if lhs − rhs
    settles on a nonzero value at the digits the residual needed and twice them, else
    ("zero", 0)."""
    value_at = difference_at(evaluations, element)
    digits = min(max(2 * WORKING_DIGITS, need), MAX_DIGITS // 2)
    first, second = value_at(index, digits), value_at(index, 2 * digits)
    if first is None or second is None:
        return "zero", 0
    with mpmath.workdps(2 * digits):
        if second != 0 and abs(second - first) <= CONVERGED * abs(second):
            return "nonzero", second
    return "zero", 0


def residual_at(fn: MpFunction, sample):
    def value_at(index, digits):
        values = fn(sample.at_precision(index, digits), digits)
        return None if values is None else values[0]

    return value_at


def difference_at(evaluations: Evaluations, element: int):
    """lhs − rhs of one element, reusing the evaluations already made at 50 and 100 digits."""
    known = {WORKING_DIGITS: evaluations.pairs, 2 * WORKING_DIGITS: evaluations.finer}

    def value_at(index, digits):
        pairs = (
            known[digits][index]
            if digits in known
            else evaluate(evaluations.fn, evaluations.sample, index, digits, evaluations.count)
        )
        if pairs is None:
            return None
        lhs, rhs = pairs[element]
        with mpmath.workdps(digits):
            return lhs - rhs

    return value_at


def settle(value_at, index, need: int = ZERO_MARGIN):
    """("nonzero", value) once two successive precisions agree on a nonzero value; ("zero", 0)
    when the value vanishes as the digits double, twice in a row (rounding noise), or is exactly
    0 all the way to ZERO_DIGITS, either only from `need` digits on (the claim's constants show
    there); ("unknown", None) otherwise."""
    previous = None
    vanishing = exact_zeros = 0
    digits = WORKING_DIGITS
    while digits <= MAX_DIGITS:
        value = value_at(index, digits)
        if value is None:  # undefined here from the start: nothing to probe at this point
            return ("skip", None) if previous is None else ("unknown", None)
        with mpmath.workdps(digits):
            exact_zeros = exact_zeros + 1 if value == 0 else 0
            if previous is not None and value != 0:
                if abs(value - previous) <= CONVERGED * abs(value):
                    return "nonzero", value
                shrank = abs(value) <= abs(previous) * mpmath.mpf(10) ** (-(digits // 4))
                vanishing = vanishing + 1 if shrank else 0
        if digits >= need and (vanishing >= 2 or (exact_zeros and digits >= ZERO_DIGITS)):
            return "zero", 0
        previous = value
        digits *= 2
    return "unknown", None


def digits_to_resolve(lhs, rhs, difference) -> int:
    """The digits at which a difference of about `difference` shows between sides this large."""
    with mpmath.workdps(WORKING_DIGITS):
        scale = max(abs(lhs), abs(rhs), abs(difference))
        gap = int(mpmath.ceil(mpmath.log10(scale / abs(difference))))
    return WORKING_DIGITS + max(gap, 0) + 20


def beyond_resolution(evaluations: Evaluations, element: int, constant: str) -> bool:
    """Is lhs − rhs = `constant` (SymPy's, printed) too small against the sides, at every valid
    point, for MAX_DIGITS to resolve?"""
    try:
        value = mpmath.mpf(constant)
    except (TypeError, ValueError):  # complex, or not a number mpmath reads
        return False
    pairs = [p[element] for p in evaluations.pairs if p is not None]
    return (
        value != 0
        and bool(pairs)
        and all(2 * digits_to_resolve(lhs, rhs, value) > MAX_DIGITS for lhs, rhs in pairs)
    )


def resolve(fn, sample, index, element, count, estimate) -> Mismatch | None:
    """lhs − rhs at a point, at enough digits to see a difference of about `estimate`."""
    pairs = evaluate(fn, sample, index, WORKING_DIGITS, count)
    if pairs is None:
        return None
    # A first guess: where the sides cancelled to 0 at the working digits (the terms inside are
    # far larger than the sides), the digits double until the difference settles.
    digits = digits_to_resolve(*pairs[element], estimate)
    differences = {}
    while True:
        if 2 * digits > MAX_DIGITS:
            return None
        for dps in (digits, 2 * digits):
            if dps not in differences:
                at = evaluate(fn, sample, index, dps, count)
                if at is None:
                    return None
                lhs, rhs = at[element]
                with mpmath.workdps(dps):
                    differences[dps] = (lhs - rhs, lhs, rhs)
        first, second = differences[digits][0], differences[2 * digits][0]
        with mpmath.workdps(2 * digits):
            if second != 0 and abs(second - first) <= CONVERGED * abs(second):
                break
        digits *= 2
    _, lhs, rhs = differences[2 * digits]
    with mpmath.workdps(2 * digits):
        rel = relative(lhs, rhs)
    if not certainly_different(fn, sample, index, element, count, 2 * digits, second):
        return None
    return Mismatch(lhs, rhs, rel, 2 * digits)


def certainly_different(fn: MpFunction, sample, index, element, count, digits, difference) -> bool:
    """Interval arithmetic's word on a difference the precision ladder found: False if the
    sides' enclosures still overlap at four times the digits (a cancellation the ladder did not
    see). Where the functions have no interval version, the difference must still be there at
    MAX_DIGITS, the most the ladder can do against a cancellation it cannot see."""
    last = min(4 * digits, MAX_DIGITS)
    found = None
    while digits <= last:
        found = fn.separated(sample.at_precision(index, digits), digits, element, count + element)
        if found is None or found:
            break
        digits *= 2
    if found is None:  # the same difference must still be there at MAX_DIGITS
        pairs = evaluate(fn, sample, index, MAX_DIGITS, count)
        if pairs is None:
            return False
        lhs, rhs = pairs[element]
        with mpmath.workdps(MAX_DIGITS):
            last = lhs - rhs
            return last != 0 and abs(last - difference) <= CONVERGED * abs(last)
    return bool(found)


class Mismatch:
    def __init__(self, lhs, rhs, relative_error, dps):
        self.lhs, self.rhs, self.relative_error, self.dps = lhs, rhs, relative_error, dps


def counterexample_at(evaluations: Evaluations, index, element, mismatch) -> Counterexample:
    sample, prepared = evaluations.sample, evaluations.prepared
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
        difference_text(mismatch),
        shorthand_values(sample, index, prepared),
        around(evaluations, index, element),
    )


def plotted_error(rel) -> float:
    """A relative error as a float; one too small for float64 stays nonzero (1e-300)."""
    return max(float(rel), 1e-300) if rel else 0.0


def around(evaluations: Evaluations, index: int, element: int) -> Slice | None:
    """Both sides (mpmath, 15 digits) along a line through the counterexample, for a plot."""
    line = line_through(evaluations.sample, index, evaluations.domains, evaluations.prepared)
    if line is None:
        return None
    symbol, values, sample = line
    prepared = evaluations.prepared
    sides = MpFunction(
        sample.symbols, [prepared.lhs_evaluated[element], prepared.rhs_evaluated[element]]
    )
    lhs, rhs = [], []
    for i in range(len(values)):
        pair = evaluate(sides, sample, i, PLOT_DIGITS, 1)
        left, right = pair[0] if pair is not None else (None, None)
        lhs.append(plotted(left))
        rhs.append(plotted(right))
    return Slice(
        symbol.name,
        values,
        tuple(lhs),
        tuple(rhs),
        "mpmath",
        "mpmath",
        float(sample_value(evaluations.sample, index, symbol)),
        evaluations.prepared.position(element),
    )


def sample_value(sample: Sample, index: int, symbol) -> float:
    return sample.points[index][sample.independent.index(symbol)]


def plotted(value) -> float:
    """A value as a float for a plot: NaN where undefined or complex."""
    if value is None or (isinstance(value, mpmath.mpc) and value.imag != 0):
        return float("nan")
    return float(mpmath.re(value))


def shorthand_values(sample, index, prepared) -> tuple[tuple[str, str], ...]:
    """The defined symbols the claim uses (z, ŷ, L), at the counterexample's point: those whose
    values are in the sampled symbols (x̄ = (x₁ + x₂)/2 in a claim that evaluated to 0 = 1 has
    nothing sampled to be shown at)."""
    sampled = set(sample.symbols)
    shorthands = [(s, v) for s, v in prepared.shorthands if v.free_symbols <= sampled]
    if not shorthands:
        return ()
    fn = MpFunction(sample.symbols, [value for _, value in shorthands])
    values = fn(sample.at_precision(index, WORKING_DIGITS), WORKING_DIGITS)
    if values is None:
        return ()
    return tuple(
        (symbol.name, mpmath.nstr(value, 12)) for (symbol, _), value in zip(shorthands, values)
    )


def difference_text(mismatch) -> str:
    with mpmath.workdps(mismatch.dps):
        return mpmath.nstr(mismatch.lhs - mismatch.rhs, 6)
