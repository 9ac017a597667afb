#!/usr/bin/env python3
"""Rename derivcheck's import name `checker` to `derivcheck` in a checkout (idempotent).

    python3 /work/rename_imports.py [REPO]      # default: the current directory

The folder stays `checker/` (pyproject.toml maps the import name `derivcheck` onto it), so only
import names change, never paths: `from checker.dsl import` becomes `from derivcheck.dsl import`,
`checker.run.worker` in a string or a docstring becomes `derivcheck.run.worker`, `python -m
checker` becomes `python -m derivcheck`, and a module name "checker" written as a Python string
becomes "derivcheck"; `checker/`, `ROOT / "checker"` and `package-dir = {"derivcheck" =
"checker"}` are paths and stay. Running it twice changes nothing the second time. Prints each
file it changed and the number of replacements.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

SUFFIXES = {".py", ".md", ".toml", ".yml", ".yaml", ".cfg", ".ini", ".txt", ".sh", ".rst"}
NAMES = {"Makefile", "run"}  # .ci/run
SKIP = ("tests/golden/",)  # reports pinned byte for byte; regenerated, not rewritten

# (pattern, replacement, which files): applied in order.
RULES = [
    (re.compile(r"\bfrom checker(?=[\s.])"), "from derivcheck", "all"),
    (re.compile(r"\bimport checker\b(?![/\w])"), "import derivcheck", "all"),
    # a dotted import name anywhere: checker.dsl, checker.run.worker, `checker.sigmoid(t)`
    (re.compile(r"(?<![\w/.\-])checker\.(?=[A-Za-z_])(?!py\b)"), "derivcheck.", "all"),
    (re.compile(r"-m checker\b(?![/\w])"), "-m derivcheck", "all"),
    # "checker" as a module name in Python: "-m", "checker"; FRONT = {"checker", ...}; but not
    # the folder, ROOT / "checker"
    (re.compile(r'(?<!/ )(?<!/)"checker"'), '"derivcheck"', "py"),
]


def tracked_files(repo: Path) -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=repo, check=True, capture_output=True, text=True
        ).stdout.split()
        files = [repo / name for name in out]
    except (OSError, subprocess.CalledProcessError):
        files = [p for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts]
    return [
        f
        for f in files
        if f.is_file()
        and (f.suffix in SUFFIXES or f.name in NAMES or f.name == "action.yml")
        and not any(str(f.relative_to(repo)).startswith(s) for s in SKIP)
        and ".venv" not in f.parts
    ]


def rename(text: str, is_python: bool) -> tuple[str, int]:
    total = 0
    for pattern, replacement, scope in RULES:
        if scope == "py" and not is_python:
            continue
        text, count = pattern.subn(replacement, text)
        total += count
    return text, total


def main(argv: list[str]) -> int:
    repo = Path(argv[1] if len(argv) > 1 else ".").resolve()
    if not (repo / "checker" / "__init__.py").is_file():
        print(f"{repo}: no checker/__init__.py; give the derivcheck checkout", file=sys.stderr)
        return 2
    changed = 0
    for file in tracked_files(repo):
        try:
            text = file.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        new, count = rename(text, file.suffix == ".py")
        if count and new != text:
            file.write_text(new, encoding="utf-8")
            changed += 1
            print(f"{file.relative_to(repo)}: {count}")
    print(f"{changed} files changed")
    # `derivcheck` sorts after `derivations`, where `checker` sorted before it: re-sort imports.
    ruff = shutil.which("ruff") or str(repo / ".venv" / "bin" / "ruff")
    folders = [f for f in ("checker", "derivations", "tests", "bench") if (repo / f).is_dir()]
    if Path(ruff).is_file():
        subprocess.run([ruff, "check", "--select", "I", "--fix", "-q", *folders], cwd=repo)
        subprocess.run([ruff, "format", "-q", *folders], cwd=repo)
    else:
        print("no ruff found: run `ruff check --select I --fix` on the tree", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
