"""derivcheck: every equals sign of a derivation checked by SymPy, mpmath and JAX autodiff."""

from .functions import sigmoid
from .model import Claim, Context, Correction, Definition, Derivation, Step
from .results import ClaimResult, Counterexample, Report, StepResult
from .run.api import verify_derivations, verify_step

__all__ = [
    "Claim",
    "ClaimResult",
    "Context",
    "Correction",
    "Counterexample",
    "Definition",
    "Derivation",
    "Report",
    "Step",
    "StepResult",
    "sigmoid",
    "verify_derivations",
    "verify_step",
]
