"""The candidate corrections of a wrong line: the mutation operators run backwards.

Each slip of `derivcheck.mutation.mutants` has an edit that undoes it: a sign flipped back, a
factor or a term put back (taken from the line itself), an exponent or a constant moved by one,
a symbol or an index written for another of its kind, σ(−t) for σ(t), a near-miss constant
made simple. Every edit is tried at one place, and, where the part it changes occurs more than
once in the side, at every place at once (e^{-x} → e^{x} twice is one slip). An edit changes
the left side, the right side, or both (the same change on each).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import sympy
from sympy import Indexed, KroneckerDelta, Sum

from ..functions import sigmoid
from ..indices.model import IndexedClaim
from ..mutation.mutants import indexed_sites, kind_of, nodes, replace_site, terms
from ..values import sympy_value

THROUGHOUT = "throughout"
POOL = 12  # factors and terms taken from the line, at most this many of each
SIMPLE_DENOMINATOR = 12  # a constant such as 1000000001/1000000000 is tried as 1
ODD_DENOMINATOR = 4  # a coefficient 11/10 throughout a side is tried divided out
# The kinds of edit, the commonest slips first (the order ties are broken in).
KINDS = (
    "sign",
    "swap",
    "sum",
    "exponent",
    "constant",
    "sigmoid",
    "drop-factor",
    "add-factor",
    "drop-term",
    "add-term",
)


@dataclass(frozen=True)
class Edit:
    """One change of a side: `before` written where `after` was meant, at `places` places."""

    kind: str
    side: str  # "lhs", "rhs" or "both"
    before: sympy.Expr
    after: sympy.Expr
    places: int = 1
    text: str = ""  # THROUGHOUT for two symbols exchanged throughout the side
    path: tuple | None = None  # where in the side, for an edit at one place

    def rank(self, lhs_first: bool = False) -> tuple:
        """Where an edit comes in the ranking: the right side first (in a chain the left side
        is the line before's right side), or the left side when that line is wrong too (its
        slip is carried); then the commoner slip (KINDS), one place before every place, and a
        small changed part before a large one."""
        sides = ("lhs", "rhs", "both") if lhs_first else ("rhs", "lhs", "both")
        return (
            sides.index(self.side),
            KINDS.index(self.kind),
            self.places > 1,
            sympy.count_ops(self.before) + sympy.count_ops(self.after),
        )


@dataclass(frozen=True)
class Candidate:
    edit: Edit
    lhs: object
    rhs: object


def candidates(claim, lhs_first: bool = False):
    """Every single-edit variant of `claim`'s sides, each once, in the order of `Edit.rank`:
    made one side and one kind of edit at a time, so a search that runs out of time has not
    paid for the edits it never reached."""
    lhs, rhs = sympy_value(claim.lhs), sympy_value(claim.rhs)
    context = claim.context if isinstance(claim, IndexedClaim) else None
    pool = Pool.of(lhs, rhs)
    seen = {(lhs, rhs)}
    on_both = []

    def fresh(candidate):
        key = (candidate.lhs, candidate.rhs)
        if key in seen or any(v.has(sympy.zoo, sympy.nan) for v in key):
            return False
        seen.add(key)
        return True

    for side in ("lhs", "rhs") if lhs_first else ("rhs", "lhs"):
        expr, other = (lhs, rhs) if side == "lhs" else (rhs, lhs)
        for kind in KINDS:
            group = []
            for edit, new in side_edits(expr, side, pool, context, kind):
                group.append(Candidate(edit, *((new, rhs) if side == "lhs" else (lhs, new))))
                if edit.text or not other.has(edit.before):
                    continue
                both = replaced(other, edit.before, edit.after)  # the same slip on both sides
                if both is not None and both != other:
                    changed = Edit(edit.kind, "both", edit.before, edit.after, edit.places)
                    pair = (new, both) if side == "lhs" else (both, new)
                    on_both.append(Candidate(changed, *pair))
            group.sort(key=lambda c: c.edit.rank(lhs_first))
            yield from filter(fresh, group)
    on_both.sort(key=lambda c: c.edit.rank(lhs_first))
    yield from filter(fresh, on_both)


@dataclass(frozen=True)
class Pool:
    """What the line itself offers to put back: its factors, its terms and its symbols."""

    factors: tuple
    terms: tuple
    symbols: tuple

    @property
    def atoms(self) -> tuple:
        """The terms that are a number or a symbol (the 1 of 1 − y): what a two-term sum most
        often loses."""
        return tuple(t for t in self.terms if t.is_Number or isinstance(t, (sympy.Symbol, Indexed)))

    @classmethod
    def of(cls, *sides):
        factors, added, symbols = {}, {}, {}
        for side in sides:
            for _, node in nodes(side):
                if isinstance(node, sympy.Mul):
                    factors.update(dict.fromkeys(a for a in node.args if not a.is_Number))
                if isinstance(node, sympy.Add):
                    added.update(dict.fromkeys(node.args))
            symbols.update(dict.fromkeys(sorted(side.free_symbols, key=str)))
            symbols.update(dict.fromkeys(sorted(derivative_variables(side), key=str)))
        factors.update(dict.fromkeys([*symbols, sympy.Integer(2)]))
        return cls(tuple(factors)[:POOL], tuple(added)[:POOL], tuple(symbols))


def derivative_variables(expr) -> set:
    return {v for d in expr.atoms(sympy.Derivative) for v in d.variables}


def side_edits(expr, side, pool: Pool, context, wanted: str):
    """(edit, new side) for every edit of one kind of one side."""
    for kind, path, old, new in sites(expr, pool, context):
        if kind != wanted:
            continue
        yield Edit(kind, side, old, new, path=path), replace_site(expr, path, new)
        count = occurrences(expr, old)
        if count > 1:
            everywhere = replaced(expr, old, new)
            if everywhere is not None and everywhere != expr:
                yield Edit(kind, side, old, new, count), everywhere
    if wanted == "swap":
        for a, b, new in throughout(expr, pool):
            yield Edit("swap", side, a, b, 1, THROUGHOUT), new


def replaced(expr, old, new):
    """`old` replaced by `new` everywhere in `expr`; None if SymPy refuses (d/d(−y))."""
    try:
        return expr.xreplace({old: new})
    except (ValueError, TypeError):
        return None


def occurrences(expr, part) -> int:
    return sum(1 for node in sympy.preorder_traversal(expr) if node == part)


def sites(expr, pool: Pool, context):
    """(kind, path, old subtree, new subtree) for every one-place edit."""
    for path, node in nodes(expr):
        yield from node_edits(path, node, pool, parent_of(expr, path))
    for path, term, total in terms(expr):
        rest = sympy.Add(*[a for a in total.args if a is not term])
        yield "drop-term", path[:-1], total, rest
    yield from symbol_edits(expr, pool)
    if context is not None:
        yield from index_edits(expr, context)


def node_edits(path, node, pool: Pool, parent=None):
    symbol = isinstance(node, sympy.Symbol) and not node.is_integer
    if node.could_extract_minus_sign() or symbol or isinstance(node, Indexed):
        yield "sign", path, node, -node
    # a term put back: into a sum, or where a two-term sum lost one (a factor, a base, an
    # argument, the side)
    lost = not path or not isinstance(parent, sympy.Add)
    if isinstance(node, sympy.Add) or lost:
        for term in pool.terms if isinstance(node, sympy.Add) else pool.atoms:
            for signed in (term, -term):
                if signed not in sympy.Add.make_args(node):
                    yield "add-term", path, node, node + signed
    if isinstance(node, sympy.Mul):
        for factor in node.args:
            if factor != -1:
                rest = sympy.Mul(*[a for a in node.args if a is not factor])
                yield "drop-factor", path, node, rest
    if not path or isinstance(node, (sympy.Add, sympy.Mul, sympy.Pow, sympy.exp, sigmoid)):
        for factor in pool.factors:
            yield "add-factor", path, node, factor * node
    if isinstance(node, sympy.Pow):
        base, power = node.args
        for step in (1, -1):
            yield "exponent", path, node, sympy.Pow(base, power + step)
    elif isinstance(node, sympy.exp):
        for step in (1, -1):
            yield "exponent", path, node, sympy.exp(node.args[0] + step)
    if isinstance(node, sympy.Add) or not path:
        for scale in odd_coefficients(node):  # (1 + 10^-k)(a + b), distributed by SymPy
            yield "constant", path, node, node / scale
    if isinstance(node, sympy.Rational):
        for step in (1, -1):
            yield "constant", path, node, node + step
        if not node.is_Integer:
            simple = Fraction(int(node.p), int(node.q)).limit_denominator(SIMPLE_DENOMINATOR)
            yield "constant", path, node, sympy.Rational(simple.numerator, simple.denominator)
            yield "constant", path, node, sympy.Integer(round(node))
    if isinstance(node, sigmoid):
        (t,) = node.args
        yield "sigmoid", path, node, sigmoid(-t)
        yield "sigmoid", path, node, 1 - sigmoid(t)


def parent_of(expr, path):
    if not path:
        return None
    for index in path[:-1]:
        expr = expr.args[index]
    return expr


def odd_coefficients(expr) -> list:
    """The coefficients of the expression's terms that are no simple fraction (11/10, 1 + 10⁻⁹),
    each once, made positive."""
    found = {}
    for term in sympy.Add.make_args(expr):
        coefficient, _ = term.as_coeff_Mul()
        if isinstance(coefficient, sympy.Rational) and coefficient.q > ODD_DENOMINATOR:
            found[abs(coefficient)] = None
    return list(found)


def symbol_edits(expr, pool: Pool):
    """One symbol written for another of its kind (y for ŷ), at one place; a derivative's
    variable too (dL/dy for dL/dŷ)."""
    for path, node in nodes(expr):
        if isinstance(node, sympy.Derivative):
            for position, variable in enumerate(node.variables):
                for other in same_kind(variable, pool):
                    yield "swap", (*path, ("var", position)), variable, other
        elif isinstance(node, sympy.Symbol):
            for other in same_kind(node, pool):
                yield "swap", path, node, other


def same_kind(symbol, pool: Pool) -> list:
    if not isinstance(symbol, sympy.Symbol) or symbol.is_integer:
        return []
    return [s for s in pool.symbols if s != symbol and kind_of(s) == kind_of(symbol)]


def throughout(expr, pool: Pool):
    """Two symbols of one kind exchanged throughout the side (z_0 ↔ z_1)."""
    mine = [s for s in pool.symbols if s in expr.free_symbols | derivative_variables(expr)]
    for i, a in enumerate(mine):
        for b in mine[i + 1 :]:
            if kind_of(a) == kind_of(b) and not a.is_integer:
                yield a, b, expr.xreplace({a: b, b: a})


def index_edits(expr, context):
    """For a line written for a symbolic K: a free index written for another (ŷ_k for ŷ_m), a
    base for another of its shape (y for ŷ), and a sum written where one of its terms was meant
    (Σ_{n≠m} ŷ_n for ŷ_m)."""
    shapes = {str(b): b for b in context.shapes}
    for path, node, bound in indexed_sites(expr):
        for position, index in enumerate(node.indices):
            if index in bound or index not in context.ranges:
                continue
            for other in sorted(context.ranges, key=str):
                if other != index and other not in bound:
                    if context.ranges[other] == context.ranges[index]:
                        indices = list(node.indices)
                        indices[position] = other
                        yield "swap", path, node, node.base[tuple(indices)]
        mine = context.shapes.get(shapes.get(str(node.base.label)))
        for name, base in sorted(shapes.items()):
            if name != str(node.base.label) and context.shapes[base] == mine:
                yield "swap", path, node, base[node.indices]
    for path, node in nodes(expr):
        if isinstance(node, Sum) and len(node.limits) == 1:
            for term in one_term(node, context):
                yield "sum", path, node, term


def one_term(total: Sum, context) -> list:
    (j, low, high), body = total.limits[0], total.function
    if low != 1:
        return []
    factors = sympy.Mul.make_args(body)
    kept = [
        f
        for f in factors
        if not (isinstance(f, sympy.Add) and f.has(KroneckerDelta) and j in f.free_symbols)
    ]
    body = sympy.Mul(*kept)  # Σ_{j≠m} f(j): its term f(m)
    return [
        body.xreplace({j: index})
        for index in sorted(context.ranges, key=str)
        if context.ranges[index] == high and index != j
    ]
