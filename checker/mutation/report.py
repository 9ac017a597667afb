"""A mutation run as text (fits 80 columns) or JSON. Pure functions of the report."""

from __future__ import annotations

import json
import textwrap

from .mutate import MutationReport

WIDTH = 80
COLUMNS = ("generated", "equivalent", "undefined", "killed", "survived", "false pass")
NARROW = (("gen.", 6), ("equiv.", 8), ("undef.", 8), ("killed", 8), ("survived", 10),
          ("false pass", 12))  # fmt: skip  # the columns of the table by derivation


def counts(report: MutationReport, kind: str | None = None, derivation: str | None = None):
    equivalent = report.count("equivalent", kind, derivation)
    undefined = report.count("undefined", kind, derivation)
    killed = report.count("killed", kind, derivation)
    false_passes = report.count("false pass", kind, derivation)
    errors = report.count("error", kind, derivation)
    return {
        "generated": equivalent + undefined + killed + false_passes + errors,
        "equivalent": equivalent,
        "undefined": undefined,
        "killed": killed,
        "survived": false_passes + errors,
        "false pass": false_passes,
    }


def render_mutation_text(report: MutationReport) -> str:
    lines = [
        f"derivcheck mutate · seed {report.seed} · {report.points} points · time limit "
        f"{report.timeout:g} s per claim",
        "",
        f"{'kind':<14}" + "".join(f"{c:>11}" for c in COLUMNS),
    ]
    for kind, _ in report.by_kind():
        row = counts(report, kind)
        lines.append(f"{kind:<14}" + "".join(f"{row[c]:>11}" for c in COLUMNS))
    total = counts(report)
    lines.append(f"{'total':<14}" + "".join(f"{total[c]:>11}" for c in COLUMNS))
    lines += ["", f"{'derivation':<25}" + "".join(f"{t:>{w}}" for t, w in NARROW)]
    for name in report.derivations():
        row = counts(report, derivation=name)
        cells = "".join(f"{row[c]:>{w}}" for c, (_, w) in zip(COLUMNS, NARROW))
        lines.append(f"{name:<25.25}" + cells)
    if report.survivors:
        lines += ["", "survivors (each a bug in the checker):"]
        for o in report.survivors:
            lines += textwrap.wrap(o.mutant.name, WIDTH, initial_indent="  ",
                                   subsequent_indent="      ")  # fmt: skip
            lines += textwrap.wrap(f"{o.verdict}: {o.message}", WIDTH, initial_indent="      ",
                                   subsequent_indent="      ")  # fmt: skip
    checked = total["killed"] + total["survived"]
    share = f"{100 * total['killed'] / checked:.1f}% killed" if checked else "none checked"
    verdict = "PASSED" if report.passed else "FAILED"
    summary = (
        f"{verdict}: {checked} non-equivalent mutants · {share} · {total['survived']} "
        f"survived · {total['false pass']} false passes · {total['equivalent']} equivalent "
        f"and {total['undefined']} undefined set aside · {report.seconds:.1f} s "
        f"(equivalence {report.equivalence_seconds:.1f} s)"
    )
    lines += [""] + textwrap.wrap(summary, WIDTH, subsequent_indent="  ")
    return "\n".join(lines) + "\n"


def render_mutation_json(report: MutationReport) -> str:
    document = {
        "schema": "derivcheck-mutation/1",
        "seed": report.seed,
        "points": report.points,
        "timeout": report.timeout,
        "seconds": report.seconds,
        "equivalence_seconds": report.equivalence_seconds,
        "summary": counts(report),
        "by_kind": {kind: counts(report, kind) for kind, _ in report.by_kind()},
        "by_derivation": {name: counts(report, derivation=name) for name in report.derivations()},
        "passed": report.passed,
        "mutants": [
            {
                "derivation": o.mutant.derivation,
                "step": o.mutant.step,
                "instance": o.mutant.label,
                "kind": o.mutant.kind,
                "description": o.mutant.description,
                "status": o.status,
                "verdict": o.verdict,
                "message": o.message,
                "seconds": o.seconds,
            }
            for o in report.outcomes
        ],
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"
