"""The report as JSON, schema "derivcheck-report/1" (documented in the README)."""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict

from ..results import ClaimResult, Counterexample, Report, StepOutcome, StepResult
from .readable import to_text

SCHEMA = "derivcheck-report/1"


def render_json(report: Report) -> str:
    return json.dumps(finite(report_dict(report)), indent=2, ensure_ascii=False) + "\n"


def finite(value):
    """NaN and infinities (a plotted side undefined somewhere) as null: JSON has no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def report_dict(report: Report) -> dict:
    counts = report.counts()
    errata = report.errata
    return {
        "schema": SCHEMA,
        "seed": report.seed,
        "points": report.points,
        "timeout": report.timeout,
        "strict": report.strict,
        "versions": dict(report.versions),
        "derivations": [
            {
                "name": d.derivation.name,
                "title": d.derivation.title,
                "where": d.derivation.where,
                "source": relative_path(d.derivation.source_file),
                "definitions": [asdict(x) for x in d.derivation.definitions],
                "steps": [step_dict(s, report.strict) for s in d.steps],
            }
            for d in report.derivations
        ],
        "summary": {
            "steps": len(report.outcomes),
            **counts,
            "errata": len(errata),
            "errata_refuted": sum(1 for s in errata if s.result.verdict == "refuted"),
            "failures": len(report.failures),
            "passed": report.passed,
            "cached": report.cached,
            "seconds": round(report.seconds, 3),
        },
    }


def step_dict(outcome: StepOutcome, strict: bool) -> dict:
    step = outcome.step
    body = {
        "number": step.number,
        "latex": step.latex,
        "where": step.where,
        "note": step.note,
        "source_line": step.source_line,
        "erratum": step.erratum,
        "expected": "refuted" if step.erratum else ("proved" if strict else "proved or confirmed"),
        "ok": outcome.ok(strict),
        **result_dict(outcome.result),
        **suggestions_dict(outcome.suggestions),
        "correction": None,
    }
    if step.correction is not None and outcome.correction is not None:
        body["correction"] = {"latex": step.correction.latex, **result_dict(outcome.correction)}
    return body


def suggestions_dict(search) -> dict:
    """A refuted step's proved corrections (null where none was searched for)."""
    if search is None:
        return {"suggestions": None, "suggestion_search": None}
    return {
        "suggestions": [
            {
                "latex": s.latex,
                "readable": to_text(s.latex),
                "edit": s.edit,
                "certificate": s.certificate,
                "marked": s.marked,
                "side": s.side,
                "kind": s.kind,
                "places": s.places,
            }
            for s in search.suggestions
        ],
        "suggestion_search": {
            "screened": search.screened,
            "agreeing": search.agreeing,
            "proofs": search.proofs,
            "seconds": round(search.seconds, 3),
            "message": search.message,
            "stopped": search.stopped,
            "cached": search.cached,
        },
    }


def result_dict(result: StepResult) -> dict:
    return {
        "verdict": result.verdict,
        "message": result.message,
        "counterexample": counterexample_dict(result.counterexample, result.deciding.label),
        "instances": [claim_dict(c) for c in result.claims],
        "seconds": round(result.seconds, 3),
        "cached": result.cached,
        "proved_for_all": result.proved_for_all,
        "proof": proof_dict(result.proof),
    }


def proof_dict(proof) -> dict | None:
    """The index rules' proof of a line written for a symbolic K: the rules applied, in order."""
    if proof is None:
        return None
    body = asdict(proof)
    body.pop("condition")
    body["rules"] = [asdict(use) for use in proof.rules]
    body["instances"] = list(proof.instances)
    body["seconds"] = round(proof.seconds, 3)
    return body


def claim_dict(claim: ClaimResult) -> dict:
    return {
        "label": claim.label,
        "seed": claim.seed,
        "verdict": claim.verdict,
        "message": claim.message,
        "seconds": round(claim.seconds, 3),
        "cached": claim.cached,
        "symbolic": method_dict(claim.symbolic),
        "numeric": method_dict(claim.numeric),
        "autodiff": method_dict(claim.autodiff),
        "checked": list(claim.checked),
    }


def method_dict(method) -> dict | None:
    if method is None:
        return None
    body = asdict(method)
    if "certificate" in body:
        body["certificate"] = [{"strategy": s, "entries": n} for s, n in method.certificate]
    if "attempts" in body:
        for attempt in body["attempts"]:
            attempt["seconds"] = round(attempt["seconds"], 3)
    if "counterexample" in body:
        body["counterexample"] = counterexample_dict(method.counterexample, "")
    body["seconds"] = round(body["seconds"], 3)
    return body


def counterexample_dict(example: Counterexample | None, label: str) -> dict | None:
    if example is None:
        return None
    return {
        "instance": label,
        "point": dict(example.point),
        "lhs": example.lhs,
        "rhs": example.rhs,
        "relative_error": example.relative_error,
        "element": list(example.element),
        "digits": example.digits,
        "method": example.method,
        "difference": example.difference,
        "shorthands": dict(example.shorthands),
        "around": None if example.around is None else asdict(example.around),
    }


def relative_path(path: str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return path
