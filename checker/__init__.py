"""derivcheck: every equals sign of a derivation checked by SymPy, mpmath and JAX autodiff.

The names below are imported on first use, so that importing the package (the pytest plugin does
on every pytest run) costs nothing until a check is asked for.
"""

import os
from importlib import import_module

# SymPy's integers in Python, not GMP. With gmpy2 installed (mpmath's fast backend) SymPy would
# use GMP for its polynomials too, and GMP aborts the whole process on an integer too large for
# it (a heuristic gcd of a claim with 10^12 in it: "gmp: overflow in mpz type"), where Python's
# integers only take time, which the time limit bounds. It holds where SymPy is imported after
# derivcheck; the worker processes always have it (run/worker.py).
os.environ.setdefault("SYMPY_GROUND_TYPES", "python")

WHERE = {
    "sigmoid": ".functions",
    "Claim": ".model",
    "Context": ".model",
    "Correction": ".model",
    "Definition": ".model",
    "Derivation": ".model",
    "ClaimResult": ".results",
    "Counterexample": ".results",
    "Report": ".results",
    "StepResult": ".results",
    "verify_derivations": ".run.api",
    "verify_step": ".run.api",
}

__all__ = sorted(WHERE)


def __getattr__(name: str):
    if name not in WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(WHERE[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(WHERE))
