"""SymPy expressions as Python functions for mpmath: lambdify's own code, without its cost.

`sympy.lambdify(arguments, exprs, modules, cse=True, dummify=True)` replaces the arguments by
Dummies one at a time, each time walking every expression again: quadratic in the size of a
claim, and most of a cold run's compile time (a claim at K = 9 has dozens of symbols). Here one
walk replaces them all. Everything else is lambdify's: the same common subexpressions (found on
the original expressions), the Dummies made in the same order (their names decide the printed
order of a sum's terms, so the roundings), the same printer and namespace. The code, and every
value it computes, is the same; tests/test_codegen.py compares the two sources.

What lambdify does that this does not (Subs to assign, implemented functions, nested
arguments) is handed to lambdify itself.
"""

from __future__ import annotations

import builtins
import itertools
import keyword

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.sorting import ordered
from sympy.printing.lambdarepr import LambdaPrinter
from sympy.printing.pycode import MpmathPrinter
from sympy.simplify.cse_main import cse
from sympy.utilities.lambdify import _recursive_to_string

NAME = "_lambdifygenerated"
_argument_text = LambdaPrinter().doprint
_files = itertools.count()
_compiled: dict[str, tuple[MpmathPrinter, dict]] = {}  # modules' key -> printer, namespace


def lambdified(arguments, exprs, modules, key: str):
    """exprs (a list) as one function of `arguments` returning a list, as lambdify would make
    it with `modules` (named `key`: its printer and namespace are made once)."""
    arguments, exprs = list(arguments), list(exprs)
    named(exprs)
    if not plain(arguments, exprs):
        return sympy.lambdify(arguments, exprs, modules=modules, cse=True, dummify=True)
    printer, namespace = printer_and_namespace(modules, key)
    subexpressions, reduced = cse(exprs, list=False)
    dummies = {}
    for argument, _ in reversed(list(ordered(zip(arguments, range(len(arguments)))))):
        dummies[argument] = sympy.Dummy()
    lines = [f"def {NAME}({', '.join(_argument_text(dummies[a]) for a in arguments)}):"]
    for symbol, value in subexpressions:
        if value is None:
            lines.append(f"    del {printer.doprint(symbol)}")
        else:
            lines.append(
                f"    {printer.doprint(symbol)} = {printer.doprint(value.xreplace(dummies))}"
            )
    returned = _recursive_to_string(printer.doprint, [e.xreplace(dummies) for e in reduced])
    if "\n" in returned:
        returned = f"({returned})"
    lines.append(f"    return {returned}")
    source = "\n".join(lines) + "\n"
    local: dict = {}
    exec(compile(source, f"<derivcheck-mpmath-{next(_files)}>", "exec"), namespace, local)
    function = local[NAME]
    function.source = source  # for the test against lambdify, and for debugging
    return function


def named(exprs) -> None:
    """A function the table does not know is printed by its name: it must be a name."""
    for e in exprs:
        for f in e.atoms(AppliedUndef) if isinstance(e, sympy.Basic) else ():
            name = f.func.__name__
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"the function name {name!r} is not a Python identifier")


def plain(arguments, exprs) -> bool:
    """Only symbols as arguments; no Subs (lambdify assigns them) and no implemented function."""
    if not all(isinstance(a, sympy.Symbol) for a in arguments):
        return False
    for e in exprs:
        if not isinstance(e, sympy.Basic) or e.has(sympy.Subs):
            return False
        if any(hasattr(f.func, "_imp_") for f in e.atoms(AppliedUndef)):
            return False
    return True


def printer_and_namespace(modules, key: str):
    """lambdify's printer and namespace for `modules`, made the way lambdify makes them."""
    if key not in _compiled:
        sample = sympy.lambdify([], [], modules=modules)
        namespace = dict(sample.__globals__)
        namespace.update({"builtins": builtins, "range": range})
        names = modules[::-1] if isinstance(modules, list) else [modules]
        functions = {k: k for m in names if isinstance(m, dict) for k in m}
        printer = MpmathPrinter(
            {
                "fully_qualified_modules": False,
                "inline": True,
                "allow_unknown_functions": True,
                "user_functions": functions,
            }
        )
        _compiled[key] = (printer, namespace)
    return _compiled[key]
