"""The instances of a line for every K are checked after its proof, and only those of a proved
line go without the residual probe (as a claim SymPy reduced to zero does): a line the rules did
not prove has its instances probed, and a difference too small for the comparison at 50 digits
refutes each of them."""

from dataclasses import replace

import sympy
from sympy import Rational, sin

from derivations.index_classes import context, m, z
from derivcheck import verify_derivations
from derivcheck.dsl import derivation, for_all, step
from derivcheck.indices import IndexedClaim
from derivcheck.results import ClaimResult, IndexProof
from derivcheck.run import api

SOFTMAX = context(label_sum=False)
TINY = 1 + Rational(1, 10**60)  # beyond the numeric check's 1e-40, within the probe's reach


def only_step(claim):
    report = verify_derivations([derivation("t", "t", "test", steps=[step("s", claim)])])
    (outcome,) = report.outcomes
    return outcome.result


def test_an_unproved_lines_instances_are_probed_and_each_refuted():
    result = only_step(for_all(sin(z[m]) * TINY, sin(z[m]), SOFTMAX))
    assert result.proof.status != "proved"
    assert result.claims and all(c.verdict == "refuted" for c in result.claims), [
        (c.label, c.verdict, c.message) for c in result.claims
    ]
    assert all("resolved at" in c.message for c in result.claims)  # the probe's finding
    assert result.verdict == "refuted"


def test_a_proved_lines_instances_are_marked_so_and_pass():
    result = only_step(for_all(sin(z[m]) + 0 * z[m], sin(z[m]), SOFTMAX))
    assert result.proof.status == "proved", result.proof.message
    assert result.verdict == "proved"
    assert all(c.verdict == "confirmed" and c.symbolic.status == "skipped" for c in result.claims)


class Recording:
    """A pool that records each batch of jobs and answers every proof with `status`."""

    size, debug = 1, False

    def __init__(self, status):
        self.status, self.batches = status, []

    def warm(self, *_):
        pass

    def run(self, jobs, progress=None):
        self.batches.append(jobs)
        results = []
        for job in jobs:
            if isinstance(job.claim, IndexedClaim):
                results.append(ClaimResult("proved", "", proof=IndexProof(self.status)))
            else:
                results.append(ClaimResult("confirmed", ""))
            if progress is not None:
                progress(len(results), len(jobs))
        return results


def lines_of(claim, seed=0):
    from derivcheck.indices.instantiate import instances

    claims = (claim, *instances(claim, seed))
    return [(claims, list(range(len(claims))))]


def test_proofs_go_out_before_instances_and_set_their_mark(monkeypatch):
    claim = IndexedClaim(sin(z[m]), sin(z[m]), SOFTMAX)
    for status, proved in (("proved", True), ("refuted", False), ("no rule", False)):
        pool = Recording(status)
        monkeypatch.setattr(api, "shared_pool", lambda pool=pool: pool)
        (results,) = api.run_lines(lines_of(claim), 20, 10.0)
        first, later = pool.batches
        assert [type(job.claim) for job in first] == [IndexedClaim]
        assert later and all(job.claim.context.line_proved is proved for job in later), status
        assert len(results) == 1 + len(later)


def test_progress_counts_both_rounds_against_one_total(monkeypatch):
    pool = Recording("proved")
    monkeypatch.setattr(api, "shared_pool", lambda: pool)
    x = sympy.Symbol("x", real=True)
    plain = ((api.Claim(x, x),), [0])
    seen = []

    def progress(done, total):
        seen.append((done, total))

    lines = [*lines_of(IndexedClaim(sin(z[m]), sin(z[m]), SOFTMAX)), plain]
    total = sum(len(c) for c, _ in lines)
    api.run_lines(lines, 20, 10.0, progress=progress)
    assert {t for _, t in seen} == {total}
    assert seen == sorted(seen)


def test_an_unbuilt_instance_keeps_its_error():
    from derivcheck.indices.instantiate import Unbuilt
    from derivcheck.model import Context

    unbuilt = Unbuilt("too large", Context(label="K=99"))
    assert api.with_line_proved(unbuilt, True) is unbuilt
    claim = api.Claim(0, 0, Context(symbolic=False))
    assert api.with_line_proved(claim, True) == replace(
        claim, context=replace(claim.context, line_proved=True)
    )
