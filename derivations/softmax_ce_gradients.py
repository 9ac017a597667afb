"""Notes pp.4–5, "Softmax + Cross Entropy": dL/dŷ_k, dL/dz_m = ŷ_m − y_m, dL/dW_m and dL/db_m.

Written for a symbolic number of classes K (and D input features): proved for all K by the index
rules, and checked at three random K in 2…12. Labels sum to one (Σ_k y_k = 1 is given).
"""

from sympy import Derivative, Sum

from derivcheck.dsl import derivation, fix, for_all, step
from derivcheck.indices import sum_except

from .index_classes import CHAIN_RULE_SIZES, K, L, W, b, context, d, k, m, n, x, y, yhat, z

MODEL = context(label_sum=True, weights=True)  # z = Wx + b, Σ_k y_k = 1
CHAIN = context(label_sum=True, weights=True, classes=CHAIN_RULE_SIZES)  # instantiated at K ≤ 8


def dL_dyhat(k):
    return Derivative(L, yhat[k])


chain_rule = Sum(dL_dyhat(k) * Derivative(yhat[k], z[m]), (k, 1, K))  # Σ_k dL/dŷ_k dŷ_k/dz_m
off_diagonal_terms = sum_except(-(y[k] / yhat[k]) * (-yhat[m] * yhat[k]), k, m, K)
# −(y_m/ŷ_m)(Σ_{n≠m} ŷ_n (1 − ŷ_m)) + Σ_{k≠m} −(y_k/ŷ_k)(−ŷ_m ŷ_k), as written
as_written_terms = (
    -(y[m] / yhat[m]) * sum_except(yhat[n] * (1 - yhat[m]), n, m, K) + off_diagonal_terms
)
corrected_terms = -(y[m] / yhat[m]) * (yhat[m] * (1 - yhat[m])) + off_diagonal_terms
after_cancelling = -y[m] * (1 - yhat[m]) + sum_except(y[k] * yhat[m], k, m, K)
factored = -y[m] * (1 - yhat[m]) + yhat[m] * sum_except(y[k], k, m, K)
expanded = -y[m] + y[m] * yhat[m] + yhat[m] - y[m] * yhat[m]
gradient = yhat[m] - y[m]
chain_W = Derivative(L, z[m]) * Derivative(z[m], W[m, d])

SUM_SLIP = (
    "Slip in the diagonal term: Σ_{n≠m} ŷ_n (1 − ŷ_m) = (1 − ŷ_m)², but dŷ_m/dz_m = "
    "ŷ_m(1 − ŷ_m) (the Jacobian's diagonal, p.4)."
)
W_SLIP = (
    "Notational slip: Z_m is z_m, and w is the m-th row W_m of W (the weights of class m); "
    "checked entry by entry, dz_m/dW_md = x_d."
)

DERIVATION = derivation(
    "softmax-ce-gradients",
    "Softmax cross-entropy gradients: dL/dz_m = ŷ_m − y_m, dL/dW_m = (ŷ_m − y_m)x",
    "notes pp.4–5, Softmax + Cross Entropy",
    for_all=MODEL,
    steps=[
        step(
            r"\frac{dL}{d\hat{y}_k} = -\frac{y_k}{\hat{y}_k}",
            (dL_dyhat(k), -y[k] / yhat[k]),
            where="notes p.4",
        ),
        step(
            r"\frac{dL}{dz_m} = \sum_k \frac{dL}{d\hat{y}_k} \frac{d\hat{y}_k}{dz_m}",
            for_all(Derivative(L, z[m]), chain_rule, CHAIN),
            where="notes p.5",
        ),
        step(
            r"\sum_k \frac{dL}{d\hat{y}_k} \frac{d\hat{y}_k}{dz_m} = -\frac{y_m}{\hat{y}_m} "
            r"\left( \sum_{n \neq m} \hat{y}_n (1 - \hat{y}_m) \right) + \sum_{k \neq m} "
            r"-\frac{y_k}{\hat{y}_k} \left( -\hat{y}_m \hat{y}_k \right)",
            for_all(chain_rule, as_written_terms, CHAIN),
            where="notes p.5",
            note=SUM_SLIP,
            erratum=fix(
                r"\sum_k \frac{dL}{d\hat{y}_k} \frac{d\hat{y}_k}{dz_m} = "
                r"-\frac{y_m}{\hat{y}_m} \left( \hat{y}_m (1 - \hat{y}_m) \right) + "
                r"\sum_{k \neq m} -\frac{y_k}{\hat{y}_k} \left( -\hat{y}_m \hat{y}_k "
                r"\right)",
                for_all(chain_rule, corrected_terms, CHAIN),
            ),
        ),
        step(
            r"= -y_m (1 - \hat{y}_m) + \sum_{k \neq m} y_k \hat{y}_m",
            (as_written_terms, after_cancelling),
            where="notes p.5",
            note="Its left side is the previous line as written, which carries the slip.",
            erratum=fix(
                r"-\frac{y_m}{\hat{y}_m} \left( \hat{y}_m (1 - \hat{y}_m) \right) + "
                r"\sum_{k \neq m} -\frac{y_k}{\hat{y}_k} \left( -\hat{y}_m \hat{y}_k "
                r"\right) = -y_m (1 - \hat{y}_m) + \sum_{k \neq m} y_k \hat{y}_m",
                (corrected_terms, after_cancelling),
            ),
        ),
        step(
            r"= -y_m (1 - \hat{y}_m) + \hat{y}_m \sum_{k \neq m} y_k",
            (after_cancelling, factored),
            where="notes p.5",
        ),
        step(
            r"= -y_m + y_m \hat{y}_m + \hat{y}_m - y_m \hat{y}_m",
            (factored, expanded),
            where="notes p.5",
            note="Uses Σ_k y_k = 1, so Σ_{k≠m} y_k = 1 − y_m.",
        ),
        step(r"= \hat{y}_m - y_m", (expanded, gradient), where="notes p.5"),
        step(
            r"\frac{dZ_m}{dw} = x",
            (Derivative(z[m], W[m, d]), x[d]),
            where="notes p.5",
            note=W_SLIP,
        ),
        step(
            r"\frac{dZ_m}{db} = 1",
            (Derivative(z[m], b[m]), 1),
            where="notes p.5",
            note="Z_m is z_m and b is b_m.",
        ),
        step(
            r"\frac{dL}{dw} = \frac{dL}{dz_m} \frac{dZ_m}{dw}",
            (Derivative(L, W[m, d]), chain_W),
            where="notes p.5",
            note=W_SLIP,
        ),
        step(
            r"\frac{dL}{dz_m} \frac{dZ_m}{dw} = (\hat{y}_m - y_m)x",
            (chain_W, (yhat[m] - y[m]) * x[d]),
            where="notes p.5",
        ),
        step(
            r"\frac{dL}{db} = (\hat{y}_m - y_m)",
            (Derivative(L, b[m]), gradient),
            where="notes p.5",
            note="b is b_m, the bias of class m.",
        ),
    ],
)
