"""Notes p.1, "Softmax": the model z = Wx + b, the softmax ŷ and the cross-entropy L."""

from sympy import Matrix, exp

from checker.dsl import define, derivation, fix, step
from checker.functions import sigmoid

from .classes import all_class_counts

CLASSES = all_class_counts(weights=False, label_sum=False)

SIGMA_SLIP = (
    "Notational slip: σ(z_i) is the logistic sigmoid of z_i alone (the notes use σ that way from "
    "p.1, P = σ(wᵀx + b)), but the softmax of class i depends on every z_j; it should read σ(z)_i "
    "(softmax(z)_i). Checked with σ as the sigmoid, as written."
)


def softmax(c, i):
    return exp(c.z[i]) / c.total()


DERIVATION = derivation(
    "softmax-cross-entropy",
    "Softmax and cross-entropy",
    "notes p.1, Softmax",
    instances=CLASSES,
    definitions=[
        define(r"z = Wx + b", "the logits; z_m = w_mᵀx + b_m with w_m the m-th row of W"),
        define(r"L = - \sum_i y_i \log(\hat{y}_i)", "the cross-entropy of labels y and ŷ"),
    ],
    steps=[
        step(
            r"\hat{y}_i = \sigma(z_i)",
            lambda c: (c.each(lambda i: c.yhat[i]), c.each(lambda i: sigmoid(c.z[i]))),
            note=SIGMA_SLIP + " ŷ_i is the softmax (the next equals sign).",
            erratum=fix(
                r"\hat{y}_i = \sigma(z)_i",
                lambda c: (c.each(lambda i: c.yhat[i]), c.each(lambda i: softmax(c, i))),
            ),
        ),
        step(
            r"\sigma(z_i) = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            lambda c: (c.each(lambda i: sigmoid(c.z[i])), c.each(lambda i: softmax(c, i))),
            note=SIGMA_SLIP,
            erratum=fix(
                r"\sigma(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
                lambda c: (
                    Matrix([exp(zi) for zi in c.z]) / c.total(),
                    c.each(lambda i: softmax(c, i)),
                ),
            ),
        ),
    ],
)
