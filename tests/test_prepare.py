"""prepare: a claim's shorthands are expanded once for all its entries, to the same expressions."""

import pytest
import sympy
from sympy import Derivative, Matrix, Symbol, exp

from derivcheck import Claim, Context, sigmoid
from derivcheck.checks import prepare as prep

z1, z2, z3 = sympy.symbols("z1 z2 z3", real=True)
y1, y2, y3 = sympy.symbols("y1 y2 y3", real=True)
yhat = [Symbol(f"yhat{i}", real=True) for i in (1, 2, 3)]
L = Symbol("L", real=True)
SOFTMAX = {
    **{h: exp(z) / (exp(z1) + exp(z2) + exp(z3)) for h, z in zip(yhat, (z1, z2, z3))},
    L: -(y1 * sympy.log(yhat[0]) + y2 * sympy.log(yhat[1]) + y3 * sympy.log(yhat[2])),
}
CLAIM = Claim(
    Matrix([Derivative(L, z) for z in (z1, z2, z3)]),
    Matrix([h * (y1 + y2 + y3) - y for h, y in zip(yhat, (y1, y2, y3))]),
    Context(definitions=SOFTMAX),
)


def test_a_definition_the_entries_share_is_expanded_once(monkeypatch):
    walked = []
    value = prep.sympy_value

    def counting(expr):
        walked.append(expr)
        return value(expr)

    monkeypatch.setattr(prep, "sympy_value", counting)
    prep.prepare(CLAIM)
    read = [e for e in walked if e in SOFTMAX.values()]
    # vet_definitions reads each once; then ŷ_i once inside L's expansion and once as a shorthand
    # (two memo keys: inside L it is expanded on L's behalf), L once, for all three entries of
    # both sides, the shorthands and the hints. Expanded entry by entry, ŷ_i was read 10 times.
    assert [read.count(d) for d in SOFTMAX.values()] == [3, 3, 3, 2]


def test_shared_expansions_are_those_of_each_entry_alone():
    prepared = prep.prepare(CLAIM)
    definitions = prep.vet_definitions(SOFTMAX)
    alone = tuple(prep.expand_definitions(e, definitions) for e in CLAIM.lhs)
    assert prepared.lhs_expanded == alone
    assert prepared.rhs_expanded == tuple(
        prep.expand_definitions(e, definitions) for e in CLAIM.rhs
    )
    assert dict(prepared.shorthands) == {
        s: prep.expand_definitions(s, definitions) for s in (L, *yhat)
    }


def test_a_shared_expansion_still_refuses_a_definition_that_refers_to_itself():
    a, b = sympy.symbols("a b", real=True)
    claim = Claim(Matrix([a, b + sigmoid(z1)]), Matrix([a, b]), Context(definitions={a: b, b: a}))
    with pytest.raises(prep.InputError, match="refers to itself"):
        prep.prepare(claim)
