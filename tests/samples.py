"""Derivations files the tests write, as a user would."""

# A user's derivations file: one true step, one false.
SIGMOID_FILE = """
    from sympy import Derivative, Symbol

    from checker.dsl import Instance, derivation, step
    from checker.functions import sigmoid
    from checker.model import Context

    z = Symbol("z", real=True)
    s = sigmoid(z)

    DERIVATION = derivation(
        "user-sigmoid", "σ′ by hand", "test file",
        instances=[Instance(Context(domains={z: (-4.0, 4.0)}))],
        steps=[
            step(r"\\sigma' = \\sigma (1 - \\sigma)", (Derivative(s, z), s * (1 - s))),
            step(r"\\sigma' = \\sigma (1 + \\sigma)", (Derivative(s, z), s * (1 + s))),
        ],
    )
"""
