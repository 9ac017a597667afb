"""The project's copy of the notes, read as written, against the derivation modules: two
independent encodings of the same lines. Every line the modules mark as an erratum is refuted
from the Markdown too; every line they prove is proved or confirmed from the Markdown too."""

import re
from pathlib import Path

import pytest

import derivations
from derivcheck import verify_derivations
from derivcheck.notes import read_notes
from derivcheck.notes.document import split_at
from derivcheck.notes.parser import is_relation
from derivcheck.notes.tokens import Source, tokenize

NOTES = Path(__file__).resolve().parent.parent / "notes" / "softmax_notes.md"
SEED = Path("/work/shared/notes/softmax_notes.md")


@pytest.fixture(scope="module")
def checked():
    reading = read_notes(str(NOTES), display="notes/softmax_notes.md")
    # Three times `make verify`'s time limit: a loaded machine (seven jobs on two cores) must
    # not turn a slow proof into an error.
    report = verify_derivations(reading.derivations, timeout=30)
    outcomes = {(o.step.source_line, o.step.where): o for o in report.outcomes}
    return reading, report, outcomes


def normal(latex: str) -> str:
    return re.sub(r"\\left|\\right|\s", "", latex)


def sides(latex: str) -> tuple[str, str]:
    """The module's line split at its last relation outside every group ("= x": no left side)."""
    source = Source("module", latex)
    tokens = tokenize(source, 0, len(latex))
    parts = split_at(tokens, is_relation, source)
    if len(parts) == 1:
        return "", latex
    left, right = parts[-2], parts[-1]
    text = lambda part: latex[part[0].pos : part[-1].end] if part else ""  # noqa: E731
    return text(left), text(right)


def module_lines():
    for d in derivations.ALL:
        if d.name == "softmax-matrix-gradients":
            continue
        for step in d.steps:
            if "not a line of the notes" not in step.where:
                yield d.name, step


def test_the_copy_is_the_seed_notes_with_declaration_blocks_added():
    if not SEED.exists():
        pytest.skip("the seed notes are not on this machine")
    copy = NOTES.read_text()
    without = re.sub(r"```derivcheck\n.*?```\n\n", "", copy, flags=re.S)
    assert without == SEED.read_text()


def test_at_least_95_percent_of_the_equals_signs_are_read():
    reading = read_notes(str(NOTES))
    read = sum(r.read for r in reading.readings)
    assert (len(reading.readings), read) == (63, 62)
    assert [r.status for r in reading.not_read] == ["skipped"]
    assert read / len(reading.readings) >= 0.95


def test_every_module_line_has_its_equals_sign_in_the_notes_with_the_same_verdict(checked):
    reading, _, outcomes = checked
    by_step = {(r.derivation, r.step.number): r for r in reading.readings if r.step is not None}
    claims = [r for r in reading.readings if r.step is not None]
    errata = 0
    for name, step in module_lines():
        lhs, rhs = sides(step.latex)
        candidates = [
            r
            for r in claims
            if normal(r.written[1]).startswith(normal(rhs))
            and (not lhs or normal(r.written[0]).endswith(normal(lhs)))
        ]
        assert candidates, (
            f"{name} step {step.number}: no equals sign of the notes reads {step.latex}"
        )
        found = candidates[0]
        outcome = outcomes[found.step.source_line, found.step.where]
        if step.erratum:
            errata += 1
            assert found.step.erratum, f"{name} step {step.number}: not an erratum in the notes"
            assert outcome.result.verdict == "refuted", (name, step.number, found.step.where)
        else:
            assert outcome.result.verdict in ("proved", "confirmed"), (name, step.number)
        assert (found.derivation, found.step.number) in by_step
    assert errata == 9


def test_the_notes_pass_with_every_erratum_refuted_at_its_line(checked):
    _, report, _ = checked
    assert report.passed, [(o.step.where, o.result.verdict) for o in report.failures]
    refuted = sorted(o.step.where for o in report.outcomes if o.result.verdict == "refuted")
    assert refuted == sorted(o.step.where for o in report.errata)
    assert len(refuted) == 9
    assert all(o.correction.verdict in ("proved", "confirmed") for o in report.errata)
