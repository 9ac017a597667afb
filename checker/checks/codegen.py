"""SymPy expressions as Python functions for mpmath (and NumPy, math): lambdify's code, made
deterministic and without its cost.

`sympy.lambdify(arguments, exprs, modules, cse=True, dummify=True)` replaces the arguments by
Dummies one at a time, each time walking every expression again: quadratic in the size of a
claim, and most of a cold run's compile time (a claim at K = 9 has dozens of symbols). And it
numbers those Dummies by a counter over the whole process, whose digits decide the printed
order of a sum's terms (Dummy_1000 sorts before Dummy_999), so the roundings: a claim's last
digits depended on which claims its worker had checked before. Here one walk replaces them all,
by Dummies named by rank. Everything else is lambdify's: the same common subexpressions (found
on the original expressions), the same printer and namespace (tests/test_codegen.py).

What lambdify does that this does not (Subs to assign, arguments that are not symbols) is
handed to lambdify itself. The code is made from SymPy's printer alone: symbols are printed as
Dummies, numbers and mpmath's function names as the printer writes them, and an undefined
function (whose name would be printed as written) is refused; no text of a derivation is in it.
"""

from __future__ import annotations

import builtins
import importlib
import itertools

import sympy
from sympy.core.function import AppliedUndef
from sympy.core.sorting import ordered
from sympy.printing.lambdarepr import LambdaPrinter
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import MpmathPrinter, PythonCodePrinter
from sympy.simplify.cse_main import cse
from sympy.utilities.lambdify import _recursive_to_string

from .nodes import distinct_nodes, of_type

NAME = "_lambdifygenerated"
_argument_text = LambdaPrinter().doprint
_files = itertools.count()
_compiled: dict[str, tuple] = {}  # modules' key -> printer, namespace
# The printer lambdify picks for each module this module is used with.
PRINTERS = {"mpmath": MpmathPrinter, "numpy": NumPyPrinter, "math": PythonCodePrinter}


def lambdified(arguments, exprs, modules, key: str, *, common: bool = True):
    """lambdify(arguments, exprs, modules=modules, cse=common, dummify=True), the same code:
    exprs a list (the function returns a list, with common subexpressions found) or one
    expression (returned alone, without). `key` names `modules`: its printer and namespace
    are made once."""
    arguments = list(arguments)
    single = isinstance(exprs, sympy.Basic)
    items = [exprs] if single else list(exprs)
    nodes = distinct_nodes(*items)
    named(nodes)
    if single == common or not plain(arguments, items, nodes):  # not a form made here
        return sympy.lambdify(arguments, exprs, modules=modules, cse=common, dummify=True)
    printer, namespace = printer_and_namespace(modules, key)
    subexpressions, reduced = cse(items, list=False) if common else ((), exprs)
    dummies = stand_ins(arguments)
    memo: dict = {}  # a subexpression the lines share is renamed once
    lines = [f"def {NAME}({', '.join(_argument_text(dummies[a]) for a in arguments)}):"]
    for symbol, value in subexpressions:
        if value is None:
            lines.append(f"    del {printer.doprint(symbol)}")
        else:
            lines.append(
                f"    {printer.doprint(symbol)} = {printer.doprint(renamed(value, dummies, memo))}"
            )
    if single:
        returned = printer.doprint(renamed(reduced, dummies, memo))
    else:
        returned = _recursive_to_string(
            printer.doprint, [renamed(e, dummies, memo) for e in reduced]
        )
    if "\n" in returned:
        returned = f"({returned})"
    lines.append(f"    return {returned}")
    imported(printer, namespace)
    source = "\n".join(lines) + "\n"
    local: dict = {}
    exec(compile(source, f"<derivcheck-{key}-{next(_files)}>", "exec"), namespace, local)
    function = local[NAME]
    function.source = source  # for the test against lambdify, and for debugging
    return function


def stand_ins(arguments) -> dict:
    """A Dummy in each argument's place, named by the argument's rank in SymPy's order of the
    arguments. The names decide the printed order of a sum's terms, so the roundings: lambdify
    numbers its Dummies by a counter over the whole process, so that a claim's last digits
    depended on what its worker had checked before (Dummy_1000 sorts before Dummy_999)."""
    ranked = ordered(zip(arguments, range(len(arguments))))
    return {argument: sympy.Dummy(f"a{rank:05d}") for rank, (argument, _) in enumerate(ranked)}


def renamed(expr, names: dict, memo: dict):
    """`expr.xreplace(names)` for symbols renamed one to one (the stand-ins), without SymPy
    evaluating every node again: `expr` is evaluated already, and a one-to-one renaming gives
    nothing new to evaluate (no terms merge, no assumption is gained). The printer orders a
    sum's terms and a product's factors itself, by the new names, so the code is xreplace's
    (tests/test_codegen.py); xreplace's evaluation was a third of the time of making it."""
    if expr in names:
        return names[expr]
    if not expr.args:
        return expr
    if expr not in memo:
        args = [renamed(a, names, memo) for a in expr.args]
        if all(new is old for new, old in zip(args, expr.args)):
            memo[expr] = expr
        else:
            try:
                memo[expr] = expr.func(*args, evaluate=False)
            except TypeError:  # a node that takes no `evaluate` (a Piecewise's pair): xreplace's
                memo[expr] = expr.func(*args)
    return memo[expr]


def imported(printer, namespace) -> None:
    """What the printer wrote a module's name for and the namespace lacks, as lambdify adds it."""
    for module, names in (getattr(printer, "module_imports", None) or {}).items():
        for name in names:
            if name not in namespace:
                namespace[name] = getattr(importlib.import_module(module), name)


def named(nodes) -> None:
    """An undefined function (f(x)) has no mpmath value; lambdify would print its name into the
    code, so that a name such as `exit` would run. Refused before anything is printed."""
    for f in of_type(nodes, AppliedUndef):
        raise ValueError(f"the undefined function {f.func.__name__} has no mpmath value")


def plain(arguments, exprs, nodes) -> bool:
    """Only symbols as arguments, and no Subs (lambdify assigns them first)."""
    if not all(isinstance(a, sympy.Symbol) for a in arguments):
        return False
    if not all(isinstance(e, sympy.Basic) for e in exprs) or of_type(nodes, sympy.Subs):
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
        printer = PRINTERS[next(m for m in names if isinstance(m, str))](
            {
                "fully_qualified_modules": False,
                "inline": True,
                "allow_unknown_functions": True,
                "user_functions": functions,
            }
        )
        _compiled[key] = (printer, namespace)
    return _compiled[key]
