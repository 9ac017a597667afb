"""What the GitHub Action (action.yml) runs: `derivcheck verify` on the given paths with every
report written, the Markdown table added to the job summary, failing steps annotated.

    python -m derivcheck.action --paths "derivations notes/extra.py" --reports derivcheck-report

Exits with `derivcheck verify`'s code, so the job fails exactly when the check does.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from . import cli

REPORTS = {"html": "report.html", "junit": "results.xml", "markdown": "report.md"}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="derivcheck-action")
    top.add_argument(
        "--paths", default="", help="files and directories, separated by spaces or newlines"
    )
    top.add_argument("--reports", default="derivcheck-report", help="folder for the reports")
    top.add_argument("--strict", default="false", help="true: fail 'confirmed' steps too")
    top.add_argument("--args", default="", help="more `derivcheck verify` options")
    return top


def main(argv: list[str] | None = None) -> int:
    options = parser().parse_args(argv)
    os.makedirs(options.reports, exist_ok=True)
    files = {form: os.path.join(options.reports, name) for form, name in REPORTS.items()}
    command = ["verify", *shlex.split(options.args)]
    if options.strict.strip().lower() in ("true", "1", "yes"):
        command.append("--strict")
    for file in files.values():
        command += ["-o", file]
    paths = options.paths.split()
    if paths:  # else [tool.derivcheck] paths of the repository's pyproject.toml
        command += ["--path", *paths]
    added = "GITHUB_ACTIONS" not in os.environ  # the annotations, also when run by hand
    if added:
        os.environ["GITHUB_ACTIONS"] = "true"
    try:
        code = cli.main(command)
    finally:  # called in-process (by a test), the caller's environment is left as it was
        if added:
            del os.environ["GITHUB_ACTIONS"]
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary and os.path.isfile(files["markdown"]):
        with (
            open(files["markdown"], encoding="utf-8") as report,
            open(summary, "a", encoding="utf-8") as out,
        ):
            out.write(report.read())
    outputs = os.environ.get("GITHUB_OUTPUT")
    if outputs:
        with open(outputs, "a", encoding="utf-8") as out:
            out.write(f"exit-code={int(code)}\npassed={'true' if code == 0 else 'false'}\n")
            out.write(f"reports={options.reports}\n")
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
