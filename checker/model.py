"""The records a derivation is made of: claims, steps and derivations, all frozen."""

from __future__ import annotations

import unicodedata
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
    # There: the index rules proved that line for every size. The instance is then the
    # independent numeric and autodiff check of a proved line and, like a claim SymPy reduced
    # to zero, gets no residual probe; an instance of a line not proved gets it.
    line_proved: bool = False
    entries: str = ""  # there: which entries of the free indices, e.g. "all 9 entries (k, m)"
    rows: tuple[str, ...] = ()  # a matrix claim's entries, by their index values ("k=1, m=3")
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
    """A derivation of the notes; checked when it is built, so that a file that cannot be
    reported on is refused when it is loaded, with the step named."""

    name: str
    title: str
    where: str
    steps: tuple[Step, ...]
    definitions: tuple[Definition, ...] = ()
    source_file: str = ""
    origin: str = ""  # the --path file it was loaded from; empty for the notes' own

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"a derivation's name must be a non-empty string, got {self.name!r}")
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in self.name):
            raise ValueError(
                f"derivation {self.name!r}: its name holds a control character; a name is typed "
                "on the command line, so use printable characters only"
            )
        problems = [f": {problem}" for problem in self.field_problems()]
        for step in self.steps:
            problems += [f" step {step.number}: {problem}" for problem in step_problems(step)]
        if problems:
            raise ValueError(f"derivation {self.name!r}{problems[0]}")

    def field_problems(self) -> list[str]:
        fields = [("title", self.title), ("where", self.where)]
        problems = []
        for number, definition in enumerate(self.definitions, 1):
            if not isinstance(definition, Definition):
                problems.append(
                    f"its definition {number} is {described(definition)}, not a define(...)"
                )
                continue
            fields.append((f"definition {number}'s LaTeX", definition.latex))
            fields.append((f"definition {number}'s note", definition.note))
        return [f"its {what} {not_text(v)}" for what, v in fields if not_text(v)] + problems


def not_text(value) -> str:
    """Why `value` is not a string a report can write, or "" if it is one."""
    if not isinstance(value, str):
        return f"is {described(value)}, not a string"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:  # a lone surrogate, e.g. "\ud800" in the source
        return f"holds {value[error.start]!r}, which is not a character (no report can hold it)"
    return ""


def described(value) -> str:
    shown = repr(value)
    return f"of type {type(value).__name__} ({shown if len(shown) <= 40 else shown[:39] + '…'})"


def step_problems(step: Step) -> list[str]:
    fields = [("LaTeX", step.latex), ("where", step.where), ("note", step.note)]
    if step.correction is not None:
        fields.append(("corrected LaTeX", step.correction.latex))
    problems = [f"its {what} {not_text(value)}" for what, value in fields if not_text(value)]
    parts = [("", step.claims, step.indexed)]
    if step.correction is not None:
        parts.append(("its correction ", step.correction.claims, step.correction.indexed))
    for which, claims, indexed in parts:
        if not claims and indexed is None:
            problems.append(
                f"{which}has nothing to be checked in: the derivation has neither instances= "
                "nor for_all=; give instances=[Instance(Context(...))], or for_all=context(...) "
                "for a step for every K"
            )
    return problems
