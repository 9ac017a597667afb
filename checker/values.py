"""SymPy values from a derivation, never parsed from text.

`sympy.sympify` parses a string with `eval`, so a derivation file or notes file from a stranger
could run code through any side, definition or size that happens to be a string. Every module
of the checker turns a value into SymPy through `sympy_value`, which refuses text; a test
(tests/test_hostile.py) fails if any module calls `sympify` itself.
"""

from __future__ import annotations

import sympy


class TextValueError(TypeError):
    """A value that is text where a SymPy expression is wanted; never parsed."""


def sympy_value(value):
    """`value` (a SymPy object, a Python number, a tuple of them) as SymPy; text is refused with a
    TextValueError that says what to write instead, and nothing in it is evaluated."""
    if isinstance(value, (str, bytes, bytearray)):
        shown = repr(value if len(value) <= 60 else value[:57] + "...")
        raise TextValueError(
            f"{shown} is text, not a SymPy expression; derivcheck never parses text as code:"
            " build it from Symbols (x = sympy.Symbol('x'); x**2 + 1)"
        )
    return sympy.sympify(value, strict=True)
