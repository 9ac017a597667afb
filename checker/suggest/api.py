"""Suggestions for a report's refuted steps, each searched in a worker process under a budget."""

from __future__ import annotations

from dataclasses import replace

import sympy

from ..checks.engine import DEFAULT_POINTS
from ..indices.model import IndexedClaim
from ..results import ClaimResult, DerivationOutcome, Report, SuggestionSearch
from ..run.api import claim_seed, run_pending
from ..run.worker import Job
from ..values import sympy_value
from .search import SLACK, Search, certificate

DEFAULT_SECONDS = 8.0  # the budget of one refuted step's search (--suggest-timeout)


def suggest_report(
    report: Report,
    *,
    seconds: float = DEFAULT_SECONDS,
    points: int | None = None,
    progress=None,
    cache=None,
) -> Report:
    """The report with a SuggestionSearch on every refuted step; with a `cache` (a
    ResultCache), a search made before for the same line, neighbours and settings is taken
    from it."""
    points = points or report.points or DEFAULT_POINTS
    known = proved_claims(report)
    wanted = []
    for d in report.derivations:
        steps = d.steps
        for position, outcome in enumerate(steps):
            claim = searched_claim(outcome.step)
            if outcome.result.verdict == "refuted" and claim is not None:
                key = (d.derivation.name, outcome.step.number)
                seed = claim_seed(report.seed, *key, "suggest", "")
                previous = steps[position - 1] if position else None
                following = steps[position + 1] if position + 1 < len(steps) else None
                before = previous and searched_claim(previous.step)
                after = following and searched_claim(following.step)
                lhs_first = carried(previous, outcome) or left_first(before, claim, after)
                wanted.append((key, claim, lhs_first, seed, anchors(before, claim, after)))
    found = search_claims(
        [request for _, *request in wanted],
        points,
        seconds,
        progress,
        known,
        cache,
    )
    by_step = {key: result for (key, *_), result in zip(wanted, found)}
    derivations = []
    for d in report.derivations:
        steps = []
        for outcome in d.steps:
            key = (d.derivation.name, outcome.step.number)
            if key in by_step:
                outcome = replace(outcome, suggestions=by_step[key])
            elif outcome.result.verdict == "refuted":
                outcome = replace(outcome, suggestions=NOT_SEARCHED)
            steps.append(outcome)
        derivations.append(DerivationOutcome(d.derivation, tuple(steps)))
    return replace(report, derivations=tuple(derivations))


NOT_SEARCHED = SuggestionSearch(
    (),
    message="no correction searched for: the step has several instances or matrix sides",
    searched=False,
)


def searched_claim(step):
    """The claim a correction is searched for: the line for a symbolic K, or a step's one
    scalar claim (a step checked at several instances would need one edit for each)."""
    if step.indexed is not None:
        return step.indexed
    if len(step.claims) != 1:
        return None
    claim = step.claims[0]
    try:  # a side that is no SymPy value was an error of the step already: nothing to search
        sides = (sympy_value(claim.lhs), sympy_value(claim.rhs))
    except (sympy.SympifyError, TypeError):
        return None
    if any(isinstance(side, sympy.MatrixBase) for side in sides):
        return None
    return claim


def carried(previous, outcome) -> bool:
    """Is the line before refuted too, and does it end where this line starts (its slip
    carried into this line's left side)?"""
    if previous is None or previous.result.verdict != "refuted":
        return False
    before, now = searched_claim(previous.step), searched_claim(outcome.step)
    if before is None or now is None:
        return False
    return sympy_value(before.rhs) == sympy_value(now.lhs)


def proved_claims(report: Report) -> tuple:
    """(claim, certificate) for every line and correction this run proved: a candidate that is
    one of them need not be proved again."""
    known = []
    for outcome in report.outcomes:
        step = outcome.step
        pairs = [(searched_claim(step), outcome.result)]
        if step.correction is not None and outcome.correction is not None:
            fixed = replace(step, claims=step.correction.claims, indexed=step.correction.indexed)
            pairs.append((searched_claim(fixed), outcome.correction))
        for claim, result in pairs:
            text = certificate(result) if claim is not None else ""
            if text:
                known.append((claim, text))
    return tuple(known)


def anchors(previous, claim, following) -> tuple:
    """The line before's right side and the line after's left side (None where there is no
    such line, or it is of another kind: one for a symbolic K next to a concrete one)."""

    def same_kind(other):
        return other is not None and isinstance(other, IndexedClaim) == isinstance(
            claim, IndexedClaim
        )

    return (
        previous.rhs if same_kind(previous) else None,
        following.lhs if same_kind(following) else None,
    )


def left_first(previous, claim, following) -> bool:
    """Is the slip more likely on the left: the line does not start where the line before ends,
    but ends where the line after starts?"""
    if previous is None or following is None:
        return False
    left_broken = sympy_value(previous.rhs) != sympy_value(claim.lhs)
    return left_broken and sympy_value(following.lhs) == sympy_value(claim.rhs)


def search_claims(
    wanted, points: int, seconds: float, progress=None, known=(), cache=None
) -> list[SuggestionSearch]:
    """A SuggestionSearch for each (claim, lhs_first, seed, anchors), in order, in the pool
    (or from the `cache`)."""
    found, jobs, keys = {}, [], {}
    for index, (claim, lhs_first, seed, *rest) in enumerate(wanted):
        search = Search(claim, lhs_first, seconds, relevant(known, claim), *rest)
        key = None
        if cache is not None:
            key = cache.key_of("suggestion search", search, seed, points)
            hit = cache.load_search(key) if key is not None else None
            if hit is not None:
                found[index] = hit
                continue
        keys[index] = key
        jobs.append((index, Job(search, seed, points, seconds + SLACK)))
    run_pending(jobs, keys, found, cache, progress, lambda result: as_search(result, seconds))
    return [found[i] for i in range(len(wanted))]


def relevant(known, claim) -> tuple:
    """The proved claims a search for `claim` can use (`search.proved_before`: of its kind and
    in its context); only these go into the search, and into its key in the cache."""
    kind = isinstance(claim, IndexedClaim)
    return tuple(
        (other, text)
        for other, text in known
        if isinstance(other, IndexedClaim) == kind and other.context == claim.context
    )


def as_search(result, seconds: float) -> SuggestionSearch:
    if isinstance(result, SuggestionSearch):
        return result
    message = result.message if isinstance(result, ClaimResult) else "the search failed"
    if isinstance(result, ClaimResult) and "time limit" in message:
        message = f"no single-edit correction found within {seconds:g} s (the search was stopped)"
    return SuggestionSearch((), message=message, stopped=True)  # a worker's failure: not kept
