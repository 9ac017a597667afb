"""Derivatives by an indexed variable (∂/∂z_m), carried out by the rules, never by SymPy's diff.

A shorthand (ŷ, L, z) is differentiated through its definition, and kept as written where it is
not differentiated; a derivative *by* a shorthand (dL/dŷ_k) holds it as a variable, as the engine
does for concrete claims.
"""

from __future__ import annotations

import sympy
from sympy import Add, Derivative, Indexed, KroneckerDelta, Mul, Pow, Sum, exp, log

from . import rules
from .model import IndexContext
from .rules import NoRule, Trace, definition_of


def eliminate(expr, context: IndexContext, trace: Trace):
    """`expr` with every `Derivative` carried out, innermost first."""
    if isinstance(expr, sympy.Subs) and expr.variables == expr.point:
        return eliminate(expr.expr, context, trace)  # d/dz_m held apart from dL/dŷ_m (leibniz)
    if isinstance(expr, Derivative):
        held_through(expr, context)
        result = eliminate(expr.expr, context, trace)
        for variable, count in expr.variable_count:
            for _ in range(count):
                result = differentiate(result, variable, context, trace)
        return result
    if not expr.args or isinstance(expr, Indexed) or not expr.has(Derivative):
        return expr
    return expr.func(*[eliminate(a, context, trace) for a in expr.args])


def held_through(expr: Derivative, context: IndexContext) -> None:
    """NoRule for a derivative by a shorthand ŷ_k together with one by a variable ŷ depends on:
    by both at once (∂²L/∂ŷ_k∂z_m, ambiguous), or of a derivative by it (∂/∂ŷ_k ∂L/∂z_m, where
    the instances hold ŷ in ∂L/∂z_m and the rules would differentiate through it)."""
    variables = [v for v, _ in expr.variable_count]
    inner = [u for d in expr.expr.atoms(Derivative) for u in d.variables]
    for h in variables:
        if base_of(h) not in context.definitions:
            continue
        for others, what in ((variables, "by {h} and by {v}"), (inner, "by {h} of one by {v}")):
            for v in others:
                if base_of(v) != base_of(h) and base_of(h) in reaching(v, context):
                    shown = what.format(h=h, v=v)
                    raise NoRule(f"a derivative {shown}, on which {h} depends")


def ordered(args) -> tuple:
    """Arguments in an order that does not depend on dummies' creation (the trace is stable)."""
    return tuple(sorted(args, key=str))


def base_of(atom):
    return atom.base if isinstance(atom, Indexed) else atom


def reaching(variable, context: IndexContext) -> frozenset:
    """The bases whose value can change with `variable`: its own, and shorthands built on it."""
    target = base_of(variable)
    found = {target}
    changed = True
    while changed:
        changed = False
        for base, (_, body) in context.definitions.items():
            if base in found or base == target:
                continue
            uses = {base_of(a) for a in body.atoms(Indexed)} | body.free_symbols
            if uses & found:
                found.add(base)
                changed = True
    return frozenset(found)


def differentiate(expr, variable, context: IndexContext, trace: Trace):
    """∂expr/∂variable by the derivative rules; NoRule for anything they do not cover."""
    if not isinstance(variable, (Indexed, sympy.Symbol)):
        raise NoRule(f"a derivative by {variable}, which is not a symbol or an indexed symbol")
    reach = reaching(variable, context)
    target = base_of(variable)

    def touches(e) -> bool:
        bases = {base_of(a) for a in e.atoms(Indexed)} | {
            s for s in e.free_symbols if not isinstance(s, Indexed)
        }
        return bool(bases & reach)

    def d(e):
        if not touches(e):
            return sympy.S.Zero
        if e == variable:
            return sympy.S.One
        if isinstance(e, Indexed) or isinstance(e, sympy.Symbol):
            if base_of(e) == target:
                if not isinstance(e, Indexed) or not isinstance(variable, Indexed):
                    return sympy.S.Zero  # a different scalar symbol
                if len(e.indices) != len(variable.indices):
                    raise NoRule(f"{e} and {variable} have different numbers of indices")
                trace.add(rules.DELTA, f"∂{e}/∂{variable}")
                return Mul(*[KroneckerDelta(a, b) for a, b in zip(e.indices, variable.indices)])
            expansion = definition_of(e, context)
            if expansion is None:
                return sympy.S.Zero
            trace.add(rules.DEFINITION, f"{e} = {expansion}")
            return d(expansion)
        if isinstance(e, Add):
            trace.add(rules.SUM_RULE)
            return Add(*[d(a) for a in ordered(e.args)])
        if isinstance(e, Mul):
            trace.add(rules.PRODUCT_RULE)
            factors = ordered(e.args)
            return Add(
                *[
                    Mul(*factors[:i], d(f), *factors[i + 1 :])
                    for i, f in enumerate(factors)
                    if touches(f)
                ]
            )
        if isinstance(e, Pow):
            trace.add(rules.POWER_RULE)
            base, power = e.args
            if not touches(power):
                return power * base ** (power - 1) * d(base)
            return e * (d(power) * log(base) + power * d(base) / base)
        if isinstance(e, exp):
            trace.add(rules.EXP_RULE)
            return e * d(e.args[0])
        if isinstance(e, log):
            trace.add(rules.LOG_RULE)
            return d(e.args[0]) / e.args[0]
        if isinstance(e, sympy.Abs) and e.args[0].is_extended_real:
            trace.add(rules.ABS_RULE)
            (u,) = e.args
            return u / e * d(u)
        if isinstance(e, Sum):
            trace.add(rules.SUM_DERIVATIVE)
            renamed = rules.fresh_bound(e)  # the summation index cannot clash with the variable's
            j, low, high, body = rules.outermost(renamed)
            return Sum(d(body), (j, low, high))
        if isinstance(e, Derivative):
            return d(eliminate(e, context, trace))
        raise NoRule(f"no derivative rule for {type(e).__name__} ({e})")

    return d(expr)
