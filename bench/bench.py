"""`make bench`: how long derivcheck takes, measured the same way on any machine.

Prints medians of repeated runs, alternating, measured in one process on one machine, so that
ratios between the lines are meaningful even on a loaded machine (absolute figures are not):
  1. `derivcheck verify` on the notes, end to end, against the import floor
     (`python -c "import sympy, jax, jax.numpy"`) and against the naive peer script: cold (an
     empty cache), cached (nothing changed), and with one step edited; the targets of issue 12;
     and `derivcheck check notes/softmax_notes.md` (the same notes as written) cold;
  2. where a cold run's claim time goes, per method (from its JSON report);
  3. the index rules' proof of every step written for a symbolic K, in-process;
  4. one step at concrete K = 3, 6, 9, 12 against its proof, which never sees a value of K.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT.parent / "shared" / "bench" / "naive_peer.py"
REPEAT = 5
RUNS = 3  # of each end-to-end command, alternating
# A time limit well above any claim's time on a quiet machine: on a loaded one, a claim cut
# short is an error, which is not cached, and the cached run would check it again.
VERIFY = [sys.executable, "-m", "derivcheck", "verify", "--quiet", "--timeout", "60"]
CHECK = [sys.executable, "-m", "derivcheck", "check", "--quiet", "--timeout", "60"]
# The notes with one line edited: sigmoid-derivative step 1 gets "+ n − n" added to its right-hand
# side, unevaluated (the same claim once checked, a different one for the cache). n differs per
# run, so each run has exactly one claim the cache has not seen.
EDITED = """
import dataclasses
import sympy
import derivations
from derivations import sigmoid_derivative

N = sympy.Integer({n})
step = sigmoid_derivative.DERIVATION.steps[0]
claims = tuple(
    dataclasses.replace(c, rhs=sympy.Add(c.rhs, N, -N, evaluate=False)) for c in step.claims
)
edited = dataclasses.replace(
    sigmoid_derivative.DERIVATION,
    steps=(dataclasses.replace(step, claims=claims), *sigmoid_derivative.DERIVATION.steps[1:]),
)
ALL = tuple(edited if d is sigmoid_derivative.DERIVATION else d for d in derivations.ALL)
"""
TARGETS = (  # (line, at most) of issue 12
    ("cold verify / naive peer", 0.5),
    ("cached verify / import floor", 0.5),
    ("one step edited / import floor", 1.5),
    ("cold verify / cold without suggestions", 1.3),  # issue 14
)


def median_seconds(run, repeat: int = REPEAT) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# Every command runs as an installed tool runs for a user: with Python's bytecode cache (pip
# writes it at install time; a shell with PYTHONDONTWRITEBYTECODE set would recompile
# derivcheck's own modules on every start, and not SymPy's or JAX's, which came compiled).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def seconds_of(command, ok=(0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=ENV)
    seconds = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"bench: {' '.join(map(str, command))} failed:\n{done.stderr[-2000:]}")
    return seconds


def verify_end_to_end() -> None:
    """The notes verified cold, cached and after a one-line edit, against the floor and peer."""
    keys = ("floor", "peer", "cold", "unsuggested", "cached", "edited", "notes")
    times: dict[str, list[float]] = {k: [] for k in keys}
    with tempfile.TemporaryDirectory(prefix="derivcheck-bench-") as scratch:
        scratch = Path(scratch)
        report = scratch / "cold.json"
        for run in range(RUNS):
            cache = scratch / f"cache-{run}"  # empty: a cold run
            times["floor"].append(
                seconds_of([sys.executable, "-c", "import sympy, jax, jax.numpy"])
            )
            if PEER.exists():
                times["peer"].append(seconds_of([sys.executable, str(PEER)]))
            cold = [*VERIFY, "--cache-dir", str(cache), "-o", str(report)]
            times["cold"].append(seconds_of(cold, ok=(0, 1)))  # 1: some step failed
            times["cached"].append(seconds_of([*VERIFY, "--cache-dir", str(cache)], ok=(0, 1)))
            # cold again without the search for corrections (issue 14: at most 1.3× faster)
            plain = [*VERIFY, "--no-cache", "--no-suggest"]
            times["unsuggested"].append(seconds_of(plain, ok=(0, 1)))
            edited = scratch / f"edited_{run}.py"
            edited.write_text(EDITED.format(n=run + 1), encoding="utf-8")
            path = [*VERIFY, "--cache-dir", str(cache), "--path", str(edited)]
            times["edited"].append(seconds_of(path, ok=(0, 1)))
            # the same notes read as written (the Markdown front end), cold
            notes = [*CHECK, "notes/softmax_notes.md", "--no-cache"]
            times["notes"].append(seconds_of(notes, ok=(0, 1)))
        breakdown = json.loads(report.read_text(encoding="utf-8"))
        if os.environ.get("BENCH_REPORT"):  # keep the last cold run's report, to compare
            shutil.copy(report, os.environ["BENCH_REPORT"])
    median = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"end to end, median of {RUNS} alternating runs each (one process, one machine):")
    print(f"  import floor (python -c 'import sympy, jax, jax.numpy'): {median['floor']:.2f} s")
    if "peer" in median:
        print(f"  naive peer ({PEER.name}): {median['peer']:.2f} s")
    else:
        print(f"  naive peer: {PEER} not found; its ratio is not measured")
    ratios = {
        "cold verify / import floor": median["cold"] / median["floor"],
        "cached verify / import floor": median["cached"] / median["floor"],
        "one step edited / import floor": median["edited"] / median["floor"],
    }
    if "peer" in median:
        ratios["cold verify / naive peer"] = median["cold"] / median["peer"]
        ratios["cold check of the notes file / naive peer"] = median["notes"] / median["peer"]
    ratios["cold verify / cold without suggestions"] = median["cold"] / median["unsuggested"]
    shown = (
        ("verify, cold", "cold"),
        ("verify, cold, --no-suggest", "unsuggested"),
        ("verify, cached", "cached"),
        ("verify, one step edited", "edited"),
        ("check notes/softmax_notes.md, cold", "notes"),
    )
    for name, key in shown:
        print(f"  {name}: {median[key]:.2f} s  (runs: {fmt(times[key])})")
    targets = dict(TARGETS)
    for name, ratio in ratios.items():
        goal = ""
        if name in targets:
            goal = f"  target ≤ {targets[name]:g}: {'met' if ratio <= targets[name] else 'NOT met'}"
        print(f"  {name}: {ratio:.2f}×{goal}")
    summary = breakdown["summary"]
    if not summary["passed"]:
        print(f"  (the last cold run FAILED: {summary['failures']} failing steps)")
    phases(breakdown)


def fmt(values) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def phases(report: dict) -> None:
    """Where the claims' time went in the last cold run, added up over the workers."""
    claims = [
        c
        for d in report["derivations"]
        for s in d["steps"]
        for part in (s, s["correction"])
        if part
        for c in part["instances"]
    ]
    proofs = [
        p["proof"]["seconds"]
        for d in report["derivations"]
        for s in d["steps"]
        for p in (s, s["correction"])
        if p and p["proof"]
    ]
    total = sum(c["seconds"] for c in claims)
    method = {
        name: sum((c[name] or {}).get("seconds", 0.0) for c in claims)
        for name in ("symbolic", "numeric", "autodiff")
    }
    rest = total - sum(method.values())
    print(
        f"  per phase, last cold run ({len(claims)} claims, {len(proofs)} index proofs, "
        f"{report['summary']['seconds']:.1f} s of wall time):"
    )
    print(f"    claims in the workers, added up: {total:.1f} s")
    print(f"      numeric (compile for mpmath, 50 and 100 digits): {method['numeric']:.1f} s")
    print(f"      autodiff (JAX, rechecks at 1000 digits, plot line): {method['autodiff']:.1f} s")
    print(f"      symbolic (SymPy's strategies): {method['symbolic']:.1f} s")
    print(f"      the rest (definitions and doit, sampling, residual probe): {rest:.1f} s")
    print(f"    index proofs: {sum(proofs):.1f} s")


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


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def main() -> None:
    sys.path.insert(0, str(ROOT))  # the notes' derivations/ are not installed: the checkout's
    print(f"python {sys.version.split()[0]} · {REPEAT} repeats where not said otherwise")
    print(f"{os.cpu_count()} cores · {load()}")
    verify_end_to_end()
    # The ratio to the one-process peer depends on what the two worker processes get of the
    # cores: a neighbour's load slows verify more than the peer. Said, so figures compare.
    print(f"after the end-to-end runs: {load()}")
    index_proofs()
    proof_against_size()


if __name__ == "__main__":
    main()
