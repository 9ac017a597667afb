"""Index calculus: steps over a symbolic number of classes K, proved by named rules, and
instantiated at concrete sizes for the other checks.

May import the records and `checks` (the time budget); never the pool, a report or the CLI.
"""

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
