"""The shape the code promises: JAX stays in the workers, and the report fits 80 columns."""

import subprocess
import sys
from pathlib import Path

from checker.report_explain import render_explain
from checker.report_terminal import render_terminal
from checker.report_text import WIDTH

ROOT = Path(__file__).resolve().parent.parent


def test_derivations_and_the_command_line_do_not_import_jax():
    # JAX must not be started in the process that starts the workers, nor by a derivation.
    code = (
        "import sys, derivations, checker.cli, checker.api, checker.report_text, "
        "checker.report_terminal, checker.report_html, checker.report_junit, "
        "checker.report_markdown, checker.report_github, checker.report_explain; "
        "print('jax' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "False"


def test_text_report_fits_the_terminal(notes_run):
    # `make verify`'s report on the notes, plain, quiet and verbose, and `explain` of each step.
    report = notes_run.report
    texts = [render_terminal(report, **options) for options in ({}, {"verbose": True},
                                                                {"quiet": True})]  # fmt: skip
    for d in report.derivations:
        texts.extend(render_explain(report, d.derivation.name, s.step.number) for s in d.steps)
    for text in texts:
        too_long = [line for line in text.splitlines() if len(line) > WIDTH]
        assert too_long == []
