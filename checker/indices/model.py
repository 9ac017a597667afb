"""Steps written for a symbolic number of classes K: the claim, its setting and its proof record.

Indexed quantities are SymPy `IndexedBase`s (z[j], y[n, k]); a sum is `Sum(f, (j, 1, K))`; Σ_{k≠m}
is written `Sum((1 - KroneckerDelta(k, m)) * f, (k, 1, K))` (see `sum_except`). Free indices (k, m)
have a declared range 1…K; sizes (K, D, N) are symbols, instantiated at random values as a second,
independent check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from ..results import IndexProof, RuleUse  # the proof is a result record; named here too

__all__ = ["IndexContext", "IndexProof", "IndexedClaim", "RuleUse", "UnitSum", "sum_except"]

Interval = tuple[float, float]


def refuse_text(where: str, value) -> None:
    """A ValueError if `value` is, or holds, text: a size, range, definition or side written as
    a string would be parsed by SymPy with eval; it must be built from Symbols instead."""
    if isinstance(value, (str, bytes, bytearray)):
        shown = repr(value if len(value) <= 60 else value[:57] + "...")
        raise ValueError(
            f"{where} is the text {shown}, not a SymPy expression; derivcheck never parses text:"
            " build it from Symbols and IndexedBases"
        )
    if isinstance(value, Mapping):
        for key, item in value.items():
            refuse_text(f"{where} (a key)", key)
            refuse_text(f"{where}[{key}]", item)
    elif isinstance(value, (tuple, list, set, frozenset)):
        for item in value:
            refuse_text(where, item)


@dataclass(frozen=True)
class UnitSum:
    """Σ_j base[…, j, …] = 1 over j = 1…size, the index j at `slot`, for every other index."""

    base: Any  # IndexedBase
    slot: int
    size: Any  # the size symbol, e.g. K
    name: str = "j"  # the summation index as shown
    rank: int = 1  # how many indices the base takes

    def __post_init__(self):
        refuse_text("a unit sum's base", self.base)
        refuse_text("a unit sum's size", self.size)

    def text(self) -> str:
        rank = self.rank or 1
        indices = ["·"] * rank
        indices[self.slot] = self.name
        shown = indices[0] if rank == 1 else "{" + ",".join(indices) + "}"
        return f"Σ_{self.name} {self.base}_{shown} = 1"


@dataclass(frozen=True)
class IndexContext:
    """What an index-notation claim is checked against.

    `ranges` gives each free index its size (m ∈ 1…K); `sizes` each size the values it may be
    instantiated at; `definitions` maps a shorthand (ŷ, L, z) to (its dummy indices, expression);
    `unit_sums` are the given Σ_k y_k = 1; `distinct` are pairs of free indices known unequal;
    `domains` give each base's sampling interval and `shapes` its sizes (W: (K, D)), for the
    concrete instances.
    """

    ranges: Mapping[Any, Any] = field(default_factory=dict)
    sizes: Mapping[Any, tuple[int, int]] = field(default_factory=dict)
    definitions: Mapping[Any, tuple[tuple, Any]] = field(default_factory=dict)
    unit_sums: tuple[UnitSum, ...] = ()
    distinct: tuple[tuple[Any, Any], ...] = ()
    domains: Mapping[Any, Interval] = field(default_factory=dict)
    shapes: Mapping[Any, tuple] = field(default_factory=dict)
    label: str = "all K"

    def __post_init__(self):
        for name in ("ranges", "sizes", "definitions", "distinct", "domains", "shapes"):
            refuse_text(f"IndexContext's {name}=", getattr(self, name))

    def with_unit_sum(self, unit: UnitSum) -> IndexContext:
        """With Σ_j y_j = 1 added; y's sampling interval (0, h) narrowed to (0, min(h, 2/K)),
        or at large K the last y, fixed by the others, would rarely fall inside it."""
        domains = dict(self.domains)
        low, high = domains.get(unit.base, (None, None))
        if low == 0:
            domains[unit.base] = (low, sympy.Min(high, 2 / unit.size))
        return replace(self, unit_sums=(*self.unit_sums, unit), domains=domains)

    def with_distinct(self, k, m) -> IndexContext:
        return replace(self, distinct=(*self.distinct, (k, m)))

    def size_names(self) -> str:
        return ", ".join(str(s) for s in self.sizes)


@dataclass(frozen=True)
class IndexedClaim:
    """lhs = rhs for every value of the sizes and of the free indices in their ranges."""

    lhs: Any
    rhs: Any
    context: IndexContext = field(default_factory=IndexContext)

    def __post_init__(self):
        refuse_text("the left-hand side of a step for every K", self.lhs)
        refuse_text("the right-hand side of a step for every K", self.rhs)


def sum_except(body, index, other, size):
    """Σ_{index ≠ other} body over index = 1…size."""
    return sympy.Sum((1 - sympy.KroneckerDelta(index, other)) * body, (index, 1, size))
