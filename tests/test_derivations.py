"""The notes' derivations, checked as `make verify` checks them, and a planted slip refuted."""

from dataclasses import replace

import pytest

import derivations
from derivations import sigmoid_derivative
from derivations.classes import all_class_counts
from derivcheck import dsl, verify_derivations

FOR_ALL_K = (
    "softmax-cross-entropy",
    "softmax-jacobian",
    "softmax-ce-gradients",
    "softmax-matrix-gradients",
)


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


def test_softmax_steps_are_proved_for_all_K_and_checked_at_three_K(verified):
    _, report = verified
    for name, step in all_steps(report):
        if name not in FOR_ALL_K:
            continue
        for part in (step, step["correction"]) if step["erratum"] else (step,):
            values = {
                int(label.split(",")[0].split("=")[1]) for label in part["proof"]["instances"]
            }
            assert len(values) >= 3 and values <= set(range(2, 13)), (name, step["number"])
        if step["erratum"]:
            assert step["proof"]["status"] == "not proved", (name, step["number"])
            assert step["correction"]["proved_for_all"], (name, step["number"])
        else:
            assert step["proved_for_all"], (name, step["number"])
            assert step["proof"]["rules"], (name, step["number"])


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
    # ŷ_k(Σ e^z)²(1 − ŷ_k)/(Σ e^z)² = ŷ_k(1 − ŷ_k) at K = 2…5, slipped at K = 4 only.
    def claim(c):
        S = c.total()
        lhs = c.each(lambda k: c.yhat[k] * S**2 * (1 - c.yhat[k]) / S**2)
        return lhs, c.each(lambda k: c.yhat[k] * (1 - c.yhat[k]))

    classes = all_class_counts(weights=False, label_sum=False)
    jacobian = dsl.derivation("t", "t", "test", instances=classes, steps=[dsl.step("s", claim)])
    number, k4 = 1, 2
    original = jacobian.steps[number - 1].claims[k4]
    slipped = with_claim(jacobian, number, k4, -original.rhs)
    (outcome,) = verify_derivations([slipped], steps={number}).outcomes
    assert outcome.result.verdict == "refuted"
    assert outcome.result.deciding.label == "K=4"
    assert [c.verdict for c in outcome.result.claims] == ["proved", "proved", "refuted", "proved"]
