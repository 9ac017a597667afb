"""The same seed gives the same report; another seed samples other points."""

from checker import verify_derivations
from checker.report_json import report_dict
from derivations import bce_gradients, sigmoid_derivative


def without_seconds(value):
    """The report with every timing removed: what must not depend on the machine."""
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, (list, tuple)):  # report_dict keeps some sequences as tuples
        return [without_seconds(v) for v in value]
    return value


def report(derivation, seed, steps=None):
    return report_dict(verify_derivations([derivation], seed=seed, steps=steps))


def test_same_seed_same_report():
    first = report(sigmoid_derivative.DERIVATION, seed=7)
    second = report(sigmoid_derivative.DERIVATION, seed=7)
    assert without_seconds(first) == without_seconds(second)


def erratum_counterexample(seed):
    (step,) = report(bce_gradients.DERIVATION, seed, steps={1})["derivations"][0]["steps"]
    assert step["erratum"] and step["verdict"] == "refuted"
    return step["counterexample"]["point"]


def test_other_seed_other_counterexample():
    point = erratum_counterexample(0)
    assert erratum_counterexample(0) == point
    assert erratum_counterexample(1) != point
