"""Shared fixtures: the worker pool warmed once, so timing tests measure claims, not start-up."""

import pytest
import sympy

from checker import verify_step


@pytest.fixture(scope="session")
def warm_pool():
    """Start the shared worker processes (JAX import) before anything is timed."""
    x = sympy.Symbol("x", real=True)
    assert verify_step(x, x).verdict == "proved"
