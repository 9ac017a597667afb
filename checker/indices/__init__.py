"""Index calculus: steps over a symbolic number of classes K, proved by named rules."""

from .model import IndexContext, IndexedClaim, IndexProof, RuleUse, UnitSum, sum_except
from .prove import prove

__all__ = [
    "IndexContext",
    "IndexProof",
    "IndexedClaim",
    "RuleUse",
    "UnitSum",
    "prove",
    "sum_except",
]
