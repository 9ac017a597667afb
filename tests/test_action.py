"""The GitHub Action: action.yml runs `python -m derivcheck.action`, which is tested here with
the runner's files (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT) in a temporary folder."""

import sys
import textwrap
from pathlib import Path

import pytest
from samples import SIGMOID_FILE

from derivcheck import action

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _forget_user_modules():
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("derivcheck_user_"):
            del sys.modules[name]


def test_the_action_writes_the_reports_the_summary_and_annotations(tmp_path, monkeypatch, capsys):
    user = tmp_path / "user.py"
    user.write_text(textwrap.dedent(SIGMOID_FILE), encoding="utf-8")
    summary, outputs = tmp_path / "summary.md", tmp_path / "outputs"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setenv("GITHUB_OUTPUT", str(outputs))
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    reports = tmp_path / "reports"
    code = action.main(["--paths", f"{user}\n", "--reports", str(reports), "--args=--points 8"])
    assert code == 1  # step 2 of the sample is false
    assert {p.name for p in reports.iterdir()} == {"report.html", "results.xml", "report.md"}
    assert summary.read_text(encoding="utf-8") == (reports / "report.md").read_text("utf-8")
    assert "| `user-sigmoid` | 2 |" in summary.read_text(encoding="utf-8")
    assert outputs.read_text() == f"exit-code=1\npassed=false\nreports={reports}\n"
    out = capsys.readouterr().out
    assert "::error file=" in out and "title=user-sigmoid step 2::refuted" in out


def test_action_yml_passes_every_input_to_the_script_it_runs():
    yaml = pytest.importorskip("yaml")
    spec = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert spec["runs"]["using"] == "composite"
    (check,) = [s for s in spec["runs"]["steps"] if s.get("id") == "check"]
    assert check["run"].startswith("python -m derivcheck.action ")
    for name in ("paths", "strict", "args", "reports"):
        variable = f"DERIVCHECK_{name.upper()}"
        assert check["env"][variable] == f"${{{{ inputs.{name} }}}}"
        assert f'--{name}="${variable}"' in check["run"]  # never ${{ }} in the script's text
        assert name in spec["inputs"]
    assert "${{" not in check["run"]
    options = {a.dest for a in action.parser()._actions} - {"help"}
    assert options == {"paths", "strict", "args", "reports"}
