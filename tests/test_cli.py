"""`derivcheck list` and `derivcheck verify` through derivcheck.cli.main: exit codes, JSON,
errors."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from samples import SIGMOID_FILE
from sympy import Symbol

from derivcheck import verify_step
from derivcheck.cli import main

ROOT = Path(__file__).resolve().parents[1]


# True on (0.1, 1), but SymPy cannot prove it (acos(cos x) = x only on [0, π]): confirmed, at
# once and on any machine; a slow identity that only a time limit stops would be an error under
# load instead.
TRIG_FILE = """
    from sympy import Symbol, acos, cos

    from derivcheck.dsl import Instance, derivation, step
    from derivcheck.model import Context

    x = Symbol("x", real=True)

    DERIVATION = derivation(
        "user-trig", "an identity SymPy does not prove", "test file",
        instances=[Instance(Context(domains={x: (0.1, 1)}))],
        steps=[step(r"\\arccos(\\cos x) = x", (acos(cos(x)), x))],
    )
"""


@pytest.fixture(autouse=True)
def _forget_user_modules():
    """Unload the --path modules a test loaded, so that one test's files never reach the next's
    workers (test_failed_import_leaves_later_checks_alone shows why that matters)."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("derivcheck_user_"):
            del sys.modules[name]


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return str(path)


def verify_json(tmp_path, *args):
    """Exit code and JSON report of `derivcheck verify ARGS --format json -o FILE`."""
    output = tmp_path / "report.json"
    code = main(["verify", *args, "--format", "json", "-o", str(output)])
    return code, json.loads(output.read_text(encoding="utf-8"))


def steps_of(report):
    return [step for d in report["derivations"] for step in d["steps"]]


def test_list(capsys):
    assert main(["list"]) == 0
    assert "sigmoid-derivative" in capsys.readouterr().out


def test_verify_json_report(tmp_path):
    code, report = verify_json(tmp_path, "sigmoid-derivative")
    assert code == 0
    assert report["schema"] == "derivcheck-report/1"
    assert {"seed", "versions", "derivations", "summary"} <= report.keys()
    assert {"sympy", "mpmath", "jax"} <= report["versions"].keys()
    assert report["summary"]["passed"] is True
    for step in steps_of(report):
        assert {"verdict", "counterexample", "latex", "erratum", "instances"} <= step.keys()
        for instance in step["instances"]:
            assert {"symbolic", "numeric", "autodiff"} <= instance.keys()


def test_output_file_leaves_the_summary_line_on_stdout(tmp_path, capsys):
    # An erratum makes the summary long enough to wrap in the text report.
    code, _ = verify_json(tmp_path, "bce-gradients", "--step", "1")
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("PASSED: 1 steps"), out


def test_unknown_name_is_a_usage_error(capsys):
    assert main(["verify", "no-such-derivation"]) == 2
    assert "no-such-derivation" in capsys.readouterr().err


BAD_FILES = {
    "missing": None,
    "not-python": ("notes.txt", "x = 1\n"),
    "syntax-error": ("broken.py", "def f(:\n"),
    "raises-on-import": ("raises.py", "import sympy\nraise RuntimeError('boom\\nsecond line')\n"),
    "exits-on-import": ("exits.py", "import sys\nsys.exit(0)\n"),
    "escape-sequence-on-import": ("ansi.py", "raise RuntimeError('\\x1b[2J\\x1b]0;title\\x07')\n"),
    "nothing-to-check-in": (  # neither instances= nor for_all=: once max() of nothing, exit 3
        "nowhere.py",
        "from sympy import Symbol\nfrom derivcheck.dsl import derivation, step\n"
        "x = Symbol('x', real=True)\nD = derivation('t', 't', 't', steps=[step('x', (x, x))])\n",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_unusable_path_is_a_usage_error_in_one_line(case, tmp_path, capsys):
    if BAD_FILES[case] is None:
        path = str(tmp_path / "missing.py")
    else:
        path = write(tmp_path, *BAD_FILES[case])
    for command in ("verify", "list"):
        assert main([command, "--path", path]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1
        assert err.startswith("derivcheck: error: ") and path in err
        assert "Traceback" not in err
        assert "\x1b" not in err and "\x07" not in err


def test_two_derivations_with_one_name_is_a_usage_error(tmp_path, capsys):
    first = write(tmp_path, "first.py", SIGMOID_FILE)
    second = write(tmp_path, "second.py", SIGMOID_FILE)
    assert main(["verify", "--path", first, "--path", second]) == 2
    assert "user-sigmoid" in capsys.readouterr().err


def test_same_path_twice_runs_once(tmp_path):
    path = write(tmp_path, "user_sigmoid.py", SIGMOID_FILE)
    _, report = verify_json(tmp_path, "--path", path, "--path", path)
    assert len(steps_of(report)) == 2  # the file's two steps, not four


def test_printing_module_leaves_stdout_to_the_json_report(tmp_path, capsys):
    path = write(tmp_path, "chatty.py", SIGMOID_FILE + '\n    print("HELLO")\n')
    main(["verify", "--path", path, "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert len(steps_of(report)) == 2


def test_unbounded_timeout_is_a_usage_error(capsys):
    try:
        code = main(["verify", "sigmoid-derivative", "--timeout", "inf"])
    except SystemExit as exit_:  # argparse rejects it itself
        code = exit_.code
    assert code == 2


def test_unwritable_output_is_a_usage_error(capsys):
    assert main(["verify", "sigmoid-derivative", "-o", "/nonexistent-dir/x.json"]) == 2
    assert "/nonexistent-dir/x.json" in capsys.readouterr().err


def test_failed_import_leaves_later_checks_alone(tmp_path):
    path = write(tmp_path, *BAD_FILES["raises-on-import"])
    assert main(["verify", "--path", path]) == 2
    x = Symbol("x", real=True)
    assert verify_step(x, x).verdict == "proved"


def test_user_file_with_a_false_step_fails(tmp_path):
    path = write(tmp_path, "user_sigmoid.py", SIGMOID_FILE)
    code, report = verify_json(tmp_path, "--path", path)
    assert code == 1
    assert [step["verdict"] for step in steps_of(report)] == ["proved", "refuted"]
    assert steps_of(report)[1]["counterexample"] is not None


def test_strict_fails_a_step_that_is_only_confirmed(tmp_path):
    path = write(tmp_path, "user_trig.py", TRIG_FILE)
    code, report = verify_json(tmp_path, "--path", path)
    assert [step["verdict"] for step in steps_of(report)] == ["confirmed"]
    assert code == 0
    code, report = verify_json(tmp_path, "--path", path, "--strict")
    assert [step["verdict"] for step in steps_of(report)] == ["confirmed"]
    assert code == 1


def test_module_entry_point():
    completed = subprocess.run(
        [sys.executable, "-m", "derivcheck", "verify", "sigmoid-derivative"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    assert "PASSED" in completed.stdout
