"""Hostile input through the command line: every bad step is an `error` with a one-line message
in the text and the JSON report, no traceback, no hang, never a pass, and the run goes on.

The wording of the messages is pinned in test_bad_inputs.py only; here, verdicts and shape.
"""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from derivcheck.cli import main

HOSTILE_FILE = """
    import numpy
    from sympy import (Derivative, Eq, Function, Integer, Matrix, Symbol, cos, expand,
                       expand_trig, nan, oo, sin, zoo)

    from derivcheck.dsl import Instance, derivation, step
    from derivcheck.functions import sigmoid
    from derivcheck.model import Context

    x, y, z = (Symbol(name, real=True) for name in "xyz")
    f = Function("f")
    s = sigmoid(z)
    slow = expand(expand_trig((sin(x + y + z) ** 2 + cos(x + y + z) ** 2) ** 8))

    def only(name, context, claim):
        return derivation(name, name, "test file", instances=[Instance(context)],
                          steps=[step("x = x", claim)])

    CLAIMS = derivation(
        "hostile-claims", "malformed claims", "test file",
        instances=[Instance(Context())],
        steps=[
            step("nan", (x + nan, x)),
            step("zoo", (zoo, x)),
            step("oo - oo", (oo - oo, 0)),
            step("1/0", (1 / Integer(0), 1)),
            step("x/(x - x)", (x / (x - x), x)),
            step("f(x)", (f(x), x)),
            step("f'(x)", (Derivative(f(x), x), 1)),
            step("shapes", (Matrix([x, y]), Matrix([[x, y]]))),
            step("object", (object(), x)),
            step("ndarray", (numpy.array([1.0]), x)),
            step("string", ("x +* 1", x)),
            step("Eq", (x, Eq(x, 1))),
            step("sigma", (Derivative(s, z), s * (1 - s))),
        ],
    )
    OTHERS = [
        only("hostile-reversed", Context(domains={x: (1, 0)}), (x, x)),
        only("hostile-empty", Context(domains={x: (1, 1)}), (x, x)),
        only("hostile-contradiction", Context(domains={x: (0, 1)}, given=(Eq(x, 2),)), (x, x)),
        only("hostile-slow", Context(), (Derivative(slow, x), 0)),
        only("after-the-slow-step", Context(), ((x + 1) ** 2, x**2 + 2 * x + 1)),
    ]
"""
ROOT = Path(__file__).resolve().parents[1]
BAD_STEPS = 12 + 4  # every step above but the two σ′ ones
FAST = ["hostile-claims", "hostile-reversed", "hostile-empty", "hostile-contradiction"]


@pytest.fixture(scope="module")
def hostile_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "hostile.py"
    path.write_text(textwrap.dedent(HOSTILE_FILE), encoding="utf-8")
    yield str(path)
    for name in [n for n in sys.modules if n.startswith("derivcheck_user_")]:
        del sys.modules[name]


def run(capsys, *args):
    code = main(["verify", *args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert "internal error" not in out + err
    return code, out, err


def test_json_report(hostile_path, tmp_path, capsys):
    output = tmp_path / "report.json"
    args = ["--path", hostile_path, "--timeout", "2", "--format", "json", "-o", str(output)]
    code, _, _ = run(capsys, *args)
    assert code == 1
    report = json.loads(output.read_text(encoding="utf-8"))
    steps = {(d["name"], s["latex"]): s for d in report["derivations"] for s in d["steps"]}
    good = {("hostile-claims", "sigma"), ("after-the-slow-step", "x = x")}
    for where, step in steps.items():
        if where in good:  # the run went on, past the bad steps and the one that hit its limit
            assert step["verdict"] in ("proved", "confirmed"), where  # 2 s: SymPy may need more
            continue
        assert step["verdict"] == "error", where
        assert not step["ok"] and step["counterexample"] is None
        assert step["message"] and "\n" not in step["message"], where
    assert len(steps) == BAD_STEPS + len(good)
    assert report["summary"]["error"] == BAD_STEPS
    assert report["summary"]["passed"] is False
    slow = steps[("hostile-slow", "x = x")]
    assert slow["seconds"] < 2 + 1


def test_text_report_of_the_real_process(hostile_path):
    """The whole output of `python -m derivcheck`, workers' included: no traceback, no warning."""
    completed = subprocess.run(
        [sys.executable, "-m", "derivcheck", "verify", "--path", hostile_path, *FAST],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr == ""
    out = completed.stdout
    assert "Traceback" not in out and "internal error" not in out
    summary = out.strip().splitlines()[-2:]  # all but the slow step, which is not run here
    assert f"FAILED ({BAD_STEPS - 1} failing)" in summary[0]
    assert f"{BAD_STEPS - 1} error" in " ".join(summary)
    assert "✓ proved" in out and "PASSED" not in out


def test_debug_still_reports_bad_input_as_error(hostile_path, capsys):
    code, out, _ = run(capsys, "--path", hostile_path, "hostile-claims", "--step", "1", "--debug")
    assert code == 1
    assert "! error" in out


def test_internal_error_is_one_line_unless_debug(monkeypatch, capsys):
    """A bug in derivcheck itself: exit 3 and one line; --debug lets the traceback through."""
    import derivcheck.run.api

    def broken(*args, **kwargs):
        raise RuntimeError("simulated bug\nsecond line")

    monkeypatch.setattr(derivcheck.run.api, "verify_derivations", broken)
    assert main(["verify", "sigmoid-derivative"]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("derivcheck: internal error: RuntimeError: simulated bug")
    with pytest.raises(RuntimeError):
        main(["verify", "sigmoid-derivative", "--debug"])
