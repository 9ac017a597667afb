"""Is a mutated claim still true? An independent high-precision comparison of its two sides.

Independent of the checker's own modules (prepare, domains, numeric, symbolic): definitions are
substituted and derivatives taken here with plain SymPy, side conditions solved with `solve`,
and both sides evaluated with plain mpmath at 60 digits at many points of the domains, a
quarter of the coordinates pushed to within 10⁻¹…10⁻⁹ of an end of their interval. A claim is
"still true" only if the sides agree to a relative 1e-45 at every point; a point where a side
is undefined counts as a difference, so doubt always sends the mutant to the checker.

At least as strict as the checker, which resolves a difference of any size it can show: the
digits and the agreement grow with the claim's most extreme constant (a term e^{−200}·y is a
relative 1e-87, so it is compared at 60 + 87 digits to 1e-132); a claim whose constants need
more than MAX_DIGITS is never set aside.
"""

from __future__ import annotations

import random

import mpmath
import sympy

from ..functions import sigmoid
from ..values import sympy_value

DIGITS = 60
AGREE_DIGITS = 45  # relative difference 1e-45 below which two values are the same (at 60 digits)
MAX_DIGITS = 4000  # constants needing more digits: not provably equivalent (the checker's limit)
POINTS = 64
EDGE_SHARE = 0.25  # share of coordinates drawn close to an end of their interval
DEFAULT_INTERVAL = (-3.0, 3.0)
DRAWS_PER_POINT = 500  # rejection sampling under side conditions


def still_true(claim, entries=None, seed: int = 0, points: int = POINTS) -> bool:
    """Do the claim's sides agree at every point (only `entries` of a matrix, if given)?"""
    context = claim.context
    lhs, rhs = entry_list(claim.lhs), entry_list(claim.rhs)
    if len(lhs) != len(rhs):
        return False
    chosen = range(len(lhs)) if entries is None else entries
    definitions = {s: sympy_value(v) for s, v in context.definitions.items()}
    differences = [(expand(lhs[i], definitions), expand(rhs[i], definitions)) for i in chosen]
    solved = solve_conditions(context.given, definitions)
    if solved is None:
        return False
    differences = [(a.subs(solved), b.subs(solved)) for a, b in differences]
    free = set().union(*(a.free_symbols | b.free_symbols for a, b in differences))
    free |= {s for value in solved.values() for s in value.free_symbols}
    symbols = sorted(free - set(solved), key=lambda s: s.name)
    dependents = sorted(solved, key=lambda s: s.name)
    sides = [side for pair in differences for side in pair]
    extra = extreme_digits(sides)
    if DIGITS + extra > MAX_DIGITS:
        return False
    digits, agree = DIGITS + extra, mpmath.mpf(10) ** -(AGREE_DIGITS + extra)
    try:
        fn = sympy.lambdify(symbols, sides, modules="mpmath")
        bound = sympy.lambdify(symbols, [solved[d] for d in dependents], modules="mpmath")
    except Exception:
        return False
    domains = {getattr(s, "name", str(s)): tuple(map(float, v)) for s, v in context.domains.items()}
    rng = random.Random(seed)
    found = 0
    for _ in range(points * DRAWS_PER_POINT):
        if found == points:
            break
        point = [draw(rng, domains.get(s.name, DEFAULT_INTERVAL)) for s in symbols]
        with mpmath.workdps(digits):
            values = [mpmath.mpf(v) for v in point]
            if dependents and not inside(bound(*values), dependents, domains):
                continue
            found += 1
            if not agree_at(fn, values, agree) and not vanishes(fn, point, digits):
                return False
    return found == points


EQUIVALENCE_SIZES = (3, 5)  # the first size (K) at these values, clamped into its range


def still_true_indexed(claim, seed: int = 0, points: int = POINTS) -> bool:
    """A line written for a symbolic K: still true at each of two concrete sizes, with every
    entry of its free indices written out (sums expanded term by term)."""
    from ..indices.instantiate import concrete  # the claim at concrete sizes; no checker module

    for values in equivalence_sizes(claim.context):
        try:
            at_sizes = concrete(claim, values)
        except Exception:  # doubt sends the mutant to the checker
            return False
        if not still_true(at_sizes, None, seed, points):
            return False
    return True


def equivalence_sizes(context) -> list[dict]:
    sizes = list(context.sizes)
    if not sizes:
        return [{}]
    first, *others = sizes
    chosen = []
    for step, wanted in enumerate(EQUIVALENCE_SIZES):
        low, high = context.sizes[first]
        values = {first: min(max(wanted, low), high)}
        for other in others:
            low, high = context.sizes[other]
            values[other] = min(low + step, high)
        if values not in chosen:
            chosen.append(values)
    return chosen


def entry_list(value) -> list:
    if isinstance(value, sympy.MatrixBase):
        return list(value)
    return [sympy_value(value)]


def substitute(expr, definitions, held=frozenset()):
    """Every defined symbol but `held` replaced by its definition, until none is left."""
    table = {s: v for s, v in definitions.items() if s not in held}
    for _ in range(50):
        new = expr.xreplace(table)
        if new == expr:
            return new
        expr = new
    raise ValueError("definitions refer to themselves")


def expand(expr, definitions):
    """The expression in the sampled symbols: a derivative by a defined symbol (dL/dŷ) holds
    that symbol as a variable while differentiating, then puts its definition in."""
    expr = sympy_value(expr)

    def derivative(d):
        held = frozenset(v for v in d.variables if v in definitions)
        inner = explicit(substitute(d.expr, definitions, held))
        done = sympy.diff(inner, *d.variable_count)
        return substitute(done, definitions)

    def held_apart(e) -> bool:  # d/dz of Subs(dL/dŷ, ŷ, ŷ): dL/dŷ done first (leibniz)
        return isinstance(e, sympy.Subs) and e.variables == e.point

    expr = expr.replace(
        lambda e: isinstance(e, sympy.Derivative) or held_apart(e),
        lambda e: e.expr if held_apart(e) else derivative(e),
    )  # innermost first: a Subs held apart is gone before the derivative around it is taken
    return explicit(substitute(expr, definitions))


def explicit(expr):
    """σ(t) as 1/(1 + e^(−t))."""
    return expr.replace(lambda e: isinstance(e, sigmoid), lambda e: 1 / (1 + sympy.exp(-e.args[0])))


def solve_conditions(given, definitions):
    """Each side condition solved for one symbol (the last by name); None if one cannot be."""
    solved = {}
    for condition in given:
        equation = substitute(condition.lhs - condition.rhs, definitions).xreplace(solved)
        free = sorted(equation.free_symbols, key=lambda s: s.name)
        if not free:
            continue
        roots = sympy.solve(equation, free[-1])
        if len(roots) != 1:
            return None
        solved = {s: v.xreplace({free[-1]: roots[0]}) for s, v in solved.items()}
        solved[free[-1]] = roots[0]
    return solved


def draw(rng: random.Random, interval) -> float:
    low, high = interval
    if rng.random() < EDGE_SHARE:  # close to an end, where slips in exp and log show most
        gap = (high - low) * 10 ** -rng.uniform(1, 9)
        return low + gap if rng.random() < 0.5 else high - gap
    return rng.uniform(low, high)


def inside(values, dependents, domains) -> bool:
    for symbol, value in zip(dependents, values):
        low, high = domains.get(symbol.name, DEFAULT_INTERVAL)
        if not low < value < high:
            return False
    return True


def extreme_digits(exprs) -> int:
    """The digits the most extreme constant of `exprs` needs to show beside 1: a rational's
    numerator or denominator digits, or the decimal exponent of a constant subexpression's
    value (e^{−200}: 87). 0 for the small constants of ordinary claims."""
    found = [0]
    constant: dict = {}

    def walk(node) -> bool:
        if node in constant:
            return constant[node]
        if isinstance(node, sympy.Rational):
            found.append(max(len(str(abs(node.p))), len(str(node.q))) - 1)
            is_constant = True
        elif isinstance(node, sympy.Symbol):
            is_constant = False
        else:
            is_constant = all([walk(a) for a in node.args])
            if is_constant and node.args:
                found.append(exponent(node))
        constant[node] = is_constant
        return is_constant

    for expr in exprs:
        walk(expr)
    return max(found)


def exponent(node) -> int:
    """|decimal exponent| of a constant's value (MAX_DIGITS where evalf cannot tell it)."""
    try:
        parts = node.evalf(15, maxn=60).as_real_imag()
        magnitudes = [
            abs(mpmath.mpf(p._to_mpmath(p._prec)))
            for p in parts
            if isinstance(p, sympy.Float) and p != 0 and p._prec > 1
        ]  # a part with no significant digit is a cancellation: the rationals inside show it
        if not all(isinstance(p, (sympy.Float, sympy.Integer)) for p in parts):
            return MAX_DIGITS  # left unevaluated: doubt sends the mutant to the checker
    except Exception:
        return MAX_DIGITS
    if not magnitudes:
        return 0
    with mpmath.workdps(15):
        return int(abs(mpmath.floor(mpmath.log10(max(magnitudes)))))


def values_at(fn, values):
    try:
        return [mpmath.mpmathify(v) for v in fn(*values)]
    except (ZeroDivisionError, ValueError, OverflowError, ArithmeticError, TypeError):
        return None


def agree_at(fn, values, agree) -> bool:
    results = values_at(fn, values)
    if results is None:
        return False
    for lhs, rhs in zip(results[::2], results[1::2]):
        if not (mpmath.isfinite(lhs) and mpmath.isfinite(rhs)):
            return False
        scale = max(abs(lhs), abs(rhs))
        if scale and abs(lhs - rhs) > agree * scale:
            return False
    return True


def vanishes(fn, point, digits: int) -> bool:
    """Does every lhs − rhs at the point vanish like rounding noise as the digits d grow: at 4d
    digits exactly 0, or smaller by 10^-(d/2) than the largest it was at d and 2d? A side that
    is 0 for every input (0·(1 + 10⁻³)) beside one that cancels to 0 only up to rounding has no
    relative agreement to show, but is the same claim; a real difference stops shrinking at
    its value."""
    differences = []
    for level in (digits, 2 * digits, 4 * digits):
        with mpmath.workdps(level):
            results = values_at(fn, [mpmath.mpf(v) for v in point])
            if results is None or not all(mpmath.isfinite(v) for v in results):
                return False
            differences.append([abs(a - b) for a, b in zip(results[::2], results[1::2])])
    shrink = mpmath.mpf(10) ** -(digits // 2)
    for *earlier, last in zip(*differences):
        if last != 0 and not last <= max(earlier) * shrink:
            return False
    return True
