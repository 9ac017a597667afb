"""GitHub Actions workflow annotations: one `::error` per failing step, at the line of the
derivations module that defines it."""

from __future__ import annotations

from ..results import Report
from .json import relative_path
from .text import printable_record


def render_annotations(report: Report) -> str:
    report = printable_record(report)  # the log shows ANSI colours: no escape sequence passes
    lines = []
    for derivation in report.derivations:
        d = derivation.derivation
        for outcome in derivation.steps:
            if outcome.ok(report.strict):
                continue
            step, result = outcome.step, outcome.result
            if step.erratum and result.verdict == "refuted":
                what = f"correction {outcome.correction.verdict}: {outcome.correction.message}"
            elif step.erratum:
                what = f"erratum not refuted ({result.verdict}): {result.message}"
            else:
                what = f"{result.verdict}: {result.message}"
            example = result.counterexample
            if example is not None:
                point = ", ".join(f"{k}={v}" for k, v in example.point)
                what += f"\ncounterexample: {point}\nlhs = {example.lhs}\nrhs = {example.rhs}"
            properties = [f"title={escape(f'{d.name} step {step.number}', True)}"]
            if d.source_file:
                properties.insert(0, f"file={escape(relative_path(d.source_file), True)}")
                if step.source_line:
                    properties.insert(1, f"line={step.source_line}")
            lines.append(f"::error {','.join(properties)}::{escape(what)}")
    return "".join(line + "\n" for line in lines)


def escape(text: str, property: bool = False) -> str:
    """GitHub's workflow-command escaping: %, CR and LF always; ':' and ',' in properties."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text
