"""Notes pp.2–3, "Sigmoid + Binary Cross-Entropy": dL/dŷ, dL/dz = ŷ − y, dL/dw and dL/db."""

from sympy import Derivative, Matrix, Symbol, log

from derivcheck.dsl import Instance, define, derivation, fix, step
from derivcheck.functions import sigmoid
from derivcheck.model import Context

from .classes import FEATURES, PARAMETER_DOMAIN, PROBABILITY_DOMAIN, dot, vector

y = Symbol("y", real=True)
yhat = Symbol("yhat", real=True)
z = Symbol("z", real=True)
L = Symbol("L", real=True)
b = Symbol("b", real=True)
w = vector("w", FEATURES)
x = vector("x", FEATURES)

BCE = Instance(
    Context(
        domains={y: PROBABILITY_DOMAIN, **{s: PARAMETER_DOMAIN for s in (b, *w, *x)}},
        definitions={
            L: -(y * log(yhat) + (1 - y) * log(1 - yhat)),
            yhat: sigmoid(z),
            z: dot(w, x) + b,
        },
    )
)

dL_dyhat = Derivative(L, yhat)
dyhat_dz = Derivative(yhat, z)
dL_dz = Derivative(L, z)
dz_dw = Matrix([Derivative(z, wj) for wj in w])
dL_dw = Matrix([Derivative(L, wj) for wj in w])
as_written = -(y * (1 / yhat) + (1 - y) * (-1 / (1 - yhat)))
expanded = -y / yhat + (1 - y) / (1 - yhat)

DERIVATION = derivation(
    "bce-gradients",
    "Binary cross-entropy gradients: dL/dz = ŷ − y, dL/dw = (ŷ − y)x, dL/db = ŷ − y",
    "notes pp.2–3, Sigmoid + Binary Cross-Entropy",
    instances=[BCE],
    definitions=[
        define(
            r"L = -[y \log \hat{y} + (1-y) \log(1-\hat{y})]",
            "ŷ = σ(z) = 1/(1 + e^{-z}) and z = wᵀx + b, with w, x of size 3",
        ),
    ],
    steps=[
        step(
            r"\frac{dL}{dy} = -\left[y \cdot \frac{1}{\hat{y}} + (1-y) "
            r"\left(-\frac{1}{1-\hat{y}}\right)\right]",
            (Derivative(L, y), as_written),
            note="Notational slip: dL/dy is written for dL/dŷ. The derivative by the label y is "
            "log(1 − ŷ) − log ŷ, so the line is false as written.",
            erratum=fix(
                r"\frac{dL}{d\hat{y}} = -\left[y \cdot \frac{1}{\hat{y}} + (1-y) "
                r"\left(-\frac{1}{1-\hat{y}}\right)\right]",
                (dL_dyhat, as_written),
            ),
        ),
        step(
            r"-\left[y \cdot \frac{1}{\hat{y}} + (1-y) \left(-\frac{1}{1-\hat{y}}\right)\right] "
            r"= -\frac{y}{\hat{y}} + \frac{1-y}{1-\hat{y}}",
            (as_written, expanded),
        ),
        step(
            r"\frac{dL}{dz} = \frac{dL}{d\hat{y}} \cdot \frac{d\hat{y}}{dz}",
            (dL_dz, dL_dyhat * dyhat_dz),
            where="notes p.2, dL/dz",
        ),
        step(
            r"\frac{dL}{d\hat{y}} \cdot \frac{d\hat{y}}{dz} = \left(-\frac{y}{\hat{y}} + "
            r"\frac{1-y}{1-\hat{y}}\right) (\hat{y} \cdot (1-\hat{y}))",
            (dL_dyhat * dyhat_dz, expanded * (yhat * (1 - yhat))),
            where="notes p.2, dL/dz",
        ),
        step(
            r"\left(-\frac{y}{\hat{y}} + \frac{1-y}{1-\hat{y}}\right) (\hat{y} \cdot (1-\hat{y}))"
            r" = -y(1-\hat{y}) + (1-y)(\hat{y})",
            (expanded * (yhat * (1 - yhat)), -y * (1 - yhat) + (1 - y) * yhat),
            where="notes p.2, dL/dz",
        ),
        step(
            r"-y(1-\hat{y}) + (1-y)(\hat{y}) = -y + y\hat{y} + \hat{y} - y\hat{y}",
            (-y * (1 - yhat) + (1 - y) * yhat, -y + y * yhat + yhat - y * yhat),
            where="notes p.2, dL/dz",
        ),
        step(
            r"-y + y\hat{y} + \hat{y} - y\hat{y} = \hat{y} - y",
            (-y + y * yhat + yhat - y * yhat, yhat - y),
            where="notes p.2, dL/dz",
        ),
        step(r"\frac{dz}{dw} = x", (dz_dw, Matrix(x)), where="notes p.3"),
        step(
            r"\frac{\delta L}{\delta w} = \frac{dL}{dz} \cdot \frac{dz}{dw}",
            (dL_dw, dL_dz * dz_dw),
            where="notes p.3",
        ),
        step(
            r"\frac{dL}{dz} \cdot \frac{dz}{dw} = (\hat{y} - y)x",
            (dL_dz * dz_dw, (yhat - y) * Matrix(x)),
            where="notes p.3",
        ),
        step(r"\frac{\delta z}{\delta b} = 1", (Derivative(z, b), 1), where="notes p.3"),
        step(
            r"\frac{\delta L}{\delta b} = \frac{dL}{dz} \cdot \frac{dz}{db}",
            (Derivative(L, b), dL_dz * Derivative(z, b)),
            where="notes p.3",
        ),
        step(
            r"\frac{dL}{dz} \cdot \frac{dz}{db} = (\hat{y} - y)",
            (dL_dz * Derivative(z, b), yhat - y),
            where="notes p.3",
        ),
    ],
)
