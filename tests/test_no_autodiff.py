"""A step may declare that autodiff does not apply (a function with no JAX translation); it is
then decided by SymPy and mpmath, and the report says autodiff was not run and why."""

import pytest
from sympy import Derivative, Heaviside, Max, Symbol

from derivcheck import verify_derivations
from derivcheck.dsl import Instance, derivation, step
from derivcheck.model import Context
from derivcheck.reports.terminal import check_lines
from derivcheck.reports.text import method_summary

x = Symbol("x", real=True)
RELU = Instance(Context(domains={x: (-3, 3)}))
WHY = "Max has no JAX translation"


def relu(**declared):
    return derivation(
        "relu", "d/dx max(0, x) = H(x)", "test file", instances=[RELU],
        steps=[step("d/dx max(0, x) = H(x)", (Derivative(Max(0, x), x), Heaviside(x)),
                    **declared)],
    )  # fmt: skip


def test_without_the_declaration_a_function_autodiff_lacks_is_an_error(warm_pool):
    (outcome,) = verify_derivations([relu()]).outcomes
    assert outcome.result.verdict == "error" and "autodiff" in outcome.result.message


def test_declared_autodiff_does_not_apply_and_the_report_says_so(warm_pool):
    (outcome,) = verify_derivations([relu(no_autodiff=WHY)]).outcomes
    result = outcome.result
    assert result.verdict == "proved"
    assert result.message.endswith(f"autodiff not run (declared: {WHY})")
    assert "autodiff: not run, declared not to apply" in method_summary(result)
    assert "jax declared n/a" in check_lines(result)
    false = derivation(
        "relu-wrong", "t", "test file", instances=[RELU], no_autodiff=WHY,
        steps=[step("d/dx max(0, x) = 1", (Derivative(Max(0, x), x), 1))],
    )  # fmt: skip
    (outcome,) = verify_derivations([false]).outcomes
    assert outcome.result.verdict == "refuted"  # still checked, by SymPy and mpmath


def test_the_declaration_needs_a_reason():
    with pytest.raises(ValueError, match="no_autodiff must say why autodiff does not apply"):
        relu(no_autodiff=True)
