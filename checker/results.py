"""What the checks find: frozen records with their evidence, from one method up to a whole run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .model import Derivation, Step

Verdict = Literal["proved", "confirmed", "refuted", "error"]
VERDICTS: tuple[Verdict, ...] = ("proved", "confirmed", "refuted", "error")


@dataclass(frozen=True)
class RuleUse:
    """One rule of the certificate: its name, how often it fired in a row, and a first example."""

    rule: str
    count: int = 1
    example: str = ""


@dataclass(frozen=True)
class IndexProof:
    """What the index rules found for a symbolic-K claim.

    status: "proved" (the rules bring lhs − rhs to zero; `rules` is the certificate), "not proved"
    (a residual is left), "error" (no rule applies to something in the claim, or it timed out).
    """

    status: str
    rules: tuple[RuleUse, ...] = ()
    strategy: str = ""  # which shorthands were written out
    residual: str = ""
    holds_only_if: str = ""  # a side condition that makes the residual zero
    condition_proved: bool = False  # the step with that condition added is proved by the rules
    condition_checked: str = ""  # the step with that condition, at the concrete sizes
    condition: Any = None  # the IndexContext with that condition added (not in the JSON)
    sizes: str = ""  # "K" or "K, D, N": what the proof is for all of
    instances: tuple[str, ...] = ()  # labels of the concrete sizes checked, e.g. "K=7"
    message: str = ""
    seconds: float = 0.0

    @property
    def proved(self) -> bool:
        return self.status == "proved"


@dataclass(frozen=True)
class Slice:
    """Both sides along a line through the domain: `symbol` varies, every other symbol stays at
    a sampled point. Float64 values for plots (NaN where a side is undefined or complex)."""

    symbol: str
    values: tuple[float, ...]  # the symbol's values along the line
    lhs: tuple[float, ...]
    rhs: tuple[float, ...]
    lhs_method: str = ""  # how a side was evaluated: "JAX autodiff", "JAX float64", "mpmath"
    rhs_method: str = ""
    at: float | None = None  # the symbol's value at the point the line goes through
    element: tuple[int, ...] = ()  # which matrix entry, for matrix claims


@dataclass(frozen=True)
class Counterexample:
    """A point where the sides differ, with both values, confirmed at a higher precision."""

    point: tuple[tuple[str, str], ...]  # (symbol, value) pairs; floats exactly as sampled
    lhs: str
    rhs: str
    relative_error: float
    element: tuple[int, ...] = ()  # which matrix entry, for matrix claims
    digits: int = 0  # precision of the values shown
    method: str = "numeric"
    difference: str = ""  # lhs − rhs, which shows where lhs and rhs print alike (1e-1000 apart)
    shorthands: tuple[tuple[str, str], ...] = ()  # values of the defined symbols the claim uses
    around: Slice | None = None  # both sides along a line through the point


@dataclass(frozen=True)
class Attempt:
    strategy: str
    outcome: str  # "zero", "nonzero constant", "residual", "timeout", "raised ..."
    seconds: float


@dataclass(frozen=True)
class SymbolicResult:
    status: Literal["zero", "constant", "residual", "timeout", "failed", "skipped"]
    certificate: tuple[tuple[str, int], ...] = ()  # (strategy, entries it reduced to zero)
    residual: str = ""  # lhs − rhs as far as the strategies got, when not zero
    constant: str = ""  # the nonzero constant, for status "constant"
    attempts: tuple[Attempt, ...] = ()
    seconds: float = 0.0


@dataclass(frozen=True)
class NumericResult:
    status: Literal["agree", "refuted", "insufficient", "unresolved"]
    points: int  # valid points compared
    skipped: int  # points where a side is undefined
    max_relative_error: float
    digits: int
    rechecked: int = 0  # mismatches re-evaluated at higher precision that turned out to be noise
    counterexample: Counterexample | None = None
    seconds: float = 0.0
    message: str = ""
    relative_errors: tuple[float, ...] = ()  # the worst relative error at each valid point


@dataclass(frozen=True)
class AutodiffResult:
    status: Literal["agree", "refuted", "not applicable", "declined", "limited", "error"]
    derivatives: int = 0  # Derivative nodes evaluated with JAX
    points: int = 0  # (side, point) comparisons that float64 could represent
    float64_limited: int = 0  # comparisons float64 could not represent: not evidence either way
    max_relative_error: float = 0.0
    counterexample: Counterexample | None = None
    seconds: float = 0.0
    message: str = ""
    slice: Slice | None = None  # autodiff against the other side along a line through the domain


@dataclass(frozen=True)
class ClaimResult:
    """The verdict on one claim (a step at one instance, e.g. K = 3) with each method's evidence."""

    verdict: Verdict
    message: str
    label: str = ""
    seed: int = 0
    symbolic: SymbolicResult | None = None
    numeric: NumericResult | None = None
    autodiff: AutodiffResult | None = None
    seconds: float = 0.0
    checked: tuple[str, str] = ()  # both sides as SymPy prints them, definitions substituted
    proof: IndexProof | None = None  # for the symbolic-K claim of a step: the index rules' proof
    cached: bool = False  # taken from the result cache, not checked in this run
    rows: tuple[str, ...] = ()  # the index values of each matrix entry ("k=1, m=3")

    def where(self, example: Counterexample) -> str:
        """Where a counterexample stands: the instance, and the entry by its index values."""
        at = self.label
        if example.element and self.rows and example.element[0] < len(self.rows):
            at += f"{'; ' if at else ''}{self.rows[example.element[0]]}"
        elif example.element:
            at += f"{', ' if at else ''}entry {list(example.element)}"
        return at

    @property
    def counterexample(self) -> Counterexample | None:
        if self.verdict != "refuted":
            return None
        for method in (self.numeric, self.autodiff):
            if method is not None and method.counterexample is not None:
                return method.counterexample
        return None


# Which claim decides a step with several instances: a confirmed counterexample is decisive.
PRECEDENCE: dict[Verdict, int] = {"refuted": 3, "error": 2, "confirmed": 1, "proved": 0}


@dataclass(frozen=True)
class StepResult:
    """The verdict on a step: the most severe of its claims' verdicts, with all of them kept.

    A step written for a symbolic K also has the index rules' `proof`: it is proved for all K
    only if the rules prove it and every concrete instance agrees; proved by the rules but
    refuted at some K is an error (the checkers disagree), never a pass.
    """

    claims: tuple[ClaimResult, ...]
    proof: IndexProof | None = None

    @property
    def deciding(self) -> ClaimResult:
        return max(self.claims, key=lambda c: PRECEDENCE[c.verdict])

    @property
    def verdict(self) -> Verdict:
        verdict = self.deciding.verdict
        if self.proof is not None and self.proof.proved:
            if verdict == "refuted":
                return "error"
            if verdict == "confirmed":
                return "proved"
        return verdict

    @property
    def proved_for_all(self) -> bool:
        return self.proof is not None and self.proof.proved and self.verdict == "proved"

    @property
    def message(self) -> str:
        if self.proof is not None:
            return self.index_message()
        return self.instance_message()

    def index_message(self) -> str:
        proof, at = self.proof, "; ".join(self.proof.instances or self.labels)
        if self.proved_for_all:
            return f"proved for all {proof.sizes} by the index rules; checked at {at}"
        if proof.proved and self.deciding.verdict == "refuted":
            return (
                f"checkers disagree: the index rules prove it for all {proof.sizes}, but "
                f"{self.deciding.message} (at {self.deciding.label})"
            )
        text = self.instance_message()
        if self.verdict in ("proved", "confirmed"):
            text += f"; checked at {at}, not proved for all {proof.sizes} ({proof.message})"
        if proof.holds_only_if:
            text += f"; {proof.holds_only_if}"
        return text

    def instance_message(self) -> str:
        deciding = self.deciding
        if not deciding.label or len(self.claims) == 1:
            return deciding.message
        if all(c.verdict == deciding.verdict for c in self.claims) and len(self.claims) > 1:
            return f"{deciding.message} (each of {', '.join(self.labels)})"
        return f"{deciding.message} (at {deciding.label})"

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(c.label for c in self.claims)

    # Totals over the claims, for reports.
    def methods(self, name: str) -> list:
        return [getattr(c, name) for c in self.claims if getattr(c, name) is not None]

    @property
    def strategies(self) -> tuple[str, ...]:
        names: dict[str, None] = {}
        for symbolic in self.methods("symbolic"):
            names.update(dict.fromkeys(name for name, _ in symbolic.certificate))
        return tuple(names)

    @property
    def numeric_points(self) -> int:
        return sum(n.points for n in self.methods("numeric"))

    @property
    def numeric_skipped(self) -> int:
        return sum(n.skipped for n in self.methods("numeric"))

    @property
    def numeric_max_error(self) -> float:
        return max((n.max_relative_error for n in self.methods("numeric")), default=0.0)

    @property
    def autodiff_points(self) -> int:
        return sum(a.points for a in self.methods("autodiff"))

    @property
    def autodiff_limited(self) -> int:
        return sum(a.float64_limited for a in self.methods("autodiff"))

    @property
    def autodiff_max_error(self) -> float:
        return max((a.max_relative_error for a in self.methods("autodiff")), default=0.0)

    @property
    def derivatives(self) -> int:
        return sum(a.derivatives for a in self.methods("autodiff"))

    @property
    def counterexample(self) -> Counterexample | None:
        return self.deciding.counterexample

    @property
    def symbolic(self) -> SymbolicResult | None:
        return self.deciding.symbolic

    @property
    def numeric(self) -> NumericResult | None:
        return self.deciding.numeric

    @property
    def autodiff(self) -> AutodiffResult | None:
        return self.deciding.autodiff

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.claims)

    @property
    def cached(self) -> bool:
        """Every claim of the step came from the result cache (none was checked in this run)."""
        return bool(self.claims) and all(c.cached for c in self.claims)


@dataclass(frozen=True)
class Suggestion:
    """A proved correction of a refuted line, one edit away from it (derivcheck.suggest)."""

    latex: str  # the corrected line, SymPy's LaTeX of its two sides
    marked: str  # the same with the changed part in \boxed{…}
    before: str  # LaTeX of the part as written
    after: str  # … and as it should read
    side: str  # "lhs", "rhs" or "both"
    kind: str  # the kind of edit: "sign", "swap", "exponent", …
    places: int  # how many places the part was changed at
    certificate: str  # how it was proved: SymPy's strategy, or the index rules and the sizes
    text: str = ""  # an edit that replaces no one part: "y ↔ \hat{y} throughout"
    sides: tuple = ()  # the corrected line's two sides as SymPy holds them (not in the JSON)

    @property
    def edit(self) -> str:
        """The edit in LaTeX, e.g. "e^{- t} → e^{t}"."""
        return self.text or f"{self.before} → {self.after}"


@dataclass(frozen=True)
class SuggestionSearch:
    """What the search for a refuted line's correction found, and how far it got."""

    suggestions: tuple[Suggestion, ...]
    screened: int = 0  # single-edit variants compared numerically within the budget
    agreeing: int = 0  # of them, those whose sides agreed at every point
    proofs: int = 0  # proofs attempted
    seconds: float = 0.0
    message: str = ""  # why none was found, when none was
    stopped: bool = False  # cut short by its budget: another run might have gone further
    searched: bool = True  # False: no search was made (the step is of a kind none is made for)
    cached: bool = False  # taken from the result cache, not searched in this run

    @property
    def found(self) -> bool:
        return bool(self.suggestions)


@dataclass(frozen=True)
class StepOutcome:
    """A step of a derivation, its result, and for an erratum the result of its correction."""

    step: Step
    result: StepResult
    correction: StepResult | None = None
    suggestions: SuggestionSearch | None = None  # for a refuted step, unless --no-suggest

    @property
    def cached(self) -> bool:
        """Did every part of this step (its claims, its correction's, the search for a
        correction) come from the result cache?"""
        search = self.suggestions
        return (
            self.result.cached
            and (self.correction is None or self.correction.cached)
            and (search is None or not search.searched or search.cached)
        )

    def ok(self, strict: bool = False) -> bool:
        passing = ("proved",) if strict else ("proved", "confirmed")
        if self.step.erratum:
            return self.result.verdict == "refuted" and (
                self.correction is not None and self.correction.verdict in passing
            )
        return self.result.verdict in passing


@dataclass(frozen=True)
class DerivationOutcome:
    derivation: Derivation
    steps: tuple[StepOutcome, ...]


@dataclass(frozen=True)
class Report:
    derivations: tuple[DerivationOutcome, ...]
    seed: int
    points: int
    timeout: float
    strict: bool = False
    versions: tuple[tuple[str, str], ...] = ()
    seconds: float = 0.0

    @property
    def outcomes(self) -> tuple[StepOutcome, ...]:
        return tuple(s for d in self.derivations for s in d.steps)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(VERDICTS, 0)
        for outcome in self.outcomes:
            counts[outcome.result.verdict] += 1
        return counts

    @property
    def errata(self) -> tuple[StepOutcome, ...]:
        return tuple(s for s in self.outcomes if s.step.erratum)

    @property
    def failures(self) -> tuple[StepOutcome, ...]:
        return tuple(s for s in self.outcomes if not s.ok(self.strict))

    @property
    def passed(self) -> bool:
        return bool(self.outcomes) and not self.failures

    @property
    def cached(self) -> int:
        """Steps (with a correction, and the search for one) that came whole from the cache."""
        return sum(1 for s in self.outcomes if s.cached)
