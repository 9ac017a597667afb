"""Notes p.1, "Softmax ⇒ Sigmoid (when there are two classes)", and the two-class cross-entropy."""

from dataclasses import replace

from sympy import Symbol, exp, log

from derivcheck.dsl import Instance, define, derivation, fix, step
from derivcheck.functions import sigmoid

from .classes import FEATURES, Classes, dot, vector

c = Classes(2)
z0, z1 = c.z
y0, y1 = c.y
yhat0, yhat1 = c.yhat
w0, w1 = c.W
b0, b1 = c.b
x = c.x
t = Symbol("t", real=True)  # the notes' second x: the logit difference z_1 − z_0
w = vector("w", FEATURES)  # w = w_1 − w_0
b = Symbol("b", real=True)  # b = b_1 − b_0
y = Symbol("y", real=True)  # the binary label, y = y_1 (the arrows under the last line)
yhat = Symbol("yhat", real=True)  # the binary prediction, ŷ = ŷ_1

softmax1 = exp(z1) / (exp(z0) + exp(z1))  # the notes' e^{z_1}/(e^{z_0} + e^{z_1})

TWO_CLASSES = Instance(
    replace(
        c.context,
        definitions={
            **c.context.definitions,
            t: z1 - z0,
            **{w[j]: w1[j] - w0[j] for j in range(FEATURES)},
            b: b1 - b0,
            y: y1,
            yhat: yhat1,
        },
    )
)

X_SLIP = (
    "Notational slip: the notes write x for the logit difference z_1 − z_0, a second meaning "
    "beside the input vector x; it is the symbol t here."
)
ARROW_SLIP = (
    "With x = z_1 − z_0, e^{z_1} = e^{z_0} e^{x}; the notes write e^{-x}, which turns ŷ_1 "
    "into ŷ_0 = 1/(1 + e^{x})."
)

DERIVATION = derivation(
    "softmax-to-sigmoid",
    "Two-class softmax reduces to the sigmoid",
    "notes p.1, Softmax ⇒ Sigmoid",
    instances=[TWO_CLASSES],
    definitions=[
        define(r"x = z_1 - z_0", X_SLIP),
        define(
            r"w = w_1 - w_0, \quad b = b_1 - b_0",
            "not a line of the notes: the names the chain's last = introduces, so that "
            "(w_1 − w_0)ᵀx + (b_1 − b_0) = wᵀx + b holds by these definitions",
        ),
    ],
    steps=[
        step(
            r"\hat{y}_0 = \frac{e^{z_0}}{e^{z_0} + e^{z_1}}", (yhat0, exp(z0) / (exp(z0) + exp(z1)))
        ),
        step(r"\hat{y}_1 = \frac{e^{z_1}}{e^{z_0} + e^{z_1}}", (yhat1, softmax1)),
        step(
            r"\frac{e^{z_1}}{e^{z_0} + e^{z_1}} \rightarrow "
            r"\frac{e^{z_0} e^{-x}}{e^{z_0} + e^{z_0} e^{-x}}",
            (softmax1, exp(z0) * exp(-t) / (exp(z0) + exp(z0) * exp(-t))),
            note="The notes' → reads as =. " + ARROW_SLIP,
            erratum=fix(
                r"\frac{e^{z_1}}{e^{z_0} + e^{z_1}} = "
                r"\frac{e^{z_0} e^{x}}{e^{z_0} + e^{z_0} e^{x}}",
                (softmax1, exp(z0) * exp(t) / (exp(z0) + exp(z0) * exp(t))),
            ),
        ),
        step(
            r"\frac{e^{z_0} e^{-x}}{e^{z_0} + e^{z_0} e^{-x}} = \frac{e^x}{1 + e^x}",
            (exp(z0) * exp(-t) / (exp(z0) + exp(z0) * exp(-t)), exp(t) / (1 + exp(t))),
            note=ARROW_SLIP,
            erratum=fix(
                r"\frac{e^{z_0} e^{x}}{e^{z_0} + e^{z_0} e^{x}} = \frac{e^x}{1 + e^x}",
                (exp(z0) * exp(t) / (exp(z0) + exp(z0) * exp(t)), exp(t) / (1 + exp(t))),
            ),
        ),
        step(
            r"\frac{e^x}{1 + e^x} \circ \frac{e^{-x}}{e^{-x}} \Rightarrow \frac{1}{1 + e^{-x}}",
            (exp(t) / (1 + exp(t)), 1 / (1 + exp(-t))),
            note="∘ e^{-x}/e^{-x}: numerator and denominator multiplied by e^{-x}; ⇒ reads as =.",
        ),
        step(
            r"z_1 - z_0 = (w_1^T x + b_1) - (w_0^T x + b_0)",
            (z1 - z0, (dot(w1, x) + b1) - (dot(w0, x) + b0)),
            note="The chain starts x = z_1 − z_0, the definition above. " + X_SLIP,
        ),
        step(
            r"(w_1^T x + b_1) - (w_0^T x + b_0) = (w_1 - w_0)^T x + (b_1 - b_0)",
            (
                (dot(w1, x) + b1) - (dot(w0, x) + b0),
                dot([w1[j] - w0[j] for j in range(FEATURES)], x) + (b1 - b0),
            ),
        ),
        step(
            r"(w_1 - w_0)^T x + (b_1 - b_0) = w^T x + b",
            (dot([w1[j] - w0[j] for j in range(FEATURES)], x) + (b1 - b0), dot(w, x) + b),
        ),
        step(
            r"P(x=1) = \sigma(w^T x + b)",
            (yhat1, sigmoid(dot(w, x) + b)),
            note="Notational slip: P(x=1) should read P(y=1 | x), the probability of class 1, "
            "which is ŷ_1; σ is the logistic sigmoid.",
        ),
        step(
            r"L = - \sum_{i=0}^1 y_i \log(\hat{y}_i)",
            (c.L, -(y0 * log(yhat0) + y1 * log(yhat1))),
            note="L is the cross-entropy of p.1 at K = 2.",
        ),
        step(
            r"- \sum_{i=0}^1 y_i \log(\hat{y}_i) = -y_0 \log(\hat{y}_0) - y_1 \log(\hat{y}_1)",
            (-(y0 * log(yhat0) + y1 * log(yhat1)), -y0 * log(yhat0) - y1 * log(yhat1)),
        ),
        step(
            r"-y_0 \log(\hat{y}_0) - y_1 \log(\hat{y}_1) "
            r"= -(y \log(\hat{y}) + (1-y) \log(1-\hat{y}))",
            (-y0 * log(yhat0) - y1 * log(yhat1), -(y * log(yhat) + (1 - y) * log(1 - yhat))),
            note="The arrows under the line: y = y_1 and 1 − y = y_0 (labels sum to 1), "
            "ŷ = ŷ_1 and 1 − ŷ = ŷ_0.",
        ),
    ],
)
