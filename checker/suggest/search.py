"""The search for one refuted line's correction, run inside a worker process under a budget.

Candidates (derivcheck.suggest.edits) are taken in rank order; each goes through the cheap
numeric screen (derivcheck.suggest.screen), and only one whose sides agree at every point is
proved: by the checker itself (`check_claim`: a symbolic certificate, the numeric and the
autodiff checks), or, for a line for a symbolic K, by the index rules and at seeded concrete
sizes. Only "proved" counts: a candidate the checker only confirms is never suggested.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, replace

from ..indices.model import IndexedClaim
from ..model import Claim
from ..results import StepResult, SuggestionSearch
from ..values import sympy_value
from .edits import candidates

SHOWN = 2  # suggestions reported per line
CHAIN_SHARE = 0.25  # of the budget, for finding the edits that join the line to its neighbours
MINIMUM_PROOF = 0.5  # seconds: with less left, no proof is started
SLACK = 3.0  # seconds past the budget before the worker is killed (a proof's soft limit overrun)


@dataclass(frozen=True)
class Search:
    """One refuted line to correct: sent to a worker as a job's claim (see `run_in_worker`)."""

    claim: Claim | IndexedClaim
    lhs_first: bool = False  # the line before is wrong too and ends where this one starts
    seconds: float = 8.0  # the budget; the job's time limit leaves the last proof some slack
    known: tuple = ()  # (claim, certificate): claims this run has already proved
    anchors: tuple = (None, None)  # the line before's right side, the line after's left side

    @property
    def context(self):
        return self.claim.context

    def run_in_worker(self, job) -> SuggestionSearch:
        return search(
            self.claim, job.seed, job.points, self.seconds, self.lhs_first, self.known, self.anchors
        )


def search(
    claim, seed: int, points: int, seconds: float, lhs_first=False, known=(), anchors=(None, None)
):
    """The best proved single-edit corrections of `claim`, found within `seconds`. A candidate
    that makes the line start where the line before ends, or end where the line after starts
    (`anchors`), is tried first. A candidate that is a claim of `known` (proved in this run:
    the same sides, the same context) takes its certificate from there."""
    from .render import suggestion
    from .screen import Screen

    start = time.perf_counter()
    deadline = start + seconds
    found, screened, agreeing, proofs, first = [], 0, 0, 0, ()
    complete = False
    stopped = False  # by the budget, or a proof by its time limit: a faster run may go further
    try:
        screen = Screen(claim, seed)
        matching, stopped = chained(claim, lhs_first, anchors, start + seconds * CHAIN_SHARE)
        variants = itertools.chain(matching, candidates(claim, lhs_first))
        seen = set()
        while len(found) < SHOWN:
            if time.perf_counter() >= deadline:
                stopped = True
                break
            candidate = next(variants, None)
            if candidate is None:
                complete = True
                break
            if (candidate.lhs, candidate.rhs) in seen:
                continue
            seen.add((candidate.lhs, candidate.rhs))
            if found and candidate.edit.rank(lhs_first)[:2] != first[:2]:
                break  # a second suggestion only if it is the same kind of edit of the same side
            screened += 1
            if not screen.agree(candidate.lhs, candidate.rhs) or vanishing(screen, candidate):
                continue
            agreeing += 1
            remaining = deadline - time.perf_counter()
            if remaining < MINIMUM_PROOF:
                stopped = True
                break
            certificate = proved_before(claim, candidate, known)
            if not certificate:
                proofs += 1
                certificate, cut = prove(claim, candidate, seed + proofs, points, remaining)
                stopped = stopped or cut
            if certificate:
                found.append(suggestion(candidate, claim, certificate))
                first = candidate.edit.rank(lhs_first)
    except Exception as error:  # a line the edits or the screen cannot read
        message = f"no correction searched for: {type(error).__name__}: {error}"
        return SuggestionSearch((), message=message[:200])
    message = ""
    if not found:
        agreed = f"{agreeing} agreed numerically, none proved" if agreeing else "none agreed"
        message = (
            f"no single-edit correction found ({screened} variants compared"
            + ("" if complete else f" within {seconds:g} s, not all")
            + f"; {agreed})"
        )
    spent = time.perf_counter() - start
    return SuggestionSearch(tuple(found), screened, agreeing, proofs, spent, message, stopped)


def chained(claim, lhs_first, anchors, until: float) -> tuple[list, bool]:
    """The candidates whose edited side is the neighbouring line's side (found before `until`),
    and whether `until` came before every candidate was looked at."""
    before, after = (None if a is None else sympy_value(a) for a in anchors)
    if before is None and after is None:
        return [], False
    matching = []
    for candidate in candidates(claim, lhs_first):
        if time.perf_counter() > until:
            return matching, True
        side = candidate.edit.side
        if (side == "lhs" and candidate.lhs == before) or (
            side == "rhs" and candidate.rhs == after
        ):
            matching.append(candidate)
    return matching, False


def vanishing(screen, candidate) -> bool:
    """Does the edit make a side it changed zero (0 · …: a line any slip could be made into)?"""
    side = candidate.edit.side
    edited = [candidate.lhs, candidate.rhs] if side == "both" else [getattr(candidate, side)]
    return any(screen.vanishes(value) for value in edited)


def proved_before(claim, candidate, known) -> str:
    for other, certificate in known:
        same_kind = isinstance(other, IndexedClaim) == isinstance(claim, IndexedClaim)
        if same_kind and (other.lhs, other.rhs) == (candidate.lhs, candidate.rhs):
            if other.context == claim.context:
                return certificate
    return ""


def prove(claim, candidate, seed: int, points: int, seconds: float) -> tuple[str, bool]:
    """The certificate if the checker proves the candidate ("" otherwise), and whether a time
    limit decided it (so that a run with more time might prove it)."""
    from ..checks.engine import check_claim
    from ..indices.check import check_indexed
    from ..indices.instantiate import instances

    start = time.perf_counter()
    if not isinstance(claim, IndexedClaim):
        variant = Claim(candidate.lhs, candidate.rhs, claim.context)
        result = check_claim(variant, seed=seed, points=points, timeout=seconds)
        text = certificate(StepResult((result,)))
        return text, not text and timed_out(result)
    variant = IndexedClaim(candidate.lhs, candidate.rhs, claim.context)
    result = check_indexed(variant, seed, seconds)
    if result.proof is None or not result.proof.proved:
        return "", timed_out(result)
    checked = []
    for instance in instances(replace(variant, context=small_sizes(claim.context)), seed):
        left = seconds - (time.perf_counter() - start)
        if left < MINIMUM_PROOF:
            return "", True
        checked.append(check_claim(instance, seed=seed, points=points, timeout=left))
        if checked[-1].verdict not in ("proved", "confirmed"):
            return "", timed_out(checked[-1])
    return certificate(StepResult(tuple(checked), result.proof)), False


def timed_out(result) -> bool:
    """Was a time limit part of how this claim's check ended (SymPy's, or the claim's own)?"""
    if "time limit" in result.message:
        return True
    symbolic = result.symbolic
    return symbolic is not None and (
        symbolic.status == "timeout" or any(a.outcome == "timeout" for a in symbolic.attempts)
    )


SIZES = 4  # a candidate for a symbolic K is checked at sizes up to the smallest + 3 (K ≤ 5)


def small_sizes(context):
    """The context with each size's range cut to its first values: a candidate's instances
    are the independent second check, and small ones take a fraction of the time."""
    sizes = {s: (low, min(high, low + SIZES - 1)) for s, (low, high) in context.sizes.items()}
    return replace(context, sizes=sizes)


def certificate(result: StepResult) -> str:
    """How a step was proved, in a line; "" unless it was (proved for all K, for a line for a
    symbolic K: a confirmed instance is enough only with the index rules' proof)."""
    if result.proof is not None:
        if not result.proved_for_all:
            return ""
        rules = ", ".join(dict.fromkeys(use.rule for use in result.proof.rules))
        return f"index rules, for all {result.proof.sizes}: {rules}; checked at " + "; ".join(
            result.labels
        )
    if result.verdict != "proved":
        return ""
    return (
        f"SymPy: {', '.join(result.strategies)}; mpmath: {result.numeric_points} points agree; "
        f"autodiff: {autodiff_text(result)}"
    )


def autodiff_text(result: StepResult) -> str:
    if not result.derivatives:
        return "no derivative"
    return f"{result.autodiff_points} values agree"
