"""Sums brought to a normal form by the rules: deltas summed out, constants pulled out, each
remaining sum a single product over a canonically named index (so equal sums compare equal)."""

from __future__ import annotations

import itertools

import sympy
from sympy import Add, Indexed, Mul, Sum, exp

from . import rules
from .model import IndexContext
from .rules import NoRule, Trace, free_indices


def normalize(expr, scope: dict, context: IndexContext, trace: Trace, whole: bool = False):
    """`expr` with every sum normalised, innermost first; `scope` maps indices to their sizes.
    With `whole`, each sum's body is first brought to one cancelled fraction (a body such as
    (y/μ − (1 − y)/(1 − μ)) μ(1 − μ) that simplifies only as a whole)."""
    if isinstance(expr, Sum):
        j, low, high, body = rules.outermost(expr)
        if low != 1:
            raise NoRule(f"a sum from {low}; the rules cover sums from 1")
        body = normalize(body, {**scope, j: high}, context, trace, whole)
        if whole:
            fraction = cancelled(body)
            if fraction != body:
                trace.add(rules.WHOLE_BODY)
                body = fraction
        return sum_out(body, j, high, scope, context, trace)
    if isinstance(expr, sympy.Derivative):
        raise NoRule("a derivative left after differentiation")
    if not expr.args or isinstance(expr, Indexed):
        return expr
    return expr.func(*[normalize(a, scope, context, trace, whole) for a in expr.args])


def sum_out(body, j, size, scope, context: IndexContext, trace: Trace):
    """Σ_j body over j = 1…size, by linearity, the delta rule, pulling out and the unit sums."""
    inner = {**scope, j: size}
    body = split_logs(body, context, trace)
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


def split_logs(expr, context: IndexContext, trace: Trace | None = None):
    """`expr` with the log of each product or power of things known positive (`rules.positive`:
    e^u, a sum of positive terms, an entry sampled above 0) split into a sum of logs."""
    if not expr.has(sympy.log):
        return expr
    sums = {s for s in expr.atoms(Sum)}
    outer = [s for s in sums if not any(s != t and t.has(s) for t in sums)]
    stand_ins = {
        a: sympy.Dummy("p", positive=True)
        for a in [*outer, *expr.atoms(Indexed), *expr.atoms(sympy.Symbol)]
        if not isinstance(a, sympy.Dummy) and rules.positive(a, context)
    }
    stand_ins.update({s: sympy.Dummy("S") for s in outer if s not in stand_ins})
    held = expr.xreplace(stand_ins)
    split = sympy.expand_log(held, force=False)
    if split == held:
        return expr
    if trace is not None:
        trace.add(rules.LOG_PRODUCT)
    return split.xreplace({v: k for k, v in stand_ins.items()})


def cancelled(expr):
    """`expr` as one cancelled fraction, every sum in it held as an atom and each e^u written
    as a positive unit (so that e^{a}e^{−a} = 1 and e^{2a} = (e^{a})²); 0 if it cancels to 0."""
    sums = {s: sympy.Dummy("Σ") for s in expr.atoms(Sum)}
    held = expr.xreplace(sums)
    units: dict = {}

    def as_units(arg):
        factors = []
        for term in sympy.Add.make_args(sympy.expand(arg)):
            if not term.is_extended_real:  # e^m > 0 only for real m
                factors.append(exp(term))
                continue
            coeff, monomial = term.as_coeff_Mul()
            if not coeff.is_Rational or monomial == 1:
                coeff, monomial = sympy.S.One, term
            if monomial not in units:
                units[monomial] = sympy.Dummy("u", positive=True)
            factors.append(units[monomial] ** coeff)
        return Mul(*factors)

    rational = held.replace(exp, as_units)
    logs = {sympy.log(u): m for m, u in units.items()}
    rational = rational.xreplace(logs)
    reduced = sympy.cancel(sympy.together(rational))
    if reduced == 0:
        return sympy.S.Zero
    # in two passes: a unit's exponent may hold a sum's stand-in
    powers = reduced.xreplace({u: exp(m) for m, u in units.items()})
    return powers.xreplace({v: s for s, v in sums.items()})


class BoundIndex(sympy.Symbol):
    """A summation index's canonical name (ι0, ι1, … by nesting depth). A class of its own: no
    symbol of a claim, whatever its name, is equal to one, so none can be captured."""


def canonical(product, j, size, trace: Trace):
    """Σ_j product with j renamed by nesting depth, so that alike sums are the same expression.

    A sum among the product's factors whose range does not depend on j is taken inside
    (Σ_j a_j Σ_i b_ij = Σ_j Σ_i a_j b_ij), and the nest is written in one order of its indices
    whatever order it was written in (Σ_j Σ_i = Σ_i Σ_j: the ranges are rectangular, each sum
    finite), so that a sum and the same sum with its order exchanged compare equal."""
    factors = list(Mul.make_args(product))
    nested = [f for f in factors if isinstance(f, Sum)]
    bound = {j} | {i for inner in nested for i, _, _ in inner.limits}
    highs = [high for inner in nested for _, _, high in inner.limits]
    rectangular = not any(free_indices(high) & bound for high in highs)
    if nested and rectangular and 1 + len(highs) <= MAX_EXCHANGED:
        ranges = [(sympy.Dummy(j.name, integer=True), size)]
        bodies, rest = [], list(factors)
        for inner in nested:
            rest.remove(inner)
            stand_ins = {i: sympy.Dummy(i.name, integer=True) for i, _, _ in inner.limits}
            bodies.append(inner.function.xreplace(stand_ins))
            ranges += [(stand_ins[i], high) for i, _, high in inner.limits]
        body = Mul(*rest, *bodies).xreplace({j: ranges[0][0]})
        trace.add(rules.EXCHANGE, " ".join(f"Σ_{i.name}" for i, _ in ranges))
        return first_order(body, ranges, trace, j)
    new = BoundIndex(f"ι{depth(product)}", integer=True)
    total = Sum(product.xreplace({j: new}), (new, 1, size))
    trace.names.setdefault(total, j.name)
    return total


MAX_EXCHANGED = 4  # indices of a nest written in every order (4! = 24 orders)


def first_order(body, ranges, trace: Trace, j):
    """The nest Σ over `ranges` of `body`, in the order of its indices whose spelling comes
    first (each index renamed by its place), a choice that does not depend on how it was
    written."""
    base = depth(body)
    names = [BoundIndex(f"ι{base + n}", integer=True) for n in range(len(ranges))]
    best, best_text = None, None
    for order in itertools.permutations(ranges):
        renamed = body.xreplace({i: names[n] for n, (i, _) in enumerate(order)})
        total = Sum(renamed, *[(names[n], 1, high) for n, (_, high) in enumerate(order)])
        text = sympy.srepr(total)
        if best_text is None or text < best_text:
            best, best_text = total, text
    trace.names.setdefault(best, j.name)
    return best


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
