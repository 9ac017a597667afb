"""The cheap filter before a proof: do a candidate's sides agree at a few points?

The independent high-precision comparison of the mutation harness
(`derivcheck.mutation.equivalence`: definitions and derivatives by plain SymPy, side conditions
solved, both sides by plain mpmath at 60 digits), at a few points drawn once per line. Only a
candidate whose sides agree to a relative 1e-45 at every one of them goes on to be proved; an
undefined value is a disagreement. A line for a symbolic K is compared written out at one size.
"""

from __future__ import annotations

import itertools
import random

import mpmath
import sympy
from sympy import Indexed, Sum

from ..indices.instantiate import concrete_context, written_out
from ..indices.model import IndexedClaim
from ..model import Claim
from ..mutation.equivalence import (
    DEFAULT_INTERVAL,
    DRAWS_PER_POINT,
    draw,
    equivalence_sizes,
    expand,
    inside,
    solve_conditions,
)
from ..values import sympy_value

# Only a filter: a candidate that passes it must still be proved by SymPy to be suggested.
DIGITS = 60
AGREE = mpmath.mpf("1e-45")  # relative difference below which two values are the same
POINTS = 4
ZERO = mpmath.mpf("1e-50")  # a value this small at 60 digits is zero


class Screen:
    """Sampled points for one line's symbols, and each side's values there, cached."""

    def __init__(self, claim, seed: int, points: int = POINTS):
        self.indexed = isinstance(claim, IndexedClaim)
        self.claim = claim
        if self.indexed:
            self.sizes = equivalence_sizes(claim.context)[0]  # K = 3
            self.assignments = assignments(claim.context, self.sizes, random.Random(seed))
            claim = Claim(0, 0, concrete_context(claim.context, self.sizes))  # symbols, domains
        context = claim.context
        self.definitions = {s: sympy_value(v) for s, v in context.definitions.items()}
        self.solved = solve_conditions(context.given, self.definitions) or {}
        free = set()
        for value in self.definitions.values():
            free |= value.free_symbols
        for side in (claim.lhs, claim.rhs):
            free |= sympy_value(side).free_symbols
        free |= {s for value in self.solved.values() for s in value.free_symbols}
        free |= {s for s in context.domains if isinstance(s, sympy.Symbol)}
        self.symbols = sorted(free - set(self.definitions) - set(self.solved), key=str)
        self.dependents = sorted(self.solved, key=str)
        self.domains = {
            getattr(s, "name", str(s)): tuple(map(float, v)) for s, v in context.domains.items()
        }
        self.points = self.draw(random.Random(seed), points)
        self.values: dict = {}
        self.nodes: dict = {}
        self.written: dict = {}
        self.parts: dict = {}

    def draw(self, rng, count):
        bound = sympy.lambdify(
            self.symbols, [self.solved[d] for d in self.dependents], modules="mpmath"
        )
        found = []
        with mpmath.workdps(DIGITS):
            for _ in range(count * DRAWS_PER_POINT):
                if len(found) == count:
                    break
                point = [
                    mpmath.mpf(draw(rng, self.domains.get(s.name, DEFAULT_INTERVAL)))
                    for s in self.symbols
                ]
                if self.dependents and not inside(bound(*point), self.dependents, self.domains):
                    continue
                found.append(point)
        return found

    def entries(self, side) -> list:
        """A side as plain expressions: for a symbolic K, written out at the size, at each
        assignment of the free indices (cached: most candidates leave a side as it is)."""
        if not self.indexed:
            return [side]
        if side not in self.written:
            try:
                self.written[side] = [
                    self.written_part(sympy_value(side), position)
                    for position in range(len(self.assignments))
                ]
            except Exception:  # an index outside its range, say: no candidate
                self.written[side] = [sympy.nan]
        return self.written[side]

    def written_part(self, node, position: int):
        """`node` written out at the size and the `position`-th assignment, part by part: a sum,
        a derivative or an indexed symbol is written out whole (and kept, for the candidates
        that leave it as it is), anything else from its written-out arguments."""
        key = (node, position)
        if key not in self.parts:
            whole = isinstance(node, (Sum, sympy.Derivative, Indexed)) or not node.args
            if whole or not all(isinstance(a, sympy.Expr) for a in node.args):
                values = {**self.sizes, **self.assignments[position]}
                self.parts[key] = written_out(node, values)
            else:
                self.parts[key] = node.func(*[self.written_part(a, position) for a in node.args])
        return self.parts[key]

    def entry_values(self, entry):
        """One expression's values at the points; None where it is undefined, or uses what is
        not a sampled symbol."""
        key = sympy_value(entry)
        if key not in self.values:
            self.values[key] = self.evaluate(key)
        return self.values[key]

    def evaluate(self, entry):
        try:
            expanded = expand(entry, self.definitions).subs(self.solved)
            if not expanded.free_symbols <= set(self.symbols):
                return None
            with mpmath.workdps(DIGITS):
                values = self.tree_values(expanded)
            if not all(mpmath.isfinite(v) for v in values):
                return None
            return values
        except Exception:  # an edit can make a side SymPy or mpmath cannot evaluate: no candidate
            return None

    def tree_values(self, expr):
        """The expression's values at the points, node by node (nodes shared between candidates
        are computed once); lambdify only for a function the table does not have."""
        if expr in self.nodes:
            return self.nodes[expr]
        if expr.is_Symbol:
            at = self.symbols.index(expr)
            values = [point[at] for point in self.points]
        elif expr.is_Number:
            values = [mpmath.mpmathify(sympy.N(expr, DIGITS + 5))] * len(self.points)
        elif isinstance(expr, (sympy.Add, sympy.Mul, sympy.Pow)) or type(expr) in FUNCTIONS:
            args = [self.tree_values(a) for a in expr.args]
            combine = COMBINE.get(type(expr)) or FUNCTIONS[type(expr)]
            values = [combine(*column) for column in zip(*args)]
        else:
            fn = sympy.lambdify(self.symbols, expr, modules="mpmath")
            values = [mpmath.mpmathify(fn(*point)) for point in self.points]
        self.nodes[expr] = values
        return values

    def vanishes(self, side) -> bool:
        """Is the side zero at every point? (A correction never makes a side vanish: 0 · …, or
        a derivative by a symbol the expression does not hold, would make any line true.)"""
        for entry in self.entries(side):
            values = self.entry_values(entry)
            if values is None or any(abs(v) > ZERO for v in values):
                return False
        return True

    def agree(self, lhs, rhs) -> bool:
        """Do the sides agree at every point (every entry of the free indices, for a line for a
        symbolic K, written out at one size)?"""
        if not self.points:
            return False
        for left, right in zip(self.entries(lhs), self.entries(rhs)):
            a_values, b_values = self.entry_values(left), self.entry_values(right)
            if a_values is None or b_values is None:
                return False
            with mpmath.workdps(DIGITS):
                for a, b in zip(a_values, b_values):
                    scale = max(abs(a), abs(b))
                    if scale and abs(a - b) > AGREE * scale:
                        return False
        return True


def product(*factors):
    out = mpmath.mpf(1)
    for f in factors:
        out *= f
    return out


COMBINE = {
    sympy.Add: lambda *terms: mpmath.fsum(terms),
    sympy.Mul: product,
    sympy.Pow: lambda base, power: mpmath.power(base, power),
}
FUNCTIONS = {
    sympy.exp: mpmath.exp,
    sympy.log: mpmath.log,
    sympy.sin: mpmath.sin,
    sympy.cos: mpmath.cos,
    sympy.tan: mpmath.tan,
    sympy.sinh: mpmath.sinh,
    sympy.cosh: mpmath.cosh,
    sympy.tanh: mpmath.tanh,
    sympy.Abs: abs,
}


ASSIGNMENTS = 3  # values of the free indices a symbolic-K line is compared at


def assignments(context, sizes: dict, rng: random.Random) -> list[dict]:
    """A few values of every free index (k = m and k ≠ m both, where allowed), seeded."""
    indices = sorted(context.ranges, key=str)
    apart = {frozenset(p) for p in context.distinct}
    every = [
        dict(zip(indices, point))
        for point in itertools.product(*[range(1, sizes[context.ranges[i]] + 1) for i in indices])
    ]
    every = [a for a in every if not any(len({a[x], a[y]}) == 1 for x, y in map(tuple, apart))]
    if len(every) <= ASSIGNMENTS:
        return every
    patterns: dict = {}
    for a in every:
        patterns.setdefault(pattern(a), []).append(a)
    chosen = [rng.choice(group) for _, group in sorted(patterns.items())][:ASSIGNMENTS]
    rest = [a for a in every if a not in chosen]
    return chosen + rng.sample(rest, max(0, ASSIGNMENTS - len(chosen)))


def pattern(assignment: dict) -> tuple:
    """Which free indices share a value: (0, 0) for k = m, (0, 1) for k ≠ m."""
    first: dict = {}
    return tuple(first.setdefault(v, len(first)) for v in assignment.values())
