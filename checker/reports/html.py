"""The report as one self-contained HTML file: MathML for the math, inline SVG for the plots, no
network. It draws what the checks recorded; it computes nothing."""

from __future__ import annotations

import html

from ..results import ClaimResult, Report, StepOutcome, StepResult
from .explain import claim_lines
from .mathml import sanitised
from .terminal import check_lines
from .text import MARKS, header, proof_lines, summary_line, timing

NAMES = {"<mi>yhat</mi>": "<mi>ŷ</mi>"}  # symbol names the MathML printer spells out
# No script of any kind, nothing fetched: only the inline stylesheet and inline SVG.
POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'none'"
CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 62em; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
.where, .meta, .note, .fallback-note { color: #666; font-size: 0.9em; }
.summary { padding: 0.6em 1em; border-radius: 6px; font-weight: 600; }
.passed { background: #e3f4e5; } .failed { background: #fbe3e3; }
.step { border: 1px solid #ddd; border-radius: 6px; padding: 0.6em 1em; margin: 1em 0; }
.step.failing { border-color: #c33; }
.badge { display: inline-block; padding: 0.1em 0.6em; border-radius: 1em; color: white;
         font-weight: 600; font-size: 0.85em; margin-right: 0.4em; }
.proved { background: #2a8a3e; } .confirmed { background: #2a7a9a; }
.refuted { background: #c33; } .error { background: #8a2a8a; }
.badge.expected { background: #b8860b; }
.math { overflow-x: auto; margin: 0.3em 0; }
.label { color: #666; font-size: 0.8em; text-transform: uppercase; letter-spacing: 0.04em; }
table.figures { border-collapse: collapse; font-size: 0.9em; margin: 0.4em 0; }
table.figures td { padding: 0.1em 0.8em 0.1em 0; vertical-align: top; }
code, .fallback, pre { font-family: ui-monospace, monospace; font-size: 0.9em; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.5em; }
.plot svg { max-width: 100%; height: auto; }
table.contents td { padding: 0.1em 1em 0.1em 0; }
a.mark { display: inline-block; width: 1.3em; text-align: center; color: white;
         text-decoration: none; border-radius: 3px; margin-right: 2px; font-size: 0.85em; }
a.mark.failing { outline: 2px solid #c33; } a.mark.expected { background: #b8860b; }
.correction { border-left: 3px solid #b8860b; padding-left: 0.8em; margin-top: 0.6em; }
.suggestion { border-left: 3px solid #2e8b57; padding-left: 0.8em; margin-top: 0.6em; }
.suggestion menclose { border: 1.5px solid #2e8b57; padding: 0 2px; }
"""


def render_html(report: Report, notes=()) -> str:
    """The report; with `notes` (NotesPage records), the notes as written come first, a verdict
    mark beside every equals sign."""
    status = "passed" if report.passed else "failed"
    body = [
        "<h1>derivcheck report</h1>",
        f'<p class="meta">{esc(header(report))}</p>',
        f'<p class="summary {status}">{esc(summary_line(report))}</p>',
        contents(report),
    ]
    css = CSS
    if notes:
        from .notes_view import CSS as NOTES_CSS
        from .notes_view import render_notes

        body.append(render_notes(report, notes, esc, latex_math))
        css += NOTES_CSS
    for derivation in report.derivations:
        d = derivation.derivation
        body.append(f'<section id="{esc(d.name)}">')
        body.append(f"<h2>{esc(d.name)} — {esc(d.title)}</h2>")
        body.append(f'<p class="where">{esc(d.where)}</p>')
        for definition in d.definitions:
            body.append(f'<div class="math">{latex_math(definition.latex)}</div>')
        errors = [
            e
            for outcome in derivation.steps
            for result in (outcome.result, outcome.correction)
            if result is not None
            for n in result.methods("numeric")
            if n.status != "refuted"
            for e in n.relative_errors
        ]
        if errors:
            title = "relative errors at the sampled points of the steps that agree"
            body.append(f'<div class="plot">{plots().error_histogram(errors, title)}</div>')
        for outcome in derivation.steps:
            body.append(step_html(outcome, report, d.name))
        body.append("</section>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>derivcheck report</title>\n<style>{css}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def plots():
    from . import plots as drawing  # matplotlib only when an HTML report is drawn

    return drawing


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def latex_math(latex: str) -> str:
    """The notes' LaTeX as MathML; as escaped text with a visible note if it cannot convert, or
    if the MathML held anything but presentation MathML (which is then not shown)."""
    try:
        from latex2mathml.converter import convert

        math, removed = sanitised(convert(latex, display="block"))
    except Exception as error:  # a converter's failure must never stop the report
        return fallback(latex, f"MathML conversion failed, {type(error).__name__}")
    if removed:
        return fallback(latex, f"its MathML held {', '.join(removed)}, which is not shown")
    return math


def fallback(latex: str, why: str) -> str:
    return (
        f'<code class="fallback">{esc(latex)}</code> '
        f'<span class="fallback-note">(shown as LaTeX: {esc(why)})</span>'
    )


def sympy_math(lhs, rhs) -> str:
    """The claim as SymPy holds it, in MathML (presentation)."""
    try:
        from sympy.printing.mathml import mathml

        sides = [mathml(side, printer="presentation") for side in (lhs, rhs)]
    except Exception as error:
        return f'<code class="fallback">{esc(lhs)} = {esc(rhs)}</code> ({esc(error)})'
    text = f'<math display="block">{sides[0]}<mo>=</mo>{sides[1]}</math>'
    for name, shown in NAMES.items():
        text = text.replace(name, shown)
    math, removed = sanitised(text)
    if removed:
        return f'<code class="fallback">{esc(lhs)} = {esc(rhs)}</code>'
    return math


def badge(verdict: str, expected: bool = False) -> str:
    extra = " expected" if expected else ""
    return f'<span class="badge {verdict}{extra}">{MARKS[verdict]} {verdict}</span>'


def contents(report: Report) -> str:
    """One line per derivation: a mark per step, each a link to the step."""
    rows = []
    for derivation in report.derivations:
        name = derivation.derivation.name
        marks = "".join(
            f'<a class="mark {s.result.verdict}{state(s, report.strict)}" '
            f'href="#{esc(name)}-step-{s.step.number}" title="step {s.step.number}: '
            f'{esc(s.result.verdict)}">{MARKS[s.result.verdict]}</a>'
            for s in derivation.steps
        )
        rows.append(f'<tr><td><a href="#{esc(name)}">{esc(name)}</a></td><td>{marks}</td></tr>')
    return f'<table class="contents">{"".join(rows)}</table>'


def state(outcome: StepOutcome, strict: bool) -> str:
    if not outcome.ok(strict):
        return " failing"
    return " expected" if outcome.step.erratum else ""


def step_html(outcome: StepOutcome, report: Report, name: str) -> str:
    step, result = outcome.step, outcome.result
    ok = outcome.ok(report.strict)
    expected = step.erratum and result.verdict == "refuted"
    parts = [
        f'<article class="step{"" if ok else " failing"}" id="{esc(name)}-step-{step.number}">',
        f"<p><strong>step {step.number}</strong> {badge(result.verdict, expected)}"
        + (" erratum: refuted as expected" if expected else "")
        + ("" if ok else " <strong>FAILED</strong>")
        + f' <span class="where">{esc(step.where)}</span></p>',
        '<div class="label">as written in the notes</div>',
        f'<div class="math">{latex_math(step.latex)}</div>',
    ]
    parts.extend(checked_html(step.claims, result, step.indexed))
    if step.note:
        parts.append(f'<p class="note">{esc(step.note)}</p>')
    parts.extend(result_html(result))
    parts.extend(suggestion_html(outcome))
    if step.correction is not None and outcome.correction is not None:
        corrected = outcome.correction
        parts.append('<div class="correction">')
        parts.append(f'<div class="label">should read</div> {badge(corrected.verdict)}')
        parts.append(f'<div class="math">{latex_math(step.correction.latex)}</div>')
        parts.extend(checked_html(step.correction.claims, corrected, step.correction.indexed))
        parts.extend(result_html(corrected))
        parts.append("</div>")
    parts.append("</article>")
    return "\n".join(parts)


def suggestion_html(outcome: StepOutcome) -> list[str]:
    """A refuted step's proved corrections, the changed part boxed; or that none was found."""
    search = outcome.suggestions
    if search is None:
        return []
    if not search.found:
        return [f'<p class="suggestion">{esc(search.message)}</p>']
    parts = []
    for number, s in enumerate(search.suggestions):
        parts.append('<div class="suggestion">')
        lead = "probably should read" if number == 0 else "or"
        parts.append(f'<div class="label">{lead}</div> {badge("proved")}')
        parts.append(f'<div class="math">{latex_math(s.marked)}</div>')
        parts.append(f"<p>edit ({esc(s.side)}): <code>{esc(s.edit)}</code></p>")
        parts.append(f'<p class="note">{esc(s.certificate)}</p>')
        parts.append("</div>")
    return parts


def checked_html(claims, result: StepResult, indexed=None) -> list[str]:
    """The deciding instance's claim as SymPy holds it; for a step for every K, its indexed form."""
    if indexed is not None:
        sizes = result.proof.sizes if result.proof else "K"
        return [
            f'<div class="label">as checked (for all {esc(sizes)})</div>',
            f'<div class="math">{sympy_math(indexed.lhs, indexed.rhs)}</div>',
        ]
    index = result.claims.index(result.deciding) if result.deciding in result.claims else 0
    if not claims:
        return []
    claim = claims[min(index, len(claims) - 1)]
    label = f" ({esc(claim.context.label)})" if claim.context.label else ""
    return [
        f'<div class="label">as checked{label}</div>',
        f'<div class="math">{sympy_math(claim.lhs, claim.rhs)}</div>',
    ]


def result_html(result: StepResult) -> list[str]:
    rows = [
        f"<tr><td>{esc(line[:3])}</td><td>{esc(line[4:])}</td></tr>" for line in check_lines(result)
    ]
    rows.append(f"<tr><td>time</td><td>{esc(timing(result, 2))}</td></tr>")
    parts = [f"<p>{esc(result.message)}</p>", f'<table class="figures">{"".join(rows)}</table>']
    every = proof_lines(result) if result.proof is not None else []
    every += [line for claim in result.claims for line in claim_lines(claim)]
    parts.append(
        f"<details><summary>every figure</summary><pre>{esc(chr(10).join(every))}</pre></details>"
    )
    example = result.counterexample
    if example is not None:
        point = ", ".join(f"{k}={v}" for k, v in example.point)
        parts.append(
            f"<p>counterexample ({esc(example.method)}): <code>{esc(point)}</code><br>"
            f"lhs = <code>{esc(example.lhs)}</code>, rhs = <code>{esc(example.rhs)}</code>, "
            f"relative error {example.relative_error:.3g}</p>"
        )
        if example.around is not None:
            title = f"both sides around the counterexample, along {example.around.symbol}"
            parts.append(f'<div class="plot">{plots().slice_plot(example.around, title)}</div>')
    line = plotted_slice(result.deciding, result.claims)
    if line is not None and example is None:
        title = f"the claim against JAX autodiff along {line.symbol}"
        parts.append(f'<div class="plot">{plots().slice_plot(line, title)}</div>')
    return parts


def plotted_slice(deciding: ClaimResult, claims: tuple[ClaimResult, ...]):
    for claim in (deciding, *claims):
        if claim.autodiff is not None and claim.autodiff.slice is not None:
            return claim.autodiff.slice
    return None
