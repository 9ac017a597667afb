"""The proof for every K: derivatives by the rules, then the sums normalised, then scalar algebra.

A step is proved when lhs − rhs reduces to zero; the rules applied are the certificate. The rules
only prove: a residual that is not zero leaves the verdict to the concrete instances. SymPy does
the scalar algebra only once every sum is held as an atom (its sum handling is not trusted).
"""

from __future__ import annotations

import time

import sympy
from sympy import Indexed, Sum

from ..functions import EXPLICIT_FORMS
from ..values import sympy_value
from . import rules
from .derivative import eliminate
from .model import IndexContext, IndexedClaim, IndexProof, UnitSum
from .rules import NoRule, Trace, definition_of, free_indices, fresh_bound, zero_distinct
from .sums import cancelled, normalize, split_logs

MAX_CASE_SPLITS = 2


def prove(claim: IndexedClaim, splits: int = MAX_CASE_SPLITS) -> IndexProof:
    start = time.perf_counter()
    context = claim.context
    try:
        lhs, rhs = sympy_value(claim.lhs), sympy_value(claim.rhs)
        found = attempt(lhs, rhs, context, splits)
    except NoRule as error:
        return IndexProof("error", message=f"the index rules do not apply: {error}")
    proved, trace, strategy, residuals = found
    sizes = context.size_names()
    seconds = time.perf_counter() - start
    if proved:
        return IndexProof("proved", tuple(trace.uses), strategy, sizes=sizes, seconds=seconds)
    best = residuals[-1] if residuals else ("", sympy.S.Zero, Trace(), None)
    condition, confirmed, setting = holds_only_if(claim, residuals)
    return IndexProof(
        "not proved",
        tuple(best[2].uses),
        best[0],
        residual=shown(sympy.factor(best[1])),
        holds_only_if=condition,
        condition_proved=confirmed,
        condition=setting,
        sizes=sizes,
        message="the index rules leave a residual",
        seconds=time.perf_counter() - start,
    )


def attempt(lhs, rhs, context: IndexContext, splits: int):
    """(proved, trace, strategy, [(strategy, residual, trace)]) over the strategies in turn."""
    trace = Trace()
    lhs, rhs = explicit(lhs, trace), explicit(rhs, trace)
    difference = eliminate(lhs, context, trace) - eliminate(rhs, context, trace)
    distinct = zero_distinct(difference, context)
    if distinct != difference:
        trace.add(rules.DISTINCT)
    difference = distinct
    residuals = []
    for whole in (False, True):  # each sum's body term by term, then as one fraction
        for strategy, bases in strategies(context):
            attempt_trace = trace.fork()
            expanded = write_out(difference, bases, context, attempt_trace)
            if strategy:
                attempt_trace.add(rules.DEFINITION, f"write out {strategy}")
            if whole and not expanded.has(Sum):
                continue  # nothing a whole body changes
            scope = dict(context.ranges)
            normal = normalize(expanded, scope, context, attempt_trace, whole)
            normal = zero_distinct(normal, context)
            residual = scalar(normal, context, attempt_trace)
            attempt_trace.add(rules.SCALAR)
            if residual == 0:
                return True, attempt_trace, strategy, residuals
            if not whole:  # the residuals shown are those of the plain form
                residuals.append((strategy, residual, attempt_trace, normal))
    if splits > 0 and residuals:
        split = case_split(lhs, rhs, residuals[-1][3], context, splits, trace)
        if split is not None:
            return True, split, "cases", residuals
    return False, trace, "", residuals


def strategies(context: IndexContext):
    """Which shorthands to write out: none, then one layer more each time (L, then ŷ, then z)."""
    order = layers(context)
    yield "", ()
    for n in range(1, len(order) + 1):
        yield ", ".join(str(b) for b in order[:n]), tuple(order[:n])


def layers(context: IndexContext) -> list:
    """Defined bases, those no other definition uses first."""
    remaining = list(context.definitions)
    order = []
    while remaining:
        used = set()
        for base in remaining:
            _, body = context.definitions[base]
            used |= {a.base for a in body.atoms(Indexed)} | body.free_symbols
        top = [b for b in remaining if b not in used] or remaining[:1]
        order.extend(top)
        remaining = [b for b in remaining if b not in top]
    return order


def write_out(expr, bases, context: IndexContext, trace: Trace):
    """Substitute the definitions of `bases` wherever they occur, until none is left."""
    for _ in range(len(bases) + 1):
        atoms = [
            a
            for a in expr.atoms(Indexed, sympy.Symbol)
            if (a.base if isinstance(a, Indexed) else a) in bases
        ]
        if not atoms:
            return expr
        expr = expr.xreplace({a: definition_of(a, context) for a in atoms})
    return expr


def explicit(expr, trace: Trace):
    """`expr` with each named function (σ) in its explicit form, as the checks see it."""
    named = [f for f in expr.atoms(sympy.Function) if type(f) in EXPLICIT_FORMS]
    if not named:
        return expr
    trace.add(rules.EXPLICIT, ", ".join(sorted(str(f) for f in named))[:80])
    return expr.xreplace({f: EXPLICIT_FORMS[type(f)](*f.args) for f in named})


def scalar(expr, context: IndexContext | None = None, trace: Trace | None = None):
    """lhs − rhs with every sum held as an atom, e^u written as units, then cancelled. The log
    of a product of things known positive (`rules.positive`) is split first."""
    context = context or IndexContext()
    expr = split_logs(expr, context, trace)
    return cancelled(expr)


def case_split(lhs, rhs, normal, context: IndexContext, splits: int, trace: Trace):
    """Prove the claim for k = m and for k ≠ m, where a δ_km of two free indices is left."""
    deltas = [
        d
        for d in normal.atoms(sympy.KroneckerDelta)
        if all(a in context.ranges for a in d.args)
        and context.ranges[d.args[0]] == context.ranges[d.args[1]]
    ]
    lhs, rhs = fresh_bound(lhs), fresh_bound(rhs)  # k → m must not rename a summation index
    for delta in sorted(deltas, key=str):
        k, m = delta.args
        equal = attempt(lhs.xreplace({k: m}), rhs.xreplace({k: m}), context, splits - 1)
        if not equal[0]:
            continue
        apart = attempt(lhs, rhs, context.with_distinct(k, m), splits - 1)
        if not apart[0]:
            continue
        split = trace.fork()
        split.add(rules.CASES, f"{k} = {m} and {k} ≠ {m}")
        for case, found in ((f"case {k} = {m}", equal), (f"case {k} ≠ {m}", apart)):
            for use in found[1].uses[len(trace.uses) :]:
                split.add(f"{case}: {use.rule}", use.example)
        return split
    return None


def holds_only_if(claim: IndexedClaim, residuals) -> tuple[str, bool, IndexContext | None]:
    """A side condition that makes a residual zero (a given sum Σ_k y_k = 1, or k ≠ m), and
    whether the rules prove the step once it is added."""
    for _, residual, trace, _ in residuals:
        for delta in sorted(residual.atoms(sympy.KroneckerDelta), key=str):
            k, m = delta.args
            if not (k in claim.context.ranges and m in claim.context.ranges):
                continue
            if scalar(residual.xreplace({delta: sympy.S.Zero})) != 0:
                continue
            condition = claim.context.with_distinct(k, m)
            reproof = prove(IndexedClaim(claim.lhs, claim.rhs, condition))
            return f"holds only if {k} ≠ {m}", reproof.proved, condition
        for total in sorted(residual.atoms(Sum), key=str):
            unit = unit_candidate(total, claim.context, trace)
            if unit is None:
                continue
            if scalar(residual.xreplace({total: sympy.S.One})) != 0:
                continue
            condition = claim.context.with_unit_sum(unit)
            reproof = prove(IndexedClaim(claim.lhs, claim.rhs, condition))
            return f"holds only if {unit.text()}", reproof.proved, condition
    return "", False, None


def unit_candidate(total, context: IndexContext, trace: Trace) -> UnitSum | None:
    """Σ_j y_…j… over an input y (not a shorthand, not already given) as a side condition."""
    j, _, size, body = rules.outermost(total)
    if not isinstance(body, Indexed) or body.base in context.definitions:
        return None
    slots = [n for n, i in enumerate(body.indices) if i == j]
    if len(slots) != 1 or any(j in free_indices(i) for i in body.indices if i != j):
        return None
    if any(u.base == body.base and u.slot == slots[0] for u in context.unit_sums):
        return None
    shape = context.shapes.get(body.base, ())
    if size not in context.sizes or len(shape) != len(body.indices) or shape[slots[0]] != size:
        return None  # Σ_{k=1}^{m} y_k is a part of y's sum, not the whole: no condition
    name = str(trace.names.get(total, "k"))
    return UnitSum(body.base, slots[0], size, name, len(body.indices))


def shown(expr) -> str:
    return sympy.sstr(expr)[:300]
