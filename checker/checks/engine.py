"""Checks one claim three ways and decides its verdict. Runs inside a worker process."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable

import sympy

from ..model import Claim
from ..results import AutodiffResult, ClaimResult, NumericResult, SymbolicResult
from .deadline import OutOfTime, budget
from .prepare import InputError, prepare

DEFAULT_POINTS = 20
DEFAULT_TIMEOUT = 10.0  # seconds per claim; the symbolic check gets what the others leave
PROBE_RESERVE = 0.25  # share of the time limit kept back from SymPy for the residual probe
PROBE_MINIMUM = 0.5  # seconds the probe gets even when SymPy overran (the kill comes later)
# Share of the time limit SymPy gets once the numeric check has a confirmed counterexample: it
# can then only contradict it (checkers disagree), which the decision procedures do quickly.
QUICK_SHARE = 0.2


def check_claim(
    claim: Claim,
    *,
    seed: int = 0,
    points: int = DEFAULT_POINTS,
    timeout: float = DEFAULT_TIMEOUT,
    emit: Callable[[str, object], None] = lambda method, result: None,
    debug: bool = False,
    describe: bool = False,
) -> ClaimResult:
    """The verdict on `claim`; `emit` receives each method's result as soon as it is known.
    `describe` records both sides as checked (for `explain`; printing them is not cheap)."""
    from .autodiff import check_autodiff  # JAX is imported only inside workers
    from .concrete import check_concrete
    from .domains import draw, resolve_domains, solve_given  # NumPy and mpmath: in the workers
    from .kinks import with_kinks
    from .numeric import Evaluations, beyond_resolution, check_numeric, probe_residuals
    from .symbolic import check_symbolic

    start = time.perf_counter()
    label = claim.context.label
    checked = ()

    def result(verdict, message, **methods):
        one_line = message if debug else " ".join(message.split())
        seconds = time.perf_counter() - start
        return ClaimResult(
            verdict,
            one_line,
            label,
            seed,
            seconds=seconds,
            checked=checked,
            rows=claim.context.rows,
            **methods,
        )

    try:
        prepared = prepare(claim)
        checked = printed(prepared) if describe else ()
        domains = resolve_domains(prepared.symbols, claim.context.domains)
        conditions = solve_given(prepared.given)
        sample = draw(prepared.symbols, domains, conditions, points, seed)
        sample = with_kinks(sample, [*prepared.lhs_evaluated, *prepared.rhs_evaluated], domains)
    except InputError as error:
        return result("error", str(error))
    except Exception as error:  # SymPy can raise from deep inside doit() on odd input
        return result("error", internal("preparing the claim", error, debug))

    methods: dict[str, object] = {}
    try:
        evaluations = Evaluations(prepared, sample, domains)
        methods["numeric"] = check_numeric(evaluations)
        # SymPy's closed forms of integrals, sums and products, against mpmath's own values
        problem, independent = check_concrete(evaluations)
        if problem is not None:
            return result("error", problem, **methods)
        emit("numeric", methods["numeric"])
        if claim.context.no_autodiff:  # declared by the derivation; the report says so
            reason = claim.context.no_autodiff
            methods["autodiff"] = AutodiffResult("declined", message=f"declared: {reason}")
        else:
            methods["autodiff"] = check_autodiff(evaluations)
        emit("autodiff", methods["autodiff"])
    except InputError as error:  # something mpmath cannot evaluate
        return result("error", str(error), **methods)
    except Exception as error:
        return result("error", internal("the numeric and autodiff checks", error, debug), **methods)
    # The symbolic check gets what is left but a reserve for the residual probe.
    remaining = timeout - (time.perf_counter() - start)
    reserve = max(PROBE_RESERVE * timeout, 1.0)
    residuals = {}
    try:
        numeric = methods["numeric"]
        refuted = numeric.status == "refuted"
        seconds = remaining - reserve
        if refuted:
            seconds = min(seconds, QUICK_SHARE * timeout)
        if not claim.context.symbolic:  # an instance of a symbolic-K line: the rules prove it
            methods["symbolic"] = SymbolicResult("skipped")
            # Not proved (or not known to be): lhs − rhs itself goes to the probe. Proved: the
            # proof is the symbolic zero, as SymPy's would be, and nothing is left to probe.
            if not claim.context.line_proved:
                residuals = dict.fromkeys(range(len(prepared.lhs_evaluated)))
        else:
            methods["symbolic"], residuals = check_symbolic(
                prepared,
                conditions,
                seconds,
                domains,
                quick=refuted,
                refuted_element=flat_index(prepared, numeric.counterexample) if refuted else None,
            )
    except Exception as error:
        methods["symbolic"] = SymbolicResult("failed", residual=internal("SymPy", error, debug))
        residuals = dict.fromkeys(range(len(prepared.lhs_evaluated)))  # probe lhs − rhs itself
    if residuals and methods["numeric"].status in ("agree", "insufficient"):
        emit("symbolic", methods["symbolic"])
        try:
            # SymPy can overrun its budget inside C code; the worker's kill is still GRACE away.
            with budget(max(timeout - (time.perf_counter() - start), PROBE_MINIMUM)):
                methods["numeric"] = probe_residuals(evaluations, residuals, methods["numeric"])
        except OutOfTime:
            message = (
                f"the step hit its time limit of {timeout:g} s before the residual SymPy left was "
                "resolved; give it more time (--timeout) or split the step"
            )
            return result("error", message, **methods)
        except InputError as error:
            return result("error", str(error), **methods)
        except Exception as error:
            return result("error", internal("the residual probe", error, debug), **methods)
    beyond = methods["symbolic"].status == "constant" and all(
        beyond_resolution(evaluations, element, methods["symbolic"].constant)
        for element in residuals
    )
    verdict, message = decide(
        methods["symbolic"], methods["numeric"], methods["autodiff"], beyond_digits=beyond
    )
    if independent:
        verdict, message = independently(verdict, message, methods["numeric"], independent)
    if verdict == "refuted" and prepared.absent:  # the likely slip behind it
        message += f" ({prepared.absent[0]}: a typo, or a shorthand used without its definition?)"
    return result(verdict, message, **methods)


def independently(verdict: str, message: str, numeric: NumericResult, points: int):
    """The verdict of a claim with integrals, sums or products, whose closed forms (SymPy's)
    agreed with mpmath's own evaluation at `points` points to a relative concrete.AGREE: a
    refutation must be larger than that, or it rests on SymPy's closed form alone."""
    from .concrete import AGREE

    if verdict == "refuted" and not (
        numeric.status == "refuted" and numeric.max_relative_error > 100 * float(AGREE)
    ):
        return "error", (
            f"{message}; but the difference is within what the independent evaluation of the "
            f"integrals, sums and products checks (a relative {float(AGREE):g}), so it rests "
            "on SymPy's closed form alone: cannot decide"
        )
    evidence = (
        f"SymPy's closed forms of its integrals, sums and products agree with mpmath's own "
        f"evaluation (quad, term by term) at {points} points"
    )
    return verdict, f"{message}; {evidence}" if verdict != "error" else message


def decide(
    symbolic: SymbolicResult | None,
    numeric: NumericResult | None,
    autodiff: AutodiffResult | None,
    beyond_digits: bool = False,
) -> tuple[str, str]:
    """Combine the three methods; anything short of agreement is never a pass.

    `beyond_digits`: SymPy's nonzero constant is, at every valid point, too small against the
    sides for any precision the numeric check may use: its not seeing it is no disagreement.
    """
    if numeric is None:
        return "error", "the step timed out before the numeric check finished"
    zero = symbolic is not None and symbolic.status == "zero"
    if numeric.status == "refuted":
        if zero:
            disagreement = f"SymPy reduced lhs − rhs to zero, but {numeric.message}"
            return "error", f"checkers disagree: {disagreement}"
        return "refuted", numeric.message
    if symbolic is not None and symbolic.status == "constant":
        if numeric.status == "unresolved" and beyond_digits:
            return "refuted", (
                f"lhs − rhs reduces to the nonzero constant {symbolic.constant}, a difference "
                "too small against the sides for the numeric check to resolve"
            )
        if numeric.points > 0:  # the residual probe found no such difference at these points
            return "error", (
                f"checkers disagree: SymPy reduced lhs − rhs to the constant {symbolic.constant}, "
                f"but the sides agree at {numeric.points} points"
            )
        return "refuted", f"lhs − rhs reduces to the nonzero constant {symbolic.constant}"
    if numeric.status != "agree":
        return "error", numeric.message
    if autodiff is None:
        return "error", "the step timed out before the autodiff check finished"
    if autodiff.status == "refuted":
        return "error", f"checkers disagree: mpmath agrees but {autodiff.message}"
    if autodiff.status in ("error", "limited"):
        return "error", f"autodiff check: {autodiff.message}"
    evidence = f"{numeric.points} points agree"
    if autodiff.status == "agree":
        evidence += f", autodiff agrees at {autodiff.points}"
    if autodiff.status == "declined":
        evidence += f"; autodiff not run ({autodiff.message})"
    if zero:
        strategies = ", ".join(name for name, _ in symbolic.certificate)
        return "proved", f"SymPy reduced lhs − rhs to zero ({strategies}); {evidence}"
    why = {"timeout": "timed out", "skipped": "not run at a concrete size"}.get(
        "timeout" if symbolic is None else symbolic.status, "left a residual"
    )
    return "confirmed", f"no symbolic proof (SymPy {why}); {evidence}"


def printed(prepared) -> tuple[str, str]:
    """Both sides as SymPy prints them once the definitions are substituted (for `explain`)."""
    sides = []
    for items in (prepared.lhs_expanded, prepared.rhs_expanded):
        if prepared.shape:
            sides.append(sympy.sstr(sympy.Matrix(*prepared.shape, list(items)), order="none"))
        else:
            sides.append(sympy.sstr(items[0], order="none"))
    return tuple(sides)


def flat_index(prepared, counterexample) -> int | None:
    """Which flat entry of the claim a counterexample is in."""
    if counterexample is None:
        return None
    if not counterexample.element:
        return 0
    row, column = counterexample.element
    return row * prepared.shape[1] + column


def internal(where: str, error: Exception, debug: bool) -> str:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"internal error in {where}: {type(error).__name__}: {first_line}"[:300]
    if debug:
        text += "\n" + traceback.format_exc()
    return text
