"""Side conditions (`given`) are used when they hold, and a false one is an error."""

from sympy import Derivative, Eq, Symbol

from derivations.classes import Classes
from derivcheck import verify_step

softmax3 = Classes(3, weights=False)  # labels y0 + y1 + y2 = 1 given


def ce_gradient_claim():
    """dL/dz_m = ŷ_m − y_m for every class m, at K = 3."""
    c = softmax3
    lhs = c.each(lambda m: Derivative(c.L, c.z[m]))
    rhs = c.each(lambda m: c.yhat[m] - c.y[m])
    return lhs, rhs


def test_label_sum_is_given():
    y0, y1, y2 = softmax3.y
    assert softmax3.context.given == (Eq(y0 + y1 + y2, 1),)


def test_cross_entropy_gradient_is_proved_with_the_label_sum():
    c = softmax3.context
    result = verify_step(
        *ce_gradient_claim(), domains=c.domains, definitions=c.definitions, given=c.given
    )
    assert result.verdict == "proved"


def test_cross_entropy_gradient_is_refuted_without_the_label_sum():
    c = softmax3.context
    result = verify_step(*ce_gradient_claim(), domains=c.domains, definitions=c.definitions)
    assert result.verdict == "refuted"
    assert result.counterexample is not None


def test_side_condition_that_contradicts_the_domain_is_an_error():
    x = Symbol("x", real=True)
    result = verify_step(x, x, domains={x: (0, 1)}, given=(Eq(x, 5),))
    assert result.verdict == "error"


def test_side_condition_on_another_symbol_that_contradicts_its_domain_is_an_error():
    x, y = Symbol("x", real=True), Symbol("y", real=True)
    result = verify_step(x, x, domains={y: (0, 1)}, given=(Eq(y, 5),))
    assert result.verdict == "error"


def test_single_side_condition_outside_a_tuple_is_accepted():
    x, y = Symbol("x", real=True), Symbol("y", real=True)
    assert verify_step(x + y, 1, given=Eq(x + y, 1)).verdict == "proved"
