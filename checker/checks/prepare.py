"""A claim made ready for the checks: definitions substituted, shapes matched, inputs vetted.

Everything here raises `InputError` with a one-line message for input that cannot be checked.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass

import sympy
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.matexpr import MatrixElement

from ..functions import EXPLICIT_FORMS
from ..model import Claim
from ..values import sympy_value
from .nodes import distinct_nodes, of_type


class InputError(ValueError):
    """A claim that cannot be checked as given; the message says what and what to do."""


class AmbiguousDerivative(InputError):
    """A derivative by a shorthand ŷ that also, or inside, differentiates by a variable ŷ
    depends on (∂²L/∂ŷ∂z, ∂/∂ŷ ∂L/∂z): it has no one reading, so it is no claim at all."""


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
    symbols: tuple[sympy.Symbol, ...]  # every symbol sampled (claim and side conditions), by name
    given: tuple[sympy.Eq, ...]
    shown: frozenset = frozenset()  # the claim's own symbols, shown in a counterexample
    shorthands: tuple = ()  # (defined symbol, its expansion) for those the claim uses
    absent: tuple[str, ...] = ()  # "W does not occur in L": derivatives by a symbol not there

    def position(self, element: int) -> tuple[int, ...]:
        """Where flat element `element` stands in a matrix claim (row, column); () for scalars."""
        return tuple(divmod(element, self.shape[1])) if len(self.shape) == 2 else ()


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
    if isinstance(value, sympy.MatrixExpr):
        raise InputError(
            f"the {side} is a matrix expression ({type(value).__name__}), which cannot be sampled;"
            " use a sympy.Matrix of scalar symbols"
        )
    if isinstance(value, sympy.Basic):
        if not isinstance(value, sympy.Expr):
            raise InputError(f"the {side} is a {type(value).__name__}, not an expression")
        inner = next(
            (e for e in sympy.preorder_traversal(value) if isinstance(e, sympy.MatrixBase)), None
        )
        if inner is not None:  # e.g. Derivative(Matrix(...), x), which SymPy takes for a scalar
            rows, columns = inner.shape
            raise InputError(
                f"the {side} holds a {rows}×{columns} Matrix inside a {type(value).__name__}, "
                "which SymPy treats as a scalar; differentiate a matrix entry by entry, e.g. "
                "M.applyfunc(lambda e: Derivative(e, x))"
            )
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return sympy.Integer(value)
    raise InputError(
        f"the {side} is of type {type(value).__name__} ({value!r:.60}), not a SymPy expression or"
        " Matrix; build it from sympy symbols, functions and Matrix"
    )


def elements(value) -> tuple[tuple[int, ...], tuple]:
    if isinstance(value, sympy.MatrixBase):
        return value.shape, tuple(value)
    return (), (value,)


def expand_definitions(expr, definitions, memo: dict | None = None, keep=frozenset()):
    """Substitute shorthand definitions, to a fixpoint, and named functions by their explicit form.

    `memo`, a dict shared by the calls on one claim's expressions (its entries, its shorthands),
    keeps each subexpression's expansion, so a definition the entries share is expanded once.
    The shorthands in `keep` are held as variables, as inside a derivative by them.

    A derivative with respect to a defined symbol (dL/dŷ with ŷ = σ(z)) is taken with that symbol
    held as a variable and then evaluated at its definition: Subs(d/dŷ L(ŷ), ŷ, σ(z)). A nested
    one the notes hold apart (d/dz of Subs(dL/dŷ, ŷ, ŷ), see `leibniz`) is that, then d/dz.
    """

    def depends(symbol, variable) -> bool:
        """Does the definition of `symbol`, fully expanded, involve `variable`?"""
        seen, todo = set(), [symbol]
        while todo:
            s = todo.pop()
            if s in seen:
                continue
            seen.add(s)
            value = sympy_value(definitions[s])
            if variable in value.free_symbols:
                return True
            todo.extend(v for v in value.free_symbols if v in definitions)
        return False

    done: dict = {} if memo is None else memo  # (e, keep, active) -> its expansion

    def walk(e, keep: frozenset, active: tuple):
        if (e, keep, active) not in done:
            done[e, keep, active] = expanded(e, keep, active)
        return done[e, keep, active]

    def expanded(e, keep: frozenset, active: tuple):
        if isinstance(e, sympy.Symbol):
            if e in definitions and e not in keep:
                if e in active:
                    chain = " -> ".join(str(s) for s in (*active, e))
                    raise InputError(f"definition of {e} refers to itself ({chain})")
                return walk(sympy_value(definitions[e]), keep, (*active, e))
            return e
        if isinstance(e, sympy.Derivative):
            variables = [v for v, _ in e.variable_count]
            held = [v for v in variables if v in definitions and v not in keep]
            inside = set()  # the variables of the derivatives inside, where one is by a shorthand
            if held:
                inside = {u for d in e.expr.atoms(sympy.Derivative) for u in d.variables}
            for h in held:
                tied = [v for v in variables if v not in held and depends(h, v)]
                if tied:
                    raise AmbiguousDerivative(
                        f"the derivative {e} is by {h} and by {tied[0]}, on which {h}'s "
                        f"definition depends; SymPy merges d/d{tied[0]}(d/d{h} ...) into one "
                        "derivative, so it is ambiguous: write the inner derivative out"
                    )
                under = sorted((v for v in inside if v != h and depends(h, v)), key=str)
                if under:
                    raise AmbiguousDerivative(
                        f"a derivative by {h} of one by {under[0]}, on which {h}'s definition "
                        f"depends: by {h}, a function of {under[0]} has as many derivatives as "
                        f"ways to write it with {h}, so it is ambiguous; write the inner "
                        f"derivative out in terms of {h} first"
                    )
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

    return walk(sympy_value(expr), frozenset(keep), ())


def check_atoms(expr, side: str) -> None:
    nodes = distinct_nodes(expr)
    floats = of_type(nodes, sympy.Float)
    if floats:
        value = min(floats, key=str)
        raise InputError(
            f"the {side} contains the floating-point number {value}; write numbers exactly "
            f"(e.g. Rational(1, 10) for 0.1), so that the checks compare exact values"
        )
    if of_type(nodes, sympy.MatrixSymbol, MatrixElement):
        raise InputError(
            f"the {side} contains a matrix symbol; use a sympy.Matrix of scalar symbols"
        )
    for atom, name in BAD_ATOMS.items():
        if atom in nodes:
            raise InputError(
                f"the {side} contains {name}; a claim must be finite where it is checked"
            )
    undefined = sorted(of_type(nodes, AppliedUndef), key=str)
    if undefined:
        raise InputError(
            f"the {side} uses the undefined function {undefined[0]}; give it an explicit "
            "expression (or a definition) so that it can be evaluated"
        )


def check_symbol_names(exprs) -> None:
    """Two symbols named alike but with different assumptions are different symbols to SymPy."""
    seen: dict[str, sympy.Symbol] = {}
    for expr in exprs:
        for s in of_type(distinct_nodes(expr), sympy.Symbol):
            other = seen.setdefault(s.name, s)
            if other != s:
                raise InputError(
                    f"two different symbols are both named {s.name!r} (assumptions "
                    f"{other.assumptions0} and {s.assumptions0}); SymPy treats them as unrelated, "
                    "so a derivative by one of them would silently be 0; use one symbol"
                )


def vet_definitions(definitions) -> dict:
    vetted = {}
    for symbol, value in definitions.items():
        if not isinstance(symbol, sympy.Symbol):
            raise InputError(
                f"definition {symbol!r:.40} = ... names no symbol; definitions map a "
                "sympy.Symbol to the expression it stands for"
            )
        try:
            expr = sympy_value(value)
        except (sympy.SympifyError, TypeError):
            raise InputError(
                f"the definition of {symbol} is a {type(value).__name__}, not a SymPy expression"
            ) from None
        if not isinstance(expr, sympy.Expr) or isinstance(expr, sympy.MatrixExpr):
            raise InputError(f"the definition of {symbol} is not a scalar expression")
        vetted[symbol] = expr
    return vetted


CONTEXT_FIELDS = {  # what each field of a Context must be, and how to write it
    "domains": (Mapping, "a mapping", "domains={x: (low, high), ...}"),
    "definitions": (Mapping, "a mapping", "definitions={shorthand: expression, ...}"),
    "given": ((tuple, list), "a tuple of side conditions", "given=(Eq(lhs, rhs), ...)"),
}


def vet_context(context) -> None:
    """The context's fields have the types they are read with; a lone Eq as `given` is fine."""
    for name, (kind, expected, example) in CONTEXT_FIELDS.items():
        value = getattr(context, name)
        if name == "given" and isinstance(value, sympy.Basic):
            continue
        if not isinstance(value, kind):
            raise InputError(
                f"Context's {name}= is of type {type(value).__name__} ({value!r:.40}), not "
                f"{expected}; write {example}"
            )


def vet_given(given, definitions) -> tuple[sympy.Eq, ...]:
    vetted = []
    if isinstance(given, sympy.Basic):  # one side condition given on its own
        given = (given,)
    for g in given:
        if g is sympy.true:
            continue
        if g is sympy.false:
            raise InputError("a side condition is False as written (it contradicts itself)")
        if not isinstance(g, sympy.Equality):
            raise InputError(
                f"side condition {g!r:.60} is not a sympy.Eq; write it as Eq(lhs, rhs)"
            )
        eq = sympy.Eq(
            expand_definitions(g.lhs, definitions),
            expand_definitions(g.rhs, definitions),
            evaluate=False,
        )
        if not eq.free_symbols:
            if sympy.simplify(eq.lhs - eq.rhs) != 0:
                raise InputError(f"side condition {g} is false: it has no symbols and fails")
            continue
        difference = sympy.expand(eq.lhs - eq.rhs)
        if not difference.free_symbols:  # its symbols cancel: it says nothing, or contradicts
            if difference != 0:
                raise InputError(
                    f"side condition {g} is false for every value of its symbols (lhs − rhs "
                    f"expands to {difference}); correct it or leave it out"
                )
            continue
        vetted.append(eq)
    return tuple(vetted)


def prepare(claim: Claim) -> Prepared:
    vet_context(claim.context)
    lhs = as_sympy(claim.lhs, "left-hand side")
    rhs = as_sympy(claim.rhs, "right-hand side")
    lshape, lhs_items = elements(lhs)
    rshape, rhs_items = elements(rhs)
    if not lhs_items or not rhs_items:
        raise InputError("a side is an empty matrix; there is nothing to compare")
    if lshape != rshape:
        raise InputError(
            f"the sides have different shapes: left {describe_shape(lshape)}, right "
            f"{describe_shape(rshape)}; compare matrices of one shape, or scalars"
        )
    definitions = vet_definitions(claim.context.definitions)
    check_symbol_names([*lhs_items, *rhs_items, *definitions, *definitions.values()])
    given = vet_given(claim.context.given, definitions)
    memo: dict = {}  # one claim's expansions, shared by its entries and shorthands
    lhs_x = tuple(expand_definitions(e, definitions, memo) for e in lhs_items)
    rhs_x = tuple(expand_definitions(e, definitions, memo) for e in rhs_items)
    for side, items in (("left-hand side", lhs_x), ("right-hand side", rhs_x)):
        for e in items:
            check_atoms(e, side)
    lhs_d = tuple(evaluate(e, "left-hand side") for e in lhs_x)
    rhs_d = tuple(evaluate(e, "right-hand side") for e in rhs_x)
    free = set().union(*(e.free_symbols for e in (*lhs_x, *rhs_x, *lhs_d, *rhs_d)))
    for e in (*lhs_x, *rhs_x):  # d/dx of a constant still needs x sampled, for autodiff
        for d in e.atoms(sympy.Derivative):
            free |= {v for v in d.variables if isinstance(v, sympy.Symbol)} - set(definitions)
    claim_symbols = frozenset(free)
    for g in given:  # every side condition is sampled, so one contradicting a domain is caught
        free |= g.free_symbols
    symbols = tuple(sorted(free, key=lambda s: s.name))
    check_symbol_names([*lhs_x, *rhs_x, *given])
    used = set().union(*(e.free_symbols for e in (*lhs_items, *rhs_items)))
    used |= {v for e in (*lhs_items, *rhs_items) for d in e.atoms(sympy.Derivative)
             for v in d.variables}  # fmt: skip
    shorthands = tuple(
        (s, expand_definitions(s, definitions, memo))
        for s in sorted(used & set(definitions), key=lambda s: s.name)
    )
    return Prepared(
        lshape,
        lhs_x,
        rhs_x,
        lhs_d,
        rhs_d,
        symbols,
        given,
        claim_symbols,
        shorthands,
        absent_variables((*lhs_items, *rhs_items), definitions, memo),
    )


def absent_variables(items, definitions, memo: dict | None = None) -> tuple[str, ...]:
    """Derivatives by a symbol their expression does not contain, definitions written out: 0 by
    rule, and usually a typo (W for w) or a shorthand used without its definition. A derivative
    by a shorthand (dL/dŷ) is taken with the shorthand held, so it is written out held."""
    found = []
    for e in items:
        # atoms() is a set, in an order that changes from process to process (string hashes):
        # sorted, the first note (the one the verdict names) is the same in every run
        for d in sorted(sympy_value(e).atoms(sympy.Derivative), key=sympy.default_sort_key):
            held = frozenset(v for v in d.variables if v in definitions)
            inside = expand_definitions(d.expr, definitions, memo, held).free_symbols
            inside |= d.expr.free_symbols
            for v in d.variables:
                if isinstance(v, sympy.Symbol) and v not in inside:
                    shown = textwrap.shorten(str(d.expr), 60, placeholder="…")
                    note = f"{v} does not occur in {shown}, so its derivative by {v} is 0"
                    if note not in found:
                        found.append(note)
    return tuple(found)


def evaluate(expr, side: str):
    """Carry out derivatives, substitutions and finite sums; nothing else is rewritten.

    A Subs (from a derivative by a defined symbol) is done here as "differentiate with the symbol
    held, then put its definition in", the semantics JAX's grad has; SymPy's own Subs.doit can
    differentiate through the definition instead.
    """
    held = expr
    if of_type(distinct_nodes(expr), sympy.Subs):  # replace() rebuilds the whole tree
        held = expr.replace(
            lambda e: isinstance(e, sympy.Subs),
            lambda e: e.expr.doit().xreplace(dict(zip(e.variables, e.point))),
        )
    done = held.doit()
    if done.has(sympy.Derivative):
        raise InputError(f"a derivative on the {side} could not be evaluated: {done}")
    if done.has(sympy.Integral, sympy.Sum, sympy.Product, sympy.Limit):
        raise InputError(
            f"the {side} keeps an integral, sum, product or limit SymPy cannot carry out; "
            "give it in closed form"
        )
    check_atoms(done, side)
    return done


def describe_shape(shape: tuple[int, ...]) -> str:
    return "scalar" if not shape else "matrix " + "×".join(map(str, shape))
