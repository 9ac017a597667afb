"""The notes' derivations, checked as `make verify` checks them, and a planted slip refuted."""

from dataclasses import replace

import pytest

import derivations
from checker import verify_derivations
from derivations import sigmoid_derivative, softmax_jacobian

CLASS_INDEXED = ("softmax-cross-entropy", "softmax-jacobian", "softmax-ce-gradients")


@pytest.fixture
def verified(notes_run):
    """Exit code and JSON report of `derivcheck verify -o FILE.json` (conftest runs it once)."""
    return notes_run.code, notes_run.json


def all_steps(report):
    return [(d["name"], step) for d in report["derivations"] for step in d["steps"]]


def test_verify_exits_zero(verified):
    code, report = verified
    assert code == 0
    assert [d["name"] for d in report["derivations"]] == [d.name for d in derivations.ALL]


def test_every_step_is_proved(verified):
    _, report = verified
    unproved = [
        (name, step["number"], step["verdict"])
        for name, step in all_steps(report)
        if not step["erratum"] and step["verdict"] != "proved"
    ]
    assert unproved == []


def test_every_erratum_is_refuted_and_its_correction_proved(verified):
    _, report = verified
    errata = [(name, step) for name, step in all_steps(report) if step["erratum"]]
    assert errata
    for name, step in errata:
        assert step["verdict"] == "refuted", (name, step["number"])
        assert step["counterexample"] is not None, (name, step["number"])
        assert step["correction"]["verdict"] == "proved", (name, step["number"])


def test_class_indexed_steps_are_checked_at_each_class_count(verified):
    _, report = verified
    for name, step in all_steps(report):
        if name in CLASS_INDEXED:
            labels = [instance["label"] for instance in step["instances"]]
            assert labels == ["K=2", "K=3", "K=4", "K=5"], (name, step["number"])


def with_claim(derivation, number, index, rhs):
    """A copy of `derivation` whose step `number`, instance `index`, has another rhs."""
    steps = list(derivation.steps)
    step = steps[number - 1]
    claims = list(step.claims)
    claims[index] = replace(claims[index], rhs=rhs)
    steps[number - 1] = replace(step, claims=tuple(claims))
    return replace(derivation, steps=tuple(steps))


def test_planted_slip_is_refuted_at_its_step():
    # The last step, dŷ/dz = ŷ(1 − ŷ), with the sign slipped: ŷ(1 + ŷ).
    yhat = sigmoid_derivative.yhat
    last = len(sigmoid_derivative.DERIVATION.steps)
    slipped = with_claim(sigmoid_derivative.DERIVATION, last, 0, yhat * (1 + yhat))
    report = verify_derivations([slipped])
    verdicts = {s.step.number: s.result.verdict for s in report.outcomes}
    assert verdicts == {n: "refuted" if n == last else "proved" for n in verdicts}
    assert not report.passed


def test_slip_in_one_class_count_refutes_the_step_there():
    # Step 6, ŷ_k(Σ e^z)²(1 − ŷ_k)/(Σ e^z)² = ŷ_k(1 − ŷ_k), slipped at K = 4 only.
    number, k4 = 6, 2
    claim = softmax_jacobian.DERIVATION.steps[number - 1].claims[k4]
    slipped = with_claim(softmax_jacobian.DERIVATION, number, k4, -claim.rhs)
    (outcome,) = verify_derivations([slipped], steps={number}).outcomes
    assert outcome.result.verdict == "refuted"
    assert outcome.result.deciding.label == "K=4"
    assert [c.verdict for c in outcome.result.claims] == ["proved", "proved", "refuted", "proved"]
