"""Notes pp.4–5: the softmax Jacobian, dŷ_k/dz_k = ŷ_k(1 − ŷ_k) and dŷ_k/dz_m = −ŷ_k ŷ_m.

Written for a symbolic number of classes K: proved for all K by the index rules, and checked at
three random K in 2…12.
"""

from sympy import Derivative, KroneckerDelta, exp

from derivcheck.dsl import derivation, fix, for_all, step

from .index_classes import context, k, m, total, yhat, z

SOFTMAX = context(label_sum=False)
OFF_DIAGONAL = context(label_sum=False, distinct=True)  # k ≠ m

ZERO_SLIP = (
    "Quotient-rule slip: the notes write 0 · (e^{z_j} − e^{z_k} e^{z_m}) / (Σ_j e^{z_j})², which "
    "is 0; the 0 (the derivative of e^{z_k} by z_m) multiplies only Σ_j e^{z_j} in the numerator. "
    "The bare e^{z_j} (a free index j) is read as Σ_j e^{z_j}; the line is 0 either way."
)

S = total  # Σ_j e^{z_j}

# The expressions of the diagonal chain, in the order the notes write them.
d1 = Derivative(yhat[k], z[k])
d2 = Derivative(exp(z[k]) / S, z[k])
d3 = (exp(z[k]) * S - exp(z[k]) * exp(z[k])) / S**2
d4 = exp(z[k]) * (S - exp(z[k])) / S**2
d5 = yhat[k] * S * (S - yhat[k] * S) / S**2
d6 = yhat[k] * S**2 * (1 - yhat[k]) / S**2
d7 = yhat[k] * (1 - yhat[k])

# The off-diagonal chain (k ≠ m).
o1 = Derivative(yhat[k], z[m])
o2 = Derivative(exp(z[k]) / S, z[m])
as_written = 0 * (S - exp(z[k]) * exp(z[m])) / S**2  # 0 · (…): zero, whatever e^{z_j} stands for
quotient_rule = (0 * S - exp(z[k]) * exp(z[m])) / S**2  # as the notes meant it
o4 = -exp(z[k]) * exp(z[m]) / S**2
o5 = -(exp(z[k]) / S) * (exp(z[m]) / S)
o6 = -yhat[k] * yhat[m]


def off(lhs, rhs):
    return for_all(lhs, rhs, OFF_DIAGONAL)


DERIVATION = derivation(
    "softmax-jacobian",
    "The softmax Jacobian: ŷ_k(1 − ŷ_k) on the diagonal, −ŷ_k ŷ_m off it",
    "notes p.4",
    for_all=SOFTMAX,
    steps=[
        step(
            r"\frac{d\hat{y}_k}{dz_k} = \frac{d}{dz_k} \left( \frac{e^{z_k}}{\sum_j e^{z_j}} "
            r"\right)",
            (d1, d2),
        ),
        step(
            r"\frac{d}{dz_k} \left( \frac{e^{z_k}}{\sum_j e^{z_j}} \right) = \frac{e^{z_k} \cdot "
            r"\sum_j e^{z_j} - e^{z_k} \cdot e^{z_k}}{(\sum_j e^{z_j})^2}",
            (d2, d3),
        ),
        step(
            r"= \frac{e^{z_k} \left( \sum_j e^{z_j} - e^{z_k} \right)}{(\sum_j e^{z_j})^2}",
            (d3, d4),
        ),
        step(
            r"= \frac{\hat{y}_k \sum_j e^{z_j} \left( \sum_j e^{z_j} - \hat{y}_k \sum_j e^{z_j} "
            r"\right)}{(\sum_j e^{z_j})^2}",
            (d4, d5),
            note="Uses e^{z_k} = ŷ_k Σ_j e^{z_j}.",
        ),
        step(
            r"= \frac{\hat{y}_k \left( \sum_j e^{z_j} \right)^2 \left( 1 - \hat{y}_k \right)}"
            r"{(\sum_j e^{z_j})^2}",
            (d5, d6),
        ),
        step(r"= \hat{y}_k (1 - \hat{y}_k)", (d6, d7)),
        step(
            r"\frac{d\hat{y}_k}{dz_m} \frac{d}{dz_m} \frac{e^{z_k}}{\sum_j e^{z_j}}",
            off(o1, o2),
            where="notes p.5 (k ≠ m)",
            note="The notes put no = between the two; read as =.",
        ),
        step(
            r"\frac{d}{dz_m} \frac{e^{z_k}}{\sum_j e^{z_j}} = 0 \cdot \frac{e^{z_j} - e^{z_k} "
            r"e^{z_m}}{(\sum_j e^{z_j})^2}",
            off(o2, as_written),
            where="notes p.5 (k ≠ m)",
            note=ZERO_SLIP,
            erratum=fix(
                r"\frac{d}{dz_m} \frac{e^{z_k}}{\sum_j e^{z_j}} = \frac{0 \cdot \sum_j "
                r"e^{z_j} - e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2}",
                off(o2, quotient_rule),
            ),
        ),
        step(
            r"0 \cdot \frac{e^{z_j} - e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2} = "
            r"\frac{-e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2}",
            off(as_written, o4),
            where="notes p.5 (k ≠ m)",
            note="Follows from the previous slip: its left side is 0 as written.",
            erratum=fix(
                r"\frac{0 \cdot \sum_j e^{z_j} - e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2} = "
                r"\frac{-e^{z_k} e^{z_m}}{(\sum_j e^{z_j})^2}",
                off(quotient_rule, o4),
            ),
        ),
        step(
            r"= -\left(\frac{e^{z_k}}{\sum_j e^{z_j}}\right) "
            r"\left(\frac{e^{z_m}}{\sum_j e^{z_j}}\right)",
            off(o4, o5),
            where="notes p.5 (k ≠ m)",
        ),
        step(r"= -\hat{y}_k \hat{y}_m", off(o5, o6), where="notes p.5 (k ≠ m)"),
        step(
            r"\frac{\partial \hat{y}}{\partial z} = \operatorname{diag}(\hat{y}) - "
            r"\hat{y} \hat{y}^T",
            (Derivative(yhat[k], z[m]), KroneckerDelta(k, m) * yhat[k] - yhat[k] * yhat[m]),
            where="not a line of the notes",
            note="Added: the entries above assembled as the Jacobian matrix; entry (k, m) is "
            "δ_km ŷ_k − ŷ_k ŷ_m.",
        ),
    ],
)
