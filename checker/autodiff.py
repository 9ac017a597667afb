"""The autodiff check: every side with a derivative is evaluated by JAX in float64 and compared
with the high-precision value of the other side.

Where JAX's float64 value also misses the high-precision value of its own side, float64 cannot
represent the comparison (overflow, large logits): that point is reported as float64-limited,
never as a refutation.
"""

from __future__ import annotations

import time

import jax
import mpmath
import numpy as np
import sympy

from .mpeval import MpFunction
from .numeric import MAX_DIGITS, SHOWN_DIGITS, Evaluations, evaluate
from .prepare import InputError
from .prepare import evaluate as carry_out
from .results import AutodiffResult, Counterexample
from .translate import Untranslatable, key, to_jax

RELATIVE_TOLERANCE_FLOAT64 = 1e-9  # autodiff against the exact value, relative
RECHECK_DIGITS = MAX_DIGITS // 4  # exact values a float64 mismatch is judged against
SETTLED = 1e-30  # an exact value this close at half the digits has settled
BATCH = "batch"  # an environment key no symbol's key can take


def check_autodiff(evaluations: Evaluations) -> AutodiffResult:
    start = time.perf_counter()
    prepared, sample = evaluations.prepared, evaluations.sample
    sides = []  # (side index 0/1, element, expression)
    for side, exprs in enumerate((prepared.lhs_expanded, prepared.rhs_expanded)):
        for element, expr in enumerate(exprs):
            if expr.has(sympy.Derivative):
                sides.append((side, element, expr))
    if not sides:
        return AutodiffResult("not applicable", message="the step has no derivative")
    count = sum(len(expr.atoms(sympy.Derivative)) for _, _, expr in sides)
    derivatives = Derivatives(evaluations, sides)
    try:
        env = {key(s): v for s, v in sample.floats.items()}
        env[BATCH] = np.zeros(len(sample.points))  # gives vmap its batch size when no symbol does
        values = [np.asarray(jax.vmap(to_jax(expr))(env)) for _, _, expr in sides]
    except Untranslatable as error:
        return AutodiffResult(
            "error", count, message=str(error), seconds=time.perf_counter() - start
        )
    compared = limited = 0
    worst = 0.0
    for (side, element, _), column in zip(sides, values):
        for index, pairs in enumerate(evaluations.finer):
            if pairs is None:
                continue
            value = float(column[index])
            own, other = pairs[element][side], pairs[element][1 - side]
            against_other = relative(value, other)
            if against_other > RELATIVE_TOLERANCE_FLOAT64:  # the exact values, beyond doubt
                precise = evaluate(evaluations.fn, sample, index, RECHECK_DIGITS, evaluations.count)
                if precise is not None:
                    own, other = precise[element][side], precise[element][1 - side]
                    against_other = relative(value, other)
            if against_other <= RELATIVE_TOLERANCE_FLOAT64:
                compared += 1
                worst = max(worst, against_other)
                continue
            if not np.isfinite(value) or relative(value, own) > RELATIVE_TOLERANCE_FLOAT64:
                corroborated = derivatives.agree(side, element, index)
                if corroborated is None:
                    limited += 1
                else:
                    compared += 1
                    worst = max(worst, corroborated)
                continue
            lhs, rhs = (value, other) if side == 0 else (other, value)
            example = Counterexample(
                point_of(sample, index, prepared.shown),
                shown(lhs),
                shown(rhs),
                against_other,
                prepared.position(element),
                17,
                "autodiff",
            )
            return AutodiffResult(
                "refuted",
                count,
                compared + 1,
                limited,
                against_other,
                example,
                time.perf_counter() - start,
                f"JAX autodiff of the {'left' if side == 0 else 'right'}-hand side differs from "
                f"the other side by a relative {against_other:.3g}",
            )
    if compared == 0 or limited > compared:
        return AutodiffResult(
            "limited",
            count,
            0,
            limited,
            0.0,
            None,
            time.perf_counter() - start,
            f"float64 cannot represent {limited} of the {limited + compared} values (overflow, "
            "or JAX and SymPy disagree on a derivative); narrow the domain to where float64 holds",
        )
    return AutodiffResult(
        "agree", count, compared, limited, worst, None, time.perf_counter() - start
    )


class Derivatives:
    """Each derivative of a side on its own, JAX against SymPy's, where float64 cannot represent
    the side as a whole (a cancellation around the derivative: d/dx (1 + x)² − 2 at x = 1e-19).

    The side's value is the numeric check's business; what autodiff adds is an independent
    differentiation, and that is checked as well derivative by derivative.
    """

    def __init__(self, evaluations: Evaluations, sides):
        self.evaluations = evaluations
        self.units = {(side, element): outermost(expr) for side, element, expr in sides}
        self.checks: dict = {}

    def agree(self, side: int, element: int, index: int) -> float | None:
        """The worst relative error of the side's derivatives at a point, None unless every one
        is within the tolerance of its exact value (the point then stays float64-limited)."""
        units = self.units[(side, element)]
        if (side, element) not in self.checks:
            self.checks[(side, element)] = self.compile(units)
        compiled = self.checks[(side, element)]
        if compiled is None:
            return None
        fn, columns = compiled
        at = self.evaluations.sample.at_precision
        try:  # the exact values must have settled: they can cancel too at the first digits
            coarse = fn(at(index, RECHECK_DIGITS // 2), RECHECK_DIGITS // 2)
            exact = fn(at(index, RECHECK_DIGITS), RECHECK_DIGITS)
        except InputError:
            return None
        if coarse is None or exact is None:
            return None
        worst = 0.0
        for column, rough, value in zip(columns, coarse, exact):
            with mpmath.workdps(RECHECK_DIGITS):
                if abs(rough - value) > SETTLED * abs(value):  # 0 settles only as exactly 0
                    return None
            worst = max(worst, relative(float(column[index]), value))
        return worst if worst <= RELATIVE_TOLERANCE_FLOAT64 else None

    def compile(self, units):
        """An mpmath function of the derivatives carried out by SymPy, and JAX's values."""
        if not units:
            return None
        sample = self.evaluations.sample
        try:
            done = [carry_out(u, "derivative") for u in units]
            env = {key(s): v for s, v in sample.floats.items()}
            env[BATCH] = np.zeros(len(sample.points))
            columns = [np.asarray(jax.vmap(to_jax(u))(env)) for u in units]
            return MpFunction(sample.symbols, done), columns
        except (InputError, Untranslatable):
            return None


def outermost(expr) -> list:
    """The derivatives of expr not inside another (a Subs around one counts as one)."""
    found = []

    def walk(e):
        if isinstance(e, sympy.Derivative) or (
            isinstance(e, sympy.Subs) and e.has(sympy.Derivative)
        ):
            if e not in found:
                found.append(e)
            return
        for a in e.args:
            walk(a)

    walk(expr)
    return found


def relative(value: float, exact) -> float:
    if not np.isfinite(value):
        return float("inf")
    with mpmath.workdps(30):
        scale = max(abs(mpmath.mpf(value)), abs(exact))
        return float(abs(mpmath.mpf(value) - exact) / scale) if scale else 0.0


def shown(value) -> str:
    return (
        mpmath.nstr(mpmath.mpf(value), SHOWN_DIGITS)
        if not isinstance(value, float)
        else repr(value)
    )


def point_of(sample, index, names):
    floats = sample.floats
    return tuple((s.name, repr(float(floats[s][index]))) for s in sample.symbols if s in names)
