"""Named functions a derivation may use, each with the explicit form substituted before checking."""

from __future__ import annotations

import sympy


class sigmoid(sympy.Function):  # noqa: N801 - named like SymPy's own functions (exp, log)
    """The logistic sigmoid σ(t) = 1/(1 + e^(−t)); checks always see its explicit form."""

    nargs = 1

    def fdiff(self, argindex=1):
        # Differentiate the explicit form, so that σ' = σ(1 − σ) is never assumed.
        (t,) = self.args
        return sympy.diff(explicit_sigmoid(t), t)

    def _latex(self, printer, exp=None):
        power = "" if exp is None else f"^{{{exp}}}"
        return rf"\sigma{power}\left({printer._print(self.args[0])}\right)"

    def _sympystr(self, printer):
        return f"σ({printer._print(self.args[0])})"


def explicit_sigmoid(t):
    return 1 / (1 + sympy.exp(-t))


# Each named function and the explicit form the checks use in its place.
EXPLICIT_FORMS = {sigmoid: explicit_sigmoid}
