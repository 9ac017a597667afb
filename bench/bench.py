"""`make bench`: how long derivcheck takes, measured the same way on any machine.

Prints medians of repeated runs, measured in one process on one machine, so that ratios between
the lines are meaningful even on a loaded machine (absolute figures are not):
  1. `derivcheck verify` on the notes, end to end (fresh worker processes each time);
  2. the index rules' proof of every step written for a symbolic K, in-process;
  3. one step at concrete K = 3, 6, 9, 12 against its proof, which never sees a value of K.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = 5


def median_seconds(run, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def verify_end_to_end() -> None:
    command = [sys.executable, "-m", "derivcheck", "verify", "--quiet"]
    run = lambda: subprocess.run(command, cwd=ROOT, check=True, capture_output=True)  # noqa: E731
    print(f"derivcheck verify (notes, end to end), median of 3: {median_seconds(run, 3):.1f} s")


def index_proofs() -> None:
    import derivations
    from derivcheck.indices import prove

    print("index rules, per step written for every K (median of 5, in-process):")
    rows = []
    for derivation in derivations.ALL:
        for step in derivation.steps:
            for part, claim in (
                ("", step.indexed),
                (" fix", getattr(step.correction, "indexed", None)),
            ):
                if claim is None:
                    continue
                proof = prove(claim)
                seconds = median_seconds(lambda c=claim: prove(c))
                rows.append(seconds)
                print(
                    f"  {derivation.name} step {step.number}{part}: {proof.status}, "
                    f"{sum(u.count for u in proof.rules)} rule steps, {seconds * 1000:.0f} ms"
                )
    print(
        f"  {len(rows)} proofs: median {statistics.median(rows) * 1000:.0f} ms, "
        f"max {max(rows) * 1000:.0f} ms, total {sum(rows):.2f} s"
    )


def proof_against_size() -> None:
    from derivations.index_classes import K
    from derivations.softmax_ce_gradients import DERIVATION
    from derivcheck.checks.engine import check_claim
    from derivcheck.indices import prove
    from derivcheck.indices.instantiate import concrete

    step = DERIVATION.steps[-1]  # dL/db_m = ŷ_m − y_m
    claim = step.indexed
    print(f"softmax-ce-gradients step {step.number} (dL/db): proof vs one concrete K, median of 3")
    proof = median_seconds(lambda: prove(claim), 3)
    for size in (3, 6, 9, 12):
        sizes = {s: (size if s == K else 1) for s in claim.context.sizes}
        at = concrete(claim, sizes)
        seconds = median_seconds(lambda a=at: check_claim(a, timeout=60.0), 3)
        print(
            f"  K={size:2}: index proof {proof * 1000:.0f} ms · numeric + autodiff at this K "
            f"{seconds:.2f} s"
        )


def main() -> None:
    print(f"python {sys.version.split()[0]} · {REPEAT} repeats where not said otherwise")
    verify_end_to_end()
    index_proofs()
    proof_against_size()


if __name__ == "__main__":
    main()
