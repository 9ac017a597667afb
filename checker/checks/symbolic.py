"""The symbolic check: a portfolio of SymPy rewritings applied to lhs − rhs under a time budget.

The strategy that reduces the difference to zero is the certificate. `exp→u, cancel` is a decision
procedure for this family: with u = e^z, sigmoid, softmax and their gradients are rational in u,
and `cancel` puts a rational function in canonical form.
"""

from __future__ import annotations

import time
from collections import Counter

import sympy

from ..results import Attempt, SymbolicResult
from .deadline import OutOfTime, budget
from .domains import SideConditions
from .prepare import Prepared


def exp_to_rational(expr):
    """Write every e^(c·m) as u_m^c (u_m = e^m > 0) and logs of products as sums; then cancel.

    Sound: exp and log are replaced by what they equal on the reals, so a zero here is a zero of
    the original wherever it is defined.
    """
    units: dict[sympy.Expr, sympy.Symbol] = {}

    def unit(monomial):
        if monomial not in units:
            units[monomial] = sympy.Dummy(f"u{len(units)}", positive=True)
        return units[monomial]

    def rational_exp(arg):
        terms = sympy.Add.make_args(sympy.expand(arg))
        if not all(term.is_extended_real for term in terms):  # u = e^m > 0 only for real m
            return sympy.exp(arg)
        factors = []
        for term in terms:
            coeff, monomial = term.as_coeff_Mul()
            if coeff.is_Rational and monomial != 1:
                factors.append(unit(monomial / coeff.q) ** coeff.p)
            else:
                factors.append(unit(term))
        return sympy.Mul(*factors)

    rational = expr.replace(sympy.exp, rational_exp)

    def split_log(arg):
        return sympy.expand_log(sympy.log(sympy.factor(sympy.cancel(arg))), force=False)

    rational = rational.replace(sympy.log, split_log)
    logs_back = {sympy.log(u): monomial for monomial, u in units.items()}
    rational = sympy.expand_log(rational, force=False).xreplace(logs_back)
    reduced = sympy.cancel(sympy.together(rational))
    return reduced.xreplace({u: sympy.exp(monomial) for monomial, u in units.items()})


STRATEGIES = (
    ("cancel", sympy.cancel),
    ("exp→u, cancel", exp_to_rational),
    ("expand_log, cancel", lambda e: sympy.cancel(sympy.expand_log(e, force=False))),
    ("rewrite(exp), exp→u, cancel", lambda e: exp_to_rational(e.rewrite(sympy.exp))),
    ("simplify", sympy.simplify),
)
# Once the numeric check has a confirmed counterexample, the symbolic check only has to show it
# does not claim zero; these decision procedures do, without simplify's minutes of heuristics.
QUICK = ("cancel", "exp→u, cancel", "rewrite(exp), exp→u, cancel")


def on_domain(symbols, domains) -> dict:
    """Each sampled symbol as a SymPy symbol that knows its domain's sign (true on the domain)."""
    refined = {}
    for s in symbols:
        low, high = domains.get(s, (None, None))
        sign = (
            {"positive": True}
            if low is not None and low >= 0
            else ({"negative": True} if high is not None and high <= 0 else {})
        )
        refined[s] = sympy.Dummy(s.name, real=True, **sign)
    return refined


def check_symbolic(
    prepared: Prepared,
    conditions: SideConditions,
    seconds: float,
    domains=None,
    quick: bool = False,
    refuted_element: int | None = None,
) -> tuple[SymbolicResult, dict[int, sympy.Expr | None]]:
    """Reduce each entry of lhs − rhs on the domain; also the residual left in each entry that
    is not zero (None where SymPy did not get to it).

    Symbols are taken as real, with the sign their domain gives them: the claim is only ever
    made on the domain. `quick` (the numeric check has a confirmed counterexample, in entry
    `refuted_element`) runs only the decision procedures, that entry first, and stops at the
    first entry not reduced to zero: that alone shows SymPy does not contradict the refutation.
    """
    strategies = tuple(s for s in STRATEGIES if not quick or s[0] in QUICK)
    start = time.perf_counter()
    deadline = start + seconds
    attempts: list[Attempt] = []
    certificate: Counter[str] = Counter()
    residuals: dict[int, sympy.Expr] = {}
    refined = on_domain(prepared.symbols, domains or {})
    back = {d: s for s, d in refined.items()}
    try:
        with budget(seconds):
            differences = [
                conditions.substitute(lhs - rhs).xreplace(refined)
                for lhs, rhs in zip(prepared.lhs_evaluated, prepared.rhs_evaluated)
            ]
    except OutOfTime:  # no time at all: every entry's lhs − rhs is left to the probe
        result = SymbolicResult(
            "timeout",
            seconds=time.perf_counter() - start,
            attempts=(Attempt("side conditions", "timeout", seconds),),
        )
        return result, dict.fromkeys(range(len(prepared.lhs_evaluated)))
    timed_out = False
    order = list(range(len(differences)))
    if quick and refuted_element in order:
        order.remove(refuted_element)
        order.insert(0, refuted_element)
    for element in order:
        difference = differences[element]
        if difference == 0:
            certificate["zero after doit"] += 1
            continue
        outcome = None if timed_out else reduce(difference, deadline, attempts, strategies)
        timed_out = timed_out or time.perf_counter() >= deadline
        if outcome is None:  # nothing to show: lhs − rhs itself is left for the numeric probe
            residuals[element] = None
            if quick:
                break
            continue
        strategy, reduced = outcome
        if reduced == 0:
            certificate[strategy] += 1
            continue
        reduced = reduced.xreplace(back)
        constant = nonzero_constant(reduced)
        if constant is not None:
            result = SymbolicResult(
                "constant",
                residual=str(reduced),
                constant=constant,
                attempts=tuple(attempts),
                seconds=time.perf_counter() - start,
            )
            return result, {element: reduced}
        # A residual no simpler than the two sides adds nothing to probing lhs − rhs from the
        # sides, which the numeric check has already compiled.
        sides = prepared.lhs_evaluated[element], prepared.rhs_evaluated[element]
        simpler = sympy.count_ops(reduced) < sum(sympy.count_ops(side) for side in sides)
        residuals[element] = reduced if simpler else None
        if quick:
            break
    elapsed = time.perf_counter() - start
    if timed_out or residuals:
        reduced = [r for r in residuals.values() if r is not None]
        shown = str(min(reduced, key=sympy.count_ops))[:2000] if reduced else ""
        status = "timeout" if timed_out else "residual"
        result = SymbolicResult(status, residual=shown, attempts=tuple(attempts), seconds=elapsed)
        return result, residuals
    result = SymbolicResult(
        "zero", certificate=tuple(certificate.items()), attempts=tuple(attempts), seconds=elapsed
    )
    return result, {}


def reduce(difference, deadline: float, attempts: list[Attempt], strategies=STRATEGIES):
    """The first strategy that reduces `difference` to zero, else the smallest leftover (None
    when every strategy raised or ran out of time)."""
    leftovers = []
    for name, strategy in strategies:
        began = time.perf_counter()
        try:
            with budget(deadline - began):
                reduced = strategy(difference)
        except OutOfTime:
            attempts.append(Attempt(name, "timeout", time.perf_counter() - began))
            break
        except Exception as error:  # one strategy raising is recorded, not fatal
            attempts.append(
                Attempt(
                    name,
                    f"raised {type(error).__name__}: {error}"[:160],
                    time.perf_counter() - began,
                )
            )
            continue
        spent = time.perf_counter() - began
        if reduced == 0:
            attempts.append(Attempt(name, "zero", spent))
            return name, reduced
        if nonzero_constant(reduced) is not None:
            attempts.append(Attempt(name, "nonzero constant", spent))
            return name, reduced
        attempts.append(Attempt(name, "residual", spent))
        leftovers.append((name, reduced))
    if not leftovers:
        return None
    return min(leftovers, key=lambda x: sympy.count_ops(x[1]))


def nonzero_constant(expr) -> str | None:
    """The value of `expr` if it is a constant that is certainly not zero, else None.

    evalf with strict=True either reaches the asked accuracy or raises, so a nonzero value here
    is nonzero however small (1e-45 included).
    """
    if expr.free_symbols or not expr.is_number:
        return None
    try:
        value = sympy.N(expr, 30, strict=True)
    except Exception:  # PrecisionExhausted, or a value evalf cannot handle
        return None
    if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or value == 0:
        return None
    return str(sympy.N(expr, 15))
