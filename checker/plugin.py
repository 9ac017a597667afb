"""The pytest plugin: `pytest --derivcheck` checks derivation modules, one test item per step.

Registered by the `pytest11` entry point once derivcheck is installed; it does nothing (and
imports nothing heavy) unless `--derivcheck` is given. Item ids read
`derivations/bce_gradients.py::bce-gradients::step-3`; a refuted or error step fails with the
counterexample and the command that re-checks it; an erratum passes when it is refuted and its
correction holds, and fails otherwise, like a strict xfail.

    [tool.pytest.ini_options]            # or pytest.ini / setup.cfg
    derivcheck_paths = ["derivations/*.py"]   # globs, relative to the rootdir
    derivcheck_strict = false                 # also: derivcheck_seed, _points, _timeout
"""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path

import pytest

DEFAULT_PATHS = ["derivations/*.py"]


def pytest_addoption(parser) -> None:
    group = parser.getgroup("derivcheck", "derivation checking (derivcheck)")
    group.addoption(
        "--derivcheck",
        action="store_true",
        help="collect derivation modules (derivcheck_paths) as tests, one per step",
    )
    group.addoption(
        "--derivcheck-strict",
        action="store_true",
        help="fail steps that are only 'confirmed' (pytest's own --strict is taken)",
    )
    parser.addini(
        "derivcheck_paths",
        "globs of derivation modules, relative to the rootdir (default: the paths of "
        "[tool.derivcheck] in pyproject.toml, else derivations/*.py)",
        type="args",
        default=None,
    )
    parser.addini("derivcheck_seed", "random seed of the checks (default 0)", default="")
    parser.addini("derivcheck_points", "sample points per claim (default 20)", default="")
    parser.addini("derivcheck_timeout", "time limit per claim, seconds (default 10)", default="")
    parser.addini("derivcheck_strict", "fail 'confirmed' steps", type="bool", default=False)


class Settings:
    """The run's options: the ini options, else [tool.derivcheck], else the defaults."""

    def __init__(self, config):
        from .sources.config import find_config

        table = find_config(str(config.rootpath))
        root = config.rootpath

        def number(name, kind, configured, default):
            text = config.getini(f"derivcheck_{name}")
            if text in ("", None):
                return default if configured is None else configured
            try:
                return kind(text)
            except ValueError:
                raise pytest.UsageError(
                    f"derivcheck_{name} must be {kind.__name__}, got {text!r}"
                ) from None

        globs = config.getini("derivcheck_paths")
        if globs:
            self.patterns = [str(root / g) for g in globs]
        elif table.paths:  # a directory of [tool.derivcheck] stands for its modules
            self.patterns = [
                os.path.join(p, "*.py") if os.path.isdir(p) else p for p in table.paths
            ]
        else:
            self.patterns = [str(root / g) for g in DEFAULT_PATHS]
        self.seed = number("seed", int, table.seed, 0)
        self.points = number("points", int, table.points, 20)
        self.timeout = number("timeout", float, table.timeout, 10.0)
        self.strict = (
            config.getoption("derivcheck_strict") or config.getini("derivcheck_strict")
        ) or table.strict
        self.loaded: dict[str, list] = {}  # a file's (or its package's) derivations

    def matches(self, path: Path) -> bool:
        text = str(path)
        return any(fnmatch.fnmatch(text, pattern) for pattern in self.patterns)

    def derivations_of(self, path: Path) -> list:
        """The derivations a file defines; a file of a package is loaded with its package, so
        that its relative imports work."""
        from .sources.loader import load_path

        unit = path.parent if (path.parent / "__init__.py").is_file() else path
        key = str(unit)
        if key not in self.loaded:
            self.loaded[key] = load_path(key)
        return [d for d in self.loaded[key] if Path(d.source_file).resolve() == path.resolve()]


SETTINGS = pytest.StashKey[Settings]()
RESULTS = pytest.StashKey[dict]()


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "derivcheck_erratum: a step false as written, which must be refuted"
    )
    if config.getoption("derivcheck"):
        config.stash[SETTINGS] = Settings(config)
        config.stash[RESULTS] = {}


def pytest_collect_file(file_path: Path, parent):
    # NOTES FRONT END: once `derivcheck check NOTES.md` exists, collect Markdown notes with
    # declarations here too, one item per line (ids notes.md::line-42).
    settings = parent.config.stash.get(SETTINGS, None)
    if settings is None or file_path.suffix != ".py" or not settings.matches(file_path):
        return None
    return DerivationFile.from_parent(parent, path=file_path)


class DerivationFile(pytest.File):
    def collect(self):
        from .sources.loader import LoadError

        settings = self.config.stash[SETTINGS]
        try:
            found = settings.derivations_of(self.path)
        except LoadError as error:
            raise self.CollectError(str(error)) from None
        for derivation in found:
            yield DerivationNode.from_parent(self, name=derivation.name, derivation=derivation)


class DerivationNode(pytest.Collector):
    def __init__(self, *, derivation, **kwargs):
        super().__init__(**kwargs)
        self.derivation = derivation

    def collect(self):
        for step in self.derivation.steps:
            yield StepItem.from_parent(self, name=f"step-{step.number}", step=step)


class StepItem(pytest.Item):
    def __init__(self, *, step, **kwargs):
        super().__init__(**kwargs)
        self.step = step
        self.derivation = self.parent.derivation
        if step.erratum:
            self.add_marker("derivcheck_erratum")

    def reportinfo(self):
        where = f"{self.derivation.name} step {self.step.number}"
        return self.path, self.step.source_line - 1, where

    def runtest(self) -> None:
        report = self.check()
        outcome = report.outcomes[0]
        if not outcome.ok(report.strict):
            raise StepFailed(self, report, outcome)

    def check(self):
        """This step's one-step report. Outside pytest-xdist, the steps of a derivation that
        this run selected are checked together (their claims share the worker pool), once."""
        from dataclasses import replace

        from .run.api import verify_derivations

        settings = self.config.stash[SETTINGS]
        results = self.config.stash[RESULTS]
        key = (self.nodeid.rsplit("::", 1)[0], self.step.number)
        if key not in results:
            together = [self]
            if not hasattr(self.config, "workerinput"):  # xdist sends items one by one
                together = [
                    item
                    for item in self.session.items
                    if isinstance(item, StepItem)
                    and item.parent is self.parent
                    and (item.parent.nodeid, item.step.number) not in results
                ]
            report = verify_derivations(
                [self.derivation],
                seed=settings.seed,
                points=settings.points,
                timeout=settings.timeout,
                strict=settings.strict,
                steps={item.step.number for item in together},
            )
            (done,) = report.derivations
            for outcome in done.steps:
                single = replace(done, steps=(outcome,))
                results[key[0], outcome.step.number] = replace(report, derivations=(single,))
        return results[key]

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, StepFailed):
            return excinfo.value.text()
        return super().repr_failure(excinfo)


class StepFailed(Exception):
    """A step that is not ok: its text is the step's block of the text report."""

    def __init__(self, item: StepItem, report, outcome):
        super().__init__(f"{item.derivation.name} step {item.step.number}")
        self.item, self.report, self.outcome = item, report, outcome

    def text(self) -> str:
        from .reports.text import step_lines

        outcome, step = self.outcome, self.item.step
        if step.erratum and outcome.result.verdict != "refuted":
            head = (
                f"[XPASS(strict)] erratum {outcome.result.verdict}: this line is marked false "
                "as written (erratum=fix(...)), but it was not refuted"
            )
        elif step.erratum:
            head = f"the erratum's correction is {outcome.correction.verdict}, not proved"
        elif outcome.result.verdict == "confirmed":
            head = "confirmed only (no symbolic proof); --derivcheck-strict needs proved"
        else:
            head = f"{outcome.result.verdict}: {outcome.result.message}"
        lines = [head, *step_lines(outcome, self.report, self.item.derivation, False)]
        lines.append(f're-run: pytest --derivcheck "{self.item.nodeid}"')
        return "\n".join(lines)


def pytest_report_header(config):
    settings = config.stash.get(SETTINGS, None)
    if settings is None:
        return None
    return (
        f"derivcheck: seed {settings.seed} · {settings.points} points · "
        f"{settings.timeout:g} s per claim{' · strict' if settings.strict else ''}"
    )
