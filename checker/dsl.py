"""Helpers for writing a derivation module: one `step(...)` per equals sign of the notes.

    DERIVATION = derivation(
        "sigmoid-derivative", "σ′ = σ(1 − σ)", "notes p.2",
        instances=[Instance(context)],
        steps=[
            step(r"\\frac{d}{dz}(1+e^{-z})^{-1} = ...", lambda s: (lhs, rhs)),
        ],
    )

A step's claim is `(lhs, rhs)` or a function of an instance (for steps checked at K = 2…5).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .model import Claim, Context, Correction, Definition, Derivation, Step


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


@dataclass(frozen=True)
class CorrectionSpec:
    latex: str
    build: Any


def step(
    latex: str, claim, *, note: str = "", where: str = "", erratum: CorrectionSpec | None = None
) -> StepSpec:
    """One equals sign of the notes, with the line as written; `erratum=fix(...)` if it is false."""
    return StepSpec(latex, claim, note, where, erratum, sys._getframe(1).f_lineno)


def fix(latex: str, claim) -> CorrectionSpec:
    """The corrected line beside an erratum; it must be proved."""
    return CorrectionSpec(latex, claim)


def define(latex: str, note: str = "") -> Definition:
    """A line of the notes that names something rather than claims an equality."""
    return Definition(latex, note)


def claims(build, instances: Sequence[Instance]) -> tuple[Claim, ...]:
    out = []
    for instance in instances:
        lhs, rhs = build(instance) if callable(build) else build
        out.append(Claim(lhs, rhs, instance.context))
    return tuple(out)


def derivation(
    name: str,
    title: str,
    where: str,
    *,
    instances: Sequence[Instance],
    steps: Sequence[StepSpec],
    definitions: Sequence[Definition] = (),
) -> Derivation:
    built = []
    for number, spec in enumerate(steps, 1):
        correction = None
        if spec.correction is not None:
            correction = Correction(spec.correction.latex, claims(spec.correction.build, instances))
        built.append(
            Step(
                number,
                spec.latex,
                claims(spec.build, instances),
                spec.where or where,
                spec.note,
                correction,
                spec.line,
            )
        )
    caller = sys._getframe(1).f_code.co_filename
    return Derivation(name, title, where, tuple(built), tuple(definitions), caller)
