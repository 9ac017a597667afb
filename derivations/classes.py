"""The symbols of the softmax notes for K classes and n input features, shared by the modules."""

from __future__ import annotations

import sympy
from sympy import Add, exp, log

from derivcheck.model import Context

CLASS_COUNTS = (2, 3, 4, 5)
FEATURES = 3  # size of the input vector x (and of each weight row)

LOGIT_DOMAIN = (-4.0, 4.0)
PARAMETER_DOMAIN = (-1.5, 1.5)  # weights, biases and inputs
PROBABILITY_DOMAIN = (0.0, 1.0)  # labels y and probabilities ŷ


def vector(name: str, size: int) -> tuple[sympy.Symbol, ...]:
    return tuple(sympy.Symbol(f"{name}{i}", real=True) for i in range(size))


def dot(u, v):
    """uᵀv for two vectors given as sequences of symbols."""
    return Add(*(a * b for a, b in zip(u, v)))


class Classes:
    """z = Wx + b, ŷ = softmax(z), L = −Σ yₖ log ŷₖ for K classes, with their symbols.

    With `weights=False`, the logits z are independent symbols (for dŷ/dz and dL/dz).
    """

    def __init__(self, K: int, *, weights: bool = True, label_sum: bool = True):
        self.K = K
        self.z = vector("z", K)
        self.y = vector("y", K)
        self.yhat = vector("yhat", K)
        self.x = vector("x", FEATURES)
        self.W = tuple(vector(f"W{m}_", FEATURES) for m in range(K))
        self.b = vector("b", K)
        self.L = sympy.Symbol("L", real=True)
        total = self.total()
        definitions = {self.yhat[k]: exp(self.z[k]) / total for k in range(K)}
        definitions[self.L] = -Add(*(self.y[k] * log(self.yhat[k]) for k in range(K)))
        domains = {s: LOGIT_DOMAIN for s in self.z}
        domains |= {s: PROBABILITY_DOMAIN for s in (*self.y, *self.yhat)}
        if weights:
            definitions |= {self.z[m]: dot(self.W[m], self.x) + self.b[m] for m in range(K)}
            domains |= {s: PARAMETER_DOMAIN for s in (*self.x, *self.b, *sum(self.W, ()))}
        given = (sympy.Eq(Add(*self.y), 1),) if label_sum else ()
        self.context = Context(domains, definitions, given, f"K={K}")

    def total(self):
        """Σⱼ e^{zⱼ}."""
        return Add(*(exp(zj) for zj in self.z))

    def each(self, entry):
        """A column with one entry per class k."""
        return sympy.Matrix([entry(k) for k in range(self.K)])

    def pairs(self, entry):
        """A column with one entry per ordered pair of classes k ≠ m."""
        return sympy.Matrix([entry(k, m) for k in range(self.K) for m in range(self.K) if k != m])

    def rows(self, entry):
        """A K × n matrix with one entry per class m and feature j."""
        return sympy.Matrix(self.K, FEATURES, lambda m, j: entry(m, j))


def all_class_counts(**options) -> list[Classes]:
    return [Classes(K, **options) for K in CLASS_COUNTS]
