"""The report as a compact Markdown table, for a pull-request comment."""

from __future__ import annotations

from ..results import Report, StepOutcome
from .readable import to_text
from .text import MARKS, summary_line, timing


def render_markdown(report: Report) -> str:
    lines = [f"### derivcheck: {summary_line(report)}", ""]
    lines += ["| derivation | step | line | verdict | time |", "|---|---:|---|---|---:|"]
    for derivation in report.derivations:
        for outcome in derivation.steps:
            lines.append(
                f"| `{derivation.derivation.name}` | {outcome.step.number} "
                f"| {cell(to_text(outcome.step.latex))} | {verdict(outcome, report.strict)} "
                f"| {timing(outcome.result)} |"
            )
    failing = [s for s in report.outcomes if not s.ok(report.strict)]
    if failing:
        lines += ["", "**Failing steps**", ""]
        for derivation in report.derivations:
            for outcome in derivation.steps:
                if outcome in failing:
                    lines.append(
                        f"- `{derivation.derivation.name}` step {outcome.step.number}: "
                        f"{cell(outcome.result.message)}"
                    )
    return "\n".join(lines) + "\n"


def verdict(outcome: StepOutcome, strict: bool) -> str:
    result = outcome.result.verdict
    text = f"{MARKS[result]} {result}"
    if outcome.result.proved_for_all:
        text += f" for all {outcome.result.proof.sizes}"
    if outcome.step.erratum:
        fix = outcome.correction
        fixed = f"; fix {MARKS[fix.verdict]} {fix.verdict}" if fix else ""
        if fix is not None and fix.proved_for_all:
            fixed += f" for all {fix.proof.sizes}"
        text += f" (erratum{fixed})"
    if not outcome.ok(strict):
        text = f"**{text} — FAILED**"
    return text


def cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, one line."""
    return " ".join(text.replace("|", "\\|").split())
