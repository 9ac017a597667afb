"""A claim made ready for the checks: definitions substituted, shapes matched, inputs vetted.

Everything here raises `InputError` with a one-line message for input that cannot be checked.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef

from .functions import EXPLICIT_FORMS
from .model import Claim


class InputError(ValueError):
    """A claim that cannot be checked as given; the message says what and what to do."""


@dataclass(frozen=True)
class Prepared:
    """Both sides of a claim as flat lists of elements, ready for the three checks.

    `*_expanded` keep unevaluated derivatives (for autodiff); `*_evaluated` have them done.
    """

    shape: tuple[int, ...]
    lhs_expanded: tuple[sympy.Expr, ...]
    rhs_expanded: tuple[sympy.Expr, ...]
    lhs_evaluated: tuple[sympy.Expr, ...]
    rhs_evaluated: tuple[sympy.Expr, ...]
    symbols: tuple[sympy.Symbol, ...]  # free symbols of the claim, sorted by name
    given: tuple[sympy.Eq, ...]


BAD_ATOMS = {
    sympy.nan: "NaN",
    sympy.zoo: "complex infinity (zoo, e.g. from a division by zero)",
    sympy.oo: "infinity",
    -sympy.oo: "minus infinity",
}


def as_sympy(value, side: str):
    """A side of a claim as a SymPy expression or immutable matrix, or an InputError."""
    if isinstance(value, sympy.MatrixBase):
        return sympy.ImmutableMatrix(value)
    if isinstance(value, (sympy.Eq, sympy.Ne, sympy.core.relational.Relational)):
        raise InputError(
            f"the {side} is an equation ({value}); pass its two sides as lhs and rhs instead"
        )
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise InputError(f"the {side} is a {type(value).__name__}, not an expression")
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return sympy.sympify(value)
    raise InputError(
        f"the {side} is a {type(value).__name__} ({value!r:.60}), not a SymPy expression or Matrix"
    )


def elements(value) -> tuple[tuple[int, ...], tuple]:
    if isinstance(value, sympy.MatrixBase):
        return value.shape, tuple(value)
    return (), (value,)


def expand_definitions(expr, definitions):
    """Substitute shorthand definitions, to a fixpoint, and named functions by their explicit form.

    A derivative with respect to a defined symbol (dL/dŷ with ŷ = σ(z)) is taken with that symbol
    held as a variable and then evaluated at its definition: Subs(d/dŷ L(ŷ), ŷ, σ(z)).
    """

    def walk(e, keep: frozenset, active: tuple):
        if isinstance(e, sympy.Symbol):
            if e in definitions and e not in keep:
                if e in active:
                    chain = " -> ".join(str(s) for s in (*active, e))
                    raise InputError(f"definition of {e} refers to itself ({chain})")
                return walk(sympy.sympify(definitions[e]), keep, (*active, e))
            return e
        if isinstance(e, sympy.Derivative):
            variables = [v for v, _ in e.variable_count]
            held = [v for v in variables if v in definitions and v not in keep]
            inner = walk(e.expr, keep | frozenset(held), active)
            derivative = sympy.Derivative(inner, *e.variable_count)
            if not held:
                return derivative
            points = [walk(v, keep, active) for v in held]
            return sympy.Subs(derivative, held, points)
        if isinstance(e, sympy.Subs):
            inner = walk(e.expr, keep | frozenset(e.variables), active)
            points = [walk(p, keep, active) for p in e.point]
            return sympy.Subs(inner, e.variables, points)
        if isinstance(e, sympy.Function) and type(e) in EXPLICIT_FORMS:
            args = [walk(a, keep, active) for a in e.args]
            return EXPLICIT_FORMS[type(e)](*args)
        if not e.args:
            return e
        return e.func(*[walk(a, keep, active) for a in e.args])

    return walk(sympy.sympify(expr), frozenset(), ())


def check_atoms(expr, side: str) -> None:
    for atom, name in BAD_ATOMS.items():
        if expr.has(atom):
            raise InputError(
                f"the {side} contains {name}; a claim must be finite where it is checked"
            )
    undefined = sorted(expr.atoms(AppliedUndef), key=str)
    if undefined:
        raise InputError(
            f"the {side} uses the undefined function {undefined[0]}; give it an explicit "
            "expression (or a definition) so that it can be evaluated"
        )


def check_symbol_names(exprs) -> None:
    """Two symbols named alike but with different assumptions are different symbols to SymPy."""
    seen: dict[str, sympy.Symbol] = {}
    for expr in exprs:
        for s in expr.atoms(sympy.Symbol):
            other = seen.setdefault(s.name, s)
            if other != s:
                raise InputError(
                    f"two different symbols are both named {s.name!r} (assumptions "
                    f"{other.assumptions0} and {s.assumptions0}); SymPy treats them as unrelated, "
                    "so a derivative by one of them would silently be 0; use one symbol"
                )


def vet_given(given, definitions) -> tuple[sympy.Eq, ...]:
    vetted = []
    for g in given:
        if g is sympy.true:
            continue
        if g is sympy.false:
            raise InputError("a side condition is False as written (it contradicts itself)")
        if not isinstance(g, sympy.Equality):
            raise InputError(
                f"side condition {g!r:.60} is not a sympy.Eq; write it as Eq(lhs, rhs)"
            )
        vetted.append(
            sympy.Eq(
                expand_definitions(g.lhs, definitions),
                expand_definitions(g.rhs, definitions),
                evaluate=False,
            )
        )
    return tuple(vetted)


def prepare(claim: Claim) -> Prepared:
    lhs = as_sympy(claim.lhs, "left-hand side")
    rhs = as_sympy(claim.rhs, "right-hand side")
    lshape, lhs_items = elements(lhs)
    rshape, rhs_items = elements(rhs)
    if lshape != rshape:
        raise InputError(
            f"the sides have different shapes: left {describe_shape(lshape)}, right "
            f"{describe_shape(rshape)}; compare matrices of one shape, or scalars"
        )
    definitions = claim.context.definitions
    check_symbol_names([*lhs_items, *rhs_items, *definitions, *definitions.values()])
    given = vet_given(claim.context.given, definitions)
    lhs_x = tuple(expand_definitions(e, definitions) for e in lhs_items)
    rhs_x = tuple(expand_definitions(e, definitions) for e in rhs_items)
    for side, items in (("left-hand side", lhs_x), ("right-hand side", rhs_x)):
        for e in items:
            check_atoms(e, side)
    lhs_d = tuple(evaluate(e, "left-hand side") for e in lhs_x)
    rhs_d = tuple(evaluate(e, "right-hand side") for e in rhs_x)
    free = set().union(*(e.free_symbols for e in (*lhs_x, *rhs_x, *lhs_d, *rhs_d)))
    given, free = relevant(given, free)
    symbols = tuple(sorted(free, key=lambda s: s.name))
    check_symbol_names([*lhs_x, *rhs_x, *given])
    return Prepared(lshape, lhs_x, rhs_x, lhs_d, rhs_d, symbols, given)


def relevant(given, free):
    """The side conditions that bear on the claim: those sharing a symbol with it, transitively."""
    kept, free = [], set(free)
    changed = True
    while changed:
        changed = False
        for g in given:
            if g not in kept and g.free_symbols & free:
                kept.append(g)
                free |= g.free_symbols
                changed = True
    return tuple(g for g in given if g in kept), free


def evaluate(expr, side: str):
    """Carry out derivatives, substitutions and finite sums; nothing else is rewritten."""
    done = expr.doit()
    if done.has(sympy.Derivative):
        raise InputError(f"a derivative on the {side} could not be evaluated: {done}")
    check_atoms(done, side)
    return done


def describe_shape(shape: tuple[int, ...]) -> str:
    return "scalar" if not shape else "matrix " + "×".join(map(str, shape))
