"""Nested derivatives in Leibniz order, where SymPy would merge them into one.

SymPy builds Derivative(Derivative(L, ŷ), z) as the single Derivative(L, ŷ, z) (variables kept
in order, inner first), which cannot be told from ∂²L/∂ŷ∂z written as one fraction: ambiguous
when ŷ is a shorthand of z. Where a shorthand is one of the variables, the inner derivative is
held apart as Subs(∂L/∂ŷ, ŷ, ŷ), which SymPy does not merge and the checks read as written:
the inner derivative with ŷ held, its definition put in, then the outer derivative.
"""

from __future__ import annotations

import sympy


def base_of(variable):
    """The name a definition is kept under: ŷ for ŷ[m], the symbol itself otherwise."""
    return variable.base if isinstance(variable, sympy.Indexed) else variable


def held_apart(operand, variable, defined):
    """`operand`, about to be differentiated by `variable`; an inner derivative that SymPy would
    merge with it, across a shorthand (a symbol or base in `defined`), as Subs(d, v, v)."""
    if not isinstance(operand, sympy.Derivative):
        return operand
    variables = tuple(dict.fromkeys(operand.variables))
    together = {*variables, variable}
    if len(together) < 2 or not any(base_of(v) in defined for v in together):
        return operand  # ∂/∂z_k ∂L/∂z_m: one derivative, as SymPy writes it
    return sympy.Subs(operand, variables, variables)


def nested(operand, variables, defined):
    """∂/∂v_n … ∂/∂v_1 operand, one derivative at a time (v_1 innermost), held apart as above."""
    out = operand
    for variable in variables:
        out = sympy.Derivative(held_apart(out, variable, defined), variable)
    return out
