"""Side conditions (`given`) are used when they hold, and a false one is an error."""

from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Derivative, Eq, Rational, Symbol, expand, solve

from derivations.classes import Classes
from derivcheck import verify_step
from derivcheck.checks.domains import solved_for

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


# A linear side condition with a numeric coefficient is solved as −rest/a, not by sympy.solve
# (a hundred times faster): the same expression, so the same points and the same digits.
SYMBOLS = [Symbol(f"s{i}", real=True) for i in range(5)]
COEFFICIENTS = st.builds(Rational, st.integers(-7, 7), st.integers(1, 5))


@settings(max_examples=60, deadline=None)
@given(st.lists(COEFFICIENTS, min_size=5, max_size=5), COEFFICIENTS)
def test_a_linear_condition_solved_fast_is_sympys_solution(coefficients, constant):
    difference = expand(sum(c * s for c, s in zip(coefficients, SYMBOLS)) + constant)
    free = sorted(difference.free_symbols, key=lambda s: s.name)
    if not free:
        return
    dependent = free[-1]
    assert solved_for(difference, dependent) == solve(difference, dependent)[0]
    assert expand(difference.subs(dependent, solved_for(difference, dependent))) == 0


def test_a_symbolic_coefficient_is_left_to_sympy():
    w, a, b = (Symbol(n, positive=True) for n in "wab")
    difference = (w + 1) * a + b - 1
    assert solved_for(difference, a) == solve(difference, a)[0]
