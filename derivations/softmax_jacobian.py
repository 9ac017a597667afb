"""Notes pp.4–5: the softmax Jacobian, dŷ_k/dz_k = ŷ_k(1 − ŷ_k) and dŷ_k/dz_m = −ŷ_k ŷ_m."""

from sympy import Derivative, Matrix, diag, exp

from checker.dsl import derivation, fix, step

from .classes import all_class_counts

CLASSES = all_class_counts(weights=False, label_sum=False)

ZERO_SLIP = (
    "Quotient-rule slip: the notes write 0 · (e^{z_j} − e^{z_k} e^{z_m}) / (Σ_j e^{z_j})², which "
    "is 0; the 0 (the derivative of e^{z_k} by z_m) multiplies only Σ_j e^{z_j} in the numerator. "
    "The bare e^{z_j} (a free index j) is read as Σ_j e^{z_j}; the line is 0 either way."
)


def quotient_rule_off_diagonal(c, k, m):
    """(0 · Σ_j e^{z_j} − e^{z_k} e^{z_m}) / (Σ_j e^{z_j})², as the notes meant it."""
    S = c.total()
    return (0 * S - exp(c.z[k]) * exp(c.z[m])) / S**2


def as_written_off_diagonal(c, k, m):
    """0 · (e^{z_j} − e^{z_k} e^{z_m}) / (Σ_j e^{z_j})²: zero, whatever e^{z_j} stands for."""
    S = c.total()
    return 0 * (S - exp(c.z[k]) * exp(c.z[m])) / S**2


def diagonal(entry):
    return lambda c: (c.each(lambda k: entry[0](c, k)), c.each(lambda k: entry[1](c, k)))


def off_diagonal(lhs, rhs):
    return lambda c: (c.pairs(lambda k, m: lhs(c, k, m)), c.pairs(lambda k, m: rhs(c, k, m)))


def softmax_k(c, k):
    return exp(c.z[k]) / c.total()


# The expressions of the diagonal chain, in the order the notes write them.
d1 = lambda c, k: Derivative(c.yhat[k], c.z[k])  # noqa: E731
d2 = lambda c, k: Derivative(softmax_k(c, k), c.z[k])  # noqa: E731
d3 = lambda c, k: (exp(c.z[k]) * c.total() - exp(c.z[k]) * exp(c.z[k])) / c.total() ** 2  # noqa: E731
d4 = lambda c, k: exp(c.z[k]) * (c.total() - exp(c.z[k])) / c.total() ** 2  # noqa: E731
d5 = lambda c, k: (  # noqa: E731
    c.yhat[k] * c.total() * (c.total() - c.yhat[k] * c.total()) / c.total() ** 2
)
d6 = lambda c, k: c.yhat[k] * c.total() ** 2 * (1 - c.yhat[k]) / c.total() ** 2  # noqa: E731
d7 = lambda c, k: c.yhat[k] * (1 - c.yhat[k])  # noqa: E731

# The off-diagonal chain (k ≠ m).
o1 = lambda c, k, m: Derivative(c.yhat[k], c.z[m])  # noqa: E731
o2 = lambda c, k, m: Derivative(softmax_k(c, k), c.z[m])  # noqa: E731
o4 = lambda c, k, m: -exp(c.z[k]) * exp(c.z[m]) / c.total() ** 2  # noqa: E731
o5 = lambda c, k, m: -(exp(c.z[k]) / c.total()) * (exp(c.z[m]) / c.total())  # noqa: E731
o6 = lambda c, k, m: -c.yhat[k] * c.yhat[m]  # noqa: E731


DERIVATION = derivation(
    "softmax-jacobian",
    "The softmax Jacobian: ŷ_k(1 − ŷ_k) on the diagonal, −ŷ_k ŷ_m off it",
    "notes p.4",
    instances=CLASSES,
    steps=[
        step(
            r"\frac{d\hat{y}_k}{dz_k} = \frac{d}{dz_k} \left( \frac{e^{z_k}}{\sum_j e^{z_j}} "
            r"\right)",
            diagonal((d1, d2)),
        ),
        step(
            r"\frac{d}{dz_k} \left( \frac{e^{z_k}}{\sum_j e^{z_j}} \right) = \frac{e^{z_k} \cdot "
            r"\sum_j e^{z_j} - e^{z_k} \cdot e^{z_k}}{(\sum_j e^{z_j})^2}",
            diagonal((d2, d3)),
        ),
        step(
            r"= \frac{e^{z_k} \left( \sum_j e^{z_j} - e^{z_k} \right)}{(\sum_j e^{z_j})^2}",
            diagonal((d3, d4)),
        ),
        step(
            r"= \frac{\hat{y}_k \sum_j e^{z_j} \left( \sum_j e^{z_j} - \hat{y}_k \sum_j e^{z_j} "
            r"\right)}{(\sum_j e^{z_j})^2}",
            diagonal((d4, d5)),
            note="Uses e^{z_k} = ŷ_k Σ_j e^{z_j}.",
        ),
        step(
            r"= \frac{\hat{y}_k \left( \sum_j e^{z_j} \right)^2 \left( 1 - \hat{y}_k \right)}"
            r"{(\sum_j e^{z_j})^2}",
            diagonal((d5, d6)),
        ),
        step(r"= \hat{y}_k (1 - \hat{y}_k)", diagonal((d6, d7))),
        step(
            r"\frac{d\hat{y}_k}{dz_m} \frac{d}{dz_m} \frac{e^{z_k}}{\sum_j e^{z_j}}",
            off_diagonal(o1, o2),
            where="notes p.5 (k ≠ m)",
            note="The notes put no = between the two; read as =.",
        ),
        step(
            r"\frac{d}{dz_m} \frac{e^{z_k}}{\sum_j e^{z_j}} = 0 \cdot \frac{e^{z_j} - e^{z_k} "
            r"e^{z_m}}{(\sum_j e^{z_j})^2}",
            off_diagonal(o2, as_written_off_diagonal),
            where="notes p.5 (k ≠ m)",
            note=ZERO_SLIP,
            erratum=fix(
                r"\frac{d}{dz_m} \frac{e^{z_k}}{\sum_j e^{z_j}} = \frac{0 \cdot \sum_j "
                r"e^{z_j} - e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2}",
                off_diagonal(o2, quotient_rule_off_diagonal),
            ),
        ),
        step(
            r"0 \cdot \frac{e^{z_j} - e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2} = "
            r"\frac{-e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2}",
            off_diagonal(as_written_off_diagonal, o4),
            where="notes p.5 (k ≠ m)",
            note="Follows from the previous slip: its left side is 0 as written.",
            erratum=fix(
                r"\frac{0 \cdot \sum_j e^{z_j} - e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2} = "
                r"\frac{-e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2}",
                off_diagonal(quotient_rule_off_diagonal, o4),
            ),
        ),
        step(
            r"= -\left(\frac{e^{z_k}}{\sum_j e^{z_j}}\right) "
            r"\left(\frac{e^{z_m}}{\sum_j e^{z_j}}\right)",
            off_diagonal(o4, o5),
            where="notes p.5 (k ≠ m)",
        ),
        step(r"= -\hat{y}_k \hat{y}_m", off_diagonal(o5, o6), where="notes p.5 (k ≠ m)"),
        step(
            r"\frac{\partial \hat{y}}{\partial z} = \operatorname{diag}(\hat{y}) - "
            r"\hat{y} \hat{y}^T",
            lambda c: (
                Matrix(c.K, c.K, lambda k, m: Derivative(c.yhat[k], c.z[m])),
                diag(*c.yhat) - Matrix(c.yhat) * Matrix(c.yhat).T,
            ),
            where="not a line of the notes",
            note="Added: the entries above assembled as the Jacobian matrix.",
        ),
    ],
)
