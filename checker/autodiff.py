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
from .results import AutodiffResult, Counterexample
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
    try:
        env = {key(s): v for s, v in sample.floats.items()}
        env[BATCH] = np.zeros(len(sample.points))  # gives vmap its batch size when no symbol does
        values = [np.asarray(jax.vmap(to_jax(expr))(env)) for _, _, expr in sides]
    except Untranslatable as error:
        return AutodiffResult(
            "error", derivatives, message=str(error), seconds=time.perf_counter() - start
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
        "agree", derivatives, compared, limited, worst, None, time.perf_counter() - start
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
