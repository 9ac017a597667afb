"""The command line: `derivcheck verify`, `check`, `read`, `explain`, `list`, `mutate`; the only
module doing I/O."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sys
import textwrap
import time
from enum import IntEnum

from .checks.engine import DEFAULT_POINTS, DEFAULT_TIMEOUT
from .notes import NotesError
from .run.api import MAX_TIMEOUT
from .run.cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from .sources.config import find_config
from .sources.loader import LoadError, first_line, load_changed, load_paths, select
from .suggest.api import DEFAULT_SECONDS as SUGGEST_SECONDS


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


def seed_value(text: str) -> int:
    value = int(text)
    if value < 0:  # as verify_step: a seed is a non-negative integer
        raise argparse.ArgumentTypeError(f"must be a non-negative integer, got {value}")
    return value


def time_limit(text: str) -> float:
    value = float(text)
    if not 0 < value <= MAX_TIMEOUT:  # also rejects nan
        raise argparse.ArgumentTypeError(f"must be in (0, {MAX_TIMEOUT:g}] seconds, got {text}")
    return value


CACHE_ENV = "DERIVCHECK_CACHE_DIR"  # the default --cache-dir (a test run's own, CI's)
FORMATS = ("text", "json", "html", "junit", "markdown")
SUFFIXES = {".json": "json", ".html": "html", ".htm": "html", ".xml": "junit", ".md": "markdown"}


def run_options(command: argparse.ArgumentParser, paths: bool = True) -> None:
    """The options `verify`, `check` and `explain` share: where derivations come from, how to
    sample."""
    if paths:
        path_option(command)
    command.add_argument("--seed", type=seed_value, help="random seed (default 0)")
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
    command.add_argument(
        "--suggest-timeout",
        type=time_limit,
        default=SUGGEST_SECONDS,
        metavar="S",
        help="time for the search of a refuted step's correction, in seconds "
        f"(default {SUGGEST_SECONDS:g})",
    )
    command.add_argument(
        "--no-suggest", action="store_true", help="do not search refuted steps' corrections"
    )
    command.add_argument("--debug", action="store_true", help="show tracebacks")
    command.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        metavar="N",
        help="worker processes checking claims at once (default: one per CPU core)",
    )
    command.add_argument(
        "--cache-dir",
        metavar="DIR",
        default=os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR,
        help=f"where results are kept between runs (default ${CACHE_ENV} or {DEFAULT_CACHE_DIR})",
    )
    command.add_argument(
        "--no-cache",
        action="store_true",
        help="check every claim again, and keep nothing for the next run",
    )


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
        "--changed",
        action="store_true",
        help="the --path files are a commit's changed files (pre-commit): check the "
        "derivations they define, skip the others",
    )
    report_options(verify)
    check = commands.add_parser("check", help="check every equals sign of Markdown notes")
    check.add_argument("notes", nargs="+", metavar="NOTES.md", help="Markdown + LaTeX notes")
    run_options(check, paths=False)
    report_options(check)
    read = commands.add_parser("read", help="how every equals sign of notes is read")
    read.add_argument("notes", nargs="+", metavar="NOTES.md", help="Markdown + LaTeX notes")
    read.add_argument("--debug", action="store_true", help="show tracebacks")
    explain = commands.add_parser("explain", help="the full story of one step")
    explain.add_argument(
        "names", nargs=1, metavar="NAME", help="the derivation, or a notes file (NOTES.md)"
    )
    explain.add_argument(
        "number", metavar="STEP", type=positive_int, help="the step's number (notes: the LINE)"
    )
    run_options(explain)
    listing = commands.add_parser("list", help="list the derivations")
    path_option(listing)
    add_mutate(commands)
    caching = commands.add_parser("cache", help="the result cache: `derivcheck cache clear`")
    caching.add_argument("action", choices=("clear",), help="clear: remove every kept result")
    caching.add_argument(
        "--cache-dir", metavar="DIR", default=os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR
    )
    return top


def report_options(command: argparse.ArgumentParser) -> None:
    """The options `verify` and `check` share: the report's form and the verdicts' bar."""
    command.add_argument(
        "--format",
        choices=FORMATS,
        help="report format (default text; for -o FILE, from its suffix: .json .html .xml .md)",
    )
    command.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="FILE",
        help="write the report to FILE (repeatable: one run, several reports)",
    )
    command.add_argument(
        "--strict",
        action="store_true",
        help="fail on 'confirmed' too: every step needs a symbolic proof",
    )
    command.add_argument("-v", "--verbose", action="store_true", help="every method's detail")
    command.add_argument(
        "-q", "--quiet", action="store_true", help="only the failures and the summary line"
    )


def add_mutate(commands) -> None:
    from .mutation.mutants import KINDS

    mutate = commands.add_parser(
        "mutate", help="mutation testing: wrong variants of every step must be refuted"
    )
    mutate.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help="derivations to mutate, or notes files (NOTES.md: every derivation read from them)",
    )
    path_option(mutate)
    mutate.add_argument("--seed", type=seed_value, help="random seed (default 0)")
    mutate.add_argument(
        "--sample", type=positive_int, metavar="N", help="a seeded sample of N mutants"
    )
    mutate.add_argument(
        "--kind", action="append", choices=KINDS, default=[], help="only mutants of this kind"
    )
    mutate.add_argument(
        "--suggest",
        action="store_true",
        help="search each refuted mutant's correction; report how often it is the original line",
    )
    mutate.add_argument(
        "--suggest-timeout",
        type=time_limit,
        default=SUGGEST_SECONDS,
        metavar="S",
        help=f"with --suggest, the search's time per mutant (default {SUGGEST_SECONDS:g})",
    )
    mutate.add_argument("--format", choices=("text", "json"), default="text")
    mutate.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")


def is_path(name: str) -> bool:
    """A NAME that can only be a file or a directory: `--path notes/*.py` expands to one
    --path and more NAMEs."""
    return "/" in name or os.sep in name or name.endswith(".py") or is_notes_file(name)


def is_notes_file(name: str) -> bool:
    return name.lower().endswith((".md", ".markdown"))


def configure(args) -> None:
    """Options not given on the command line from [tool.derivcheck], then the defaults."""
    names = getattr(args, "names", None)
    if names and args.command != "explain":
        args.path = [*args.path, *(n for n in names if is_path(n))]
        args.names = [n for n in names if not is_path(n)]
    config = find_config()
    if hasattr(args, "path") and not args.path and not is_notes(args):
        if not config.paths:
            where = config.file or "pyproject.toml"
            raise LoadError(
                "no derivations to check: give --path FILE.py or DIRECTORY, or list them "
                f'in {where} as [tool.derivcheck] paths = ["derivations"]'
            )
        args.path = list(config.paths)
        args.configured = True  # the re-run command needs no --path for these
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
    if args.command in ("check", "read") or is_notes(args):
        return []
    if args.command == "mutate" and any(is_notes_file(p) for p in args.path):
        return mutated_notes(args)
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
        if getattr(args, "configured", False):  # [tool.derivcheck] finds them again
            available = [dataclasses.replace(d, origin="") for d in available]
    names = list(dict.fromkeys(getattr(args, "names", [])))  # each name once
    return select(available, names)


def mutated_notes(args) -> list:
    """`derivcheck mutate NOTES.md …`: the derivations read from the notes files (and those of
    any module given beside them), each under the name its block gives it."""
    from .notes import read_notes

    notes = [p for p in dict.fromkeys(args.path) if is_notes_file(p)]
    modules = [p for p in args.path if not is_notes_file(p)]
    available = [d for path in notes for d in read_notes(path).derivations]
    available += load_paths(modules) if modules else []
    unique_names(available)
    return select(available, list(dict.fromkeys(args.names)))


def unique_names(derivations) -> None:
    """A usage error if two derivations read from notes share a name."""
    names = [d.name for d in derivations]
    for name in names:
        if names.count(name) > 1:
            raise LoadError(f"two derivations are named {name!r}; give each block its own name")


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
    except (LoadError, NotesError) as error:  # it may quote a user's file: no escape passes
        from .reports.text import printable

        print(f"derivcheck: error: {printable(str(error))}", file=sys.stderr)
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


def is_notes(args) -> bool:
    return args.command == "explain" and args.names[0].lower().endswith((".md", ".markdown"))


def run(args) -> int:
    if args.command == "cache":
        return clear_cache(args)
    configure(args)
    if args.command == "read":
        return read_command(args)
    if args.command == "check" or is_notes(args):
        return check_notes(args)
    derivations = gather(args)
    if not derivations:  # --changed, and no changed file is a derivation module
        print("derivcheck: no derivation among the changed files; nothing to check")
        return ExitCode.OK
    if args.command == "list":
        from .reports.text import printable

        for d in derivations:
            title = textwrap.shorten(printable(d.title), 80 - 36, placeholder="…")
            print(f"{d.name:<24} {len(d.steps):>3} steps  {title}")
        return ExitCode.OK
    if args.command == "explain":
        return explain(args, derivations)
    if args.command == "mutate":
        return mutate(args, derivations)
    return verify(args, derivations)


def verify(args, derivations, readings=()) -> int:
    """Check the derivations, write every report asked for; `readings` are notes files read."""
    if getattr(args, "step", None) and len(derivations) != 1:
        raise LoadError("--step needs exactly one derivation NAME")
    args.notes_pages = tuple(notes_page(reading) for reading in readings)
    outputs = [(path, output_format(path, args.format)) for path in args.output]
    for path, _ in outputs:  # fail before the run, not after it
        try:
            open(path, "a", encoding="utf-8").close()
        except OSError as error:
            raise LoadError(f"cannot write the report to {path}: {error.strerror}") from None
    report = check(args, derivations, set(getattr(args, "step", [])) or None)
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
    unread = False
    for reading in readings:  # the notes' equals signs not read: listed, and they fail the run
        text = notes_summary(reading)
        stream = sys.stdout if not outputs and (args.format or "text") == "text" else sys.stderr
        stream.write(text)
        unread = unread or bool(reading.unexplained)
        if os.environ.get("GITHUB_ACTIONS") == "true":
            from .reports.github import escape

            for r in reading.unexplained:
                where = f"file={escape(reading.path, True)},line={r.line},col={r.column}"
                sys.stdout.write(f"::error {where},title=not read::{escape(r.error)}\n")
    return ExitCode.OK if report.passed and not unread else ExitCode.FAILED


def notes_page(reading):
    """What the HTML report needs of a notes file: its text, blocks, and every sign's step."""
    from .reports.notes_view import Mark, NotesPage

    marks = tuple(
        Mark(
            r.pos,
            f"{reading.path}:{r.line}:{r.column}",
            r.status,
            r.derivation,
            r.step.number if r.step is not None else 0,
            r.error,
        )
        for r in reading.readings
    )
    return NotesPage(reading.path, reading.text, reading.blocks, marks)


def read_all(args) -> list:
    from .notes import read_notes

    return [read_notes(path) for path in dict.fromkeys(args.notes)]


def notes_summary(reading) -> str:
    """How many equals signs of a notes file were read, and each one that was not, with why."""
    total = len(reading.readings)
    read = sum(r.read for r in reading.readings)
    skipped = sum(r.status == "skipped" for r in reading.readings)
    lines = [
        f"{reading.path}: {total} equals sign{'' if total == 1 else 's'}, {read} read, "
        f"{skipped} skipped by the "
        f"declaration, {total - read - skipped} not read"
    ]
    lines.extend(
        f"  {r.error}"
        if r.status == "not read"
        else f"  {reading.path}:{r.line}:{r.column}: {r.error}"
        for r in reading.not_read
    )
    return "\n".join(lines) + "\n"


def check_notes(args) -> int:
    if args.command == "explain":
        args.notes = args.names
    readings = read_all(args)
    derivations = [d for reading in readings for d in reading.derivations]
    unique_names(derivations)
    if args.command == "explain":
        return explain_notes(args, readings[0])
    if not derivations:
        for reading in readings:
            sys.stderr.write(notes_summary(reading))
        raise LoadError("no claim was read from the notes; see `derivcheck read`")
    return verify(args, derivations, readings)


def explain_notes(args, reading) -> int:
    """Every step whose equals sign is on the notes' line LINE, each with its whole story."""
    from .reports.explain import render_explain

    line = args.number
    on_line = [r for r in reading.readings if r.line == line]
    if not on_line:
        raise LoadError(f"{reading.path}:{line}: no equals sign on this line")
    code = ExitCode.OK
    for r in on_line:
        if r.step is None:
            status = "a definition" if r.status == "definition" else r.status
            print(f"{reading.path}:{r.line}:{r.column}: {status}: {r.error or r.latex}")
            continue
        (derivation,) = [d for d in reading.derivations if d.name == r.derivation]
        report = check(args, [derivation], {r.step.number}, describe=True)
        sys.stdout.write(render_explain(report, derivation.name, r.step.number))
        if not report.passed:
            code = ExitCode.FAILED
    return code


def read_command(args) -> int:
    """`derivcheck read`: every equals sign, where it is, both sides as read, or why not."""
    import sympy

    from .reports.readable import to_text

    code = ExitCode.OK
    for reading in read_all(args):
        for r in reading.readings:
            where = f"{reading.path}:{r.line}:{r.column}"
            mark = {"claim": "claim", "definition": "definition"}.get(r.status, r.status)
            rule = r.rule
            if r.status == "claim" and rule is not None and rule.expect:
                mark = "claim, expected refuted"
            print(f"{where} (sign {r.sign}) {mark} · {r.derivation or '-'}")
            if r.read:
                print(f"    as written  {to_text(r.latex)}")
                print(f"    lhs         {sympy.sstr(r.lhs)}")
                print(f"    rhs         {sympy.sstr(r.rhs)}")
                for remark in r.remarks:
                    print(f"    note        {remark}")
                if r.conditions:
                    shown = ", ".join(f"{k} ≠ {m}" for k, m in r.conditions)
                    print(f"    given       {shown}")
            else:
                if r.latex:
                    print(f"    as written  {to_text(r.latex)}")
                print(f"    not read    {r.error}")
        sys.stdout.write(notes_summary(reading))
        if reading.unexplained:
            code = ExitCode.FAILED
    return code


def clear_cache(args) -> int:
    from .run.cache import clear

    try:
        count = clear(args.cache_dir)
    except (ValueError, OSError) as error:
        raise LoadError(f"cannot clear the cache: {error}") from None
    print(f"derivcheck: removed {count} cached results from {args.cache_dir}")
    return ExitCode.OK


def explain(args, derivations) -> int:
    from .reports.explain import render_explain

    if len(derivations) != 1:
        raise LoadError("explain needs exactly one derivation NAME")
    report = check(args, derivations, {args.number}, describe=True)
    sys.stdout.write(render_explain(report, derivations[0].name, args.number))
    return ExitCode.OK if report.passed else ExitCode.FAILED


def check(args, derivations, steps, describe=False):
    """The report of one run, with a progress bar on a terminal once it takes over a second."""
    from .run.api import open_cache, verify_derivations

    progress = ProgressBar() if sys.stderr.isatty() else None
    cache_dir = None if args.no_cache else args.cache_dir
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
            cache_dir=cache_dir,
            jobs=args.jobs,
        )
        if not args.no_suggest:
            from .suggest.api import suggest_report

            cache = open_cache(cache_dir, getattr(args, "strict", False))
            report = suggest_report(
                report, seconds=args.suggest_timeout, progress=progress, cache=cache
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

        return render_html(report, getattr(args, "notes_pages", ()))
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

    if args.suggest:
        return recovery(args, derivations, progress)
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


def recovery(args, derivations, progress) -> int:
    """`mutate --suggest`: the recovery rate of the suggestions (text only)."""
    from .suggest.recovery import render_recovery, run_recovery

    if args.format != "text":
        raise LoadError("mutate --suggest writes text only; drop --format")
    report = run_recovery(
        derivations,
        seed=args.seed,
        sample=args.sample or 500,
        kinds=set(args.kind) or None,
        seconds=args.suggest_timeout,
        progress=progress,
    )
    text = render_recovery(report)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    sys.stdout.write(text)
    return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
