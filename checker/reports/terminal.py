"""The terminal report (rich): a table per derivation, the details of what needs reading, the
summary line. Colour only when asked for; plain text otherwise, the same layout."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..results import Report, StepOutcome, StepResult
from .readable import to_text
from .text import (
    MARKS,
    WIDTH,
    errata_lines,
    failure_lines,
    header,
    passing,
    printable_record,
    step_lines,
    summary_line,
    timing,
)

STYLES = {"proved": "green", "confirmed": "cyan", "refuted": "red", "error": "bold magenta"}
EXPECTED = "yellow"  # an erratum refuted as it should be
LEGEND = (
    "checks: sym = SymPy's certificate · num = mpmath points, worst relative error · "
    "jax = autodiff values, worst relative error"
)


def render_terminal(
    report: Report,
    *,
    width: int = WIDTH,
    color: bool = False,
    verbose: bool = False,
    quiet: bool = False,
) -> str:
    console = Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        markup=False,
    )
    report = printable_record(report)  # what a user wrote cannot reach the terminal raw
    if not quiet:
        console.print(Text(header(report)), style="bold")
        console.print(Text(LEGEND), style="dim")
        console.print()
        for derivation in report.derivations:
            d = derivation.derivation
            console.print(Text(f"{d.name} — {d.title}"), style="bold")
            console.print(Text(f"({d.where})"), style="dim")
            console.print(table(derivation.steps, report))
            console.print()
            for outcome in derivation.steps:
                if verbose or outcome.step.erratum or not outcome.ok(report.strict):
                    details(console, outcome, report, d, verbose)
                    console.print()
        lines(console, errata_lines(report))
    else:
        for derivation in report.derivations:
            for outcome in derivation.steps:
                if not outcome.ok(report.strict):
                    details(console, outcome, report, derivation.derivation, verbose)
        if report.failures:
            console.print()
    lines(console, failure_lines(report))
    status, _, rest = summary_line(report).partition(":")
    console.print(
        Text.assemble((status + ":", "bold green" if report.passed else "bold red"), rest)
    )
    text = console.file.getvalue()
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def lines(console: Console, texts: list[str]) -> None:
    for line in texts:
        console.print(Text(line), soft_wrap=True)


def table(outcomes: tuple[StepOutcome, ...], report: Report) -> Table:
    steps = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1), expand=True)
    steps.add_column("#", justify="right", width=2)
    steps.add_column("step", ratio=1, overflow="fold")
    steps.add_column("verdict", width=12)
    steps.add_column("checks", width=20, overflow="fold")
    steps.add_column("time", justify="right", width=6)
    for outcome in outcomes:
        steps.add_row(
            str(outcome.step.number),
            Text(to_text(outcome.step.latex)),
            verdict_cell(outcome, report.strict),
            Text("\n".join(check_lines(outcome.result))),
            timing(outcome.result),
        )
    return steps


def verdict_cell(outcome: StepOutcome, strict: bool) -> Text:
    result = outcome.result
    verdict = result.verdict
    cell = Text()
    expected = outcome.step.erratum and verdict == "refuted"
    cell.append(f"{MARKS[verdict]} {verdict}", EXPECTED if expected else STYLES[verdict])
    labels = [c.label for c in result.claims if c.label]
    if result.proof is not None:  # a step for every K: what was proved, then the sizes tried
        cell.append(
            f"\n{'all' if result.proved_for_all else 'not all'} {result.proof.sizes}", "dim"
        )
        cell.append(f"\n{sizes(labels)}", "dim")
    elif len(labels) > 1:
        cell.append(f"\n{labels[0]}…{labels[-1].split('=')[-1]}", "dim")
    elif labels:
        cell.append(f"\n{labels[0]}", "dim")
    if outcome.step.erratum:
        cell.append("\nerratum", EXPECTED)  # a refutation here is the expected outcome
        if not expected:
            cell.append("\nFAILED", "bold red")
        correction = outcome.correction
        if correction is not None:
            ok = correction.verdict in passing(strict)
            cell.append(
                f"\nfix {MARKS[correction.verdict]} {correction.verdict}",
                STYLES[correction.verdict] if ok else "bold red",
            )
    elif not outcome.ok(strict):
        cell.append("\nFAILED", "bold red")
    return cell


def sizes(labels: list[str]) -> str:
    """The concrete sizes a step for every K was checked at, short: "K=4,7,12" or "3 sizes"."""
    if all(label.startswith("K=") and "," not in label for label in labels):
        return "K=" + ",".join(label[2:] for label in labels)
    return f"{len(labels)} sizes"


def check_lines(result: StepResult) -> list[str]:
    """One short line per method: SymPy's certificate, the numeric and the autodiff figures."""
    symbolic = result.methods("symbolic")
    proof = result.proof
    if proof is not None:  # SymPy is not run on the sums; the index rules are the certificate
        steps = sum(use.count for use in proof.rules)
        sym = (
            f"{steps} rules ∀{proof.sizes.replace(', ', ',')}"
            if proof.proved
            else f"rules: {proof.status}"
        )
    elif not symbolic:
        sym = "not run"
    elif all(s.status == "zero" for s in symbolic):
        sym = ", ".join(result.strategies)
    else:
        sym = next(s.status for s in symbolic if s.status != "zero")
        sym = {"constant": "nonzero constant", "timeout": "timed out"}.get(sym, sym)
    numeric = result.methods("numeric")
    refuting = [n for n in numeric if n.status == "refuted" and n.counterexample is not None]
    if refuting:
        num = f"✗ at {refuting[0].counterexample.digits} digits"
    elif numeric:
        num = f"{result.numeric_points} pts ≤{figure(result.numeric_max_error)}"
        if result.numeric_skipped:
            num += f" ({result.numeric_skipped} skipped)"
    else:
        num = "not run"
    autodiff = result.methods("autodiff")
    if not autodiff:
        jax = "not run"
    elif all(a.status == "not applicable" for a in autodiff):
        jax = "no derivative"
    elif any(a.status == "declined" for a in autodiff):
        jax = "declared n/a"
    elif any(a.status == "refuted" for a in autodiff):
        jax = "✗ differs"
    elif any(a.status in ("error", "limited") for a in autodiff):
        jax = next(a.status for a in autodiff if a.status in ("error", "limited"))
    else:
        jax = f"{result.autodiff_points} pts ≤{figure(result.autodiff_max_error)}"
    return [f"sym {sym}", f"num {num}", f"jax {jax}"]


def figure(error: float) -> str:
    return "0" if error == 0 else f"{error:.0e}"


def details(console: Console, outcome: StepOutcome, report: Report, derivation, verbose: bool):
    """The step's full story below the table: its line, note, counterexample, re-run, fix."""
    ok = outcome.ok(report.strict)
    style = None if ok else "red"
    for line in step_lines(outcome, report, derivation, verbose):
        console.print(marked(line, style or ""), soft_wrap=True)


def marked(line: str, style: str) -> Text:
    """The line, with a suggestion's changed part (⟦…⟧, brackets kept) in bold green."""
    text = Text(style=style)
    for number, piece in enumerate(line.replace("⟧", "⟧⟦").split("⟦")):
        text.append(("⟦" if number % 2 else "") + piece, style="bold green" if number % 2 else "")
    return text
