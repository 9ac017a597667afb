"""The report formats, from the notes' one run (conftest's `notes_run`): golden files for text,
Markdown and JUnit, the HTML's promises, and the CI formats on a planted failure.

The goldens are the notes' report with every time set to 0 and JAX's float64 figures masked;
after a derivation changes, regenerate them with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_reports.py

and read the diff before committing it.
"""

import dataclasses
import os
import re
import shlex
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from samples import SIGMOID_FILE

from derivcheck.cli import main
from derivcheck.reports.html import latex_math, render_html
from derivcheck.reports.junit import render_junit
from derivcheck.reports.markdown import render_markdown
from derivcheck.reports.terminal import render_terminal
from derivcheck.reports.text import WIDTH

GOLDEN = Path(__file__).resolve().parent / "golden"
# JAX's float64 errors may differ in the last bits between versions and machines.
FLOAT64_FIGURES = [
    (re.compile(r"(jax \d+ pts ≤)\de-\d+"), r"\1#"),
    (re.compile(r"(autodiff: \d+ values, max rel )\d\.\de-\d+"), r"\1#"),
]


def untimed(record):
    """A copy of a result record with every `seconds` 0, so a golden does not depend on speed."""
    if isinstance(record, tuple):
        return tuple(untimed(r) for r in record)
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return record
    changes = {}
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if field.name == "seconds":
            changes[field.name] = 0.0
        elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
            changes[field.name] = untimed(value)
    return dataclasses.replace(record, **changes)


def masked(text: str) -> str:
    for pattern, replacement in FLOAT64_FIGURES:
        text = pattern.sub(replacement, text)
    return text


@pytest.fixture(scope="module")
def steady(notes_run):
    return untimed(notes_run.report)


@pytest.mark.parametrize(
    "name, render",
    [
        ("notes.txt", lambda r: render_terminal(r, width=80, color=False)),
        ("notes.md", render_markdown),
        ("notes.xml", render_junit),
    ],
)
def test_golden(notes_run, steady, name, render):
    # A step that timed out on a loaded machine changes the report too: say that first.
    assert notes_run.code == 0, "the notes did not pass (see test_derivations); golden unchecked"
    text = masked(render(steady))
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; see the module docstring"


def test_colour_only_when_asked(notes_run):
    plain = render_terminal(notes_run.report)
    coloured = render_terminal(notes_run.report, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
    stripped = re.sub(r"\x1b\[[0-9;]*m", "", coloured)
    assert [line.rstrip() for line in stripped.splitlines()] == plain.splitlines()


def test_quiet_keeps_the_summary_and_failures_only(notes_run):
    quiet = render_terminal(notes_run.report, quiet=True)
    steps = len(notes_run.report.outcomes)
    assert quiet.startswith(f"PASSED: {steps} steps")
    assert "softmax-jacobian" not in quiet


def test_html_is_self_contained_with_math_and_plots(notes_run):
    html = notes_run.html
    steps = len(notes_run.report.outcomes)
    assert html.count("<math") >= 2 * steps  # the notes' line and the checked form of each
    assert html.count("<svg") >= len(notes_run.report.derivations)  # a histogram each at least
    assert "<mfrac" in html
    external = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.IGNORECASE)
    assert external == []
    assert "<script" not in html and "<link" not in html and "@import" not in html


def test_html_plots_what_the_checks_recorded(notes_run):
    # a derivative step's slice against autodiff, and both sides around each counterexample
    html = notes_run.html
    assert "the claim against JAX autodiff along" in html
    assert html.count("both sides around the counterexample") == len(notes_run.report.errata)


def test_latex_that_does_not_convert_is_shown_as_text_with_a_note():
    shown = latex_math(r"\frac{a}{")
    assert "<math" not in shown or "fallback" in shown
    shown = latex_math(r"\begin{nosuchenv} x")
    assert "fallback-note" in shown and "nosuchenv" in shown


def test_html_of_a_report_renders_without_the_checks(steady):
    # A renderer only draws: the same record gives the same page.
    assert render_html(steady) == render_html(steady)


@pytest.fixture(scope="module")
def slipped_run(tmp_path_factory):
    """A derivation with a slip at step 2, verified with every CI output and annotations on."""
    folder = tmp_path_factory.mktemp("slipped")
    source = folder / "slipped.py"
    source.write_text(textwrap.dedent(SIGMOID_FILE), encoding="utf-8")
    outputs = {form: folder / f"r.{form}" for form in ("xml", "md", "html")}
    argv = ["verify", "--path", str(source)]
    for path in outputs.values():
        argv += ["-o", str(path)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITHUB_ACTIONS", "true")
        code = main(argv)
    return code, {k: p.read_text(encoding="utf-8") for k, p in outputs.items()}, source


def test_junit_failure_carries_the_counterexample(slipped_run, capsys):
    code, files, _ = slipped_run
    assert code == 1
    suites = ET.fromstring(files["xml"])
    (suite,) = suites.findall("testsuite")
    cases = suite.findall("testcase")
    assert [c.find("failure") is not None for c in cases] == [False, True]
    failure = cases[1].find("failure")
    assert "refuted" in failure.get("message") and "lhs = " in failure.get("message")
    (rerun,) = [line for line in failure.text.splitlines() if line.startswith("re-run: ")]
    # pasted as it is, it checks the same step of the same file with the same settings
    words = shlex.split(rerun.removeprefix("re-run: "))
    path = os.path.relpath(slipped_run[2])
    assert words == ["derivcheck", "verify", "user-sigmoid", "--path", path, "--step", "2",
                     "--seed", "0", "--points", "20", "--timeout", "10"]  # fmt: skip


def test_errata_refuted_as_expected_pass_in_junit(steady):
    suites = ET.fromstring(render_junit(steady))
    assert suites.get("failures") == "0"
    assert len(suites.findall("testsuite/testcase")) == len(steady.outcomes)


def test_github_annotation_points_at_the_step(slipped_run, capsys, tmp_path):
    _, _, source = slipped_run
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITHUB_ACTIONS", "true")
        main(["verify", "--path", str(source), "-o", str(tmp_path / "r.md")])
    out = capsys.readouterr().out
    (annotation,) = [line for line in out.splitlines() if line.startswith("::error")]
    lines = source.read_text(encoding="utf-8").splitlines()
    line = next(number for number, text in enumerate(lines, 1) if "s * (1 + s)" in text)
    assert f"line={line}," in annotation
    assert "slipped.py" in annotation and "refuted" in annotation and "%0A" in annotation


def test_markdown_flags_the_failing_step(slipped_run):
    _, files, _ = slipped_run
    assert "| `user-sigmoid` | 2 |" in files["md"]
    assert "FAILED" in files["md"] and "**Failing steps**" in files["md"]


def test_explain_tells_the_whole_story(capsys):
    assert main(["explain", "bce-gradients", "1"]) == 0
    out = capsys.readouterr().out
    for part in ("as written", "LaTeX", "checked lhs", "symbolic:", "numeric:", "autodiff:",
                 "counterexample", "lhs = ", "rhs = ", "re-run:", "corrected"):  # fmt: skip
        assert part in out, part
    assert max(len(line) for line in out.splitlines()) <= WIDTH
    # one of the notes' own derivations, found through [tool.derivcheck]: no --path; every
    # setting of the run
    assert rerun_words(out) == [
        "derivcheck", "verify", "bce-gradients", "--step", "1", "--seed", "0", "--points", "20",
        "--timeout", "10",
    ]  # fmt: skip


def rerun_words(text: str) -> list[str]:
    """The words of the first re-run command in a text report, across its line continuations."""
    lines = text[text.index("re-run: ") + len("re-run: ") :].splitlines()
    command = ""
    for line in lines:
        command += " " + line.strip().removesuffix("\\")
        if not line.endswith("\\"):
            return shlex.split(command)
    return shlex.split(command)


def test_progress_bar_waits_a_second(monkeypatch):
    from derivcheck import cli

    clock = [100.0]
    monkeypatch.setattr(cli.time, "monotonic", lambda: clock[0])
    bar = cli.ProgressBar()
    bar(1, 10)
    assert bar.bar is None  # a run shorter than a second shows no bar
    clock[0] += 1.5
    bar(2, 10)
    assert bar.bar is not None
    bar(10, 10)
    bar.stop()


def test_plot_data_is_what_the_checks_saw(notes_run):
    # Along a proved derivative step's line, JAX autodiff and the other side agree; around an
    # erratum's counterexample the sides differ; every valid point has its relative error.
    slices = arounds = 0
    for derivation in notes_run.json["derivations"]:
        for step in derivation["steps"]:
            for instance in step["instances"]:
                numeric, autodiff = instance["numeric"], instance["autodiff"]
                if numeric["status"] == "agree":
                    assert len(numeric["relative_errors"]) == numeric["points"]
                line = autodiff["slice"] if autodiff else None
                if line is not None and step["verdict"] == "proved":
                    slices += 1
                    assert len(line["values"]) == len(line["lhs"]) == len(line["rhs"]) == 40
                    pairs = [(a, b) for a, b in zip(line["lhs"], line["rhs"]) if None not in (a, b)]
                    assert len(pairs) >= 30
                    assert all(abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300) for a, b in pairs)
            example = step["counterexample"]
            if step["erratum"] and example and example["around"]:
                arounds += 1
                around = example["around"]
                assert min(around["values"]) < around["at"] < max(around["values"])
                assert any(a != b for a, b in zip(around["lhs"], around["rhs"]))
    assert slices >= 20 and arounds == len(notes_run.report.errata)
