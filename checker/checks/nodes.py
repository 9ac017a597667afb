"""Every distinct subexpression of some expressions, each visited once.

SymPy's atoms() and has() walk an expression as a tree: a subexpression shared by many entries
(Σ_j e^{z_j} in every entry of a softmax) is walked once per occurrence, and a claim's sides are
checked for several kinds of atom, each in a walk of its own. One walk of the distinct nodes
answers them all.
"""

from __future__ import annotations

import sympy


def distinct_nodes(*exprs) -> set:
    """The expressions and all their subexpressions (arguments, recursively), as a set."""
    seen: set = set()
    todo = [e for e in exprs if isinstance(e, sympy.Basic)]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(a for a in node.args if isinstance(a, sympy.Basic))
    return seen


def of_type(nodes, *types) -> set:
    return {n for n in nodes if isinstance(n, types)}
