"""SymPy expressions as mpmath functions that are exact at whatever precision they are called.

lambdify alone is not: it prints I as Python's 1j (so (10**17 + 1)·I is rounded to float64) and
some constants as fixed 53-bit numbers. Here every constant and I become arguments, valued at
the precision of each call. The same expressions can also be evaluated in interval arithmetic
(mpmath.iv), which proves two values differ, whatever cancellation happened inside.
"""

from __future__ import annotations

import mpmath
import sympy
from sympy.core.numbers import ImaginaryUnit

from .codegen import lambdified
from .nodes import distinct_nodes, of_type
from .prepare import InputError

# Raised by mpmath where a side is undefined at a point: the point is skipped.
UNDEFINED = (ZeroDivisionError, ValueError, OverflowError, ArithmeticError, TypeError)


class NoInterval(Exception):
    """A function with no interval version in the table."""


def no_interval(*args, **kwargs):
    raise NoInterval


iv = mpmath.iv
# mpmath names the printer may emit → their interval versions; every other mpmath name raises,
# so nothing falls back silently to a point evaluation.
INTERVAL_FUNCTIONS = {
    "mpf": iv.mpf,
    "exp": iv.exp,
    "log": iv.log,
    "sqrt": iv.sqrt,
    "sin": iv.sin,
    "cos": iv.cos,
    "tan": iv.tan,
    "gamma": iv.gamma,
    "fabs": iv.fabs,
    "cosh": lambda t: (iv.exp(t) + iv.exp(-t)) / 2,
    "sinh": lambda t: (iv.exp(t) - iv.exp(-t)) / 2,
    "tanh": lambda t: 1 - 2 / (iv.exp(2 * t) + 1),
}
INTERVAL_NAMESPACE = {name: no_interval for name in dir(mpmath) if not name.startswith("_")}
INTERVAL_NAMESPACE.update(INTERVAL_FUNCTIONS)


class MpFunction:
    """exprs as one function of `symbols`; call with {symbol: mpf} and a number of digits."""

    def __init__(self, symbols, exprs):
        self.symbols = tuple(symbols)
        self.exprs = list(exprs)
        self.interval_fn = None
        self.evaluated: dict = {}  # (sample, point, digits) -> values, kept by numeric.evaluate
        constants = of_type(distinct_nodes(*exprs), sympy.NumberSymbol, ImaginaryUnit)
        self.constants = tuple(sorted(constants, key=str))
        stand_ins = {c: sympy.Dummy(f"c{i}") for i, c in enumerate(self.constants)}
        exprs = [e.xreplace(stand_ins) for e in exprs]
        arguments = [*self.symbols, *stand_ins.values()]
        self.stand_in_exprs, self.arguments = exprs, arguments
        try:
            self.fn = lambdified(arguments, exprs, "mpmath", "mpmath")
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

    def separated(self, values, dps: int, first: int, second: int) -> bool | None:
        """Do expressions `first` and `second` certainly differ at this point (interval
        arithmetic at `dps` digits)? None where the table has no interval version."""
        if sympy.I in self.constants:
            return None
        if self.interval_fn is None:
            modules = [INTERVAL_NAMESPACE, "mpmath"]
            self.interval_fn = lambdified(self.arguments, self.stand_in_exprs, modules, "interval")
        saved = iv.dps
        iv.dps = dps
        try:
            constants = [interval_constant(c, dps) for c in self.constants]
            results = self.interval_fn(*(iv.mpf(values[s]) for s in self.symbols), *constants)
            a, b = iv.mpf(results[first]), iv.mpf(results[second])
        except NoInterval:
            return None
        except (*UNDEFINED, NameError):
            return None
        finally:
            iv.dps = saved
        return bool(a.b < b.a or b.b < a.a)


def interval_constant(constant, dps: int):
    if constant is sympy.pi:
        return iv.pi
    if constant is sympy.E:
        return iv.e
    with mpmath.workdps(dps + 20):  # the ends at full precision, not float64
        middle = mpmath.mpf(constant.evalf(dps + 30)._to_mpmath(mpmath.mp.prec))
        width = mpmath.mpf(10) ** (-(dps + 10)) * (1 + abs(middle))
        return iv.mpf([middle - width, middle + width])


def constant_value(constant, dps: int):
    if constant is sympy.I:
        return mpmath.mpc(0, 1)
    return mpmath.mpf(constant.evalf(dps + 10)._to_mpmath(mpmath.mp.prec + 40))
