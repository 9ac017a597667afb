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

from .numeric import MAX_DIGITS, SHOWN_DIGITS, Evaluations, evaluate
from .results import AutodiffResult, Counterexample, Slice
from .slices import line_through
from .translate import Untranslatable, key, to_jax

RELATIVE_TOLERANCE_FLOAT64 = 1e-9  # autodiff against the exact value, relative
RECHECK_DIGITS = MAX_DIGITS // 4  # exact values a float64 mismatch is judged against
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
    derivatives = sum(len(expr.atoms(sympy.Derivative)) for _, _, expr in sides)
    count = len(sample.points)
    line = plot_line(evaluations)
    try:
        # The line's points ride along in the same batch: one JAX trace serves both.
        env = environment(sample, line[2] if line else None)
        values = [np.asarray(jax.vmap(to_jax(expr))(env)) for _, _, expr in sides]
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
            if against_other <= RELATIVE_TOLERANCE_FLOAT64:
                compared += 1
                worst = max(worst, against_other)
                continue
            if not np.isfinite(value) or relative(value, own) > RELATIVE_TOLERANCE_FLOAT64:
                limited += 1
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
    env = {key(s): v for s, v in sample.floats.items()}
    if line_sample is not None:
        extra = line_sample.floats
        env = {key(s): np.concatenate([env[key(s)], extra[s]]) for s in sample.floats}
    size = len(next(iter(env.values()))) if env else len(sample.points)
    env[BATCH] = np.zeros(size)  # gives vmap its batch size when no symbol does
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
    symbol, points, _, first = line
    prepared, sample = evaluations.prepared, evaluations.sample
    count = len(sample.points)
    side, element, _ = sides[0]
    found = {(s, e): column[count:] for (s, e, _), column in zip(sides, values)}
    if (1 - side, element) not in found:
        other = (prepared.lhs_expanded, prepared.rhs_expanded)[1 - side][element]
        try:
            line_env = {k: v[count:] for k, v in env.items()}
            column = np.asarray(jax.vmap(to_jax(other))(line_env), dtype=np.float64)
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
