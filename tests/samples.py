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

# Every string a user writes, hostile to every report format: markup that would run a script
# in a browser, links with other schemes, backticks and pipes that would break out of a
# Markdown code span or table row, newlines that would forge a row, terminal escape sequences,
# characters XML 1.0 forbids, and a name that is a shell command. One step true, one refuted
# (so the counterexample and the re-run line are drawn), one definition.
HOSTILE_REPORT_FILE = r"""
from sympy import Symbol

from derivcheck.dsl import Instance, define, derivation, step
from derivcheck.model import Context

x = Symbol("x", real=True)
q = Symbol("q<img src=x onerror=alert(7)>`|\x1b[31m", real=True)
EVIL = (
    "<script>alert(1)</script><img src=x onerror=alert(2)> [link](javascript:alert(3)) "
    "<javascript:alert(4)> `tick` | pipe \\| *bold* _em_ &amp; \x1b[31mred\x1b[0m \x1b]0;title\x07"
    " \x01\x0b\x0c\x7f\x9b \u202eright-to-left\n| forged | row | \u2713 proved | 0 s |\n# heading"
)

DERIVATION = derivation(
    "a; touch /tmp/derivcheck-pwned #`|<b>x</b>",
    "title " + EVIL,
    "where " + EVIL,
    instances=[Instance(Context(domains={x: (1, 2)}))],
    definitions=[define(r"y := \text{<img src=x onerror=alert(5)>}", note="definition " + EVIL)],
    steps=[
        step(
            r"x = \text{</math><script>alert(1)</script><math>} x" + EVIL,
            (x, x),
            note="note " + EVIL,
            where="step where " + EVIL,
        ),
        step(r"\href{javascript:alert(2)}{x} = x + 1" + EVIL, (x, x + 1), note="note " + EVIL),
        step(r"q = q + \text{<img src=x>}" + EVIL, (q + 1, q + 2), note="note " + EVIL),
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
