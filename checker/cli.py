"""The command line: `derivcheck verify`, `explain`, `list`, `mutate`; the only module doing I/O."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import textwrap
import time
from enum import IntEnum

from .checks.engine import DEFAULT_POINTS, DEFAULT_TIMEOUT
from .run.api import MAX_TIMEOUT
from .sources.config import find_config
from .sources.loader import LoadError, first_line, load_changed, load_paths, select


class ExitCode(IntEnum):
    OK = 0  # every step proved or confirmed, every erratum refuted
    FAILED = 1  # some step failed
    USAGE = 2  # bad arguments or an unusable derivations file
    INTERNAL = 3  # a bug in derivcheck


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def time_limit(text: str) -> float:
    value = float(text)
    if not 0 < value <= MAX_TIMEOUT:  # also rejects nan
        raise argparse.ArgumentTypeError(f"must be in (0, {MAX_TIMEOUT:g}] seconds, got {text}")
    return value


FORMATS = ("text", "json", "html", "junit", "markdown")
SUFFIXES = {".json": "json", ".html": "html", ".htm": "html", ".xml": "junit", ".md": "markdown"}


def run_options(command: argparse.ArgumentParser) -> None:
    """The options `verify` and `explain` share: where derivations come from, how to sample."""
    path_option(command)
    command.add_argument("--seed", type=int, help="random seed (default 0)")
    command.add_argument(
        "--points",
        type=positive_int,
        help=f"sample points per claim (default {DEFAULT_POINTS})",
    )
    command.add_argument(
        "--timeout",
        type=time_limit,
        help=f"time limit per claim in seconds (default {DEFAULT_TIMEOUT:g})",
    )
    command.add_argument("--debug", action="store_true", help="show tracebacks")


def path_option(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="PATH",
        help="check the derivations of this Python file or directory (repeatable; a NAME "
        "with a / or ending in .py is a path too, so --path notes/*.py works; default: "
        "`paths` of [tool.derivcheck] in pyproject.toml)",
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="derivcheck",
        description="Check every step of a derivation with SymPy, mpmath and JAX autodiff.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check derivations (all by default)")
    verify.add_argument("names", nargs="*", metavar="NAME", help="derivations to check")
    run_options(verify)
    verify.add_argument(
        "--step",
        action="append",
        type=positive_int,
        default=[],
        metavar="N",
        help="check only step N (repeatable)",
    )
    verify.add_argument(
        "--format",
        choices=FORMATS,
        help="report format (default text; for -o FILE, from its suffix: .json .html .xml .md)",
    )
    verify.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="FILE",
        help="write the report to FILE (repeatable: one run, several reports)",
    )
    verify.add_argument(
        "--changed",
        action="store_true",
        help="the --path files are a commit's changed files (pre-commit): check the "
        "derivations they define, skip the others",
    )
    verify.add_argument(
        "--strict",
        action="store_true",
        help="fail on 'confirmed' too: every step needs a symbolic proof",
    )
    verify.add_argument("-v", "--verbose", action="store_true", help="every method's detail")
    verify.add_argument(
        "-q", "--quiet", action="store_true", help="only the failures and the summary line"
    )
    explain = commands.add_parser("explain", help="the full story of one step")
    explain.add_argument("names", nargs=1, metavar="NAME", help="the derivation")
    explain.add_argument("number", metavar="STEP", type=positive_int, help="the step's number")
    run_options(explain)
    listing = commands.add_parser("list", help="list the derivations")
    path_option(listing)
    add_mutate(commands)
    return top


def add_mutate(commands) -> None:
    from .mutation.mutants import KINDS

    mutate = commands.add_parser(
        "mutate", help="mutation testing: wrong variants of every step must be refuted"
    )
    mutate.add_argument("names", nargs="*", metavar="NAME", help="derivations to mutate")
    path_option(mutate)
    mutate.add_argument("--seed", type=int, help="random seed (default 0)")
    mutate.add_argument(
        "--sample", type=positive_int, metavar="N", help="a seeded sample of N mutants"
    )
    mutate.add_argument(
        "--kind", action="append", choices=KINDS, default=[], help="only mutants of this kind"
    )
    mutate.add_argument("--format", choices=("text", "json"), default="text")
    mutate.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")


def is_path(name: str) -> bool:
    """A NAME that can only be a file or a directory: `--path notes/*.py` expands to one
    --path and more NAMEs."""
    return "/" in name or os.sep in name or name.endswith(".py")


def configure(args) -> None:
    """Options not given on the command line from [tool.derivcheck], then the defaults."""
    names = getattr(args, "names", None)
    if names and args.command != "explain":
        args.path = [*args.path, *(n for n in names if is_path(n))]
        args.names = [n for n in names if not is_path(n)]
    config = find_config()
    if not args.path:
        if not config.paths:
            where = config.file or "pyproject.toml"
            raise LoadError(
                "no derivations to check: give --path FILE.py or DIRECTORY, or list them "
                f'in {where} as [tool.derivcheck] paths = ["derivations"]'
            )
        args.path = list(config.paths)
    defaults = {"seed": (config.seed, 0), "points": (config.points, DEFAULT_POINTS),
                "timeout": (config.timeout, DEFAULT_TIMEOUT)}  # fmt: skip
    for key, (configured, default) in defaults.items():
        if hasattr(args, key) and getattr(args, key) is None:
            setattr(args, key, default if configured is None else configured)
    if config.timeout is not None and not config.timeout <= MAX_TIMEOUT:
        raise LoadError(
            f"{config.file}: [tool.derivcheck] timeout must be at most {MAX_TIMEOUT:g} seconds, "
            f"got {config.timeout:g}"
        )
    if hasattr(args, "strict"):
        args.strict = args.strict or config.strict


def gather(args) -> list:
    if getattr(args, "changed", False):
        available, skipped = load_changed(args.path)
        if skipped:
            print(
                f"derivcheck: {len(skipped)} changed file(s) define no derivation, skipped: "
                + ", ".join(os.path.relpath(p) for p in skipped),
                file=sys.stderr,
            )
        if not available:
            return []
    else:
        available = load_paths(args.path)
    names = list(dict.fromkeys(getattr(args, "names", [])))  # each name once
    return select(available, names)


def main(argv: list[str] | None = None) -> int:
    top = parser()
    args, extra = top.parse_known_args(argv)
    # `NAME --path notes/*.py`: the files after the first reach here as extra arguments
    paths = [e for e in extra if is_path(e) and not e.startswith("-")]
    if len(paths) < len(extra) or (paths and not hasattr(args, "path")):
        top.error(f"unrecognized arguments: {' '.join(e for e in extra if e not in paths)}")
    if paths:
        args.path = [*args.path, *paths]
    try:
        return run(args)
    except LoadError as error:
        print(f"derivcheck: error: {error}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("derivcheck: interrupted", file=sys.stderr)
        return ExitCode.FAILED
    except Exception as error:  # a bug in derivcheck: say so in one line unless --debug
        if getattr(args, "debug", False):
            raise
        print(
            f"derivcheck: internal error: {type(error).__name__}: {first_line(str(error))} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL


def run(args) -> int:
    configure(args)
    derivations = gather(args)
    if not derivations:  # --changed, and no changed file is a derivation module
        print("derivcheck: no derivation among the changed files; nothing to check")
        return ExitCode.OK
    if args.command == "list":
        for d in derivations:
            title = textwrap.shorten(d.title, 80 - 36, placeholder="…")
            print(f"{d.name:<24} {len(d.steps):>3} steps  {title}")
        return ExitCode.OK
    if args.command == "explain":
        return explain(args, derivations)
    if args.command == "mutate":
        return mutate(args, derivations)
    if args.step and len(derivations) != 1:
        raise LoadError("--step needs exactly one derivation NAME")
    outputs = [(path, output_format(path, args.format)) for path in args.output]
    for path, _ in outputs:  # fail before the run, not after it
        try:
            open(path, "a", encoding="utf-8").close()
        except OSError as error:
            raise LoadError(f"cannot write the report to {path}: {error.strerror}") from None
    report = check(args, derivations, set(args.step) or None)
    for path, form in outputs:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(render(report, form, args))
    if outputs:  # the files hold the reports; the log keeps what needs acting on
        sys.stdout.write(render(report, "text", args, quiet=True, stdout=True))
    else:
        sys.stdout.write(render(report, args.format or "text", args, stdout=True))
    if os.environ.get("GITHUB_ACTIONS") == "true":
        from .reports.github import render_annotations

        sys.stdout.write(render_annotations(report))
    return ExitCode.OK if report.passed else ExitCode.FAILED


def explain(args, derivations) -> int:
    from .reports.explain import render_explain

    if len(derivations) != 1:
        raise LoadError("explain needs exactly one derivation NAME")
    report = check(args, derivations, {args.number}, describe=True)
    sys.stdout.write(render_explain(report, derivations[0].name, args.number))
    return ExitCode.OK if report.passed else ExitCode.FAILED


def check(args, derivations, steps, describe=False):
    """The report of one run, with a progress bar on a terminal once it takes over a second."""
    from .run.api import verify_derivations

    progress = ProgressBar() if sys.stderr.isatty() else None
    try:
        report = verify_derivations(
            derivations,
            seed=args.seed,
            points=args.points,
            timeout=args.timeout,
            strict=getattr(args, "strict", False),
            steps=steps,
            debug=args.debug,
            progress=progress,
            describe=describe,
        )
    finally:
        if progress is not None:
            progress.stop()
    if not report.outcomes:
        raise LoadError("no step matched; see `derivcheck list` for names and step counts")
    return report


def output_format(path: str, chosen: str | None) -> str:
    return chosen or SUFFIXES.get(os.path.splitext(path)[1].lower(), "text")


def render(report, form: str, args, quiet: bool | None = None, stdout: bool = False) -> str:
    """The report in one format; colour and the terminal's width only for a terminal."""
    quiet = args.quiet if quiet is None else quiet
    if form == "text":
        from .reports.terminal import render_terminal

        terminal = stdout and sys.stdout.isatty()
        color = terminal and not os.environ.get("NO_COLOR")
        width = min(max(shutil.get_terminal_size().columns, 60), 120) if terminal else 80
        return render_terminal(report, width=width, color=color, verbose=args.verbose, quiet=quiet)
    if form == "json":
        from .reports.json import render_json

        return render_json(report)
    if form == "html":
        from .reports.html import render_html

        return render_html(report)
    if form == "junit":
        from .reports.junit import render_junit

        return render_junit(report)
    from .reports.markdown import render_markdown

    return render_markdown(report)


class ProgressBar:
    """Claims done out of claims sent, on stderr, shown only once the run passes a second."""

    def __init__(self):
        self.start = time.monotonic()
        self.bar = None
        self.task = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.start < 1.0 or done >= total:
                return
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("checking claims", total=total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def mutate(args, derivations) -> int:
    from .mutation.mutate import run_mutation
    from .mutation.report import render_mutation_json, render_mutation_text

    def progress(done, total, survivors):
        print(f"derivcheck mutate: {done}/{total} checked, {survivors} survived", file=sys.stderr)

    report = run_mutation(
        derivations,
        seed=args.seed,
        sample=args.sample,
        kinds=set(args.kind) or None,
        progress=progress,
    )
    render = render_mutation_json if args.format == "json" else render_mutation_text
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(render(report))
        if args.format != "text":
            sys.stdout.write(render_mutation_text(report))
    else:
        sys.stdout.write(render(report))
    return ExitCode.OK if report.passed else ExitCode.FAILED


if __name__ == "__main__":
    sys.exit(main())
