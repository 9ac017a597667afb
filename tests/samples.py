"""Derivations files the tests write, as a user would."""

# A user's derivations file: one true step, one false.
SIGMOID_FILE = """
    from sympy import Derivative, Symbol

    from derivcheck.dsl import Instance, derivation, step
    from derivcheck.functions import sigmoid
    from derivcheck.model import Context

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


# A user's repository: its own derivations/ package (a helper module imported by its absolute
# name, as the user's own code would), a [tool.derivcheck] table, and a slip to plant.
USER_COMMON = """
    from sympy import Symbol, tanh

    from derivcheck.dsl import Instance
    from derivcheck.model import Context

    x = Symbol("x", real=True)
    t = Symbol("t", real=True)  # shorthand: t = tanh(x)
    TANH = Instance(Context(domains={x: (-3, 3)}, definitions={t: tanh(x)}))
"""
USER_STEPS = """
    from sympy import Derivative

    from derivcheck.dsl import derivation, step
    from derivations.common import TANH, t, x

    DERIVATION = derivation(
        "user-tanh", "tanh′ = 1 − tanh²", "user notes, p.1",
        instances=[TANH],
        steps=[
            step(r"\\frac{dt}{dx} = 1 - t^2", (Derivative(t, x), 1 - t**2)),
            step(r"1 - t^2 = (1 - t)(1 + t)", (1 - t**2, (1 - t) * (1 + t))),
        ],
    )
"""
SLIP = ("(1 - t) * (1 + t)", "(1 - t) * (1 - t)")  # step 2 made false
USER_PYPROJECT = """
    [project]
    name = "user-notes"
    version = "0"

    [tool.derivcheck]
    paths = ["derivations"]
    points = 8
"""


def user_repository(root, slip: bool = False, shadow: str = ""):
    """Write the user's repository into `root`; `shadow`: a module of that name in its root
    that fails on import (a file named like derivcheck's own package)."""
    import textwrap
    from pathlib import Path

    root = Path(root)
    (root / "derivations").mkdir(parents=True, exist_ok=True)
    steps = USER_STEPS.replace(*SLIP) if slip else USER_STEPS
    files = {
        "derivations/__init__.py": '"""The user\'s own derivations package."""\n',
        "derivations/common.py": USER_COMMON,
        "derivations/tanh_steps.py": steps,
        "pyproject.toml": USER_PYPROJECT,
        ".gitignore": "__pycache__/\n",
    }
    if shadow:
        files[f"{shadow}.py"] = "raise SystemExit('the user file shadowing derivcheck ran')\n"
    for name, text in files.items():
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root
