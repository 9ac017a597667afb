"""The report as JUnit XML: a testsuite per derivation, a testcase per step. Refuted and error
steps are failures with the counterexample in the message; an erratum refuted as expected
passes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..results import Report, StepOutcome
from .json import relative_path
from .readable import to_text
from .text import counterexample_lines, printable_record, rerun_command


def render_junit(report: Report) -> str:
    report = printable_record(report)  # control characters make XML 1.0 not well formed
    suites = ET.Element(
        "testsuites",
        name="derivcheck",
        tests=str(len(report.outcomes)),
        failures=str(len(report.failures)),
        time=f"{report.seconds:.3f}",
    )
    for derivation in report.derivations:
        d = derivation.derivation
        failing = [s for s in derivation.steps if not s.ok(report.strict)]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=d.name,
            tests=str(len(derivation.steps)),
            failures=str(len(failing)),
            errors="0",
            time=f"{sum(s.result.seconds for s in derivation.steps):.3f}",
        )
        for outcome in derivation.steps:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=d.name,
                name=f"step {outcome.step.number}: {to_text(outcome.step.latex)}",
                time=f"{outcome.result.seconds:.3f}",
            )
            if d.source_file:
                case.set("file", relative_path(d.source_file))
                case.set("line", str(outcome.step.source_line))
            if outcome in failing:
                message, details = failure(outcome, rerun_command(report, d, outcome.step.number))
                element = ET.SubElement(
                    case, "failure", message=message, type=failure_type(outcome)
                )
                element.text = details
            else:  # what passed and why, for whoever opens the test case
                output = ET.SubElement(case, "system-out")
                output.text = f"{outcome.result.verdict}: {outcome.result.message}"
                if outcome.step.erratum and outcome.correction is not None:
                    output.text = (
                        f"erratum, refuted as expected: {outcome.result.message}; the "
                        f"corrected line is {outcome.correction.verdict}"
                    )
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def failure_type(outcome: StepOutcome) -> str:
    if outcome.step.erratum and outcome.result.verdict == "refuted":
        return f"correction {outcome.correction.verdict}"
    return ("erratum " if outcome.step.erratum else "") + outcome.result.verdict


def failure(outcome: StepOutcome, rerun: str) -> tuple[str, str]:
    """The one-line message (with the counterexample's values) and the full details."""
    result = outcome.result
    if outcome.step.erratum and result.verdict == "refuted":
        result = outcome.correction  # the erratum was refuted; its correction failed
    message = f"{result.verdict}: {result.message}"
    lines = [message]
    example = result.counterexample
    if example is not None:
        message += f" (lhs = {example.lhs}, rhs = {example.rhs})"
        where = result.deciding.where(example)
        lines += [line.strip() for line in counterexample_lines(example, where)]
    lines.append(f"re-run: {rerun}")
    return message, "\n".join(lines)
