"""The same seed gives the same JSON report through the command line, timings aside; another
seed samples other points."""

import json

import pytest

from derivcheck.cli import main

# Errata with counterexamples, checked at K = 2…5 (an instance seed each), and autodiff steps.
NAMES = ["softmax-cross-entropy", "sigmoid-derivative"]


def without_seconds(value):
    """The report with every timing removed: what must not depend on the machine."""
    if isinstance(value, dict):
        return {k: without_seconds(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [without_seconds(v) for v in value]
    return value


# Far past what any of these claims needs: on a loaded machine a proof that ran into the default
# limit would be "confirmed" in one run and "proved" in the next, a difference of speed, not seed.
UNHURRIED = "120"


def cli_report(tmp_path, seed):
    output = tmp_path / f"seed-{seed}-{len(list(tmp_path.iterdir()))}.json"
    argv = ["verify", *NAMES, "--seed", str(seed), "--timeout", UNHURRIED, "--format", "json"]
    argv.append("--no-cache")  # the checks themselves, twice (the cache's tests: test_cache)
    main([*argv, "-o", str(output)])
    return json.loads(output.read_text(encoding="utf-8"))


def instances(report):
    """Every checked instance of every step and correction, in report order."""
    for d in report["derivations"]:
        for step in d["steps"]:
            yield from step["instances"]
            if step["correction"]:
                yield from step["correction"]["instances"]


def counterexamples(report):
    return [
        step["counterexample"]
        for d in report["derivations"]
        for step in d["steps"]
        if step["counterexample"]
    ]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("determinism")
    return cli_report(tmp_path, 7), cli_report(tmp_path, 7), cli_report(tmp_path, 8)


def test_same_seed_same_report(reports):
    first, second, _ = reports
    assert first["seed"] == 7
    assert any(k == "seconds" for k in first["summary"])  # timings are there, and differ
    assert without_seconds(first) == without_seconds(second)
    # What the comparison covers: counterexamples and per-instance seeds, not just verdicts.
    assert len(counterexamples(first)) == 2
    seeds = [i["seed"] for i in instances(first)]
    assert len(seeds) > 8 and len(set(seeds)) == len(seeds)


def test_other_seed_other_points(reports):
    first, _, other = reports
    assert [c["point"] for c in counterexamples(first)] != [
        c["point"] for c in counterexamples(other)
    ]
    for mine, theirs in zip(counterexamples(first), counterexamples(other)):
        assert mine["point"] != theirs["point"]
    assert not {i["seed"] for i in instances(first)} & {i["seed"] for i in instances(other)}
    # Same verdicts all the same: the seed picks points, not outcomes.
    verdicts = [[s["verdict"] for s in d["steps"]] for d in first["derivations"]]
    assert verdicts == [[s["verdict"] for s in d["steps"]] for d in other["derivations"]]
