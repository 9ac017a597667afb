"""SymPy expressions as mpmath functions that are exact at whatever precision they are called.

lambdify alone is not: it prints I as Python's 1j (so (10**17 + 1)·I is rounded to float64) and
some constants as fixed 53-bit numbers. Here every constant and I become arguments, valued at
the precision of each call.
"""

from __future__ import annotations

import mpmath
import sympy
from sympy.core.numbers import ImaginaryUnit

from .prepare import InputError

# Raised by mpmath where a side is undefined at a point: the point is skipped.
UNDEFINED = (ZeroDivisionError, ValueError, OverflowError, ArithmeticError, TypeError)


class MpFunction:
    """exprs as one function of `symbols`; call with {symbol: mpf} and a number of digits."""

    def __init__(self, symbols, exprs):
        self.symbols = tuple(symbols)
        constants = set()
        for e in exprs:
            constants |= e.atoms(sympy.NumberSymbol) | e.atoms(ImaginaryUnit)
        self.constants = tuple(sorted(constants, key=str))
        stand_ins = {c: sympy.Dummy(f"c{i}") for i, c in enumerate(self.constants)}
        exprs = [e.xreplace(stand_ins) for e in exprs]
        arguments = [*self.symbols, *stand_ins.values()]
        try:
            self.fn = sympy.lambdify(arguments, exprs, modules="mpmath", cse=True, dummify=True)
        except RecursionError:
            raise InputError(
                "the claim is too large to compile for mpmath (recursion limit); split the step"
            ) from None
        except Exception as error:
            raise InputError(
                f"the claim cannot be evaluated with mpmath ({type(error).__name__}: "
                f"{' '.join(str(error).split())[:120]})"
            ) from None

    def __call__(self, values, dps: int):
        """Every expression's value at `dps` digits, or None where one is undefined or infinite."""
        with mpmath.workdps(dps):
            constants = [constant_value(c, dps) for c in self.constants]
            try:
                results = self.fn(*(values[s] for s in self.symbols), *constants)
                results = [mpmath.mpmathify(v) for v in results]
            except UNDEFINED:
                return None
            except NameError as error:  # a function lambdify printed but mpmath does not have
                raise InputError(
                    f"the claim uses a function mpmath cannot evaluate ({error}); rewrite it "
                    "with elementary functions"
                ) from None
            if not all(mpmath.isfinite(v) for v in results):
                return None
            return [+v for v in results]


def constant_value(constant, dps: int):
    if constant is sympy.I:
        return mpmath.mpc(0, 1)
    return mpmath.mpf(constant.evalf(dps + 10)._to_mpmath(mpmath.mp.prec + 40))
