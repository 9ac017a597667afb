"""The records a derivation is made of: claims, steps and derivations, all frozen."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Interval = tuple[float, float]


@dataclass(frozen=True)
class Context:
    """What a claim is checked against: symbol domains, shorthand definitions and side conditions.

    `definitions` maps a shorthand symbol (such as ŷ) to the expression it stands for; they are
    substituted before checking. `given` holds `sympy.Eq` side conditions that hold on the domain.
    """

    domains: Mapping[Any, Interval] = field(default_factory=dict)
    definitions: Mapping[Any, Any] = field(default_factory=dict)
    given: tuple[Any, ...] = ()
    label: str = ""  # which instance this is, e.g. "K=3"
    symbolic: bool = True  # False at the concrete sizes of a symbolic-K line (numeric, autodiff)
    entries: tuple[str, ...] = ()  # a matrix claim's entries, by their index values ("k=1, m=3")
    no_autodiff: str = ""  # declared: why JAX autodiff does not apply (no JAX translation, ...)


@dataclass(frozen=True)
class Claim:
    """One equality to check: lhs = rhs in a context (one instance of a step, e.g. at K = 3)."""

    lhs: Any
    rhs: Any
    context: Context = field(default_factory=Context)


@dataclass(frozen=True)
class Correction:
    """The corrected form of a line of the notes that is false as written."""

    latex: str
    claims: tuple[Claim, ...]
    indexed: Any = None  # an IndexedClaim, for a line proved for every K


@dataclass(frozen=True)
class Step:
    """One equals sign of the notes: the line as written and its claims (one per instance).

    An erratum is a line that is false as written: it is expected to be refuted, and its
    `correction` must be proved.
    """

    number: int
    latex: str
    claims: tuple[Claim, ...]
    where: str = ""
    note: str = ""
    correction: Correction | None = None
    source_line: int = 0  # line of the derivations module that defines the step
    indexed: Any = None  # an IndexedClaim: the line for a symbolic K, instantiated at run time

    @property
    def erratum(self) -> bool:
        return self.correction is not None


@dataclass(frozen=True)
class Definition:
    """A line of the notes that defines a name rather than claims an equality."""

    latex: str
    note: str = ""


@dataclass(frozen=True)
class Derivation:
    name: str
    title: str
    where: str
    steps: tuple[Step, ...]
    definitions: tuple[Definition, ...] = ()
    source_file: str = ""
