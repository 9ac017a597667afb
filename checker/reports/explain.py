"""`derivcheck explain NAME STEP`: the full story of one step, as plain text."""

from __future__ import annotations

from dataclasses import fields

from ..results import ClaimResult, Report, StepResult
from .json import relative_path
from .readable import to_text
from .text import (
    MARKS,
    counterexample_lines,
    printable_record,
    proof_lines,
    rerun_command,
    rerun_lines,
    suggestion_lines,
    timing,
    verdict_label,
    wrapped,
)

LONGEST = 800  # characters of a side as checked shown; the largest (K = 5) run to 20 000
# Fields shown on their own lines or not at all (plot data is for the HTML report).
SHOWN_APART = {"counterexample", "attempts", "residual", "certificate", "slice", "relative_errors"}
CLAIM_FIELDS = {"verdict", "message", "label", "seed", "symbolic", "numeric", "autodiff",
                "seconds", "checked", "cached"}  # fmt: skip


def render_explain(report: Report, name: str, number: int) -> str:
    (derivation,) = [d for d in report.derivations if d.derivation.name == name]
    derivation = printable_record(derivation)  # nothing a user wrote reaches the terminal raw
    rerun = rerun_command(report, derivation.derivation, number)
    (outcome,) = [s for s in derivation.steps if s.step.number == number]
    step = outcome.step
    lines = wrapped(f"{derivation.derivation.name} step {number} · {step.where}", "")
    source = derivation.derivation.source_file
    if source:
        lines.extend(wrapped(f"defined at {relative_path(source)}:{step.source_line}", "  "))
    lines.append("")
    lines.extend(wrapped(to_text(step.latex), "as written  ", " " * 12))
    lines.extend(wrapped(step.latex, "LaTeX       ", " " * 12))
    if step.note:
        lines.extend(wrapped(step.note, "note        ", " " * 12))
    lines.append("")
    lines.extend(wrapped(verdict_label(outcome, report.strict), "verdict     ", " " * 12))
    lines.extend(wrapped(outcome.result.message, " " * 12, " " * 12))
    lines.extend(result_lines(outcome.result, rerun))
    if outcome.suggestions is not None:
        lines.append("")
        lines.extend(suggestion_lines(outcome))
        for suggestion in outcome.suggestions.suggestions:  # LaTeX breaks at spaces, to fit
            lines.extend(wrapped(f"LaTeX: {suggestion.latex}", " " * 12, " " * 19))
    if step.correction is not None and outcome.correction is not None:
        lines.append("")
        lines.extend(wrapped(to_text(step.correction.latex), "corrected   ", " " * 12))
        lines.extend(wrapped(step.correction.latex, "LaTeX       ", " " * 12))
        corrected = outcome.correction
        lines.extend(
            wrapped(f"{MARKS[corrected.verdict]} {corrected.verdict}", "verdict     ", " " * 12)
        )
        lines.extend(wrapped(corrected.message, " " * 12, " " * 12))
        lines.extend(result_lines(corrected, rerun))
    return "\n".join(lines) + "\n"


def result_lines(result: StepResult, rerun: str) -> list[str]:
    lines = []
    if result.proof is not None:
        lines.append("")
        lines.extend(proof_lines(result))
    for claim in result.claims:
        lines.append("")
        lines.extend(claim_lines(claim))
    if result.counterexample is not None:
        lines.append("")
        example = result.counterexample
        lines.extend(counterexample_lines(example, result.deciding.where(example)))
        lines.extend(rerun_lines(rerun, " " * 6, " " * 6))
    return lines


def claim_lines(claim: ClaimResult) -> list[str]:
    head = f"{claim.label or 'the claim'}: {MARKS[claim.verdict]} {claim.verdict}"
    lines = wrapped(f"{head} · seed {claim.seed} · {timing(claim, 2)}", "")
    for side, text in zip(("lhs", "rhs"), claim.checked):
        if len(text) > LONGEST:
            text = f"{text[:LONGEST]} … ({len(text)} characters in all)"
        lines.extend(wrapped(text, f"  checked {side}  ", " " * 15))
    symbolic = claim.symbolic
    if symbolic is not None:
        lines.extend(method_lines("symbolic", symbolic))
        for strategy, entries in symbolic.certificate:
            lines.extend(
                wrapped(
                    f"certificate: {strategy} reduced {entries} entr"
                    f"{'y' if entries == 1 else 'ies'} to zero",
                    "    ",
                )  # fmt: skip
            )
        for attempt in symbolic.attempts:
            lines.extend(
                wrapped(f"{attempt.strategy}: {attempt.outcome} ({attempt.seconds:.2f} s)", "    ")
            )
        if symbolic.residual:
            lines.extend(wrapped(f"residual: {symbolic.residual}", "    ", " " * 6))
    for method in ("numeric", "autodiff"):
        if getattr(claim, method) is not None:
            lines.extend(method_lines(method, getattr(claim, method)))
    for field in fields(claim):  # anything a check adds later shows up here by itself
        value = getattr(claim, field.name)
        if field.name not in CLAIM_FIELDS and value not in ("", None, (), False):
            lines.extend(wrapped(f"{field.name.replace('_', ' ')}: {value}", "  ", "    "))
    return lines


def method_lines(name: str, method) -> list[str]:
    """Every field of a method's result that has a value, so a new field shows up by itself."""
    parts = []
    for field in fields(method):
        if field.name in SHOWN_APART:
            continue
        value = getattr(method, field.name)
        if value in ("", None, ()) or field.name == "status":
            continue
        if isinstance(value, float):
            value = f"{value:.2f} s" if field.name == "seconds" else f"{value:.3g}"
        parts.append(f"{field.name.replace('_', ' ')} {value}")
    return wrapped(f"{name}: {method.status} · " + " · ".join(parts), "  ", "    ")
