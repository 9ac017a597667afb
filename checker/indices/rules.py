"""The sum rules, each a named rewrite that says when it applies (None when it must not).

Every rule is sound on its own; `Trace` records which fired, in order: that is the certificate.
"""

from __future__ import annotations

import sympy
from sympy import Indexed, IndexedBase, KroneckerDelta, Mul, Sum

from ..values import sympy_value
from .model import IndexContext, RuleUse, UnitSum

# The rule names, as the certificate shows them.
DELTA = "∂z_j/∂z_m = δ_jm"
SUM_RULE = "derivative of a sum"
PRODUCT_RULE = "product rule"
POWER_RULE = "power and quotient rule"
EXP_RULE = "∂e^u = e^u ∂u"
LOG_RULE = "∂log u = ∂u/u"
SUM_DERIVATIVE = "∂Σ_j f = Σ_j ∂f"
DEFINITION = "substitute a definition"
DELTA_SUM = "Σ_j δ_jm f(j) = f(m) (m in 1…K)"
LINEARITY = "Σ_j (f + g) = Σ_j f + Σ_j g"
PULL_OUT = "Σ_j c f(j) = c Σ_j f(j) (c free of j)"
CONSTANT_SUM = "Σ_j c = K c (c free of j)"
SPLIT = "Σ_k f(k) = f(m) + Σ_{k≠m} f(k) (m in 1…K)"
SOFTMAX_SUM = "Σ_j ŷ_j = 1 (the softmax definition)"
GIVEN_SUM = "Σ_k y_k = 1 (given)"
DISTINCT = "δ_km = 0 (k ≠ m)"
CASES = "cases k = m and k ≠ m"
SCALAR = "scalar algebra: cancel"
EXCHANGE = "Σ_j a_j Σ_i b_ij = Σ_i Σ_j a_j b_ij (ranges free of the other index)"
WHOLE_BODY = "a sum's body as one cancelled fraction"
EXPLICIT = "σ(t) = 1/(1 + e^{−t}) (a named function's explicit form)"
ABS_RULE = "∂|u| = (u/|u|) ∂u (u ≠ 0)"
LOG_PRODUCT = "log(ab) = log a + log b, log aʳ = r log a (a, b > 0)"


class Trace:
    """The rules applied, in order; repeats of a rule in a row are counted, not listed."""

    def __init__(self):
        self.uses: list[RuleUse] = []
        self.names: dict = {}  # canonical sum → the summation index it was written with

    def add(self, rule: str, example: str = "") -> None:
        if self.uses and self.uses[-1].rule == rule:
            last = self.uses[-1]
            self.uses[-1] = RuleUse(rule, last.count + 1, last.example)
        else:
            self.uses.append(RuleUse(rule, 1, example[:160]))

    def fork(self) -> Trace:
        copy = Trace()
        copy.uses = list(self.uses)
        copy.names = self.names
        return copy


def free_indices(expr) -> frozenset:
    """The symbols of `expr` not bound by a sum inside it (labels of IndexedBases excluded)."""
    if isinstance(expr, IndexedBase):
        return frozenset()
    if isinstance(expr, sympy.Symbol):
        return frozenset((expr,))
    if isinstance(expr, Sum):
        j, low, high, body = outermost(expr)
        return (free_indices(body) - {j}) | free_indices(low) | free_indices(high)
    found = frozenset()
    for arg in expr.args:
        found |= free_indices(arg)
    return found


def outermost(total):
    """(j, low, high, body) of Σ_j body, the outermost sum of `total`: SymPy merges Σ_j Σ_i f
    into one Sum with several limits, innermost first, and every one of them counts."""
    *inner, (j, low, high) = total.limits
    return j, low, high, Sum(total.function, *inner) if inner else total.function


class NoRule(ValueError):
    """Something in the claim no rule covers (the proof is then not attempted)."""


def fresh_bound(expr):
    """`expr` with every summation index renamed to a fresh dummy (no capture on substitution)."""
    if isinstance(expr, Sum):
        j, low, high, body = outermost(expr)
        new = sympy.Dummy(j.name, integer=True)
        return Sum(fresh_bound(body).xreplace({j: new}), (new, low, high))
    if not expr.args or isinstance(expr, Indexed):
        return expr
    return expr.func(*[fresh_bound(a) for a in expr.args])


def definition_of(atom, context: IndexContext):
    """The expression a shorthand (ŷ_k, L, z_m) stands for, or None if it is not one."""
    base = atom.base if isinstance(atom, Indexed) else atom
    if base not in context.definitions:
        return None
    dummies, body = context.definitions[base]
    indices = atom.indices if isinstance(atom, Indexed) else ()
    if len(indices) != len(dummies):
        raise NoRule(f"{atom} has {len(indices)} indices, its definition {len(dummies)}")
    return fresh_bound(body).xreplace(dict(zip(dummies, indices)))


# --- The sum rules. Each gets the factors of one term of a sum's body over j = 1…size. ---


def delta_sum(factors, j, size, scope):
    """Σ_j δ_jm f(j) = f(m), only when m is known to lie in 1…size; else None."""
    for factor in factors:
        if isinstance(factor, KroneckerDelta) and j in factor.args:
            (other,) = [a for a in factor.args if a != j] or [j]
            if other == j or scope.get(other) != size:
                continue  # m not known to lie in 1…K: the rule must not apply
            rest = [f for f in factors if f is not factor]
            return Mul(*rest).xreplace({j: other})
    return None


def pull_out(factors, j):
    """Split a term's factors into those free of j (pulled out of Σ_j) and those depending on j."""
    outside = [f for f in factors if j not in free_indices(f)]
    inside = [f for f in factors if j in free_indices(f)]
    return Mul(*outside), Mul(*inside)


def constant_sum(constant, size):
    """Σ_j c = size · c, for c free of j (and size never negative: see `never_negative`)."""
    return size * constant


def never_negative(size, scope, context: IndexContext) -> bool:
    """Whether a sum's upper limit is ≥ 0 for every value of the sizes (from the least declared)
    and of the indices (from 1). Only then does Σ_{j=1}^{size} c = size · c hold: an empty sum
    is 0, in the rules as in the instances (SymPy's Σ_{j=1}^{−1} 1 = −1 is not used)."""
    lows = {}
    for symbol in sympy_value(size).free_symbols:
        if symbol in context.sizes:
            low = context.sizes[symbol][0]
        elif symbol in scope:
            low = 1
        else:
            return False
        lows[symbol] = low + sympy.Dummy(integer=True, nonnegative=True)
    return bool(sympy_value(size).xreplace(lows).is_nonnegative)


def excluded_index(body, j, size, scope):
    """m if `body` has the factor (1 − δ_jm) of Σ_{j≠m} with m in 1…size, else None."""
    for factor in Mul.make_args(body):
        if factor.is_Add and len(factor.args) == 2 and 1 in factor.args:
            (term,) = [a for a in factor.args if a != 1]
            if isinstance(-term, KroneckerDelta) and j in (-term).args:
                (other,) = [a for a in (-term).args if a != j] or [j]
                if other != j and scope.get(other) == size:
                    return other
    return None


def given_unit_sum(product, j, size, context: IndexContext) -> UnitSum | None:
    """The given Σ_k y_k = 1 that `product` (summed over j) is, or None."""
    if not isinstance(product, Indexed):
        return None
    for unit in context.unit_sums:
        if (
            product.base == unit.base
            and unit.size == size
            and len(product.indices) > unit.slot
            and product.indices[unit.slot] == j
            and all(
                j not in free_indices(i) for n, i in enumerate(product.indices) if n != unit.slot
            )
        ):
            return unit
    return None


def softmax_sum(product, j, size, context: IndexContext) -> bool:
    """Whether Σ_j product = 1 because product is defined as a(j) / Σ_i a(i) over i = 1…size."""
    if not isinstance(product, Indexed):
        return False
    expansion = definition_of(product, context)
    if expansion is None:
        return False
    factors = Mul.make_args(expansion)
    for factor in factors:
        if factor.is_Pow and factor.exp == -1 and isinstance(factor.base, Sum):
            total = factor.base
            i, low, high, summand = outermost(total)
            numerator = Mul(*[f for f in factors if f is not factor])
            if j in free_indices(total) or (low, high) != (1, size):
                continue  # a normalising sum that changes with j normalises nothing
            if summand.xreplace({i: j}) == numerator:
                return j in free_indices(numerator)
    return False


def zero_distinct(expr, context: IndexContext, bound: frozenset = frozenset()):
    """δ_km → 0 for the pairs of free indices known to differ; a k bound by a sum around the δ
    is another index than the free k, whatever its name, and is left alone."""
    pairs = {frozenset(p) for p in context.distinct}
    if not pairs:
        return expr
    if isinstance(expr, KroneckerDelta):
        apart = frozenset(expr.args) in pairs and not bound & set(expr.args)
        return sympy.S.Zero if apart else expr
    if isinstance(expr, Sum):
        inner = bound | {limit[0] for limit in expr.limits}
        limits = [
            (v, *(zero_distinct(b, context, bound) for b in ends)) for v, *ends in expr.limits
        ]
        return Sum(zero_distinct(expr.function, context, inner), *limits)
    if not expr.args or isinstance(expr, Indexed):
        return expr
    return expr.func(*[zero_distinct(a, context, bound) for a in expr.args])


def positive(expr, context: IndexContext) -> bool:
    """Is `expr` > 0 wherever the claim is made: built by +, ·, powers, e^u and sums of things
    > 0 from positive numbers and entries sampled in an interval from 0 up? (Never a guess:
    anything else is not known positive.) This decides only where a log may be split: an entry
    at the end 0 of its interval makes the log undefined on both sides of the split alike."""
    if expr.is_Number:
        return bool(expr > 0)
    if isinstance(expr, Indexed) or isinstance(expr, sympy.Symbol):
        if expr.is_positive:
            return True
        interval = context.domains.get(expr.base if isinstance(expr, Indexed) else expr)
        return interval is not None and interval[0] >= 0
    if isinstance(expr, sympy.exp):
        return real(expr.args[0], context)
    if isinstance(expr, (sympy.Add, Mul)):
        return all(positive(a, context) for a in expr.args)
    if isinstance(expr, sympy.Pow):
        return positive(expr.base, context) and real(expr.exp, context)
    if isinstance(expr, Sum):  # a sum of positive terms over a range that is never empty
        return all(at_least_one(high, context) and low == 1 for _, low, high in expr.limits) and (
            positive(expr.function, context)
        )
    return False


def real(expr, context: IndexContext) -> bool:
    """Is `expr` real (and finite) wherever the claim is made: built by +, · and powers that
    stay real (a positive base, or a real base to a natural power) from real numbers, entries
    and symbols, e^u and sums of such terms?"""
    if expr.is_Number:
        return bool(expr.is_extended_real and expr.is_finite)
    if isinstance(expr, (Indexed, sympy.Symbol)):
        return (
            bool(expr.is_extended_real)
            or expr in context.domains
            or (isinstance(expr, Indexed) and expr.base in context.domains)
        )
    if isinstance(expr, (sympy.Add, Mul)):
        return all(real(a, context) for a in expr.args)
    if isinstance(expr, sympy.Pow):
        base, power = expr.args
        natural = bool(power.is_Integer and power >= 0)
        return (positive(base, context) and real(power, context)) or (
            natural and real(base, context)
        )
    if isinstance(expr, sympy.exp):
        return real(expr.args[0], context)
    if isinstance(expr, Sum):
        return real(expr.function, context)
    return False


def at_least_one(size, context: IndexContext) -> bool:
    """Is a sum's upper limit a size whose least declared value is at least 1 (or a number ≥ 1)?"""
    if size.is_Number:
        return bool(size >= 1)
    return size in context.sizes and context.sizes[size][0] >= 1
