"""Points on either side of a claim's kinks, where random points almost never land.

A claim with |u|, sign(u), Heaviside(u), Max, Min or a Piecewise can be wrong only on a thin
set: ∂/∂f |1.0001·y − f| = −sign(y − f) fails only for f between y and 1.0001·y, which 20
random points miss almost surely (found by `make mutation` on the MAE derivation). So beside the
drawn points the numeric and autodiff checks also get, for each kink u = 0 of the claim, points
on both sides of it at relative distances 10⁻³, 10⁻⁸ and 10⁻¹³: a slip that moves the kink,
by any amount float64 can place a point in, puts one of them between the two kinks.

A kink is found along a sampled symbol u is linear in (the root is then exact); one nonlinear in
every symbol gets no extra points (the random ones still check it).
"""

from __future__ import annotations

from dataclasses import replace

import sympy

from .domains import Sample, strictly_inside

OFFSETS = (1e-3, 1e-8, 1e-13)  # relative distances from a kink, each on both sides
MAX_KINKS = 3  # kinks given points, per claim (the first, in a deterministic order)
KINK_FUNCTIONS = (sympy.Abs, sympy.sign, sympy.Heaviside)


def kink_arguments(exprs) -> list[sympy.Expr]:
    """The u of each kink u = 0 in exprs, in a deterministic order, without repeats."""
    found: dict[sympy.Expr, None] = {}
    for expr in exprs:
        for node in sympy.preorder_traversal(expr):
            if isinstance(node, KINK_FUNCTIONS):
                found[node.args[0]] = None
            elif isinstance(node, (sympy.Max, sympy.Min)) and len(node.args) >= 2:
                found[node.args[0] - node.args[1]] = None
            elif isinstance(node, sympy.Piecewise):
                for _, condition in node.args:
                    if isinstance(condition, sympy.core.relational.Relational):
                        found[condition.lhs - condition.rhs] = None
    return [u for u in found if u.free_symbols]


def with_kinks(sample: Sample, exprs, domains) -> Sample:
    """The sample with points beside each kink of exprs added after the drawn ones."""
    if not sample.points:
        return sample
    arguments = kink_arguments(exprs)[:MAX_KINKS]
    if not arguments:
        return sample
    base = dict(zip(sample.independent, sample.points[0]))
    added = []
    for u in arguments:
        u = sample.conditions.substitute(u)
        for symbol in sorted(u.free_symbols & set(sample.independent), key=lambda s: s.name):
            root = linear_root(u, symbol, base)
            if root is None or not strictly_inside(root, domains[symbol]):
                continue
            low, high = domains[symbol]
            scale = max(abs(root), 1e-2 * (high - low))
            for offset in OFFSETS:
                for value in (root - offset * scale, root + offset * scale):
                    point = {**base, symbol: value}
                    if strictly_inside(value, (low, high)) and inside(sample, point, domains):
                        added.append(tuple(point[s] for s in sample.independent))
            break
    return replace(sample, points=(*sample.points, *added)) if added else sample


def linear_root(u, symbol, base) -> float | None:
    """The value of `symbol` where u = 0, the other symbols at `base`, if u is linear in it."""
    slope = sympy.diff(u, symbol)
    if slope.has(symbol) or slope == 0:
        return None
    others = {s: sympy.Float(v, 30) for s, v in base.items() if s is not symbol}
    try:
        at_zero = complex(u.xreplace({**others, symbol: sympy.Integer(0)}).evalf(30))
        rate = complex(slope.xreplace(others).evalf(30))
    except Exception:  # SymPy's evalf on odd input: no root, so no extra points
        return None
    if at_zero.imag or rate.imag or rate.real == 0:
        return None
    return -at_zero.real / rate.real


def inside(sample: Sample, point, domains) -> bool:
    """Do the dependent symbols (side conditions) stay inside their domains at the point?"""
    for dependent, expr in sample.conditions.solved:
        try:
            value = float(expr.xreplace({s: sympy.Float(v, 30) for s, v in point.items()}))
        except (TypeError, ValueError):
            return False
        if dependent in domains and not strictly_inside(value, domains[dependent]):
            return False
    return True
