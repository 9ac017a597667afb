"""Shared fixtures: the worker pool warmed once, so timing tests measure claims, not start-up;
the notes verified once, for every test that reads their report."""

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
import sympy

import derivcheck as package
from derivcheck import cli, verify_step

# The package is the folder checker/ under its import name: the tests must check this checkout's,
# not one installed from elsewhere (another checkout's editable install comes first once the
# import name is no longer the folder's name).
FOLDER = Path(__file__).resolve().parents[1] / "checker"
if Path(package.__file__).resolve().parent != FOLDER:
    pytest.exit(
        f"the tests import {package.__name__} from {Path(package.__file__).parent}, not from "
        f"{FOLDER}: install this checkout into the venv that runs them (pip install -e .)",
        returncode=4,
    )

pytest_plugins = ["pytester"]  # tests/test_plugin.py runs pytest on a user's files


@pytest.fixture(scope="session")
def warm_pool():
    """Start the shared worker processes (JAX import) before anything is timed."""
    x = sympy.Symbol("x", real=True)
    assert verify_step(x, x).verdict == "proved"


@dataclass(frozen=True)
class NotesRun:
    """`derivcheck verify` on the notes: its exit code, the Report, and the files it wrote."""

    code: int
    report: object
    json: dict
    html: str


@pytest.fixture(scope="session")
def notes_run(tmp_path_factory) -> NotesRun:
    """`derivcheck verify -o report.json -o report.html` on all the notes, run once per session
    (the slowest thing the suite does); the Report is kept from the same run for the goldens.
    The time limit is twice `make verify`'s, so that a loaded machine (CI, or several jobs at
    once) does not turn a slow proof into an error and every golden file with it."""
    output = tmp_path_factory.mktemp("notes")
    captured = []

    def check(*args):
        captured.append(original(*args))
        return captured[-1]

    original = cli.check
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "check", check)
        code = cli.main(
            [
                "verify",
                "--timeout",
                "20",
                "-o",
                str(output / "r.json"),
                "-o",
                str(output / "r.html"),
            ]
        )
    (report,) = captured
    return NotesRun(
        code,
        report,
        json.loads((output / "r.json").read_text(encoding="utf-8")),
        (output / "r.html").read_text(encoding="utf-8"),
    )
