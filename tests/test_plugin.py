"""The pytest plugin, run by pytest's own pytester on a user's files: one item per step, ids,
failures that carry the counterexample and the re-run command, errata like strict xfails,
--derivcheck-strict, -k, -x, --junitxml and pytest-xdist."""

import textwrap
from pathlib import Path

import pytest
from samples import SIGMOID_FILE

import derivcheck as package

ROOT = Path(__file__).resolve().parents[1]
PLUGIN = f"{package.__name__}.plugin"

# One true step, one false, an erratum refuted as expected, and an erratum that is true.
ERRATA_FILE = """
    from sympy import Symbol

    from derivcheck.dsl import Instance, derivation, fix, step
    from derivcheck.model import Context

    x = Symbol("x", real=True)

    DERIVATION = derivation(
        "user-errata", "errata", "test file",
        instances=[Instance(Context(domains={x: (-2, 2)}))],
        steps=[
            step("2x = x + x", (2 * x, x + x, ),
                 erratum=fix("2x = x + x", (2 * x, x + x))),
            step("x^2 = x x", (x**2, x * x + 1),
                 erratum=fix("x^2 = x x", (x**2, x * x))),
        ],
    )
"""


@pytest.fixture
def user(pytester, monkeypatch):
    """A user's repository with derivation modules under checks/, and the plugin loaded by
    name (whether or not this environment registered its entry point)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.makeini("[pytest]\nderivcheck_paths = checks/*.py\nderivcheck_points = 8\n")
    (pytester.path / "checks").mkdir()
    (pytester.path / "checks" / "user.py").write_text(textwrap.dedent(SIGMOID_FILE))
    (pytester.path / "checks" / "errata.py").write_text(textwrap.dedent(ERRATA_FILE))
    (pytester.path / "test_plain.py").write_text("def test_plain():\n    pass\n")
    return pytester


def run(pytester, *args):
    return pytester.runpytest("-p", PLUGIN, "-p", "no:cacheprovider", *args)


def test_one_item_per_step_with_the_counterexample_and_the_rerun_command(user):
    result = run(user, "--derivcheck", "-v")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*checks/errata.py::user-errata::step-1 FAILED*",
            "*checks/errata.py::user-errata::step-2 PASSED*",
            "*checks/user.py::user-sigmoid::step-1 PASSED*",
            "*checks/user.py::user-sigmoid::step-2 FAILED*",
            "*test_plain.py::test_plain PASSED*",
        ]
    )
    out = result.stdout.str()
    assert "counterexample (numeric): z=" in out
    assert 're-run: pytest --derivcheck "checks/user.py::user-sigmoid::step-2"' in out
    assert "[XPASS(strict)] erratum proved" in out  # a true line marked false fails


def test_without_the_option_derivation_modules_are_not_collected(user):
    result = run(user)
    result.assert_outcomes(passed=1)


def test_k_x_and_junitxml(user):
    result = run(user, "--derivcheck", "-k", "user-sigmoid and step-1")
    result.assert_outcomes(passed=1, deselected=4)
    result = run(user, "--derivcheck", "-x", "checks/user.py")
    result.assert_outcomes(passed=1, failed=1)
    result = run(user, "--derivcheck", "--junitxml=out.xml", "checks/errata.py")
    xml = (user.path / "out.xml").read_text()
    assert '<testcase classname="checks.errata.user-errata" name="step-1"' in xml
    assert "XPASS(strict)" in xml


def test_strict_fails_a_step_that_is_only_confirmed(user):
    # True for x > 0, and beyond SymPy's strategies: confirmed, never proved.
    (user.path / "checks" / "inverse.py").write_text(
        textwrap.dedent(
            """
            from sympy import Symbol, asin, atan, sqrt

            from derivcheck.dsl import Instance, derivation, step
            from derivcheck.model import Context

            x = Symbol("x", positive=True)

            DERIVATION = derivation(
                "user-inverse", "asin as atan", "test file",
                instances=[Instance(Context())],
                steps=[step("asin = atan", (asin(x / (1 + x)), atan(x / sqrt(1 + 2 * x))))],
            )
            """
        )
    )
    run(user, "--derivcheck", "checks/inverse.py").assert_outcomes(passed=1)
    result = run(user, "--derivcheck", "--derivcheck-strict", "checks/inverse.py")
    result.assert_outcomes(failed=1)
    assert "confirmed only (no symbolic proof)" in result.stdout.str()


def test_an_unusable_module_is_a_collection_error_in_one_line(user):
    (user.path / "checks" / "broken.py").write_text("def f(:\n")
    result = run(user, "--derivcheck", "checks/broken.py")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*checks/broken.py:1: syntax error*"])


def test_xdist_spreads_the_steps_over_two_processes(user, monkeypatch):
    pytest.importorskip("xdist")
    link = user.path / "lib"
    link.mkdir()
    (link / package.__name__).symlink_to(ROOT / "checker", target_is_directory=True)
    monkeypatch.setenv("PYTHONPATH", str(link))  # the subprocesses import this checkout's
    result = user.runpytest_subprocess(
        "-p", PLUGIN, "-p", "xdist", "-p", "no:cacheprovider", "--derivcheck", "-n", "2"
    )
    result.assert_outcomes(passed=3, failed=2)
    assert "counterexample (numeric): z=" in result.stdout.str()
