"""A symbolic-K claim at concrete sizes: the second, independent check.

Sums are written out term by term (by our own loop, not SymPy's `doit`; an empty sum is 0, as
in the index rules), indexed symbols become plain symbols (z[3] → z3, W[2, 1] → W2_1), and the
entries checked make one column, so the numeric and autodiff checks see an ordinary claim.

At each size every entry (every value of the free indices) is checked where the instance's cost
allows; else the corners (each free index at 1 or at its largest), one entry for each pattern
(k = m, k ≠ m) and a seeded sample. Sizes are the least of the declared range and random ones
in it, and one past it where the cost allows. The cost (about how many nodes the checks will
see) is estimated before anything is written out, so an instance is bounded in time and memory.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, replace

import sympy
from sympy import Derivative, Indexed, Sum

from ..model import Claim, Context
from ..values import sympy_value
from . import rules
from .model import IndexContext, IndexedClaim
from .rules import free_indices

MIN_INSTANCES = 3  # sizes drawn in the declared range, its least value among them
MAX_ENTRIES = 24  # entries checked per instance at most: all of them where there are fewer
# What checking an instance costs, in nodes written out (each shorthand counted where it is
# used, as the checks substitute it): ENTRY_COST for each entry (20 points, each climbing the
# precision ladder) plus its size. COST_LIMIT sizes an instance so that the heaviest lines of
# the softmax notes (a derivative of a K-term quotient, two free indices) stay a few seconds at
# K = 12; a line whose one entry per pattern costs more is checked at that, and not past its
# declared sizes. BUILD_LIMIT bounds what is written out at all (time and memory here).
ENTRY_COST = 50
COST_LIMIT = 1000
BUILD_LIMIT = 200_000
BEYOND = 2  # the extra instance's first size is drawn in (high, BEYOND · high]
DERIVATIVE_COST = 3  # a derivative carried out is about this many times its expression


@dataclass(frozen=True)
class Unbuilt:
    """An instance that cannot be checked within the limits: an error, with the reason."""

    message: str
    context: Context


class TooLarge(ValueError):
    """An instance that cannot be written out: past the cost limit, or with names that clash."""


@dataclass(frozen=True)
class Planned:
    """An instance with its sizes and entries chosen (cheap, in the main process, where the
    seeded choices are made in order) and not yet written out: `build()` does that where it is
    checked, so the instances of a run are written out in parallel, in the workers."""

    claim: IndexedClaim
    values: dict
    points: tuple  # the entries checked: the free indices' values, one dict each
    total: int  # how many entries there are in all
    free: tuple  # the free indices
    line_proved: bool = False  # see Context.line_proved

    @property
    def context(self) -> Context:
        """What the report needs before the instance is built: its label and entries."""
        return Context(
            label=label(self.values),
            symbolic=False,
            entries=entries_text(list(self.points), self.total, list(self.free)),
            line_proved=self.line_proved,
        )

    def build(self) -> Claim:
        """The instance written out; TooLarge when names clash at these sizes."""
        claim, values, points = self.claim, self.values, list(self.points)
        lhs, rhs = sympy_value(claim.lhs), sympy_value(claim.rhs)
        made: dict = {}
        entries = [
            tuple(written_out(side, {**values, **point}, made) for side in (lhs, rhs))
            for point in points
        ]
        if len(entries) == 1 and not self.free:
            lhs_c, rhs_c = entries[0]
        else:
            lhs_c = sympy.Matrix([e[0] for e in entries])
            rhs_c = sympy.Matrix([e[1] for e in entries])
        used = set().union(*(side.free_symbols for entry in entries for side in entry))
        at = concrete_context(claim.context, values, used, made)
        clashing(claim, values, made)
        rows = tuple(label(a) for a in points) if len(entries) > 1 or self.free else ()
        at = replace(at, entries=self.context.entries, rows=rows, line_proved=self.line_proved)
        return Claim(lhs_c, rhs_c, at)


def unbuilt(values: dict, error: TooLarge) -> Unbuilt:
    return Unbuilt(
        f"not checked at {label(values)}: {error}", Context(label=label(values), symbolic=False)
    )


def choose_sizes(context: IndexContext, seed: int) -> list[dict]:
    """At least three assignments of the sizes in their declared ranges, the first size taking
    distinct values, its least among them (where sums run empty or short).

    Every size is spread the same way (distinct values where its range allows, in increasing
    order), so the last instance has every size at its largest drawn value: with D drawn 1
    three times, a slip visible only at an index d > 1 (a factor d, say) would never be seen.
    """
    rng = random.Random(seed)
    sizes = list(context.sizes)
    if not sizes:
        return [{}]
    first, *others = sizes
    low, high = context.sizes[first]
    values = list(range(low, high + 1))
    chosen = sorted([low, *rng.sample(values[1:], min(MIN_INSTANCES, len(values)) - 1)])
    spread = {s: spread_values(context.sizes[s], len(chosen), rng) for s in others}
    return [
        {first: v, **{s: spread[s][position] for s in others}} for position, v in enumerate(chosen)
    ]


def spread_values(bounds, count: int, rng: random.Random) -> list[int]:
    """`count` values in `bounds`, increasing, distinct where there are enough, the largest
    of the range among them."""
    low, high = bounds
    values = list(range(low, high + 1))
    picked = [high, *rng.sample(values[:-1], min(count - 1, len(values) - 1))]
    while len(picked) < count:
        picked.append(rng.choice(values))
    return sorted(picked)


def label(values: dict) -> str:
    return ", ".join(f"{s}={v}" for s, v in values.items())


def instances(claim: IndexedClaim, seed: int) -> tuple[Claim | Unbuilt, ...]:
    """The claim at seeded sizes in their declared ranges, and at one size past them (the first
    size drawn in (high, 2·high], or the largest below it that the cost allows; none if even
    high + 1 does not fit): a slip that vanishes at every declared size shows there."""
    return tuple(built(p) for p in planned(claim, seed))


def planned(claim: IndexedClaim, seed: int) -> tuple[Planned | Unbuilt, ...]:
    """The instances of `instances`, planned and not written out (see Planned)."""
    rng = random.Random(seed + 1)
    chosen = choose_sizes(claim.context, seed)
    past = beyond(claim, chosen[-1], rng)
    made = [planning(claim, values, rng, values is chosen[-1]) for values in chosen]
    return tuple(made + ([planning(claim, past, rng)] if past else []))


def beyond(claim: IndexedClaim, largest: dict, rng: random.Random) -> dict | None:
    if not claim.context.sizes:
        return None
    first = next(iter(claim.context.sizes))
    high = claim.context.sizes[first][1]
    drawn = rng.randint(high + 1, max(high + 1, BEYOND * high))
    for value in range(drawn, high, -1):
        values = {**largest, first: value}
        try:
            *_, each, shapes = measure(claim, values, random.Random(0))
        except TooLarge:
            continue
        if (ENTRY_COST + each) * len(shapes) <= COST_LIMIT:
            return values
    return None


def built(planned: Planned | Unbuilt) -> Claim | Unbuilt:
    if isinstance(planned, Unbuilt):
        return planned
    try:
        return planned.build()
    except TooLarge as error:
        return unbuilt(planned.values, error)


def planning(claim: IndexedClaim, values: dict, rng, highest=False) -> Planned | Unbuilt:
    try:
        return plan(claim, values, rng, highest)
    except TooLarge as error:
        return unbuilt(values, error)


def plan(
    claim: IndexedClaim, values: dict, rng: random.Random | None = None, highest: bool = False
) -> Planned:
    """The claim at sizes `values`, planned: every entry of its free indices, or with `rng`
    (and more entries than the cost allows) every pattern (with `highest`, at the largest index
    values), the corners and a seeded sample. TooLarge past the build limit."""
    points, total, free = plan_entries(claim, values, rng, highest)
    return Planned(claim, dict(values), tuple(points), total, tuple(free))


def concrete(
    claim: IndexedClaim, values: dict, rng: random.Random | None = None, highest: bool = False
) -> Claim:
    """The claim at sizes `values`, written out (see `plan`)."""
    return plan(claim, values, rng, highest).build()


def clashing(claim: IndexedClaim, values: dict, made: dict) -> None:
    """TooLarge if an entry written plain (z[1] → z1) takes the name of one of the claim's own
    symbols (a scalar z1): the two would be one symbol at this size."""
    context = claim.context
    exprs = [claim.lhs, claim.rhs, *(body for _, body in context.definitions.values())]
    own = {
        s.name: s
        for e in exprs
        for s in sympy_value(e).free_symbols
        if isinstance(s, sympy.Symbol) and s not in values and s not in context.ranges
    }
    own.update({b.name: b for b in context.definitions if isinstance(b, sympy.Symbol)})
    for symbol, (base, indices) in made.items():
        if indices and symbol.name in own:
            raise TooLarge(
                f"{base}{list(indices)} written out is {symbol.name}, the name of the symbol "
                f"{own[symbol.name]} of the claim; rename one of them"
            )


def entries_text(points: list[dict], total: int, free: list) -> str:
    """Which entries an instance checks, as its label's companion: all, or which of how many."""
    if not free:
        return ""
    names = ", ".join(str(i) for i in free)
    if len(points) == total:
        return f"all {total} entries ({names})" if total > 1 else f"the entry ({names})"
    shown = " ".join(",".join(str(p[i]) for i in free) for p in points)
    return f"{len(points)} of {total} entries ({names}) = {shown}"


# --- Which entries: all of them where the cost allows, else corners, patterns and a sample. ---


def measure(claim: IndexedClaim, values: dict, rng: random.Random, highest: bool = False):
    """(free indices, their largest values, distinct pairs, how many entries, one entry's size,
    one entry per pattern)."""
    context = claim.context
    lhs, rhs = sympy_value(claim.lhs), sympy_value(claim.rhs)
    used = (free_indices(lhs) | free_indices(rhs)) & set(context.ranges)
    free = [i for i in context.ranges if i in used]
    top = {i: size_at(context.ranges[i], values) for i in free}
    apart = [tuple(p) for p in context.distinct if set(p) <= set(free)]
    total = entry_count(free, top, apart)
    if total == 0:
        raise TooLarge(f"no entry of ({', '.join(map(str, free))}) exists at these sizes")
    each = max(1, cost(lhs, rhs, context, values, top))
    return free, top, apart, total, each, patterns(free, top, apart, rng, highest)


def plan_entries(claim: IndexedClaim, values: dict, rng: random.Random | None, highest=False):
    """(the entries to check, how many there are in all, the free indices): without `rng`,
    every entry; with it, as many as the cost allows, and at least one for each pattern of the
    free indices. TooLarge when those would pass the build limit."""
    free, top, apart, total, each, shapes = measure(claim, values, rng or random.Random(0), highest)
    if rng is None:
        allowed = total
    else:
        allowed = max(len(shapes), min(MAX_ENTRIES, COST_LIMIT // (ENTRY_COST + each)))
    if each * min(allowed, total) > BUILD_LIMIT:
        what = f"{min(allowed, total)} entries" if rng is None else "one entry per pattern"
        raise TooLarge(
            f"{what} of about {each} terms each would pass the limit of {BUILD_LIMIT} "
            "written out; declare smaller sizes for this line"
        )
    if total <= allowed:
        return every_entry(free, top, apart), total, free
    picked = {tuple(p.values()) for p in shapes}
    for corner in itertools.product(*[(1, top[i]) for i in free]):
        if len(picked) < allowed and allowed_point(dict(zip(free, corner)), apart):
            picked.add(corner)
    for _ in range(20 * allowed):
        if len(picked) >= allowed:
            break
        point = tuple(rng.randint(1, top[i]) for i in free)
        if allowed_point(dict(zip(free, point)), apart):
            picked.add(point)
    return [dict(zip(free, p)) for p in sorted(picked)], total, free


def allowed_point(assignment: dict, apart) -> bool:
    """k ≠ m: the entries with k = m are not claimed."""
    return all(assignment[a] != assignment[b] for a, b in apart)


def every_entry(free, top, apart) -> list[dict]:
    points = itertools.product(*[range(1, top[i] + 1) for i in free])
    return [a for a in (dict(zip(free, p)) for p in points) if allowed_point(a, apart)]


def entry_count(free, top, apart) -> int:
    """How many entries there are: the product of the ranges, less those with k = m where k ≠ m
    (inclusion–exclusion over the distinct pairs)."""
    count = 0
    for r in range(len(apart) + 1):
        for subset in itertools.combinations(apart, r):
            group = {i: i for i in free}

            def root(i, group=group):
                while group[i] != i:
                    i = group[i]
                return i

            for a, b in subset:
                group[root(a)] = root(b)
            sizes: dict = {}
            for i in free:
                sizes[root(i)] = min(sizes.get(root(i), top[i]), top[i])
            count += (-1) ** r * math.prod(sizes.values())
    return count


def patterns(free, top, apart, rng: random.Random, highest: bool = False) -> list[dict]:
    """One entry for each way the free indices can share values (k = m, k ≠ m), where it exists:
    random values, or with `highest` the largest ones (a slip growing with the index shows)."""
    found = []
    for blocks in partitions(list(free)):
        if any(a in block and b in block for block in blocks for a, b in apart):
            continue
        taken: set = set()
        point = {}
        for block in blocks:
            choices = [v for v in range(1, min(top[i] for i in block) + 1) if v not in taken]
            if not choices:
                break
            value = choices[-1] if highest else rng.choice(choices)
            taken.add(value)
            point.update(dict.fromkeys(block, value))
        else:
            found.append({i: point[i] for i in free})
    return found


def partitions(items: list):
    if not items:
        yield []
        return
    first, *rest = items
    for smaller in partitions(rest):
        for n in range(len(smaller)):
            yield [*smaller[:n], [first, *smaller[n]], *smaller[n + 1 :]]
        yield [[first], *smaller]


# --- What an entry costs, estimated from the symbolic claim (nothing written out). ---


def size_at(size, values: dict) -> int:
    value = sympy_value(size).xreplace({s: sympy.Integer(v) for s, v in values.items()})
    if not value.is_Integer:
        raise TooLarge(f"the size {size} has no value at {label(values)}")
    return int(value)


def cost(lhs, rhs, context: IndexContext, values: dict, top: dict) -> int:
    """About how many nodes one entry has written out (its largest, each index at its top)."""
    bounds = {**{s: v for s, v in values.items()}, **top}
    memo: dict = {}
    return weight(lhs, context, bounds, memo) + weight(rhs, context, bounds, memo)


def weight(expr, context: IndexContext, bounds: dict, memo: dict) -> int:
    """Nodes of `expr` written out: a sum as its terms, a shorthand as its definition, a
    derivative as about what carrying it out gives."""
    if isinstance(expr, Sum):
        j, low, high, body = rules.outermost(expr)
        terms = max(0, largest(high, bounds) - smallest(low, bounds) + 1)
        return 1 + terms * weight(body, context, {**bounds, j: largest(high, bounds)}, memo)
    if isinstance(expr, Derivative):
        return DERIVATIVE_COST * weight(expr.expr, context, bounds, memo) + 1
    base = expr.base if isinstance(expr, Indexed) else expr
    if isinstance(expr, (Indexed, sympy.Symbol)) and base in context.definitions:
        if base not in memo:
            memo[base] = 1  # a definition that uses itself is refused elsewhere
            dummies, body = context.definitions[base]
            shape = context.shapes.get(base, ())
            inner = {**bounds, **{d: bounds.get(s, 1) for d, s in zip(dummies, shape)}}
            memo[base] = 1 + weight(body, context, inner, memo)
        return memo[base]
    if not expr.args or isinstance(expr, Indexed):
        return 1
    return 1 + sum(weight(a, context, bounds, memo) for a in expr.args)


def extremes(limit, bounds: dict) -> list[int]:
    """A sum's limit at each corner of the indices it depends on (1 or their largest value)."""
    limit = sympy_value(limit)
    symbols = sorted(limit.free_symbols, key=str)
    unknown = [s for s in symbols if s not in bounds]
    if unknown:
        raise TooLarge(f"a sum's limit {limit} depends on {unknown[0]}, which has no range or size")
    found = []
    for corner in itertools.product(*[(1, bounds[s]) for s in symbols]):
        value = limit.xreplace({s: sympy.Integer(v) for s, v in zip(symbols, corner)})
        found.append(int(value) if value.is_Integer else 0)
    return found


def largest(limit, bounds) -> int:
    return max(extremes(limit, bounds))


def smallest(limit, bounds) -> int:
    return min(extremes(limit, bounds))


# --- Writing out. ---


def written_out(expr, values: dict, made: dict | None = None):
    """`expr` with sizes and indices given values, sums written out term by term and indexed
    symbols at integer indices plain, in one walk. The walk scopes summation indices: inside
    Σ_k, k is the sum's own, whatever value a free k was given.

    An indexed symbol becomes its plain symbol where its indices first are integers, never an
    Indexed at integer indices: making one costs SymPy a deduction of its assumptions, most of
    the time of writing an instance out."""
    return Writer({} if made is None else made).out(
        expr, {k: sympy.Integer(v) for k, v in values.items()}, frozenset()
    )


class Writer:
    """One instance's walk; `made` records which plain symbol is which indexed one."""

    def __init__(self, made: dict):
        self.made = made

    def out(self, e, at: dict, bound: frozenset):
        if isinstance(e, Sum):  # Σ_{j=a}^{b} with b < a is empty, 0 (as in the rules)
            j, low, high, body = rules.outermost(e)
            outside = {k: v for k, v in at.items() if k not in bound}  # limits: the sizes'
            low, high = (self.out(limit, outside, frozenset()) for limit in (low, high))
            if not (low.is_Integer and high.is_Integer):
                raise TooLarge(f"the sum over {j} runs from {low} to {high}, not numbers")
            inner = bound | {j}
            return sympy.Add(
                *[self.out(body, {**at, j: sympy.Integer(v)}, inner) for v in range(low, high + 1)]
            )
        if isinstance(e, Indexed):
            indices = tuple(self.out(i, at, bound) for i in e.indices)
            if all(i.is_Integer for i in indices):
                return self.named(e.base, indices)
            return e.func(e.base, *indices) if indices != e.indices else e
        if not e.args:
            return at.get(e, e)
        return e.func(*[self.out(a, at, bound) for a in e.args])

    def named(self, base, indices) -> sympy.Symbol:
        symbol = symbol_for(base, indices)
        if self.made.setdefault(symbol, (base, indices)) != (base, indices):
            other = f"{self.made[symbol][0]}{list(self.made[symbol][1])}"
            raise TooLarge(
                f"{base}{list(indices)} and {other} written out are both {symbol}; rename a base"
            )
        return symbol


def symbol_for(base, indices) -> sympy.Symbol:
    return sympy.Symbol(f"{base}" + "_".join(str(i) for i in indices), real=True)


def concrete_context(context: IndexContext, values: dict, used=None, made=None) -> Context:
    """Definitions, domains and given sums at these sizes, for the symbols `used` and those
    their definitions use (every symbol of every base when `used` is None)."""
    made = {} if made is None else made
    if used is None:
        used = {
            symbol_for(base, point) if point else base
            for base in {*context.definitions, *context.domains}
            for point in every_index(base, context, values)
        }
        for symbol in used:
            made.setdefault(symbol, (symbol, ()))
        made.update(
            {
                symbol_for(base, point): (base, point)
                for base in {*context.definitions, *context.domains}
                for point in every_index(base, context, values)
                if point
            }
        )
    definitions, seen, queue = {}, set(), list(used)
    while queue:
        symbol = queue.pop()
        if symbol in seen:
            continue
        seen.add(symbol)
        base, point = made.get(symbol, (symbol, ()))
        if base not in context.definitions:
            continue
        dummies, body = context.definitions[base]
        at = {**values, **dict(zip(dummies, point))}  # ŷ_j = e^{z_j}/Σ_j e^{z_j}: the free j
        definitions[symbol] = written_out(body, at, made)
        queue.extend(definitions[symbol].free_symbols)
    given = []
    for unit in context.unit_sums:
        rows = {
            point[: unit.slot] + point[unit.slot + 1 :]
            for symbol in seen
            for base, point in [made.get(symbol, (symbol, ()))]
            if base == unit.base and len(point) > unit.slot
        }
        for others in sorted(rows):
            terms = []
            for j in range(1, values[unit.size] + 1):
                indices = list(others)
                indices.insert(unit.slot, sympy.Integer(j))
                terms.append(symbol_for(unit.base, indices))
                made.setdefault(terms[-1], (unit.base, tuple(indices)))
            seen.update(terms)
            given.append(sympy.Eq(sympy.Add(*terms), 1))
    domains = {}
    intervals = {
        base: tuple(
            float(sympy_value(v).xreplace({s: sympy.Integer(n) for s, n in values.items()}))
            for v in interval
        )
        for base, interval in context.domains.items()
    }
    for symbol in sorted(seen, key=str):
        base = made.get(symbol, (symbol, ()))[0]
        if base in intervals:
            domains[symbol] = intervals[base]
    return Context(domains, definitions, tuple(given), label(values), symbolic=False)


def every_index(base, context: IndexContext, values: dict):
    """Every index tuple of `base` at these sizes; [()] for a scalar."""
    shape = context.shapes.get(base, ())
    return list(itertools.product(*[range(1, values[s] + 1) for s in shape]))
