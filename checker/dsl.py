"""Helpers for writing a derivation module: one `step(...)` per equals sign of the notes.

    DERIVATION = derivation(
        "sigmoid-derivative", "σ′ = σ(1 − σ)", "notes p.2",
        instances=[Instance(context)],
        steps=[
            step(r"\\frac{d}{dz}(1+e^{-z})^{-1} = ...", lambda s: (lhs, rhs)),
        ],
    )

A step's claim is `(lhs, rhs)` or a function of an instance (for steps checked at K = 2…5).
With `for_all=context` (an `IndexContext`), a step's `(lhs, rhs)` is written for a symbolic K
and proved for all K by the index rules, then checked at random concrete K; a step can carry its
own setting as `for_all(lhs, rhs, context)`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from .indices.model import IndexContext, IndexedClaim
from .indices.rules import free_indices
from .model import Claim, Context, Correction, Definition, Derivation, Step
from .values import sympy_value


@dataclass(frozen=True)
class Instance:
    """One setting a derivation's steps are checked in (e.g. K = 3 classes)."""

    context: Context


@dataclass(frozen=True)
class StepSpec:
    latex: str
    build: Any
    note: str
    where: str
    correction: CorrectionSpec | None
    line: int
    no_autodiff: str = ""


@dataclass(frozen=True)
class CorrectionSpec:
    latex: str
    build: Any


def step(
    latex: str,
    claim,
    *,
    note: str = "",
    where: str = "",
    erratum: CorrectionSpec | None = None,
    no_autodiff: str = "",
) -> StepSpec:
    """One equals sign of the notes, with the line as written; `erratum=fix(...)` if it is false.

    `no_autodiff="why"` declares that the JAX autodiff check does not apply (a function with no
    JAX translation, such as Max); the step is then decided by SymPy and mpmath, and every
    report says autodiff was not run and why.
    """
    return StepSpec(
        latex, claim, note, where, erratum, sys._getframe(1).f_lineno, reason(no_autodiff)
    )


def reason(no_autodiff) -> str:
    if not isinstance(no_autodiff, str):
        raise ValueError(
            f"no_autodiff must say why autodiff does not apply, as text, got {no_autodiff!r}"
        )
    return no_autodiff.strip()


def fix(latex: str, claim) -> CorrectionSpec:
    """The corrected line beside an erratum; it must be proved."""
    return CorrectionSpec(latex, claim)


def define(latex: str, note: str = "") -> Definition:
    """A line of the notes that names something rather than claims an equality."""
    return Definition(latex, note)


def for_all(lhs, rhs, context: IndexContext) -> IndexedClaim:
    """lhs = rhs for every K (and every value of the free indices), in `context`."""
    return IndexedClaim(lhs, rhs, context)


def indexed(build, context: IndexContext | None) -> IndexedClaim | None:
    if isinstance(build, IndexedClaim):
        claim = build
    elif context is None:
        return None
    else:
        claim = IndexedClaim(*build, context)
    known = set(claim.context.ranges) | set(claim.context.sizes)
    for side in (claim.lhs, claim.rhs):
        loose = sorted(
            str(s) for s in free_indices(sympy_value(side)) if s.is_integer and s not in known
        )
        if loose:
            declared = ", ".join(str(s) for s in claim.context.ranges)
            ranges = ", ".join(f"{i}: {size}" for i, size in claim.context.ranges.items())
            ranges = f"{{{ranges + ', ' if ranges else ''}{loose[0]}: SIZE}}"
            raise ValueError(
                f"a step for every K uses the index {loose[0]}, which has no range "
                f"(declared: {declared or 'none'}); give it one in the IndexContext, "
                f"ranges={ranges}, with the size symbol SIZE (e.g. D, N) and the values it is "
                "checked at in sizes={SIZE: (1, 3)}"
            )
    return claim


def claims(build, instances: Sequence[Instance], no_autodiff: str = "") -> tuple[Claim, ...]:
    out = []
    for instance in instances:
        lhs, rhs = build(instance) if callable(build) else build
        context = instance.context
        if no_autodiff:
            context = replace(context, no_autodiff=no_autodiff)
        out.append(Claim(lhs, rhs, context))
    return tuple(out)


def derivation(
    name: str,
    title: str,
    where: str,
    *,
    instances: Sequence[Instance] = (),
    steps: Sequence[StepSpec],
    definitions: Sequence[Definition] = (),
    for_all: IndexContext | None = None,
    no_autodiff: str = "",
) -> Derivation:
    """`no_autodiff="why"`: autodiff does not apply to any of its steps (see `step`)."""
    built = []
    every = reason(no_autodiff)
    for number, spec in enumerate(steps, 1):
        declined = spec.no_autodiff or every
        if declined and (for_all is not None or isinstance(spec.build, IndexedClaim)):
            raise ValueError(
                f"step {number} of {name}: no_autodiff is not supported for a step for every K "
                "yet; its instances are checked by autodiff"
            )
        correction = None
        if spec.correction is not None:
            fixed = indexed(spec.correction.build, for_all)
            correction = Correction(
                spec.correction.latex,
                () if fixed else claims(spec.correction.build, instances, declined),
                fixed,
            )
        symbolic = indexed(spec.build, for_all)
        built.append(
            Step(
                number,
                spec.latex,
                () if symbolic else claims(spec.build, instances, declined),
                spec.where or where,
                spec.note,
                correction,
                spec.line,
                symbolic,
            )
        )
    caller = sys._getframe(1).f_code.co_filename
    return Derivation(name, title, where, tuple(built), tuple(definitions), caller)
