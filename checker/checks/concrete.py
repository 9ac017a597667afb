"""Integrals, sums and products evaluated by mpmath itself, to check SymPy's closed forms.

prepare carries out `doit()`, so every check sees SymPy's closed form of an integral, a sum or
a product; where SymPy gets one wrong (an integrand with absolute values over a range that
crosses several zeros), the checks would test SymPy's answer, not the claim. Here each side is
evaluated again with the objects held: integrals by mpmath `quad`, split at the zeros of what
makes the integrand kink (the arguments of Abs, sign, Heaviside, Max, Min, Piecewise
conditions, floor, ceiling), sums and products term by term. A step can pass only where that
value agrees with SymPy's closed form at every sampled point. A limit, an indefinite integral or
a sum too long to write out cannot be evaluated independently: the step is an input error.
"""

from __future__ import annotations

import mpmath
import sympy

from .mpeval import MpFunction
from .prepare import InputError

DIGITS = 30  # digits of the independent evaluation
AGREE = mpmath.mpf("1e-12")  # relative difference within which SymPy's value agrees
ERROR_FACTOR = 1000  # quad's error estimate, times this, is allowed on top
QUAD_ERROR = mpmath.mpf(10) ** (-(DIGITS * 2 // 3))  # quad must reach this relative accuracy
MAX_TERMS = 2000  # terms of a sum or product written out
GRID = 200  # points on which a kink's argument is scanned for sign changes
OBJECTS = (sympy.Integral, sympy.Sum, sympy.Product)
KINKS = (sympy.Abs, sympy.sign, sympy.Heaviside)
STEPS = (sympy.floor, sympy.ceiling, sympy.frac)


class Unevaluable(Exception):
    """An object mpmath could not evaluate at a point; the message says which and why."""


def has_objects(expr) -> bool:
    return expr.has(*OBJECTS, sympy.Limit)


def held(expr, side: str):
    """`expr` with derivatives and substitutions carried out but integrals, sums and products
    held (SymPy differentiates under them: Leibniz's rule)."""
    if expr.has(sympy.Limit):
        limit = min(expr.atoms(sympy.Limit), key=sympy.count_ops)
        raise InputError(
            f"the {side} holds the limit {limit}, which only SymPy can evaluate here, so its "
            "value cannot be checked independently; give it in closed form"
        )
    for integral in expr.atoms(sympy.Integral):
        if any(len(limits) != 3 for limits in integral.limits):
            raise InputError(
                f"the {side} holds the indefinite integral {integral}, defined only up to a "
                "constant; give it limits, or its antiderivative in closed form"
            )
    expr = expr.replace(
        lambda e: isinstance(e, sympy.Subs),
        lambda e: held(e.expr, side).xreplace(dict(zip(e.variables, e.point))),
    )
    done = expr.replace(lambda e: isinstance(e, sympy.Derivative), lambda e: e.doit(deep=False))
    if done.has(sympy.Derivative):
        raise InputError(
            f"a derivative on the {side} could not be taken under its integral, sum or product"
        )
    return done


def outermost(expr) -> list:
    found = []

    def walk(e):
        if isinstance(e, OBJECTS):
            if e not in found:
                found.append(e)
            return
        for a in e.args:
            walk(a)

    walk(expr)
    return found


class Independent:
    """`expr`, integrals, sums and products included, as a function of `symbols` at a point:
    (value, error bound), or None where it is undefined."""

    def __init__(self, symbols, expr):
        self.parts = []
        stand_ins = {}
        for obj in outermost(expr):
            stand_ins[obj] = sympy.Dummy("object")
            self.parts.append((stand_ins[obj], part(tuple(symbols), obj)))
        self.fn = MpFunction((*symbols, *stand_ins.values()), [expr.xreplace(stand_ins)])

    def __call__(self, values: dict, dps: int):
        values = dict(values)
        error = mpmath.mpf(0)
        for stand_in, evaluate in self.parts:
            found = evaluate(values, dps)
            if found is None:
                return None
            values[stand_in], part_error = found
            error += part_error
        result = self.fn(values, dps)
        return None if result is None else (result[0], error)


def part(symbols, obj):
    if isinstance(obj, sympy.Integral):
        return IntegralValue(symbols, obj)
    return TermsValue(symbols, obj)


def without(symbols, variable) -> tuple:
    return (*(s for s in symbols if s != variable), variable)


class IntegralValue:
    """∫ f dt by mpmath quad over [a, b], split at the zeros of the integrand's kinks."""

    def __init__(self, symbols, integral: sympy.Integral):
        (t, low, high), *outer = integral.limits
        inner = sympy.Integral(integral.function, (t, low, high))
        if outer:  # ∫∫ f dt ds = ∫ (∫ f dt) ds
            self.outer = IntegralValue(symbols, sympy.Integral(inner, *outer))
            return
        self.outer = None
        self.text = str(integral)
        inside = without(symbols, t)
        self.t = t
        self.f = Independent(inside, integral.function)
        self.low, self.high = Independent(symbols, low), Independent(symbols, high)
        self.kinks = [Independent(inside, k) for k in kink_arguments(integral.function, inside)]

    def __call__(self, values: dict, dps: int):
        if self.outer is not None:
            return self.outer(values, dps)
        ends = [self.low(values, dps), self.high(values, dps)]
        if None in ends:
            return None
        (a, _), (b, _) = ends
        with mpmath.workdps(dps):
            if mpmath.im(a) or mpmath.im(b):
                raise Unevaluable(f"the limits of {self.text} are complex")
            a, b = mpmath.re(a), mpmath.re(b)
            points = [a, *self.breakpoints(values, a, b, dps), b]

            def integrand(t):
                found = self.f({**values, self.t: t}, dps)
                if found is None:
                    raise Unevaluable(
                        f"the integrand of {self.text} is undefined at {self.t} = {t}"
                    )
                return found[0]

            try:
                value, error = mpmath.quad(integrand, points, error=True)
            except Unevaluable:
                raise
            except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError) as problem:
                raise Unevaluable(f"mpmath quad failed on {self.text} ({problem})") from None
            if not mpmath.isfinite(value) or error > QUAD_ERROR * max(1, abs(value)):
                raise Unevaluable(
                    f"mpmath quad did not converge on {self.text} (error estimate "
                    f"{mpmath.nstr(error, 3)})"
                )
            return value, error

    def breakpoints(self, values, a, b, dps) -> list:
        """The points in (a, b) where a kink's argument changes sign, sorted."""
        if not self.kinks or a == b:
            return []
        low, high = min(a, b), max(a, b)
        grid = [low + (high - low) * i / GRID for i in range(GRID + 1)]
        found = set()
        for kink in self.kinks:

            def h(t, kink=kink):
                value = kink({**values, self.t: t}, dps)
                return None if value is None else mpmath.re(value[0])

            previous = None
            for left, right in zip(grid, grid[1:]):
                at_left = h(left) if previous is None else previous
                at_right = h(right)
                previous = at_right
                if at_left is None or at_right is None:
                    continue
                if at_right == 0 and low < right < high:
                    found.add(right)
                elif at_left * at_right < 0:
                    found.add(bisect(h, left, right, at_left, dps))
        points = sorted(p for p in found if low < p < high)
        return points if a <= b else points[::-1]


def bisect(h, left, right, at_left, dps):
    for _ in range(int(dps * 3.4) + 4):
        middle = (left + right) / 2
        at_middle = h(middle)
        if at_middle is None or at_middle == 0:
            return middle
        if (at_middle < 0) == (at_left < 0):
            left, at_left = middle, at_middle
        else:
            right = middle
    return (left + right) / 2


def kink_arguments(f, inside) -> list:
    """Expressions in `inside` (the last the integration variable) whose sign changes are where
    f may kink or jump; those inside an inner integral, sum or product are its own business."""
    found = []
    for e in f.atoms(*KINKS):
        found.append(e.args[0])
    for e in f.atoms(sympy.Max, sympy.Min):
        found += [p - q for i, p in enumerate(e.args) for q in e.args[i + 1 :]]
    for e in f.atoms(sympy.Piecewise):
        for _, condition in e.args:
            found += [r.lhs - r.rhs for r in condition.atoms(sympy.core.relational.Relational)]
    for e in f.atoms(*STEPS):  # an integer value of the argument is a zero of sin(π·argument)
        found.append(sympy.sin(sympy.pi * e.args[0]))
    variable, known = inside[-1], set(inside)
    return [k for k in dict.fromkeys(found) if variable in k.free_symbols <= known]


class TermsValue:
    """A sum or product over integer limits, term by term."""

    def __init__(self, symbols, obj):
        (k, low, high), *outer = obj.limits
        inner = obj.func(obj.function, (k, low, high))
        if outer:
            self.outer = TermsValue(symbols, obj.func(inner, *outer))
            return
        self.outer = None
        self.text, self.k, self.product = str(obj), k, isinstance(obj, sympy.Product)
        self.term = Independent(without(symbols, k), obj.function)
        self.low, self.high = Independent(symbols, low), Independent(symbols, high)

    def __call__(self, values: dict, dps: int):
        if self.outer is not None:
            return self.outer(values, dps)
        ends = [self.low(values, dps), self.high(values, dps)]
        if None in ends:
            return None
        with mpmath.workdps(dps):
            a, b = (mpmath.re(v) for v, _ in ends)
            if a != mpmath.floor(a) or b != mpmath.floor(b):
                raise Unevaluable(f"the limits of {self.text} are not integers")
            count = int(b - a) + 1
            if count > MAX_TERMS:
                raise Unevaluable(f"{self.text} has {count} terms, more than {MAX_TERMS}")
            total = mpmath.mpf(1) if self.product else mpmath.mpf(0)
            size = mpmath.mpf(0)  # the sum of |terms|, or |product| · count: the rounding scale
            error = mpmath.mpf(0)
            for n in range(int(a), int(b) + 1):
                found = self.term({**values, self.k: mpmath.mpf(n)}, dps)
                if found is None:
                    return None
                value, term_error = found
                error += term_error
                if self.product:
                    total *= value
                else:
                    total += value
                    size += abs(value)
            if self.product:
                size = abs(total) * max(count, 1)
            return total, error + size * mpmath.mpf(10) ** (-(dps - 2))


def check_concrete(evaluations) -> tuple[str | None, int]:
    """(what went wrong, or None; the points checked) for a claim with integrals, sums or
    products: SymPy's closed form of each side against mpmath's own evaluation, at every
    sampled point where the closed form is defined."""
    prepared, sample = evaluations.prepared, evaluations.sample
    checks = []
    for side, name, exprs in (
        (0, "left-hand side", prepared.lhs_expanded),
        (1, "right-hand side", prepared.rhs_expanded),
    ):
        for element, expr in enumerate(exprs):
            if has_objects(expr):
                independent = Independent(sample.symbols, held(expr, name))
                checks.append((side, name, element, independent))
    if not checks:
        return None, 0
    checked = 0
    for index, pairs in enumerate(evaluations.pairs):
        if pairs is None:
            continue
        values = sample.at_precision(index, DIGITS)
        for side, name, element, independent in checks:
            closed = pairs[element][side]
            try:
                found = independent(values, DIGITS)
            except Unevaluable as problem:
                return (
                    f"the {name} could not be evaluated independently of SymPy at a point: "
                    f"{problem}; SymPy's closed form cannot be checked, so the step cannot pass"
                ), checked
            if found is None:
                return (
                    f"the {name} is undefined at a point where SymPy's closed form of it is "
                    f"{mpmath.nstr(closed, 15)}: checkers disagree"
                ), checked
            value, error = found
            with mpmath.workdps(DIGITS):
                allowed = AGREE * max(abs(value), abs(closed)) + ERROR_FACTOR * error
                if abs(value - closed) > allowed:
                    point = ", ".join(
                        f"{s.name}={mpmath.nstr(values[s], 17)}"
                        for s in sample.symbols
                        if s in prepared.shown
                    )
                    return (
                        f"checkers disagree: SymPy's closed form of the {name} is "
                        f"{mpmath.nstr(closed, 15)} but mpmath evaluates its integrals, sums and "
                        f"products to {mpmath.nstr(value, 15)} at {point or 'the point'}"
                    ), checked
        checked += 1
    return None, checked
