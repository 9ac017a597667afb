"""Sums brought to a normal form by the rules: deltas summed out, constants pulled out, each
remaining sum a single product over a canonically named index (so equal sums compare equal)."""

from __future__ import annotations

import sympy
from sympy import Add, Indexed, Mul, Sum

from . import rules
from .model import IndexContext
from .rules import NoRule, Trace, free_indices


def normalize(expr, scope: dict, context: IndexContext, trace: Trace):
    """`expr` with every sum normalised, innermost first; `scope` maps indices to their sizes."""
    if isinstance(expr, Sum):
        j, low, high, body = rules.outermost(expr)
        if low != 1:
            raise NoRule(f"a sum from {low}; the rules cover sums from 1")
        body = normalize(body, {**scope, j: high}, context, trace)
        return sum_out(body, j, high, scope, context, trace)
    if isinstance(expr, sympy.Derivative):
        raise NoRule("a derivative left after differentiation")
    if not expr.args or isinstance(expr, Indexed):
        return expr
    return expr.func(*[normalize(a, scope, context, trace) for a in expr.args])


def sum_out(body, j, size, scope, context: IndexContext, trace: Trace):
    """Σ_j body over j = 1…size, by linearity, the delta rule, pulling out and the unit sums."""
    inner = {**scope, j: size}
    excluded = rules.excluded_index(body, j, size, inner)
    if excluded is not None:
        trace.add(rules.SPLIT, f"Σ_{{{j.name}≠{excluded}}}")
    terms = sorted(Add.make_args(expand(body)), key=str)  # stable order for the certificate
    if len(terms) > 1:
        trace.add(rules.LINEARITY)
    out = []
    for term in terms:
        factors = Mul.make_args(term)
        collapsed = rules.delta_sum(factors, j, size, scope)
        if collapsed is not None:
            trace.add(rules.DELTA_SUM, f"Σ_{j.name} {term} = {collapsed}")
            out.append(collapsed)
            continue
        outside, inside = rules.pull_out(factors, j)
        if inside == 1 and rules.never_negative(size, scope, context):
            trace.add(rules.CONSTANT_SUM, f"Σ_{j.name} {outside} = {size}·{outside}")
            out.append(rules.constant_sum(outside, size))
            continue
        if outside != 1 and not outside.is_Number:
            trace.add(rules.PULL_OUT, f"Σ_{j.name} {term} = {outside}·Σ_{j.name} {inside}")
        if rules.softmax_sum(inside, j, size, context):
            trace.add(rules.SOFTMAX_SUM, f"Σ_{j.name} {inside} = 1")
            out.append(outside)
        elif (unit := rules.given_unit_sum(inside, j, size, context)) is not None:
            trace.add(rules.GIVEN_SUM, unit.text())
            out.append(outside)
        else:
            out.append(outside * canonical(inside, j, size, trace))
    return Add(*out)


class BoundIndex(sympy.Symbol):
    """A summation index's canonical name (ι0, ι1, … by nesting depth). A class of its own: no
    symbol of a claim, whatever its name, is equal to one, so none can be captured."""


def canonical(product, j, size, trace: Trace):
    """Σ_j product with j renamed by nesting depth, so that alike sums are the same expression."""
    new = BoundIndex(f"ι{depth(product)}", integer=True)
    total = Sum(product.xreplace({j: new}), (new, 1, size))
    trace.names.setdefault(total, j.name)
    return total


def depth(expr) -> int:
    """How deep sums nest in `expr` (a Sum with several limits is that many sums)."""
    if isinstance(expr, Sum):
        return len(expr.limits) + depth(expr.function)
    return max((depth(a) for a in expr.args), default=0)


def expand(body):
    """Multiply out a sum's body, with the sums inside it held as atoms."""
    atoms, held = hold_sums(body)
    expanded = sympy.expand(held, log=False)
    return expanded.xreplace({v: k for k, v in atoms.items()})


def hold_sums(expr):
    """(sum → dummy, expr with its outermost sums replaced by those dummies)."""
    sums = {s for s in expr.atoms(Sum)}
    outer = {s for s in sums if not any(s != t and t.has(s) for t in sums)}
    atoms = {s: sympy.Dummy("S") for s in outer}
    return atoms, expr.xreplace(atoms)


__all__ = ["normalize", "free_indices"]
