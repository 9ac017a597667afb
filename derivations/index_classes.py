"""The softmax notes' symbols for a symbolic number of classes K (and D features, N examples).

z, y, ŷ are indexed by the class (1…K); W is K × D; sums run from 1. Checked for all K by the
index rules, and at random concrete sizes by the numeric and autodiff checks.
"""

from __future__ import annotations

import sympy
from sympy import IndexedBase, Sum, exp, log

from derivcheck.indices import IndexContext, UnitSum

from .classes import LOGIT_DOMAIN, PARAMETER_DOMAIN, PROBABILITY_DOMAIN

K, D, N = sympy.symbols("K D N", integer=True, positive=True)
i, j, k, m, n, d, e = sympy.symbols("i j k m n d e", integer=True)

z = IndexedBase("z", real=True)
y = IndexedBase("y", real=True)
yhat = IndexedBase("yhat", real=True)
W = IndexedBase("W", real=True)
x = IndexedBase("x", real=True)
b = IndexedBase("b", real=True)
L = sympy.Symbol("L", real=True)

CLASS_SIZES = (2, 12)  # K is instantiated at three values in 2…12
# Σ_k dL/dŷ_k dŷ_k/dz_m written out has 2K derivatives, each of a K-term expression: at K = 12
# its autodiff check alone takes about the time limit, so those lines are instantiated up to 8.
CHAIN_RULE_SIZES = (2, 8)
FEATURE_SIZES = (1, 3)
EXAMPLE_SIZES = (1, 3)
BATCH_FEATURE_SIZES = (1, 2)
LABEL_DOMAIN = (0, 2 / K)  # labels summing to 1: with y in (0, 1) the last label rarely fits

total = Sum(exp(z[j]), (j, 1, K))  # Σ_j e^{z_j}


def context(
    *, label_sum: bool, weights: bool = False, distinct: bool = False, classes=CLASS_SIZES
) -> IndexContext:
    """ŷ = softmax(z), L = −Σ_k y_k log ŷ_k; z = Wx + b with `weights`; k ≠ m with `distinct`.

    `classes` are the K the instances are drawn from.
    """
    definitions = {
        yhat: ((i,), exp(z[i]) / Sum(exp(z[j]), (j, 1, K))),
        L: ((), -Sum(y[k] * log(yhat[k]), (k, 1, K))),
    }
    labels = LABEL_DOMAIN if label_sum else PROBABILITY_DOMAIN
    domains = {z: LOGIT_DOMAIN, y: labels, yhat: PROBABILITY_DOMAIN}
    shapes = {z: (K,), y: (K,), yhat: (K,)}
    sizes = {K: classes}
    ranges = {k: K, m: K}
    if weights:
        definitions[z] = ((i,), Sum(W[i, e] * x[e], (e, 1, D)) + b[i])
        domains |= {W: PARAMETER_DOMAIN, x: PARAMETER_DOMAIN, b: PARAMETER_DOMAIN}
        shapes |= {W: (K, D), x: (D,), b: (K,)}
        sizes[D] = FEATURE_SIZES
        ranges[d] = D
    return IndexContext(
        ranges=ranges,
        sizes=sizes,
        definitions=definitions,
        unit_sums=(UnitSum(y, 0, K, "k"),) if label_sum else (),
        distinct=((k, m),) if distinct else (),
        domains=domains,
        shapes=shapes,
    )


def batch_context() -> IndexContext:
    """N examples: z_n = W x_n + b, ŷ_n = softmax(z_n), L = (1/N) Σ_n −Σ_k y_nk log ŷ_nk."""
    definitions = {
        yhat: ((n, i), exp(z[n, i]) / Sum(exp(z[n, j]), (j, 1, K))),
        L: ((), Sum(-Sum(y[n, k] * log(yhat[n, k]), (k, 1, K)), (n, 1, N)) / N),
        z: ((n, i), Sum(W[i, e] * x[n, e], (e, 1, D)) + b[i]),
    }
    return IndexContext(
        ranges={m: K, d: D},
        sizes={K: CLASS_SIZES, D: BATCH_FEATURE_SIZES, N: EXAMPLE_SIZES},
        definitions=definitions,
        unit_sums=(UnitSum(y, 1, K, "k", 2),),
        domains={
            z: LOGIT_DOMAIN,
            y: LABEL_DOMAIN,
            yhat: PROBABILITY_DOMAIN,
            W: PARAMETER_DOMAIN,
            x: PARAMETER_DOMAIN,
            b: PARAMETER_DOMAIN,
        },
        shapes={z: (N, K), y: (N, K), yhat: (N, K), W: (K, D), x: (N, D), b: (K,)},
    )


__all__ = ["context", "batch_context", "total", "log"]
