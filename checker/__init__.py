"""derivcheck: every equals sign of a derivation checked by SymPy, mpmath and JAX autodiff.

The names below are imported on first use, so that importing the package (the pytest plugin does
on every pytest run) costs nothing until a check is asked for.
"""

from importlib import import_module

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
