"""The public entry points: check one step, or a list of derivations into a report."""

from __future__ import annotations

import math
import time
import zlib
from importlib import metadata

from .engine import DEFAULT_POINTS, DEFAULT_TIMEOUT
from .model import Claim, Context, Derivation
from .prepare import InputError, as_sympy
from .results import ClaimResult, DerivationOutcome, Report, StepOutcome, StepResult
from .worker import Job, shared_pool


def verify_step(
    lhs,
    rhs,
    *,
    domains=None,
    given=(),
    definitions=None,
    seed: int = 0,
    timeout: float | None = None,
    points: int = DEFAULT_POINTS,
) -> StepResult:
    """Check lhs = rhs symbolically, at high precision and against JAX autodiff.

    `domains` maps a symbol to a real interval (low, high); `given` holds `sympy.Eq` side
    conditions; `definitions` maps shorthand symbols to the expressions they stand for.
    """
    claim = Claim(lhs, rhs, Context(dict(domains or {}), dict(definitions or {}), tuple(given)))
    (result,) = run_claims([claim], [seed], points, timeout)
    return StepResult((result,))


MAX_TIMEOUT = 86400.0  # a day: past that a time limit is a typo


def vet_limits(points, timeout) -> tuple[int, float]:
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    if not isinstance(points, int) or isinstance(points, bool) or points < 1:
        raise ValueError(f"points must be a positive integer, got {points!r}")
    try:
        seconds = float(timeout)
    except (TypeError, ValueError):
        seconds = math.nan
    if not 0 < seconds <= MAX_TIMEOUT:  # also rejects NaN
        raise ValueError(
            f"timeout must be a number of seconds in (0, {MAX_TIMEOUT:g}], got {timeout!r}"
        )
    return points, seconds


def run_claims(claims, seeds, points, timeout, debug=False) -> list[ClaimResult]:
    """Each claim's result, in order, checked in the worker processes."""
    points, timeout = vet_limits(points, timeout)
    jobs, results = [], {}
    for index, (claim, seed) in enumerate(zip(claims, seeds)):
        try:  # reject what a worker could not even receive, before sending it
            as_sympy(claim.lhs, "left-hand side")
            as_sympy(claim.rhs, "right-hand side")
        except InputError as error:
            results[index] = ClaimResult("error", str(error), claim.context.label, seed)
            continue
        jobs.append((index, Job(claim, seed, points, timeout, debug)))
    done = shared_pool().run([job for _, job in jobs]) if jobs else []
    results.update({index: result for (index, _), result in zip(jobs, done)})
    return [results[i] for i in range(len(claims))]


def claim_seed(seed: int, derivation: str, step: int, part: str, label: str) -> int:
    """A stable per-claim seed, so one step can be re-run alone with the same points."""
    return zlib.crc32(f"{seed}:{derivation}:{step}:{part}:{label}".encode()) & 0x7FFFFFFF


def verify_derivations(
    derivations: list[Derivation],
    *,
    seed: int = 0,
    points: int = DEFAULT_POINTS,
    timeout: float | None = None,
    strict: bool = False,
    steps: set[int] | None = None,
    debug: bool = False,
) -> Report:
    start = time.perf_counter()
    claims, seeds, slots = [], [], []
    for d in derivations:
        for s in d.steps:
            if steps and s.number not in steps:
                continue
            parts = [("as written", s.claims)]
            if s.correction is not None:
                parts.append(("corrected", s.correction.claims))
            for part, part_claims in parts:
                for claim in part_claims:
                    claims.append(claim)
                    seeds.append(claim_seed(seed, d.name, s.number, part, claim.context.label))
                    slots.append((d.name, s.number, part))
    results = run_claims(claims, seeds, points, timeout, debug=debug)
    grouped: dict[tuple, list[ClaimResult]] = {}
    for slot, result in zip(slots, results):
        grouped.setdefault(slot, []).append(result)
    outcomes = []
    for d in derivations:
        step_outcomes = []
        for s in d.steps:
            if (d.name, s.number, "as written") not in grouped:
                continue
            correction = grouped.get((d.name, s.number, "corrected"))
            step_outcomes.append(
                StepOutcome(
                    s,
                    StepResult(tuple(grouped[(d.name, s.number, "as written")])),
                    StepResult(tuple(correction)) if correction else None,
                )
            )
        outcomes.append(DerivationOutcome(d, tuple(step_outcomes)))
    return Report(
        tuple(outcomes),
        seed,
        points,
        DEFAULT_TIMEOUT if timeout is None else timeout,
        strict,
        versions(),
        time.perf_counter() - start,
    )


def versions() -> tuple[tuple[str, str], ...]:
    names = ("derivcheck", "sympy", "mpmath", "jax", "jaxlib", "numpy")
    found = []
    for name in names:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "not installed"))
    return tuple(found)
