"""Notes p.1, "Softmax": the model z = Wx + b, the softmax ŷ and the cross-entropy L.

Written for a symbolic number of classes K: the corrections are proved for all K by the index
rules, and every line is checked at three random K in 2…12.
"""

from dataclasses import replace

from sympy import exp

from derivcheck.dsl import define, derivation, fix, step
from derivcheck.functions import sigmoid

from .index_classes import K, context, i, total, yhat, z

SOFTMAX = replace(context(label_sum=False), ranges={**context(label_sum=False).ranges, i: K})

SIGMA_SLIP = (
    "Notational slip: σ(z_i) is the logistic sigmoid of z_i alone (the notes use σ that way from "
    "p.1, P = σ(wᵀx + b)), but the softmax of class i depends on every z_j; it should read σ(z)_i "
    "(softmax(z)_i). Checked with σ as the sigmoid, as written."
)

softmax_i = exp(z[i]) / total  # e^{z_i} / Σ_j e^{z_j}

DERIVATION = derivation(
    "softmax-cross-entropy",
    "Softmax and cross-entropy",
    "notes p.1, Softmax",
    for_all=SOFTMAX,
    definitions=[
        define(r"z = Wx + b", "the logits; z_m = w_mᵀx + b_m with w_m the m-th row of W"),
        define(r"L = - \sum_i y_i \log(\hat{y}_i)", "the cross-entropy of labels y and ŷ"),
    ],
    steps=[
        step(
            r"\hat{y}_i = \sigma(z_i)",
            (yhat[i], sigmoid(z[i])),
            note=SIGMA_SLIP + " ŷ_i is the softmax (the next equals sign).",
            erratum=fix(r"\hat{y}_i = \sigma(z)_i", (yhat[i], softmax_i)),
        ),
        step(
            r"\sigma(z_i) = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            (sigmoid(z[i]), softmax_i),
            note=SIGMA_SLIP,
            erratum=fix(r"\sigma(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}", (softmax_i, softmax_i)),
        ),
    ],
)
