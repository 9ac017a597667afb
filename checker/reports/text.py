"""Plain-text blocks of the report that fit an 80-column terminal: a step's full story, its
counterexample, the errata, the failures, the summary line (reports.terminal lays them out)."""

from __future__ import annotations

import dataclasses
import re
import shlex
import textwrap
import unicodedata

from ..results import Counterexample, Report, StepOutcome, StepResult
from .json import relative_path
from .readable import to_text

WIDTH = 80
MARKS = {"proved": "✓", "confirmed": "~", "refuted": "✗", "error": "!"}
INDENT = " " * 6
SYMBOLIC_STATUS = {
    "zero": "zero",
    "constant": "nonzero constant",
    "residual": "not reduced to zero",
    "timeout": "timed out",
    "failed": "failed",
    "skipped": "for all K only",
}


# Bidirectional overrides reorder what a terminal shows ("Trojan source"); the other format
# characters (category Cf, e.g. a zero-width joiner) only join or hide.
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


# Every character `unsafe` names: categories Cc (C0, DEL, C1) and Cs (surrogates) are exactly
# these ranges; test_reports checks the two agree over the whole of Unicode.
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff" + "".join(sorted(BIDI)) + "]")


def printable(text: str) -> str:
    """`text` with every control character (C0, DEL, C1), bidirectional override, lone surrogate
    and XML-forbidden non-character spelled out as an escape, e.g. ESC as \\x1b: nothing a user
    wrote can move a terminal's cursor, colour it, or make the JUnit XML not well formed."""
    return UNSAFE.sub(lambda found: escaped(found.group()), text)


def unsafe(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI or ch in "\ufffe\uffff"


def escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_record(record):
    """A copy of a report record (or a part of it) with `printable` applied to every string."""
    if isinstance(record, str):
        return printable(record)
    if isinstance(record, tuple):
        return tuple(printable_record(r) for r in record)
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return record
    changes = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, (str, tuple)) or dataclasses.is_dataclass(value):
            cleaned = printable_record(value)
            if cleaned != value:
                changes[field.name] = cleaned
    return dataclasses.replace(record, **changes) if changes else record


def rerun_command(report: Report, derivation, number: int) -> str:
    """The one command that re-checks step `number` with this run's settings, shell-quoted."""
    name = derivation.name
    words = ["derivcheck", "verify"] + ([] if name.startswith("-") else [name])
    if derivation.origin:
        words += ["--path", relative_path(derivation.origin)]
    words += ["--step", str(number), "--seed", str(report.seed), "--points", str(report.points)]
    words += ["--timeout", f"{report.timeout:g}"] + (["--strict"] if report.strict else [])
    return shlex.join(words + (["--", name] if name.startswith("-") else []))


def rerun_lines(command: str, first: str, rest: str) -> list[str]:
    """`re-run: COMMAND`, broken between options with a shell line continuation, never between
    an option and its value."""
    words = shlex.split(command)
    units = []  # an option with its value, or a word alone
    for word in words:
        if units and units[-1][0].startswith("--") and len(units[-1]) == 1 and word[:1] != "-":
            units[-1].append(word)
        else:
            units.append([word])
    lines, line = [], first + "re-run:"
    for unit in units:
        text = " ".join(shlex.quote(word) for word in unit)
        if len(line) + 1 + len(text) + 2 > WIDTH and len(line) > len(first + "re-run:"):
            lines.append(line + " \\")
            line = rest + " "
        line += " " + text
    return [*lines, line]


def header(report: Report) -> str:
    versions = dict(report.versions)
    return (
        f"derivcheck {versions.get('derivcheck', '?')} · seed {report.seed} · "
        f"{report.points} points · time limit {report.timeout:g} s per claim"
        + (" · strict" if report.strict else "")
    )


def wrapped(text: str, first: str, rest: str = INDENT) -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    ) or [first.rstrip()]


def verdict_label(outcome: StepOutcome, strict: bool) -> str:
    verdict = outcome.result.verdict
    label = f"{MARKS[verdict]} {verdict}"
    if outcome.step.erratum:
        label += " (erratum, as expected)" if verdict == "refuted" else " (erratum NOT refuted)"
    elif not outcome.ok(strict):
        label += " — FAILED"
    return label


def step_lines(outcome: StepOutcome, report: Report, derivation, verbose: bool) -> list[str]:
    step, result = outcome.step, outcome.result
    lines = wrapped(to_text(step.latex), f"  {step.number:>2}  ")
    lines.extend(wrapped(f"{verdict_label(outcome, report.strict)} · {step.where}", INDENT))
    lines.extend(wrapped(method_summary(result), INDENT))
    lines.extend(wrapped(proof_summary(result), INDENT) if result.proof else [])
    if step.note and (step.erratum or verbose or not outcome.ok(report.strict)):
        lines.extend(wrapped("note: " + step.note, INDENT))
    if result.verdict in ("refuted", "error") or verbose:
        lines.extend(wrapped(result.message, INDENT))
    if result.counterexample is not None:
        example = result.counterexample
        lines.extend(counterexample_lines(example, result.deciding.where(example)))
        lines.extend(rerun_lines(rerun_command(report, derivation, step.number), INDENT, INDENT))
    if verbose and result.proof is not None and result.proof.rules:
        rules = " · ".join(
            use.rule + (f" ×{use.count}" if use.count > 1 else "") for use in result.proof.rules
        )
        lines.extend(wrapped(f"rules ({result.proof.strategy or 'as written'}): {rules}", INDENT))
    if verbose:
        lines.extend(instance_lines(result))
    lines.extend(suggestion_lines(outcome))
    if step.correction is not None and outcome.correction is not None:
        corrected = outcome.correction
        inner = INDENT + " " * 11
        lines.extend(wrapped(to_text(step.correction.latex), INDENT + "corrected: ", inner))
        lines.append(
            f"{inner}{MARKS[corrected.verdict]} {corrected.verdict}"
            + ("" if corrected.verdict in passing(report.strict) else " — FAILED")
        )
        lines.extend(wrapped(method_summary(corrected), inner, inner))
        lines.extend(wrapped(proof_summary(corrected), inner, inner) if corrected.proof else [])
        if corrected.verdict not in passing(report.strict):
            lines.extend(wrapped(corrected.message, inner, inner))
    return lines


SIDES = {"lhs": "left side", "rhs": "right side", "both": "both sides"}
SUGGESTED = "probably should read: "


def suggestion_lines(outcome: StepOutcome) -> list[str]:
    """A refuted step's proved corrections, the changed part in ⟦ ⟧, with the edit and how it
    was proved; or that none was found."""
    search = outcome.suggestions
    if search is None:
        return []
    if not search.found:
        return wrapped(search.message, INDENT)
    lines = []
    inner = INDENT + " " * len(SUGGESTED)
    for number, suggestion in enumerate(search.suggestions):
        lead = SUGGESTED if number == 0 else "or: ".rjust(len(SUGGESTED))
        lines.extend(wrapped(to_text(bracketed(suggestion.marked)), INDENT + lead, inner))
        places = f", {suggestion.places} places" if suggestion.places > 1 else ""
        edit = f"edit: {edit_text(suggestion)} ({SIDES[suggestion.side]}{places})"
        lines.extend(wrapped(edit, inner, inner))
        lines.extend(wrapped(f"✓ proved · {suggestion.certificate}", inner, inner))
    return lines


def edit_text(suggestion) -> str:
    if suggestion.text:
        return f"{to_text(suggestion.before)} ↔ {to_text(suggestion.after)} throughout"
    return f"{to_text(suggestion.before)} → {to_text(suggestion.after)}"


def bracketed(latex: str) -> str:
    """\\boxed{X} (the changed part) written ⟦X⟧ for plain text."""
    out, at = [], 0
    while (start := latex.find(r"\boxed{", at)) >= 0:
        depth, end = 0, start + len(r"\boxed")
        while end < len(latex):
            depth += {"{": 1, "}": -1}.get(latex[end], 0)
            if depth == 0:
                break
            end += 1
        out.append(latex[at:start] + "⟦{" + latex[start + len(r"\boxed{") : end] + "}⟧")
        at = end + 1
    return "".join(out) + latex[at:]


def passing(strict: bool) -> tuple[str, ...]:
    return ("proved",) if strict else ("proved", "confirmed")


def method_summary(result: StepResult) -> str:
    parts = []
    symbolic = result.methods("symbolic")
    if symbolic:
        statuses = {s.status for s in symbolic}
        if statuses == {"zero"}:
            parts.append("symbolic: " + ", ".join(result.strategies))
        else:
            shown = next(s for s in symbolic if s.status != "zero")
            status = SYMBOLIC_STATUS[shown.status]
            if shown.status == "skipped" and result.proof is not None and result.proof.sizes:
                status = f"for all {result.proof.sizes} only"  # K, D, N: not only K
            parts.append(f"symbolic: {status}")
    else:
        parts.append("symbolic: not run")
    refuting = [n for n in result.methods("numeric") if n.status == "refuted"]
    if refuting:
        parts.append(f"numeric: refuted, confirmed at {refuting[0].counterexample.digits} digits")
    elif result.methods("numeric"):
        text = f"numeric: {result.numeric_points} pts, max rel {result.numeric_max_error:.1e}"
        if result.numeric_skipped:
            text += f", {result.numeric_skipped} skipped"
        parts.append(text)
    autodiff = result.methods("autodiff")
    if autodiff and all(a.status == "not applicable" for a in autodiff):
        parts.append("autodiff: no derivative")
    elif autodiff and any(a.status == "declined" for a in autodiff):
        parts.append("autodiff: not run, declared not to apply")
    elif any(a.status == "refuted" for a in autodiff):
        parts.append("autodiff: refuted")
    elif autodiff:
        text = f"autodiff: {result.autodiff_points} values, max rel {result.autodiff_max_error:.1e}"
        if result.autodiff_limited:
            text += f", {result.autodiff_limited} float64-limited"
        parts.append(text)
    parts.append(timing(result))
    labels = [c.label for c in result.claims if c.label]
    if labels and result.proof is None:  # a symbolic-K step lists its sizes on its own line
        parts.insert(
            0, f"{labels[0]}…{labels[-1].split('=')[-1]}" if len(labels) > 1 else labels[0]
        )
    return " · ".join(parts)


def proof_summary(result: StepResult) -> str:
    """For all K: what the index rules found, and the sizes the step was checked at."""
    proof = result.proof
    at = "; ".join(result.labels)
    if result.proved_for_all:
        rules = sum(use.count for use in proof.rules)
        timing = f"{rules} rule steps, {proof.seconds:.2f} s"
        return f"proved for all {proof.sizes} ({timing}) · checked at {at}"
    text = f"for all {proof.sizes}: {proof.status} · checked at {at} only"
    if proof.holds_only_if:
        evidence = ["proved with it"] if proof.condition_proved else []
        evidence += [proof.condition_checked] if proof.condition_checked else []
        text += f" · {proof.holds_only_if}" + (f" ({'; '.join(evidence)})" if evidence else "")
    return text


def proof_lines(result: StepResult) -> list[str]:
    """The index rules' certificate in full: each rule applied, in order, with a first example."""
    proof = result.proof
    head = f"index rules: {proof.status} for all {proof.sizes}"
    if proof.strategy:
        head += f" · {proof.strategy}"
    lines = wrapped(f"{head} · {proof.seconds:.2f} s", "  ", "    ")
    for number, use in enumerate(proof.rules, 1):
        times = f" ×{use.count}" if use.count > 1 else ""
        example = f": {use.example}" if use.example else ""
        lines.extend(wrapped(f"{number}. {use.rule}{times}{example}", "    ", "       "))
    if proof.residual:
        lines.extend(wrapped(f"residual: {proof.residual}", "    ", "      "))
    if proof.message and not proof.proved:
        lines.extend(wrapped(proof.message, "    ", "    "))
    if proof.holds_only_if:
        evidence = ["proved with it"] if proof.condition_proved else []
        evidence += [proof.condition_checked] if proof.condition_checked else []
        extra = f" ({'; '.join(evidence)})" if evidence else ""
        lines.extend(wrapped(f"{proof.holds_only_if}{extra}", "    ", "      "))
    lines.extend(wrapped(f"also checked at {'; '.join(result.labels)}", "    ", "      "))
    return lines


def counterexample_lines(example: Counterexample, label: str) -> list[str]:
    """`label`: where it stands (ClaimResult.where): the instance, and the entry of a matrix."""
    where = f" at {label}" if label and not label.startswith("entry ") else ""
    where = where or (f", {label}" if label else "")  # (numeric, entry [0, 1])
    point = ", ".join(f"{k}={v}" for k, v in example.point)
    lines = wrapped(f"counterexample ({example.method}{where}): {point}", INDENT)
    if example.shorthands:
        defined = ", ".join(f"{k}={v}" for k, v in example.shorthands)
        lines.extend(wrapped(f"where {defined}", INDENT + "  ", INDENT + "  "))
    lines.append(f"{INDENT}  lhs = {example.lhs}")
    lines.append(f"{INDENT}  rhs = {example.rhs}")
    if example.difference:
        lines.append(f"{INDENT}  lhs − rhs = {example.difference}")
    lines.append(f"{INDENT}  relative error {example.relative_error:.3g}")
    return lines


def instance_lines(result: StepResult) -> list[str]:
    lines = []
    for claim in result.claims:
        head = (
            f"{claim.label or 'claim'}: {MARKS[claim.verdict]} {claim.verdict}, seed {claim.seed}"
        )
        lines.extend(wrapped(head, INDENT + "  "))
        if claim.symbolic is not None:
            for attempt in claim.symbolic.attempts:
                lines.extend(
                    wrapped(
                        f"{attempt.strategy}: {attempt.outcome} ({attempt.seconds:.2f} s)",
                        INDENT + "    ",
                    )
                )
            if claim.symbolic.residual:
                lines.extend(wrapped(f"residual: {claim.symbolic.residual}", INDENT + "    "))
    return lines


def errata_lines(report: Report) -> list[str]:
    errata = report.errata
    if not errata:
        return []
    lines = [f"Errata in the notes ({len(errata)}):"]
    for derivation in report.derivations:
        for outcome in derivation.steps:
            if not outcome.step.erratum:
                continue
            step = outcome.step
            lines.extend(
                wrapped(
                    f"{derivation.derivation.name} step {step.number} "
                    f"({step.where}): {to_text(step.latex)}",
                    "  - ",
                    "    ",
                )
            )
            lines.extend(wrapped(f"should read: {to_text(step.correction.latex)}", "    "))
            search = outcome.suggestions
            if search is not None and search.found:
                found = to_text(bracketed(search.suggestions[0].marked))
                lines.extend(wrapped(f"derivcheck suggests: {found} (proved)", "    "))
            example = outcome.result.counterexample
            if example is not None:
                lines.extend(
                    wrapped(f"counterexample: lhs = {example.lhs}, rhs = {example.rhs}", "    ")
                )
    return [*lines, ""]


def failure_lines(report: Report) -> list[str]:
    failures = report.failures
    if not failures:
        return []
    lines = [f"Failed steps ({len(failures)}):"]
    for derivation in report.derivations:
        for outcome in derivation.steps:
            if outcome in failures:
                lines.extend(
                    wrapped(
                        f"{derivation.derivation.name} step {outcome.step.number}: "
                        f"{outcome.result.verdict} — {outcome.result.message}",
                        "  - ",
                        "    ",
                    )
                )
    return [*lines, ""]


def timing(result, digits: int = 1) -> str:
    """A step's (or claim's) time, or "cached" when it came from the result cache."""
    return "cached" if result.cached else f"{result.seconds:.{digits}f} s"


def summary_line(report: Report) -> str:
    counts = report.counts()
    errata = report.errata
    refuted_errata = sum(1 for s in errata if s.result.verdict == "refuted")
    status = "PASSED" if report.passed else f"FAILED ({len(report.failures)} failing)"
    return (
        f"{status}: {len(report.outcomes)} steps · {counts['proved']} proved · "
        f"{counts['confirmed']} confirmed · {counts['refuted']} refuted · {counts['error']} error"
        + (f" · errata {refuted_errata}/{len(errata)} refuted as expected" if errata else "")
        + (f" · {report.cached} from the cache" if report.cached else "")
        + f" · {report.seconds:.1f} s"
    )
