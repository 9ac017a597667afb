"""How often the suggestion recovers the line a slip was made in: `derivcheck mutate --suggest`.

A seeded sample of the mutation harness's non-equivalent mutants that change a side of a line
(not a side condition or a definition; not a matrix side) goes through the checker; each one
it refutes is searched for a correction as `verify` searches a refuted step. The mutant is
recovered when the first suggestion is equivalent to the original line (both sides, by the
harness's independent comparison), and recovered in two when one of the two shown is.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass

import sympy

from ..checks.engine import DEFAULT_POINTS
from ..indices.model import IndexedClaim
from ..model import Claim
from ..mutation.equivalence import still_true, still_true_indexed
from ..mutation.mutants import KINDS, Mutant, generate, stable_seed, true_claims, true_indexed
from ..mutation.mutate import check_mutants, choose
from ..results import SuggestionSearch
from ..values import sympy_value
from .api import DEFAULT_SECONDS, anchors, left_first, search_claims


@dataclass(frozen=True)
class Recovery:
    mutant: Mutant
    verdict: str  # the checker's verdict on the mutant
    search: SuggestionSearch | None  # None unless it was refuted
    first: bool = False  # the first suggestion is equivalent to the original line
    shown: bool = False  # one of the suggestions shown is


@dataclass(frozen=True)
class RecoveryReport:
    recoveries: tuple[Recovery, ...]
    seed: int
    seconds: float  # the whole run
    budget: float  # the search's budget per refuted step

    @property
    def refuted(self) -> tuple[Recovery, ...]:
        return tuple(r for r in self.recoveries if r.search is not None)

    def rate(self, kind: str | None = None, shown: bool = False) -> tuple[int, int]:
        """(recovered, refuted) for one kind of mutant, or all of them."""
        chosen = [r for r in self.refuted if kind is None or r.mutant.kind == kind]
        return sum(r.shown if shown else r.first for r in chosen), len(chosen)

    @property
    def search_seconds(self) -> list[float]:
        return sorted(r.search.seconds for r in self.refuted)


def edits_a_side(mutant: Mutant) -> bool:
    """A slip in the line itself (not a side condition or a definition removed or changed),
    on a line whose sides are not matrices."""
    if mutant.claim.context != mutant.original.context:
        return False
    sides = (sympy_value(mutant.claim.lhs), sympy_value(mutant.claim.rhs))
    return not any(isinstance(side, sympy.MatrixBase) for side in sides)


def run_recovery(
    derivations,
    *,
    seed: int = 0,
    sample: int = 500,
    kinds: set[str] | None = None,
    points: int = DEFAULT_POINTS,
    timeout: float | None = None,
    seconds: float = DEFAULT_SECONDS,
    progress=lambda done, total, survivors: None,
) -> RecoveryReport:
    start = time.perf_counter()
    mutants = [
        m for m in generate(derivations, seed) if (not kinds or m.kind in kinds) and edits_a_side(m)
    ]
    to_run, _, _ = choose(mutants, seed, sample, stable_seed("equivalence", seed))
    outcomes = check_mutants(to_run, seed, points, timeout, progress)
    refuted = [o for o in outcomes if o.verdict == "refuted"]
    steps = {(d.name, s.number): s for d in derivations for s in d.steps}
    wanted = [
        (o.mutant.claim, *in_chain(o.mutant, steps, stable_seed("suggest", seed, number)))
        for number, o in enumerate(refuted)
    ]
    searches = iter(search_claims(wanted, points, seconds))
    recoveries = []
    for outcome in outcomes:
        if outcome.verdict != "refuted":
            recoveries.append(Recovery(outcome.mutant, outcome.verdict, None))
            continue
        search = next(searches)
        hits = [recovers(s.sides, outcome.mutant.original, seed) for s in search.suggestions]
        recoveries.append(
            Recovery(outcome.mutant, outcome.verdict, search, bool(hits and hits[0]), any(hits))
        )
    return RecoveryReport(tuple(recoveries), seed, time.perf_counter() - start, seconds)


def in_chain(mutant: Mutant, steps: dict, seed: int) -> tuple:
    """(lhs_first, seed, anchors) as `verify` has them, from the neighbouring lines (their true
    forms: the chain the mutant was made in)."""

    def neighbour(offset):
        step = steps.get((mutant.derivation, mutant.step + offset))
        if step is None:
            return None
        if mutant.indexed:
            return true_indexed(step)
        same = [c for c in true_claims(step) if c.context.label == mutant.label]
        return same[0] if same else None

    previous, following = neighbour(-1), neighbour(1)
    if isinstance(previous, IndexedClaim) != mutant.indexed:
        previous = None
    if isinstance(following, IndexedClaim) != mutant.indexed:
        following = None
    ends = anchors(previous, mutant.claim, following)
    return left_first(previous, mutant.claim, following), seed, ends


def recovers(sides, original, seed: int) -> bool:
    """Is the suggested line the original one: each side equal to the original's?"""
    lhs, rhs = sides
    if (lhs, rhs) == (sympy_value(original.lhs), sympy_value(original.rhs)):
        return True
    for mine, theirs in ((lhs, original.lhs), (rhs, original.rhs)):
        if isinstance(original, IndexedClaim):
            same = still_true_indexed(IndexedClaim(mine, theirs, original.context), seed=seed)
        else:
            same = still_true(Claim(mine, theirs, original.context), seed=seed)
        if not same:
            return False
    return True


def render_recovery(report: RecoveryReport) -> str:
    """The recovery rate by kind of slip and the time per refuted step, as text."""
    lines = [
        f"derivcheck mutate --suggest · seed {report.seed} · "
        f"{len(report.recoveries)} non-equivalent mutants of the lines' sides · "
        f"search budget {report.budget:g} s per refuted step",
        "",
        f"{'kind':<14}{'refuted':>9}{'recovered':>11}{'rate':>8}{'in two':>8}",
    ]
    for kind in (*KINDS, None):
        recovered, total = report.rate(kind)
        if not total:
            continue
        in_two, _ = report.rate(kind, shown=True)
        name = kind or "all"
        if kind is None:
            lines.append("─" * 50)
        lines.append(
            f"{name:<14}{total:>9}{recovered:>11}{recovered / total:>8.0%}{in_two / total:>8.0%}"
        )
    times = report.search_seconds
    if times:
        median = times[len(times) // 2]
        lines.append("")
        lines.append(
            f"search time per refuted step: mean {sum(times) / len(times):.2f} s, median "
            f"{median:.2f} s, max {times[-1]:.2f} s"
        )
    not_refuted = Counter(r.verdict for r in report.recoveries if r.search is None)
    if not_refuted:
        lines.append(
            "not refuted (not searched): "
            + ", ".join(f"{n} {verdict}" for verdict, n in sorted(not_refuted.items()))
        )
    found = sum(1 for r in report.refuted if r.search.found)
    lines.append(
        f"a proved suggestion for {found} of {len(report.refuted)} refuted mutants; "
        f"{len(report.refuted) - found} with none · {report.seconds:.0f} s in all"
    )
    return "\n".join(lines) + "\n"
