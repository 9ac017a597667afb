"""What the reports say about a step over indices: a counterexample names the index values of
its entry, and a step over N and D says so, not "for all K"."""

import random

from sympy import Derivative

from derivations.index_classes import K, context, k, m, yhat, z
from derivcheck.dsl import for_all
from derivcheck.indices import IndexProof
from derivcheck.indices.instantiate import concrete
from derivcheck.reports.text import counterexample_lines, method_summary
from derivcheck.results import ClaimResult, Counterexample, StepResult, SymbolicResult


def test_each_entry_of_an_instance_is_named_by_its_index_values():
    claim = for_all(Derivative(yhat[k], z[m]), yhat[k] * (1 - yhat[m]), context(label_sum=False))
    at = concrete(claim, {K: 3})  # every entry, in order
    assert len(at.context.rows) == at.lhs.shape[0] == 9
    assert at.context.rows[:2] == ("k=1, m=1", "k=1, m=2")
    sampled = concrete(claim, {K: 4}, random.Random(0))
    assert len(sampled.context.rows) == sampled.lhs.shape[0]


def test_a_counterexample_of_an_index_step_names_the_index_values():
    example = Counterexample((("z1", "0.5"),), "1", "2", 0.5, element=(1, 0))
    result = ClaimResult("refuted", "differ", "K=3", rows=("k=1, m=1", "k=1, m=2"))
    assert result.where(example) == "K=3; k=1, m=2"
    line = counterexample_lines(example, result.where(example))[0]
    assert line.strip() == "counterexample (numeric at K=3; k=1, m=2): z1=0.5"
    plain = ClaimResult("refuted", "differ", "")  # a Matrix claim of the user's own
    assert plain.where(example) == "entry [1, 0]"
    assert "(numeric, entry [1, 0])" in counterexample_lines(example, plain.where(example))[0]


def test_a_step_over_n_and_d_is_not_said_to_be_for_all_k():
    at_sizes = ClaimResult("confirmed", "agree", "N=2, D=1", symbolic=SymbolicResult("skipped"))
    result = StepResult((at_sizes,), IndexProof("not proved", sizes="N, D"))
    assert "symbolic: for all N, D only" in method_summary(result)
