"""The autodiff check: every side with a derivative is evaluated by JAX in float64 and compared
with the high-precision value of the other side.

Where JAX's float64 value also misses the high-precision value of its own side, float64 cannot
represent the comparison (overflow, large logits): that point is reported as float64-limited,
never as a refutation.
"""

from __future__ import annotations

import time

import mpmath
import numpy as np
import sympy

from ..results import AutodiffResult, Counterexample, Slice
from .mpeval import MpFunction
from .numeric import MAX_DIGITS, SHOWN_DIGITS, Evaluations, evaluate
from .prepare import InputError
from .prepare import evaluate as carry_out
from .slices import line_through

# JAX is imported (a second or more) with the translation, by the first side with a derivative:
# a worker whose claims have none never imports it.

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
    from .translate import Untranslatable, at_points_all

    derivatives = sum(len(expr.atoms(sympy.Derivative)) for _, _, expr in sides)
    count = len(sample.points)
    line = plot_line(evaluations)
    separately = Derivatives(evaluations, sides)
    try:
        # The line's points ride along in the same batch: one JAX trace serves both.
        env = environment(sample, line[2] if line else None)
        size = len(env[BATCH])
        values = at_points_all([expr for _, _, expr in sides], env, size)
    except Untranslatable as error:
        return AutodiffResult(
            "error", derivatives, message=str(error), seconds=time.perf_counter() - start
        )
    curve = slice_of(evaluations, sides, values, line, env) if line else None
    values = [column[:count] for column in values]
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
            if not (is_real(own) and is_real(other)):  # float64 has no complex value to match
                limited += 1
                continue
            if against_other <= RELATIVE_TOLERANCE_FLOAT64:
                compared += 1
                worst = max(worst, against_other)
                continue
            if not np.isfinite(value) or relative(value, own) > RELATIVE_TOLERANCE_FLOAT64:
                corroborated = separately.agree(side, element, index)
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
                derivatives,
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
            derivatives,
            0,
            limited,
            0.0,
            None,
            time.perf_counter() - start,
            f"float64 cannot represent {limited} of the {limited + compared} values (overflow, "
            "or JAX and SymPy disagree on a derivative); narrow the domain to where float64 holds",
        )
    return AutodiffResult(
        "agree",
        derivatives,
        compared,
        limited,
        worst,
        None,
        time.perf_counter() - start,
        slice=curve,
    )


def environment(sample, line_sample=None) -> dict:
    """{key(symbol): values} over the sampled points, then the line's points if any."""
    from .translate import key

    env = {key(s): v for s, v in sample.floats.items()}
    if line_sample is not None:
        extra = line_sample.floats
        env = {key(s): np.concatenate([env[key(s)], extra[s]]) for s in sample.floats}
    size = len(next(iter(env.values()))) if env else len(sample.points)
    env[BATCH] = np.zeros(size)  # the number of points, also where no symbol is sampled
    return env


def plot_line(evaluations: Evaluations):
    """A line through the first valid sampled point, along which the report plots the step."""
    first = next((i for i, pairs in enumerate(evaluations.finer) if pairs is not None), None)
    if first is None or not evaluations.domains:
        return None
    line = line_through(evaluations.sample, first, evaluations.domains, evaluations.prepared)
    return None if line is None else (*line, first)


def slice_of(evaluations: Evaluations, sides, values, line, env) -> Slice | None:
    """The first derivative side against the other side of its element, along `line`."""
    from .translate import Untranslatable, at_points

    symbol, points, _, first = line
    prepared, sample = evaluations.prepared, evaluations.sample
    count = len(sample.points)
    side, element, _ = sides[0]
    found = {(s, e): column[count:] for (s, e, _), column in zip(sides, values)}
    if (1 - side, element) not in found:
        other = (prepared.lhs_expanded, prepared.rhs_expanded)[1 - side][element]
        try:
            line_env = {k: v[count:] for k, v in env.items()}
            column = at_points(other, line_env, len(points))
        except Untranslatable:
            return None
        found[(1 - side, element)] = np.broadcast_to(column, (len(points),))
    methods = [
        "JAX autodiff" if exprs[element].has(sympy.Derivative) else "JAX float64"
        for exprs in (prepared.lhs_expanded, prepared.rhs_expanded)
    ]
    return Slice(
        symbol.name,
        points,
        tuple(float(v) for v in found[(0, element)]),
        tuple(float(v) for v in found[(1, element)]),
        *methods,
        float(sample.points[first][sample.independent.index(symbol)]),
        prepared.position(element),
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
        from .translate import Untranslatable, at_points, key

        if not units:
            return None
        sample = self.evaluations.sample
        try:
            done = [carry_out(u, "derivative") for u in units]
            env = {key(s): v for s, v in sample.floats.items()}
            env[BATCH] = np.zeros(len(sample.points))
            columns = [at_points(u, env, len(sample.points)) for u in units]
            return MpFunction(sample.symbols, done), columns
        except (InputError, Untranslatable):
            return None


def outermost(expr) -> list:
    """The derivatives of expr not inside another (a Subs around one counts as one)."""
    found = []
    seen = set()  # a shared subexpression is walked once

    def walk(e):
        if e in seen:
            return
        seen.add(e)
        if isinstance(e, sympy.Derivative) or (
            isinstance(e, sympy.Subs) and e.has(sympy.Derivative)
        ):
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


def is_real(value) -> bool:
    return not isinstance(value, mpmath.mpc) or value.imag == 0


def shown(value) -> str:
    return (
        mpmath.nstr(mpmath.mpf(value), SHOWN_DIGITS)
        if not isinstance(value, float)
        else repr(value)
    )


def point_of(sample, index, names):
    floats = sample.floats
    return tuple((s.name, repr(float(floats[s][index]))) for s in sample.symbols if s in names)
