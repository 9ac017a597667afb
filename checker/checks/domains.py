"""Where claims are sampled: symbol domains, their defaults, and side conditions solved."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import mpmath
import numpy as np
import sympy

from .codegen import lambdified
from .prepare import InputError

# Default interval for a symbol without a declared domain, by its SymPy assumptions (first match).
# Sampling is uniform and never hits an end point, so (0, 3) gives strictly positive values.
DEFAULT_DOMAINS: tuple[tuple[str, tuple[float, float]], ...] = (
    ("positive", (0.0, 3.0)),
    ("negative", (-3.0, 0.0)),
    ("nonnegative", (0.0, 3.0)),
    ("nonpositive", (-3.0, 0.0)),
)
UNASSUMING_DOMAIN = (-3.0, 3.0)

# How many draws per wanted point before sampling under side conditions gives up.
ATTEMPTS_PER_POINT = 400


def sign_assumption(symbol: sympy.Symbol) -> str | None:
    """The sign a symbol is assumed to have (SymPy simplifies with it), if any."""
    for assumption, _ in DEFAULT_DOMAINS:
        if getattr(symbol, f"is_{assumption}") or getattr(symbol, f"is_extended_{assumption}"):
            return assumption
    return None


def default_domain(symbol: sympy.Symbol) -> tuple[float, float]:
    return dict(DEFAULT_DOMAINS).get(sign_assumption(symbol), UNASSUMING_DOMAIN)


def resolve_domains(symbols, declared) -> dict[sympy.Symbol, tuple[float, float]]:
    """Each symbol's interval: the declared one, vetted against its assumptions, or the default."""
    by_name = {}
    for key, interval in (declared or {}).items():
        name = key.name if isinstance(key, sympy.Symbol) else str(key)
        by_name[name] = interval
    domains = {}
    for s in symbols:
        if s.is_integer:
            raise InputError(f"symbol {s} is an integer; only real-valued symbols can be sampled")
        if not s.is_real:  # complex=True, or no assumption at all: SymPy may take it complex
            kind = "not real" if s.is_real is False else "not known to be real"
            raise InputError(
                f"symbol {s} is {kind}, and the checks sample real values only; declare it "
                f"Symbol({s.name!r}, real=True) (or positive=True, ...) if it is real"
            )
        interval = by_name.get(s.name)
        domains[s] = default_domain(s) if interval is None else vet_interval(s, interval)
    return domains


def vet_interval(s: sympy.Symbol, interval) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in interval)
    except (TypeError, ValueError):
        raise InputError(
            f"the domain of {s} is {interval!r:.40}; give it as a pair (low, high) of numbers"
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise InputError(f"the domain of {s} is ({low}, {high}); both ends must be finite")
    if not low < high:
        raise InputError(
            f"the domain of {s} is ({low}, {high}), which is empty or reversed; "
            "give (low, high) with low < high"
        )
    if not math.isfinite(high - low) or math.nextafter(low, high) >= high:
        raise InputError(
            f"the domain of {s} is ({low}, {high}), too wide or too narrow to sample in float64"
        )
    sign = sign_assumption(s)
    fits = {
        "positive": low >= 0,
        "nonnegative": low >= 0,
        "negative": high <= 0,
        "nonpositive": high <= 0,
    }.get(sign, True)
    if not fits:
        raise InputError(
            f"the domain of {s} is ({low}, {high}), but {s} is assumed {sign}; SymPy simplifies "
            "with that assumption, so the domain must respect it"
        )
    return low, high


@dataclass(frozen=True)
class SideConditions:
    """Linear side conditions, solved: each dependent symbol as an expression in the others."""

    solved: tuple[tuple[sympy.Symbol, sympy.Expr], ...]

    @property
    def dependents(self) -> tuple[sympy.Symbol, ...]:
        return tuple(s for s, _ in self.solved)

    def substitute(self, expr):
        return expr.subs(dict(self.solved)) if self.solved else expr


def solve_given(given) -> SideConditions:
    solved: dict[sympy.Symbol, sympy.Expr] = {}
    for eq in given:
        difference = sympy.expand((eq.lhs - eq.rhs).subs(solved))
        free = sorted(difference.free_symbols, key=lambda s: s.name)
        if not free:
            if difference == 0:
                continue
            raise InputError(f"side condition {eq} contradicts the ones before it")
        if not difference.is_polynomial(*free) or sympy.Poly(difference, *free).total_degree() > 1:
            raise InputError(
                f"side condition {eq} is not linear; only linear side conditions can be sampled"
            )
        dependent = free[-1]
        value = solved_for(difference, dependent)
        solved = {s: v.subs(dependent, value) for s, v in solved.items()}
        solved[dependent] = value
    return SideConditions(tuple(solved.items()))


def solved_for(difference, dependent):
    """The root of `difference`, linear in `dependent`: −rest/a for a number a (what
    sympy.solve gives, a hundred times faster: Σ_k y_k = 1 at K = 12), else sympy.solve's."""
    a = difference.coeff(dependent)
    if a.is_Rational and a != 0:
        return sympy.expand(-sympy.expand(difference - a * dependent) / a)
    return sympy.solve(difference, dependent)[0]


@dataclass(frozen=True)
class Sample:
    """Sampled points: the independent symbols' float64 values; dependents follow from `given`."""

    symbols: tuple[sympy.Symbol, ...]
    independent: tuple[sympy.Symbol, ...]
    points: tuple[tuple[float, ...], ...]  # one tuple of independent values per point
    conditions: SideConditions
    attempts: int

    @cached_property
    def _dependents_mp(self):
        return [
            (d, lambdified(self.independent, e, "mpmath", "mpmath", common=False))
            for d, e in self.conditions.solved
        ]

    def at_precision(self, index: int, dps: int) -> dict[sympy.Symbol, mpmath.mpf]:
        """Point `index` with every symbol's value as an mpf, dependents exact at `dps` digits."""
        with mpmath.workdps(dps):
            values = {s: mpmath.mpf(v) for s, v in zip(self.independent, self.points[index])}
            for dependent, f in self._dependents_mp:
                values[dependent] = mpmath.mpf(f(*(values[s] for s in self.independent)))
            return values

    @cached_property
    def floats(self) -> dict[sympy.Symbol, np.ndarray]:
        """Every symbol's values across the points, in float64 (dependents rounded once)."""
        columns = {
            s: np.array([p[i] for p in self.points], dtype=np.float64)
            for i, s in enumerate(self.independent)
        }
        for dependent, expr in self.conditions.solved:
            f = lambdified(self.independent, expr, "numpy", "numpy", common=False)
            columns[dependent] = np.broadcast_to(
                np.asarray(f(*(columns[s] for s in self.independent)), dtype=np.float64),
                (len(self.points),),
            ).copy()
        return columns


def draw(symbols, domains, conditions: SideConditions, count: int, seed: int) -> Sample:
    """`count` points drawn uniformly from the domains, kept only where the side conditions hold."""
    rng = np.random.Generator(np.random.PCG64(seed))
    dependents = set(conditions.dependents)
    missing = [d for d in conditions.dependents if d not in domains]
    for d in missing:
        domains = {**domains, d: default_domain(d)}
    independent = tuple(s for s in symbols if s not in dependents)
    extra = tuple(
        sorted(
            {s for _, e in conditions.solved for s in e.free_symbols}
            - set(independent)
            - dependents,
            key=lambda s: s.name,
        )
    )
    independent = tuple(sorted((*independent, *extra), key=lambda s: s.name))
    for s in extra:
        domains = {**domains, s: domains.get(s, default_domain(s))}
    solved_fns = [
        (d, lambdified(independent, e, "math", "math", common=False)) for d, e in conditions.solved
    ]
    points: list[tuple[float, ...]] = []
    attempts = 0
    while len(points) < count and attempts < ATTEMPTS_PER_POINT * count:
        attempts += 1
        point = tuple(uniform_open(rng, *domains[s]) for s in independent)
        if all(strictly_inside(f(*point), domains[d]) for d, f in solved_fns):
            points.append(point)
    if conditions.solved and len(points) < count:
        raise InputError(
            f"only {len(points)} of {count} points satisfy the side conditions inside the domains "
            f"after {attempts} draws; the side conditions may contradict the domains"
        )
    all_symbols = tuple(sorted({*independent, *dependents}, key=lambda s: s.name))
    return Sample(all_symbols, independent, tuple(points), conditions, attempts)


def uniform_open(rng: np.random.Generator, low: float, high: float) -> float:
    for _ in range(1000):  # vet_interval made sure there is room strictly inside
        value = low + (high - low) * rng.random()
        if low < value < high:
            return float(value)
    return float(math.nextafter(low, high))


def strictly_inside(value: float, interval: tuple[float, float]) -> bool:
    return interval[0] < value < interval[1]
