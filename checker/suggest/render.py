"""A proved candidate as a Suggestion: the corrected line in LaTeX, with the edit marked.

`suggestion` is the one place a suggestion's LaTeX is written (SymPy's LaTeX printer of the
edited sides); a front end that knows the notes' own notation can swap it for its own.
"""

from __future__ import annotations

import sympy
from sympy.printing.latex import LatexPrinter

from ..mutation.mutants import replace_site
from ..results import Suggestion
from ..values import sympy_value
from .edits import Candidate

MARK = sympy.Symbol("SUGGESTIONMARK")  # stands for the changed part while the side is printed


class NotesPrinter(LatexPrinter):
    """SymPy's LaTeX, but dL/dŷ written as the notes write it (not d/dŷ L)."""

    def _print_Derivative(self, expr):
        if len(expr.variables) == 1 and isinstance(expr.expr, (sympy.Symbol, sympy.Indexed)):
            (variable,) = expr.variables
            return rf"\frac{{d{self._print(expr.expr)}}}{{d{self._print(variable)}}}"
        return super()._print_Derivative(expr)

    def _print_Subs(self, expr):
        """Subs(dL/dŷ, ŷ, ŷ), a nested derivative held apart (`leibniz`), as the notes wrote it."""
        if expr.variables == expr.point:
            return self._print(expr.expr)
        return super()._print_Subs(expr)

    def _print_Sum(self, expr):
        """Σ_{k≠m} f for Sum((1 − δ_km) f, (k, 1, K)), as `sum_except` builds it."""
        (j, low, _), body = expr.limits[0], expr.function
        if len(expr.limits) == 1 and low == 1:
            for factor in sympy.Mul.make_args(body):
                if factor.has(sympy.KroneckerDelta) and isinstance(factor, sympy.Add):
                    (delta,) = factor.atoms(sympy.KroneckerDelta)
                    if factor == 1 - delta and j in delta.args:
                        (other,) = [a for a in delta.args if a != j] or [j]
                        rest = sympy.Mul(*[f for f in sympy.Mul.make_args(body) if f != factor])
                        inner = self.parenthesize(rest, 50, strict=True)  # an Add is bracketed
                        return rf"\sum_{{{self._print(j)} \neq {self._print(other)}}} {inner}"
        return super()._print_Sum(expr)


def latex(expr) -> str:
    return NotesPrinter().doprint(expr)


def suggestion(candidate: Candidate, original, certificate: str) -> Suggestion:
    """The suggestion for `candidate`, an edit of the claim `original`."""
    edit = candidate.edit
    line = f"{latex(candidate.lhs)} = {latex(candidate.rhs)}"
    marked = {"lhs": latex(candidate.lhs), "rhs": latex(candidate.rhs)}
    if not edit.text:
        for side in ("lhs", "rhs") if edit.side == "both" else (edit.side,):
            value = sympy_value(getattr(original, side))
            if edit.path is not None and edit.side != "both":
                with_mark = replace_site(value, edit.path, MARK)
            else:
                with_mark = value.xreplace({edit.before: MARK})
            printed = latex(with_mark)
            if latex(MARK) in printed:  # otherwise the side stays unmarked
                marked[side] = printed.replace(latex(MARK), rf"\boxed{{{latex(edit.after)}}}")
    shown = (edit.before, edit.after) if edit.text else enclosing(edit, original)
    return Suggestion(
        latex=line,
        marked=f"{marked['lhs']} = {marked['rhs']}",
        before=latex(shown[0]),
        after=latex(shown[1]),
        side=edit.side,
        kind=edit.kind,
        places=edit.places,
        certificate=certificate,
        text=f"{latex(edit.before)} ↔ {latex(edit.after)} throughout" if edit.text else "",
        sides=(candidate.lhs, candidate.rhs),
    )


SMALL = 1  # operations: a change this small is shown with what encloses it (−x in e^{−x})


def enclosing(edit, original) -> tuple:
    """The part changed, before and after; a small change (a sign, a symbol) inside a function
    or a power is shown with it: e^{-t} → e^{t}, not −t → t."""
    if sympy.count_ops(edit.before) > SMALL or isinstance(edit.before, sympy.Derivative):
        return edit.before, edit.after
    side = sympy_value(getattr(original, "rhs" if edit.side == "rhs" else "lhs"))
    for node in sympy.preorder_traversal(side):
        if isinstance(node, (sympy.Function, sympy.Pow)) and edit.before in node.args:
            if isinstance(node, sympy.Derivative):
                break
            changed = node.func(*[edit.after if a == edit.before else a for a in node.args])
            return node, changed
    return edit.before, edit.after
