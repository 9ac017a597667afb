"""The shape the code promises: JAX stays in the workers, and the report fits 80 columns."""

import subprocess
import sys
from pathlib import Path

from checker import verify_derivations
from checker.report_text import WIDTH, render_text
from derivations import bce_gradients, softmax_jacobian

ROOT = Path(__file__).resolve().parent.parent


def test_derivations_and_the_command_line_do_not_import_jax():
    # JAX must not be started in the process that starts the workers, nor by a derivation.
    code = (
        "import sys, derivations, checker.cli, checker.api, checker.report_text; "
        "print('jax' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "False"


def test_text_report_fits_the_terminal():
    steps = {1, 8, 12}  # an erratum with its counterexample, a matrix step, the added step
    report = verify_derivations([bce_gradients.DERIVATION], steps={1, 10})
    wide = verify_derivations([softmax_jacobian.DERIVATION], steps=steps)
    for text in (render_text(report), render_text(wide, verbose=True)):
        too_long = [line for line in text.splitlines() if len(line) > WIDTH]
        assert too_long == []
