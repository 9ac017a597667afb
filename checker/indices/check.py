"""The index proof as a claim result, run inside a worker process under the time limit."""

from __future__ import annotations

import time

from ..checks.deadline import OutOfTime, budget
from ..results import ClaimResult
from .model import IndexedClaim, IndexProof
from .prove import prove


def check_indexed(claim: IndexedClaim, seed: int, timeout: float) -> ClaimResult:
    start = time.perf_counter()
    try:
        with budget(timeout):
            proof = prove(claim)
    except OutOfTime:
        proof = IndexProof("error", message=f"the index rules hit the time limit of {timeout:g} s")
    verdict = "proved" if proof.proved else "error"
    message = "proved for all sizes by the index rules" if proof.proved else proof.message
    return ClaimResult(
        verdict,
        message,
        claim.context.label,
        seed,
        seconds=time.perf_counter() - start,
        proof=proof,
    )
