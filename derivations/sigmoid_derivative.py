"""Notes p.2, "dy/dz → ŷ = 1/(1 + e^{-z})": the derivative of the sigmoid, σ′ = σ(1 − σ)."""

from sympy import Derivative, Mul, Symbol, exp

from derivcheck.dsl import Instance, define, derivation, step
from derivcheck.functions import sigmoid
from derivcheck.model import Context

z = Symbol("z", real=True)
yhat = Symbol("yhat", real=True)
s = 1 + exp(-z)  # the notes' 1 + e^{-z}

SIGMOID = Instance(Context(domains={z: (-8.0, 8.0)}, definitions={yhat: sigmoid(z)}))

DERIVATION = derivation(
    "sigmoid-derivative",
    "The sigmoid's derivative: σ′ = σ(1 − σ)",
    "notes p.2, dy/dz",
    instances=[SIGMOID],
    definitions=[
        define(
            r"\hat{y} = \frac{1}{1+e^{-z}}",
            "Notational slip in the heading: dy/dz means dŷ/dz, the sigmoid's derivative.",
        ),
    ],
    steps=[
        step(r"\frac{1}{1+e^{-z}} = (1+e^{-z})^{-1}", (1 / s, s**-1)),
        step(r"1-\hat{y} = 1-\frac{1}{1+e^{-z}}", (1 - yhat, 1 - 1 / s), where="notes p.2, box"),
        step(
            r"\frac{1+e^{-z}}{1+e^{-z}} - \frac{1}{1+e^{-z}} = \frac{e^{-z}}{1+e^{-z}}",
            (Mul(s, 1 / s, evaluate=False) - 1 / s, exp(-z) / s),
            where="notes p.2, box",
        ),
        step(
            r"\frac{d}{dz} = -(1+e^{-z})^{-2} \cdot (-e^{-z})",
            (Derivative(s**-1, z), -(s**-2) * (-exp(-z))),
            note="d/dz of ŷ = (1+e^{-z})^{-1}; the notes leave the operand implicit.",
        ),
        step(
            r"-(1+e^{-z})^{-2} \cdot (-e^{-z}) = \frac{e^{-z}}{(1+e^{-z})^2}",
            (-(s**-2) * (-exp(-z)), exp(-z) / s**2),
        ),
        step(
            r"\frac{e^{-z}}{(1+e^{-z})^2} \Rightarrow \frac{1}{1+e^{-z}} \cdot "
            r"\frac{e^{-z}}{1+e^{-z}}",
            (exp(-z) / s**2, (1 / s) * (exp(-z) / s)),
            note="⇒ reads as =.",
        ),
        step(
            r"\frac{1}{1+e^{-z}} \cdot \frac{e^{-z}}{1+e^{-z}} = \hat{y} \cdot (1-\hat{y})",
            ((1 / s) * (exp(-z) / s), yhat * (1 - yhat)),
            note="The notes put no = here, only ŷ · (1 − ŷ) under the line; read as =. The box "
            "above gives 1 − ŷ = e^{-z}/(1+e^{-z}).",
        ),
        step(
            r"\frac{d\hat{y}}{dz} = \hat{y} (1-\hat{y})",
            (Derivative(yhat, z), yhat * (1 - yhat)),
            where="not a line of the notes",
            note="Added: the chain's conclusion, σ′ = σ(1 − σ), which the heading 'dy/dz →' "
            "announces (dy/dz there means dŷ/dz; the heading is not an equals sign).",
        ),
    ],
)
