"""The report as a compact Markdown table, for a pull-request comment or a job summary. Every
string a user wrote is escaped for where it lands (a code span, a table cell, a list item), so
that it can neither add a row nor bring in HTML, a link or an image."""

from __future__ import annotations

import re

from ..results import Report, StepOutcome
from .readable import to_text
from .text import MARKS, printable, summary_line, timing

# The ASCII punctuation that can open inline Markdown (GitHub's flavour: tables, strikethrough,
# math); CommonMark lets a backslash make any of them literal.
MARKUP = frozenset("\\`*_[]<>&|~!#$@")


def render_markdown(report: Report) -> str:
    lines = [f"### derivcheck: {summary_line(report)}", ""]
    lines += ["| derivation | step | line | verdict | time |", "|---|---:|---|---|---:|"]
    for derivation in report.derivations:
        for outcome in derivation.steps:
            lines.append(
                f"| {code(derivation.derivation.name, table=True)} | {outcome.step.number} "
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
                        f"- {code(derivation.derivation.name)} step {outcome.step.number}: "
                        f"{cell(outcome.result.message)}"
                    )
    return "\n".join(lines) + "\n"


def verdict(outcome: StepOutcome, strict: bool) -> str:
    result = outcome.result.verdict
    text = f"{MARKS[result]} {result}"
    if outcome.result.proved_for_all:
        text += f" for all {cell(outcome.result.proof.sizes)}"
    if outcome.step.erratum:
        fix = outcome.correction
        fixed = f"; fix {MARKS[fix.verdict]} {fix.verdict}" if fix else ""
        if fix is not None and fix.proved_for_all:
            fixed += f" for all {cell(fix.proof.sizes)}"
        text += f" (erratum{fixed})"
    if not outcome.ok(strict):
        text = f"**{text} — FAILED**"
    return text


def one_line(text: str) -> str:
    return " ".join(printable(str(text)).split())


def cell(text: str) -> str:
    """Plain text safe in a table cell or a list item: one line, every markup character
    backslash-escaped (so no HTML, link, image, emphasis or column separator)."""
    return "".join(f"\\{ch}" if ch in MARKUP else ch for ch in one_line(text))


def code(text: str, table: bool = False) -> str:
    """A code span holding `text` as it is: fenced by more backticks than it holds in a row;
    in a table, a pipe is escaped (GitHub's tables split cells before reading code spans)."""
    text = one_line(text)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        text = f" {text} "
    return fence + (text.replace("|", "\\|") if table else text) + fence
