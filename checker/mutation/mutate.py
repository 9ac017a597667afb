"""Mutation testing of the checker: every mutant that is really wrong must be refuted.

Mutants (derivcheck.mutation.mutants) still equal to the original are set aside by an
independent high-precision comparison (derivcheck.mutation.equivalence), and so are those SymPy
evaluated to zoo (a division by zero, an input error by design); every other one goes through
the normal checker (`run_lines`, the worker pool, the default points and time limit). Refuted
is a kill; anything else is a survivor, and proved or confirmed is a false pass: a bug in the
checker.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass

import sympy

from ..checks.engine import DEFAULT_POINTS, DEFAULT_TIMEOUT
from ..checks.prepare import AmbiguousDerivative, InputError, expand_definitions, vet_definitions
from ..indices.instantiate import instances, planned
from ..indices.model import IndexedClaim
from ..run.api import at_instances, claim_seed, run_lines, step_result
from ..values import sympy_value
from .equivalence import still_true, still_true_indexed
from .mutants import KINDS, Mutant, flat, generate, stable_seed

NOT_FINITE = (sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)

CHUNK = 250  # mutants sent to the worker pool at a time


@dataclass(frozen=True)
class MutantOutcome:
    mutant: Mutant
    status: str  # "equivalent", "undefined", "killed", "false pass" or "error"
    verdict: str = ""  # the checker's verdict ("" for an equivalent mutant)
    message: str = ""
    seconds: float = 0.0


@dataclass(frozen=True)
class MutationReport:
    outcomes: tuple[MutantOutcome, ...]
    seed: int
    points: int
    timeout: float
    seconds: float  # the whole run
    equivalence_seconds: float  # the part spent setting equivalent mutants aside

    def count(self, status: str, kind: str | None = None, derivation: str | None = None) -> int:
        return sum(
            1
            for o in self.outcomes
            if o.status == status
            and (kind is None or o.mutant.kind == kind)
            and (derivation is None or o.mutant.derivation == derivation)
        )

    @property
    def survivors(self) -> tuple[MutantOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status in ("false pass", "error"))

    @property
    def passed(self) -> bool:
        return not self.survivors and self.count("killed") > 0

    def by_kind(self) -> list[tuple[str, Counter]]:
        table = {kind: Counter() for kind in KINDS}
        for o in self.outcomes:
            table[o.mutant.kind][o.status] += 1
        return [(kind, counts) for kind, counts in table.items() if counts]

    def derivations(self) -> list[str]:
        """The derivations mutated, in the order of the run."""
        return list(dict.fromkeys(o.mutant.derivation for o in self.outcomes))


def status_of(verdict: str) -> str:
    if verdict == "refuted":
        return "killed"
    if verdict in ("proved", "confirmed"):
        return "false pass"
    return "error"


def choose(mutants: list[Mutant], seed: int, sample: int | None, equivalent_seed: int):
    """(mutants to run, equivalent ones, undefined ones): all of them, or up to the first
    `sample` non-equivalent ones of a seeded shuffle."""
    if sample is not None:
        mutants = list(mutants)
        random.Random(stable_seed("sample", seed)).shuffle(mutants)
    to_run, equivalent, undefined_ones = [], [], []
    for mutant in mutants:
        if sample is not None and len(to_run) >= sample:
            break
        if undefined(mutant.claim):
            undefined_ones.append(mutant)
        elif is_equivalent(mutant, equivalent_seed):
            equivalent.append(mutant)
        else:
            to_run.append(mutant)
    return to_run, equivalent, undefined_ones


def is_equivalent(mutant: Mutant, seed: int) -> bool:
    if mutant.indexed:
        return still_true_indexed(mutant.claim, seed=seed)
    return still_true(mutant.claim, mutant.entries, seed=seed)


def check_mutants(
    mutants, seed: int = 0, points: int = DEFAULT_POINTS, timeout=None, progress=None
) -> list[MutantOutcome]:
    """Each mutant through the normal checker. A line for a symbolic K is checked as
    `verify_derivations` checks it: the index rules' proof and the instances at seeded sizes,
    combined into one StepResult; all mutants' claims go to the pool in big batches."""
    plans = [plan(m, seed, i) for i, m in enumerate(mutants)]
    results = []
    for first in range(0, len(plans), CHUNK):  # in chunks, so that progress can be shown
        chunk = plans[first : first + CHUNK]
        for (claims, _), done in zip(chunk, run_lines(chunk, points, timeout)):
            results.append(step_result(claims, at_instances(claims, done)))
        if progress is not None:
            progress(len(results), len(mutants), sum(r.verdict != "refuted" for r in results))
    return [
        MutantOutcome(m, status_of(r.verdict), r.verdict, r.message, seconds_of(r))
        for m, r in zip(mutants, results)
    ]


def plan(mutant: Mutant, seed: int, number: int) -> tuple[tuple, list[int]]:
    """The claims a mutant is checked by, and their seeds."""
    part = f"mutant {number}"
    if not mutant.indexed:
        claim = mutant.claim
        return (claim,), [claim_seed(seed, mutant.derivation, mutant.step, part, mutant.label)]
    sizes_seed = claim_seed(seed, mutant.derivation, mutant.step, part, "sizes")
    claims = (mutant.claim, *planned(mutant.claim, sizes_seed))
    seeds = [
        claim_seed(seed, mutant.derivation, mutant.step, part, c.context.label) for c in claims
    ]
    return claims, seeds


def seconds_of(result) -> float:
    proof = result.proof.seconds if result.proof is not None else 0.0
    return proof + sum(c.seconds for c in result.claims)


def undefined(claim) -> bool:
    """A side SymPy already evaluated to zoo, nan or ±oo (1/(1 − ŷ) with 1 made ŷ is 1/0), or
    a derivative with no one reading (∂/∂ŷ_k ∂L/∂z_m from ∂/∂z_k ∂L/∂z_m, ŷ a shorthand of z):
    not a wrong claim but no claim at all, which the checker rightly calls an input error."""
    sides = [sympy_value(side) for side in (*flat(claim.lhs), *flat(claim.rhs))]
    return any(side.has(*NOT_FINITE) for side in sides) or ambiguous(claim, sides)


def ambiguous(claim, sides) -> bool:
    """Does the checker refuse a derivative of `claim` as ambiguous (prepare's own test, on
    the claim or, for a line for every K, on its first instance)?"""
    if not any(len(set(d.variables)) > 1 or d.expr.has(sympy.Subs, sympy.Derivative)
               for side in sides for d in side.atoms(sympy.Derivative)):  # fmt: skip
        return False  # no derivative by two variables, nor of another one
    concrete = instances(claim, 0)[:1] if isinstance(claim, IndexedClaim) else [claim]
    for c in concrete:
        try:
            definitions = vet_definitions(c.context.definitions)
            for side in (*flat(c.lhs), *flat(c.rhs)):
                expand_definitions(sympy_value(side), definitions)
        except AmbiguousDerivative:
            return True
        except (InputError, AttributeError):  # another input error, or an instance not built
            continue
    return False


def run_mutation(
    derivations,
    *,
    seed: int = 0,
    sample: int | None = None,
    kinds: set[str] | None = None,
    points: int = DEFAULT_POINTS,
    timeout: float | None = None,
    progress=lambda done, total, survivors: None,
) -> MutationReport:
    """Generate the mutants of `derivations`, set the equivalent ones aside, check the rest."""
    start = time.perf_counter()
    mutants = [m for m in generate(derivations, seed) if not kinds or m.kind in kinds]
    to_run, equivalent, undefined_ones = choose(
        mutants, seed, sample, stable_seed("equivalence", seed)
    )
    equivalence_seconds = time.perf_counter() - start
    outcomes = [MutantOutcome(m, "equivalent") for m in equivalent]
    outcomes += [MutantOutcome(m, "undefined") for m in undefined_ones]
    outcomes += check_mutants(to_run, seed, points, timeout, progress)
    order = {id(m): i for i, m in enumerate(mutants)}
    outcomes.sort(key=lambda o: order[id(o.mutant)])
    return MutationReport(
        tuple(outcomes),
        seed,
        points,
        DEFAULT_TIMEOUT if timeout is None else timeout,
        time.perf_counter() - start,
        equivalence_seconds,
    )
