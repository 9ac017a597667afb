"""A worker imports JAX only for a claim with a derivative, and before that claim's time limit
starts (issue 12: a claim with no derivative never needs JAX)."""

import sys
from pathlib import Path

import pytest
import sympy
from sympy import Derivative, exp

from derivcheck.model import Claim, Context
from derivcheck.run.worker import Job, Pool, needs_jax

x = sympy.Symbol("x", real=True)
y = sympy.Symbol("y", real=True)


def loaded_jax(pool: Pool) -> list[bool]:
    """Has each worker process mapped JAX's compiled library (read from /proc)?"""
    return ["jaxlib" in Path(f"/proc/{w.process.pid}/maps").read_text() for w in pool.workers]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_jax_is_imported_by_the_first_claim_with_a_derivative():
    pool = Pool(1)
    try:
        plain = Job(Claim(x * (x + 1), x**2 + x, Context({x: (-1.0, 1.0)})), 0, 20, 60.0)
        (result,) = pool.run([plain])
        assert result.verdict == "proved"
        assert loaded_jax(pool) == [False]
        deriving = Job(Claim(Derivative(exp(2 * x), x), 2 * exp(2 * x)), 0, 20, 60.0)
        (result,) = pool.run([deriving])
        assert result.verdict == "proved" and result.autodiff.status == "agree"
        assert loaded_jax(pool) == [True]
    finally:
        pool.close()


def test_a_derivative_in_a_side_or_a_definition_needs_jax(monkeypatch):
    monkeypatch.delitem(sys.modules, "jax", raising=False)  # as in a fresh worker
    assert not needs_jax(Claim(x + 1, 1 + x))
    assert needs_jax(Claim(Derivative(x**2, x), 2 * x))
    assert needs_jax(Claim(y, 2 * x, Context(definitions={y: Derivative(x**2, x)})))
    assert needs_jax(Claim(sympy.Matrix([Derivative(x**2, x)]), sympy.Matrix([2 * x])))
    assert not needs_jax(Claim("x + 1", x))  # not SymPy: the check itself says so
