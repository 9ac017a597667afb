"""The shape the code promises: stages import only the stages below them, JAX stays in the
workers, and the report fits 80 columns."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from derivcheck.reports.explain import render_explain
from derivcheck.reports.terminal import render_terminal
from derivcheck.reports.text import WIDTH

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "checker"

# A claim flows derivation → checks → results → reports. Each stage may import itself and the
# stages named here; the front ends (the CLI, the DSL, the package's own __init__) import anything.
FRONT = {"derivcheck", "derivcheck.__main__", "derivcheck.cli", "derivcheck.dsl",
         "derivcheck.launch", "derivcheck.plugin", "derivcheck.action"}  # fmt: skip
# Leaves every stage may use: the records, and helpers that build SymPy values (σ, text refused,
# nested derivatives held apart).
RECORDS = {"derivcheck.model", "derivcheck.results", "derivcheck.functions", "derivcheck.values",
           "derivcheck.leibniz"}  # fmt: skip
MAY_IMPORT = {
    "records": {"records"},
    "checks": {"records", "checks"},
    "indices": {"records", "checks", "indices"},
    "run": {"records", "checks", "indices", "run"},
    "reports": {"records", "reports"},
    "sources": {"records", "sources"},
    "notes": {"records", "indices", "notes"},  # the records and derivcheck.indices.model
    "mutation": {"records", "checks", "indices", "run", "mutation"},
    "suggest": {"records", "checks", "indices", "run", "mutation", "suggest"},
}


def module_name(path: Path) -> str:
    """The import name of a file of the folder checker/ (installed as the package "derivcheck")."""
    parts = ("derivcheck", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage(module: str) -> str:
    if module in FRONT:
        return "front"
    if module in RECORDS:
        return "records"
    folder = module.split(".")[1]
    assert folder in MAY_IMPORT, f"{module}: checker/{folder}/ has no stage in MAY_IMPORT"
    return folder


def imported_modules(source: str, module: str, is_package: bool = False) -> set[str]:
    """Every checker module that `source` (the text of `module`) imports, also inside functions."""
    package = module if is_package else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            found.add(target)
            found.update(f"{target}.{a.name}" for a in node.names)  # `from . import plots`
    names = {module_name(path) for path in MODULES}
    return {m for m in found if m in names and m != "derivcheck"}


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    own = stage(module)
    if own == "front":
        return []
    return sorted(m for m in imported_modules(source, module, is_package)
                  if stage(m) not in MAY_IMPORT[own])  # fmt: skip


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_each_stage_imports_only_the_stages_below_it(path):
    module = module_name(path)
    wrong = violations(path.read_text(), module, path.name == "__init__.py")
    assert wrong == [], (
        f"{module} ({stage(module)}) may import only {sorted(MAY_IMPORT[stage(module)])}"
    )


@pytest.mark.parametrize(
    "source, module",
    [
        ("from ..checks.engine import decide", "derivcheck.reports.json"),  # a report computing
        ("from ..cli import main", "derivcheck.checks.numeric"),  # a check calling the CLI
        ("from ..reports import text", "derivcheck.checks.engine"),  # a check printing
        ("from ..run.api import run_claims", "derivcheck.indices.prove"),  # a stage above
        ("import derivcheck.mutation.mutants", "derivcheck.results"),  # a record importing upward
    ],
)
def test_the_stage_rule_can_fail(source, module):
    assert violations(source, module) != []


def test_every_subpackage_says_what_it_may_import():
    for init in PACKAGE.glob("*/__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "May import" in doc, (
            f"{init.relative_to(ROOT)}: its docstring must say what it may import"
        )


def test_the_readme_layout_table_matches_the_tree():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip().strip("`") for line in table.splitlines()
            if line.startswith("| `")}  # fmt: skip
    folders = {f"checker/{p.parent.name}/" for p in PACKAGE.glob("*/__init__.py")}
    assert folders <= rows, f"README layout is missing {sorted(folders - rows)}"
    listed = {r for r in rows if r.startswith("checker/") and r != "checker/"}
    assert listed <= folders, (
        f"README layout lists folders not in the tree: {sorted(listed - folders)}"
    )


def test_derivations_and_the_command_line_do_not_import_jax():
    # JAX must not be started in the process that starts the workers, nor by a derivation.
    code = (
        "import sys, derivations, derivcheck.cli, derivcheck.run.api, derivcheck.reports.text, "
        "derivcheck.reports.terminal, derivcheck.reports.html, derivcheck.reports.junit, "
        "derivcheck.reports.markdown, derivcheck.reports.github, derivcheck.reports.explain; "
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
