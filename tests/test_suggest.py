"""Suggestions: a refuted line gets the proved correction one edit away, and nothing unproved
is ever suggested."""

import json

import pytest
from sympy import Derivative, Rational, Symbol, acos, cos, exp, expand, expand_trig, sin, sympify

from derivations.index_classes import m, n, yhat
from derivcheck.model import Claim, Context
from derivcheck.reports.json import suggestions_dict
from derivcheck.reports.text import bracketed, suggestion_lines
from derivcheck.results import StepOutcome, StepResult, Suggestion, SuggestionSearch
from derivcheck.suggest.api import search_claims
from derivcheck.suggest.edits import candidates
from derivcheck.suggest.screen import Screen

x, y, t = (Symbol(name, real=True) for name in ("x", "y", "t"))
BUDGET = 30.0  # seconds: generous, so that a loaded machine changes nothing
# (sin² + cos²)⁸ expanded: 1, but SymPy cannot show it within the time limit ("confirmed")
SLOW = expand(expand_trig((sin(x + y + t) ** 2 + cos(x + y + t) ** 2) ** 8))

# The notes' slips one edit away from their correction: (derivation, step).
REACHABLE = [
    ("softmax-to-sigmoid", 3),  # e^{-x} for e^{x}
    ("softmax-to-sigmoid", 4),  # the same, carried into the next line's left side
    ("bce-gradients", 1),  # dL/dy for dL/dŷ
    ("softmax-ce-gradients", 3),  # Σ_{n≠m} ŷ_n (1 − ŷ_m) for ŷ_m (1 − ŷ_m)
    ("softmax-ce-gradients", 4),  # the same, carried
]


def sides(claim):
    return sympify(claim.lhs), sympify(claim.rhs)


@pytest.mark.parametrize("name, number", REACHABLE)
def test_the_notes_slips_get_the_correction_of_their_module(notes_run, name, number):
    (derivation,) = [d for d in notes_run.report.derivations if d.derivation.name == name]
    (outcome,) = [s for s in derivation.steps if s.step.number == number]
    correction = outcome.step.correction
    fixed = correction.indexed if correction.indexed is not None else correction.claims[0]
    search = outcome.suggestions
    assert search is not None and search.found, search
    assert search.suggestions[0].sides == sides(fixed)
    (step,) = [
        s
        for d in notes_run.json["derivations"]
        if d["name"] == name
        for s in d["steps"]
        if s["number"] == number
    ]
    first = step["suggestions"][0]
    assert set(first) >= {"latex", "readable", "edit", "certificate"}
    assert "\\boxed" in first["marked"]


def test_every_refuted_step_of_the_notes_was_searched(notes_run):
    for outcome in notes_run.report.outcomes:
        searched = outcome.suggestions is not None
        assert searched == (outcome.result.verdict == "refuted"), outcome.step.latex
        if searched and not outcome.suggestions.found:
            assert outcome.suggestions.message.startswith("no single-edit correction found")


def test_a_variant_true_only_numerically_is_never_suggested(warm_pool):
    # acos(cos x) = 2x is one edit from acos(cos x) = x, which is true on (0.1, 1) but which
    # SymPy cannot prove (it holds only on [0, π]): the checker only confirms it, at once and on
    # any machine (a slow identity stopped by a time limit would depend on the load instead)
    x = Symbol("x", real=True)
    near = Context(domains={x: (0.1, 1)})
    assert Screen(Claim(acos(cos(x)), x, near), 0).agree(acos(cos(x)), x)
    (search,) = search_claims([(Claim(acos(cos(x)), 2 * x, near), False, 0)], 20, 15.0)
    assert search.suggestions == ()
    assert search.agreeing >= 1 and search.proofs >= 1  # it reached the checker, which said no
    assert search.message.startswith("no single-edit correction found")


def test_a_variant_the_screen_cannot_tell_apart_is_refuted_not_suggested(warm_pool):
    # x(1 + 10⁻⁵⁰) = x agrees to 1e-45 at 60 digits; the checker's own digits refute it
    near = Rational(10**50 + 1, 10**50) * x
    (search,) = search_claims([(Claim(near, -x, Context({x: (1, 3)})), False, 0)], 20, BUDGET)
    assert search.suggestions == ()
    assert search.agreeing >= 1 and search.proofs >= 1


def test_a_slip_in_a_derivative_is_found_and_proved(warm_pool):
    claim = Claim(Derivative(exp(2 * x), x), exp(2 * x), Context({x: (-2, 2)}))
    (search,) = search_claims([(claim, False, 0)], 20, BUDGET)
    assert search.found, search.message
    assert search.suggestions[0].sides == (Derivative(exp(2 * x), x), 2 * exp(2 * x))
    assert search.suggestions[0].certificate.startswith("SymPy:")


def test_a_sign_slip_at_every_place_is_one_edit():
    slipped = Claim(exp(x) / (1 + exp(x)), exp(-t) / (1 + exp(-t)))
    edits = [c.edit for c in candidates(slipped)]
    assert any(e.kind == "sign" and e.before == -t and e.places == 2 for e in edits)


def test_a_sum_written_for_one_of_its_terms_is_an_edit():
    from derivations.index_classes import K, context
    from derivcheck.indices import IndexedClaim, sum_except

    claim = IndexedClaim(sum_except(yhat[n] * (1 - yhat[m]), n, m, K), 0, context(label_sum=False))
    after = {c.edit.after for c in candidates(claim) if c.edit.kind == "sum"}
    assert yhat[m] * (1 - yhat[m]) in after


def test_the_line_is_shown_with_its_changed_part_bracketed():
    assert bracketed(r"e^{\boxed{x}} + \boxed{{y}_{k}}") == "e^{⟦{x}⟧} + ⟦{{y}_{k}}⟧"
    found = Suggestion(
        r"e^{x} = 1",
        r"e^{\boxed{x}} = 1",
        "e^{- x}",
        "e^{x}",
        "lhs",
        "sign",
        1,
        "SymPy: cancel",
    )
    outcome = StepOutcome(None, StepResult(()), suggestions=SuggestionSearch((found,)))
    lines = suggestion_lines(outcome)
    assert "probably should read: e^(⟦x⟧) = 1" in lines[0]
    assert "edit: e⁻ˣ → eˣ (left side)" in lines[1]
    data = json.loads(json.dumps(suggestions_dict(outcome.suggestions)))
    assert data["suggestions"][0]["edit"] == "e^{- x} → e^{x}"
    assert data["suggestions"][0]["readable"] == "eˣ = 1"


def test_no_suggestion_is_said_in_one_line():
    none = SuggestionSearch((), 12, 0, 0, message="no single-edit correction found (…)")
    outcome = StepOutcome(None, StepResult(()), suggestions=none)
    assert [line.strip() for line in suggestion_lines(outcome)] == [none.message]


def test_the_side_tried_first_is_the_one_that_breaks_the_chain():
    from derivcheck.suggest.api import left_first

    before, after = Claim(x, y), Claim(t, x + 1)
    assert left_first(before, Claim(y + 1, t), after)  # starts wrong, ends where the next starts
    assert not left_first(before, Claim(y, t + 1), after)  # starts right: the right side first
    assert not left_first(None, Claim(y + 1, t), after)  # no line before: no evidence
