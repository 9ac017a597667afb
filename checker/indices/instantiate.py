"""A symbolic-K claim at concrete sizes: the second, independent check.

Sums are written out term by term (by our own loop, not SymPy's `doit`), indexed symbols become
plain symbols (z[3] → z3, W[2, 1] → W2_1), and every value of the free indices becomes one entry
of a column, so the existing numeric and autodiff checks see an ordinary claim.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import sympy
from sympy import Indexed, Sum

from ..model import Claim, Context
from . import rules
from .model import IndexContext, IndexedClaim
from .rules import free_indices

MIN_INSTANCES = 3
MAX_ENTRIES = 1  # values of the free indices checked per instance and pattern, drawn at random


def choose_sizes(context: IndexContext, seed: int) -> list[dict]:
    """At least three assignments of the sizes, the first size taking distinct values.

    Every size is spread the same way (distinct values where its range allows, in increasing
    order), so the last instance has every size at its largest drawn value: with D drawn 1
    three times, a slip visible only at an index d > 1 (a factor d, say) would never be seen.
    """
    rng = random.Random(seed)
    sizes = list(context.sizes)
    if not sizes:
        return [{}]
    first, *others = sizes
    low, high = context.sizes[first]
    values = list(range(low, high + 1))
    chosen = sorted(rng.sample(values, min(MIN_INSTANCES, len(values))))
    spread = {s: spread_values(context.sizes[s], len(chosen), rng) for s in others}
    return [
        {first: v, **{s: spread[s][position] for s in others}} for position, v in enumerate(chosen)
    ]


def spread_values(bounds, count: int, rng: random.Random) -> list[int]:
    """`count` values in `bounds`, increasing, distinct where there are enough, the largest
    of the range among them."""
    low, high = bounds
    values = list(range(low, high + 1))
    picked = [high, *rng.sample(values[:-1], min(count - 1, len(values) - 1))]
    while len(picked) < count:
        picked.append(rng.choice(values))
    return sorted(picked)


def label(values: dict) -> str:
    return ", ".join(f"{s}={v}" for s, v in values.items())


def instances(claim: IndexedClaim, seed: int) -> tuple[Claim, ...]:
    """The claim at seeded sizes: a random entry per pattern of its free indices, and at the
    largest sizes the last entry (every free index at its largest value) instead."""
    rng = random.Random(seed + 1)
    chosen = choose_sizes(claim.context, seed)
    return tuple(
        concrete(claim, values, rng, last=position == len(chosen) - 1)
        for position, values in enumerate(chosen)
    )


def concrete(
    claim: IndexedClaim, values: dict, rng: random.Random | None = None, last: bool = False
) -> Claim:
    """The claim at sizes `values`, one entry per value of its free indices (a random few;
    with `last`, the last of each pattern: the free indices at their largest values)."""
    context = claim.context
    lhs, rhs = sympy.sympify(claim.lhs), sympy.sympify(claim.rhs)
    used = (free_indices(lhs) | free_indices(rhs)) & set(context.ranges)
    free = [i for i in context.ranges if i in used]
    apart = {frozenset(p) for p in context.distinct}
    points = []
    for point in itertools.product(*[range(1, values[context.ranges[i]] + 1) for i in free]):
        assignment = dict(zip(free, point))
        if any(len({assignment.get(a, a), assignment.get(b, b)}) == 1 for a, b in apart):
            continue  # k ≠ m: the entries with k = m are not claimed
        points.append(assignment)
    if rng is not None:  # a few at random, but every pattern (k = m, k ≠ m) is represented
        patterns: dict[tuple, list] = {}
        for assignment in points:
            patterns.setdefault(pattern(assignment), []).append(assignment)
        points = sorted(
            (
                a
                for group in patterns.values()
                for a in (
                    group[-MAX_ENTRIES:]
                    if last
                    else rng.sample(group, min(MAX_ENTRIES, len(group)))
                )
            ),
            key=lambda a: tuple(a.values()),
        )
    entries = [
        tuple(written_out(side, {**values, **assignment}) for side in (lhs, rhs))
        for assignment in points
    ]
    at = concrete_context(context, values)
    if len(entries) == 1 and not free:
        lhs_c, rhs_c = entries[0]
    else:
        lhs_c = sympy.Matrix([e[0] for e in entries])
        rhs_c = sympy.Matrix([e[1] for e in entries])
        at = replace(at, entries=tuple(label(a) for a in points))  # row i: these index values
    return Claim(lhs_c, rhs_c, at)


def pattern(assignment: dict) -> tuple:
    """Which free indices share a value: (0, 0) for k = m, (0, 1) for k ≠ m."""
    first: dict = {}
    return tuple(first.setdefault(v, len(first)) for v in assignment.values())


def written_out(expr, values: dict):
    """`expr` with sizes and indices given values, sums written out and indexed symbols plain."""
    expr = rules.fresh_bound(expr)  # a free k given a value must not hit a summation index k
    expr = expr.xreplace({k: sympy.Integer(v) for k, v in values.items()})
    return plain(expand_sums(expr))


def expand_sums(expr):
    if isinstance(expr, Sum):
        (j, low, high) = expr.limits[0]
        body = expand_sums(expr.function)
        return sympy.Add(*[body.xreplace({j: sympy.Integer(v)}) for v in range(low, high + 1)])
    if not expr.args or isinstance(expr, Indexed):
        return expr
    return expr.func(*[expand_sums(a) for a in expr.args])


def symbol_for(base, indices) -> sympy.Symbol:
    return sympy.Symbol(f"{base}" + "_".join(str(i) for i in indices), real=True)


def plain(expr):
    """Indexed symbols at integer indices as plain real symbols."""
    return expr.replace(
        lambda e: isinstance(e, Indexed) and all(i.is_Integer for i in e.indices),
        lambda e: symbol_for(e.base, e.indices),
    )


def concrete_context(context: IndexContext, values: dict) -> Context:
    definitions, domains, given = {}, {}, []
    for base, (dummies, body) in context.definitions.items():
        for point in every_index(base, context, values):
            target = symbol_for(base, point) if dummies else base
            definitions[target] = written_out(body.xreplace(dict(zip(dummies, point))), values)
    for base, interval in context.domains.items():
        at_sizes = tuple(
            float(sympy.sympify(v).xreplace({s: sympy.Integer(n) for s, n in values.items()}))
            for v in interval
        )
        for point in every_index(base, context, values):
            domains[symbol_for(base, point) if point else base] = at_sizes
    for unit in context.unit_sums:
        shape = list(context.shapes[unit.base])
        del shape[unit.slot]
        for others in itertools.product(*[range(1, values[s] + 1) for s in shape]):
            terms = []
            for j in range(1, values[unit.size] + 1):
                indices = list(others)
                indices.insert(unit.slot, j)
                terms.append(symbol_for(unit.base, indices))
            given.append(sympy.Eq(sympy.Add(*terms), 1))
    return Context(domains, definitions, tuple(given), label(values), symbolic=False)


def every_index(base, context: IndexContext, values: dict):
    """Every index tuple of `base` at these sizes; [()] for a scalar."""
    shape = context.shapes.get(base, ())
    return list(itertools.product(*[range(1, values[s] + 1) for s in shape]))
