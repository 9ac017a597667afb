"""Notes pp.4–5, "Softmax + Cross Entropy": dL/dŷ_k, dL/dz_m = ŷ_m − y_m, dL/dW_m and dL/db_m."""

from sympy import Add, Derivative

from checker.dsl import derivation, fix, step

from .classes import all_class_counts

CLASSES = all_class_counts()  # z = Wx + b with x of size 3, labels summing to 1


def others(c, m):
    return [k for k in range(c.K) if k != m]


def dL_dyhat(c, k):
    return Derivative(c.L, c.yhat[k])


def chain_rule(c, m):
    """Σ_k dL/dŷ_k · dŷ_k/dz_m."""
    return Add(*(dL_dyhat(c, k) * Derivative(c.yhat[k], c.z[m]) for k in range(c.K)))


def as_written_terms(c, m):
    """−(y_m/ŷ_m)(Σ_{n≠m} ŷ_n (1 − ŷ_m)) + Σ_{k≠m} −(y_k/ŷ_k)(−ŷ_m ŷ_k)."""
    y, yh = c.y, c.yhat
    diagonal = -(y[m] / yh[m]) * Add(*(yh[n] * (1 - yh[m]) for n in others(c, m)))
    return diagonal + off_diagonal_terms(c, m)


def corrected_terms(c, m):
    """−(y_m/ŷ_m)(ŷ_m (1 − ŷ_m)) + Σ_{k≠m} −(y_k/ŷ_k)(−ŷ_m ŷ_k)."""
    y, yh = c.y, c.yhat
    return -(y[m] / yh[m]) * (yh[m] * (1 - yh[m])) + off_diagonal_terms(c, m)


def off_diagonal_terms(c, m):
    y, yh = c.y, c.yhat
    return Add(*(-(y[k] / yh[k]) * (-yh[m] * yh[k]) for k in others(c, m)))


def after_cancelling(c, m):
    """−y_m(1 − ŷ_m) + Σ_{k≠m} y_k ŷ_m."""
    y, yh = c.y, c.yhat
    return -y[m] * (1 - yh[m]) + Add(*(y[k] * yh[m] for k in others(c, m)))


def factored(c, m):
    """−y_m(1 − ŷ_m) + ŷ_m Σ_{k≠m} y_k."""
    y, yh = c.y, c.yhat
    return -y[m] * (1 - yh[m]) + yh[m] * Add(*(y[k] for k in others(c, m)))


def expanded(c, m):
    """−y_m + y_m ŷ_m + ŷ_m − y_m ŷ_m."""
    y, yh = c.y, c.yhat
    return -y[m] + y[m] * yh[m] + yh[m] - y[m] * yh[m]


def gradient(c, m):
    """ŷ_m − y_m."""
    return c.yhat[m] - c.y[m]


def per_class(lhs, rhs):
    return lambda c: (c.each(lambda m: lhs(c, m)), c.each(lambda m: rhs(c, m)))


def per_weight(lhs, rhs):
    return lambda c: (c.rows(lambda m, j: lhs(c, m, j)), c.rows(lambda m, j: rhs(c, m, j)))


def dL_dW(c, m, j):
    return Derivative(c.L, c.W[m][j])


def chain_W(c, m, j):
    return Derivative(c.L, c.z[m]) * Derivative(c.z[m], c.W[m][j])


SUM_SLIP = (
    "Slip in the diagonal term: Σ_{n≠m} ŷ_n (1 − ŷ_m) = (1 − ŷ_m)², but dŷ_m/dz_m = "
    "ŷ_m(1 − ŷ_m) (the Jacobian's diagonal, p.4)."
)
W_SLIP = (
    "Notational slip: Z_m is z_m, and w is the m-th row W_m of W (the weights of class m); "
    "checked entry by entry, dz_m/dW_mj = x_j."
)

DERIVATION = derivation(
    "softmax-ce-gradients",
    "Softmax cross-entropy gradients: dL/dz_m = ŷ_m − y_m, dL/dW_m = (ŷ_m − y_m)x",
    "notes pp.4–5, Softmax + Cross Entropy",
    instances=CLASSES,
    steps=[
        step(
            r"\frac{dL}{d\hat{y}_k} = -\frac{y_k}{\hat{y}_k}",
            per_class(dL_dyhat, lambda c, k: -c.y[k] / c.yhat[k]),
            where="notes p.4",
        ),
        step(
            r"\frac{dL}{dz_m} = \sum_k \frac{dL}{d\hat{y}_k} \frac{d\hat{y}_k}{dz_m}",
            per_class(lambda c, m: Derivative(c.L, c.z[m]), chain_rule),
            where="notes p.5",
        ),
        step(
            r"\sum_k \frac{dL}{d\hat{y}_k} \frac{d\hat{y}_k}{dz_m} = -\frac{y_m}{\hat{y}_m} "
            r"\left( \sum_{n \neq m} \hat{y}_n (1 - \hat{y}_m) \right) + \sum_{k \neq m} "
            r"-\frac{y_k}{\hat{y}_k} \left( -\hat{y}_m \hat{y}_k \right)",
            per_class(chain_rule, as_written_terms),
            where="notes p.5",
            note=SUM_SLIP,
            erratum=fix(
                r"\sum_k \frac{dL}{d\hat{y}_k} \frac{d\hat{y}_k}{dz_m} = "
                r"-\frac{y_m}{\hat{y}_m} \left( \hat{y}_m (1 - \hat{y}_m) \right) + "
                r"\sum_{k \neq m} -\frac{y_k}{\hat{y}_k} \left( -\hat{y}_m \hat{y}_k "
                r"\right)",
                per_class(chain_rule, corrected_terms),
            ),
        ),
        step(
            r"= -y_m (1 - \hat{y}_m) + \sum_{k \neq m} y_k \hat{y}_m",
            per_class(as_written_terms, after_cancelling),
            where="notes p.5",
            note="Its left side is the previous line as written, which carries the slip.",
            erratum=fix(
                r"-\frac{y_m}{\hat{y}_m} \left( \hat{y}_m (1 - \hat{y}_m) \right) + "
                r"\sum_{k \neq m} -\frac{y_k}{\hat{y}_k} \left( -\hat{y}_m \hat{y}_k "
                r"\right) = -y_m (1 - \hat{y}_m) + \sum_{k \neq m} y_k \hat{y}_m",
                per_class(corrected_terms, after_cancelling),
            ),
        ),
        step(
            r"= -y_m (1 - \hat{y}_m) + \hat{y}_m \sum_{k \neq m} y_k",
            per_class(after_cancelling, factored),
            where="notes p.5",
        ),
        step(
            r"= -y_m + y_m \hat{y}_m + \hat{y}_m - y_m \hat{y}_m",
            per_class(factored, expanded),
            where="notes p.5",
            note="Uses Σ_k y_k = 1, so Σ_{k≠m} y_k = 1 − y_m.",
        ),
        step(r"= \hat{y}_m - y_m", per_class(expanded, gradient), where="notes p.5"),
        step(
            r"\frac{dZ_m}{dw} = x",
            per_weight(lambda c, m, j: Derivative(c.z[m], c.W[m][j]), lambda c, m, j: c.x[j]),
            where="notes p.5",
            note=W_SLIP,
        ),
        step(
            r"\frac{dZ_m}{db} = 1",
            per_class(lambda c, m: Derivative(c.z[m], c.b[m]), lambda c, m: 1),
            where="notes p.5",
            note="Z_m is z_m and b is b_m.",
        ),
        step(
            r"\frac{dL}{dw} = \frac{dL}{dz_m} \frac{dZ_m}{dw}",
            per_weight(dL_dW, chain_W),
            where="notes p.5",
            note=W_SLIP,
        ),
        step(
            r"\frac{dL}{dz_m} \frac{dZ_m}{dw} = (\hat{y}_m - y_m)x",
            per_weight(chain_W, lambda c, m, j: (c.yhat[m] - c.y[m]) * c.x[j]),
            where="notes p.5",
        ),
        step(
            r"\frac{dL}{db} = (\hat{y}_m - y_m)",
            per_class(lambda c, m: Derivative(c.L, c.b[m]), gradient),
            where="notes p.5",
            note="b is b_m, the bias of class m.",
        ),
    ],
)
