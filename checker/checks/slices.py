"""Lines through the domain along which the checks record both sides, for the report's plots."""

from __future__ import annotations

from dataclasses import replace

import sympy

from .domains import Sample
from .prepare import Prepared

SLICE_POINTS = 40  # values along a line: enough for a smooth curve, cheap next to the checks


def line_symbol(sample: Sample, prepared: Prepared):
    """The symbol a line varies: a variable of a derivative, else one of the claim's own."""
    independent = set(sample.independent)
    by = {
        v
        for e in (*prepared.lhs_expanded, *prepared.rhs_expanded)
        for d in e.atoms(sympy.Derivative)
        for v in d.variables
    }
    for candidates in (by, prepared.shown, independent):
        found = sorted(independent & set(candidates), key=lambda s: s.name)
        if found:
            return found[0]
    return None


def line_through(sample: Sample, index: int, domains, prepared: Prepared):
    """(symbol, its values, a Sample of the line's points) through point `index`, or None."""
    symbol = line_symbol(sample, prepared)
    if symbol is None or symbol not in domains:
        return None
    low, high = (float(v) for v in domains[symbol])
    values = tuple(low + (high - low) * (i + 0.5) / SLICE_POINTS for i in range(SLICE_POINTS))
    column = sample.independent.index(symbol)
    base = sample.points[index]
    points = tuple((*base[:column], v, *base[column + 1 :]) for v in values)
    return symbol, values, replace(sample, points=points)
