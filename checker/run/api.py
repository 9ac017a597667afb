"""The public entry points: check one step, or a list of derivations into a report."""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Mapping
from dataclasses import replace
from importlib import metadata

import sympy

from ..checks.engine import DEFAULT_POINTS, DEFAULT_TIMEOUT
from ..checks.prepare import InputError, as_sympy
from ..indices.instantiate import Planned, Unbuilt, planned
from ..indices.model import IndexedClaim, IndexProof
from ..model import Claim, Context, Derivation
from ..results import ClaimResult, DerivationOutcome, Report, StepOutcome, StepResult
from .cache import ResultCache
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
    if isinstance(given, sympy.Basic):  # one side condition given on its own
        given = (given,)
    for name, value in (("domains", domains), ("definitions", definitions)):
        if value is not None and not isinstance(value, Mapping):
            raise ValueError(f"{name} must be a mapping of symbols, got {type(value).__name__}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
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


def run_claims(
    claims, seeds, points, timeout, debug=False, progress=None, describe=False, cache=None
) -> list[ClaimResult]:
    """Each claim's result, in order, checked in the worker processes; `progress(done, total)`
    is called as each worker's claim finishes. With a `cache` (a ResultCache), a claim checked
    before with the same settings is taken from it, and no worker starts for it."""
    points, timeout = vet_limits(points, timeout)
    jobs, results, keys = [], {}, {}
    for index, (claim, seed) in enumerate(zip(claims, seeds)):
        if isinstance(claim, IndexedClaim):  # the index proof: its sides are not concrete
            job = Job(claim, seed, points, timeout, debug)
        elif isinstance(claim, Unbuilt):  # an instance too large to check: an error, saying why
            results[index] = ClaimResult("error", claim.message, claim.context.label, seed)
            continue
        elif isinstance(claim, Planned):  # an instance: written out in the worker
            job = Job(claim, seed, points, timeout, debug, describe)
        else:
            try:  # reject what a worker could not even receive, before sending it
                as_sympy(claim.lhs, "left-hand side")
                as_sympy(claim.rhs, "right-hand side")
            except InputError as error:
                results[index] = ClaimResult("error", str(error), claim.context.label, seed)
                continue
            job = Job(claim, seed, points, timeout, debug, describe)
        key = cache.key(job) if cache is not None else None
        hit = cache.load(key) if key is not None else None
        if hit is not None:
            results[index] = hit
            continue
        # a worker per miss, up to one per core, starts while the rest is looked up (one edited
        # line needs one worker; a second would only compete with it for the cores)
        shared_pool().warm(len(jobs) + 1)
        keys[index] = key
        jobs.append((index, job))
    if progress is not None and results:
        progress(len(results), len(claims))
    if jobs:
        pool = shared_pool()
        pool.debug = pool.debug or debug  # workers started from now on show their stderr
    run_pending(jobs, keys, results, cache, progress)
    return [results[i] for i in range(len(claims))]


def run_lines(
    lines, points, timeout, debug=False, progress=None, describe=False, cache=None
) -> list[tuple[ClaimResult, ...]]:
    """The results of each line's claims, [(claims, seeds)], in order. A line for every K
    (its IndexedClaim first, then its instances) is checked in two rounds: first its proof,
    with every other claim; then its instances, each told whether the rules proved the line
    (`Context.line_proved`: a proved line's instances need no residual probe)."""
    first = [
        (claims[:1], seeds[:1]) if is_symbolic(claims) else (claims, seeds)
        for claims, seeds in lines
    ]
    total = sum(len(claims) for claims, _ in lines)

    def run(claims, seeds, offset: int):  # progress counted against all the lines' claims
        counted = None if progress is None else lambda n, _: progress(offset + n, total)
        return iter(run_claims(claims, seeds, points, timeout, debug, counted, describe, cache))

    done = run([c for claims, _ in first for c in claims], [s for _, ss in first for s in ss], 0)
    found = [tuple(next(done) for _ in claims) for claims, _ in first]
    later, later_seeds = [], []
    for (claims, seeds), results in zip(lines, found):
        if is_symbolic(claims):
            proof = results[0].proof
            proved = proof is not None and proof.status == "proved"
            later += [with_line_proved(claim, proved) for claim in claims[1:]]
            later_seeds += seeds[1:]
    done = run(later, later_seeds, sum(len(claims) for claims, _ in first))
    return [
        (*results, *(next(done) for _ in claims[1:])) if is_symbolic(claims) else results
        for (claims, _), results in zip(lines, found)
    ]


def is_symbolic(claims) -> bool:
    return bool(claims) and isinstance(claims[0], IndexedClaim)


def with_line_proved(claim, proved: bool):
    """An instance (or the Unbuilt in its place) marked with its line's proof."""
    if isinstance(claim, Unbuilt):
        return claim
    if isinstance(claim, Planned):
        return replace(claim, line_proved=proved)
    return replace(claim, context=replace(claim.context, line_proved=proved))


def run_pending(jobs, keys, results: dict, cache=None, progress=None, convert=None) -> None:
    """Run `jobs` [(index, Job)] in the worker pool, after the `results` already found (from
    the cache), counting progress on from them: each result (through `convert`) goes into
    `results[index]`, and into the cache under `keys[index]`. No job: no worker starts, and
    JAX is never imported."""
    if not jobs:
        return
    offset = len(results)

    def ran(done, total):
        if progress is not None:
            progress(offset + done, offset + total)

    done = shared_pool().run([job for _, job in jobs], ran)
    for (index, _), result in zip(jobs, done):
        results[index] = convert(result) if convert is not None else result
        if cache is not None and keys[index] is not None:
            cache.store(keys[index], results[index])


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
    progress=None,
    describe: bool = False,
    cache_dir=None,
    jobs: int | None = None,
) -> Report:
    """Every step of `derivations` checked; with `cache_dir`, results of claims checked before
    with the same settings come from the cache there (see checker/run/cache.py)."""
    start = time.perf_counter()
    if jobs is not None:
        shared_pool().size = jobs
    cache = open_cache(cache_dir, strict)
    if cache is None:  # every claim goes to a worker: start them while the claims are built
        shared_pool().warm()
    chosen = [(d, [s for s in d.steps if not steps or s.number in steps]) for d in derivations]
    limits = vet_limits(points, timeout)
    lines, plan, stored = [], {}, {}
    for d, d_steps in chosen:
        for s in d_steps:
            plan[d.name, s.number] = parts = []
            for part, part_claims, symbolic in written_parts(s):
                key = found = None
                if symbolic is not None and cache is not None:
                    # A line for every K is kept whole: a hit needs no instances (seconds of SymPy).
                    where = (seed, d.name, s.number, part, *limits, debug, describe)
                    key = cache.key_of("step for every size", symbolic, *where)
                    found = cache.load_all(key) if key is not None else None
                if found is not None:
                    parts.append((part, (symbolic,) * len(found), found))
                    continue
                if symbolic is not None and cache is not None:
                    shared_pool().warm()  # a miss: the instances go to workers
                if symbolic is not None:
                    sizes_seed = claim_seed(seed, d.name, s.number, part, "sizes")
                    part_claims = (symbolic, *planned(symbolic, sizes_seed))
                parts.append((part, part_claims, None))
                stored[d.name, s.number, part] = key
                part_seeds = [
                    claim_seed(seed, d.name, s.number, part, claim.context.label)
                    for claim in part_claims
                ]
                lines.append((part_claims, part_seeds))
    results = iter(
        run_lines(lines, points, timeout, debug, progress=progress, describe=describe, cache=cache)
    )
    outcomes = []
    for d, d_steps in chosen:  # the results come back in the order the claims went out
        step_outcomes = []
        for s in d_steps:
            checked = {}
            for part, part_claims, found in plan[d.name, s.number]:
                if found is None:
                    found = at_instances(part_claims, next(results))
                    if stored[d.name, s.number, part] is not None:
                        cache.store(stored[d.name, s.number, part], *found)
                checked[part] = step_result(part_claims, found)
            part = "as written"
            if checked[part].proof is not None and checked[part].verdict == "refuted":
                recheck = claim_seed(seed, d.name, s.number, part, "condition")
                checked[part] = with_condition(
                    checked[part], s.indexed, recheck, points, timeout, cache
                )
            step_outcomes.append(StepOutcome(s, checked["as written"], checked.get("corrected")))
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


def written_parts(step) -> list[tuple[str, tuple, object]]:
    """(part, its claims, its IndexedClaim or None): the step as written, and its correction
    if it is an erratum."""
    parts = [("as written", step.claims, step.indexed)]
    if step.correction is not None:
        parts.append(("corrected", step.correction.claims, step.correction.indexed))
    return parts


def with_condition(result: StepResult, claim, seed, points, timeout, cache=None) -> StepResult:
    """A refuted step with a condition that makes it hold: checked again at concrete sizes."""
    proof = result.proof
    if proof.condition is None:
        return result
    conditioned = IndexedClaim(claim.lhs, claim.rhs, proof.condition)
    try:  # the suggestion is extra: failing to check it leaves the step's verdict as it is
        claims = planned(conditioned, seed)
    except Exception as error:
        summary = f"with it, not checked at concrete sizes ({type(error).__name__}: {error})"
        return replace(result, proof=replace(proof, condition_checked=summary[:300]))
    seeds = [claim_seed(seed, "", 0, "condition", c.context.label) for c in claims]
    checked = run_claims(claims, seeds, points, timeout, cache=cache)
    failing = [c for c in checked if c.verdict not in ("proved", "confirmed")]
    at = "; ".join(c.label for c in checked)
    summary = (
        f"with it, confirmed at {at}"
        if not failing
        else f"with it, {failing[0].verdict} at {failing[0].label}"
    )
    return replace(result, proof=replace(proof, condition_checked=summary))


def at_instances(claims: tuple, results: tuple[ClaimResult, ...]) -> tuple[ClaimResult, ...]:
    """The results, the index proof's (first, if any) naming the sizes and entries it was
    checked at: kept with the proof, so that a cached step needs none of its instances."""
    if not claims or not isinstance(claims[0], IndexedClaim):
        return results
    first = results[0]
    proof = first.proof or IndexProof("error", message=first.message)
    checked = [c.context for c in claims[1:]]  # the sizes, and which entries at each
    at = tuple(f"{c.label} ({c.entries})" if c.entries else c.label for c in checked)
    return (replace(first, proof=replace(proof, instances=at)), *results[1:])


def step_result(claims: tuple, results: tuple[ClaimResult, ...]) -> StepResult:
    """The claims' results as a step's; an index proof (first, if any) is kept apart."""
    if claims and isinstance(claims[0], IndexedClaim):
        first, rest = results[0], results[1:]
        return StepResult(rest, first.proof or IndexProof("error", message=first.message))
    return StepResult(results)


def open_cache(cache_dir, strict: bool = False) -> ResultCache | None:
    """The result cache in `cache_dir` for a run's settings; None for no cache."""
    if cache_dir is None:
        return None
    return ResultCache(cache_dir, strict=strict, versions=versions())


def versions() -> tuple[tuple[str, str], ...]:
    names = ("derivcheck", "sympy", "mpmath", "gmpy2", "jax", "jaxlib", "numpy")
    found = []
    for name in names:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, "not installed"))
    return tuple(found)
