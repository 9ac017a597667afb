"""The command line: `derivcheck verify`, `list`, `mutate`. The only module that does I/O."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from enum import IntEnum

from .api import MAX_TIMEOUT
from .engine import DEFAULT_POINTS, DEFAULT_TIMEOUT
from .loader import LoadError, builtin, load_path, select


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


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="derivcheck",
        description="Check every step of a derivation with SymPy, mpmath and JAX autodiff.",
    )
    commands = top.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="check derivations (all by default)")
    verify.add_argument("names", nargs="*", metavar="NAME", help="derivations to check")
    verify.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="FILE.py",
        help="check the derivations defined in this Python file",
    )
    verify.add_argument(
        "--step",
        action="append",
        type=positive_int,
        default=[],
        metavar="N",
        help="check only step N (repeatable)",
    )
    verify.add_argument("--format", choices=("text", "json"), default="text")
    verify.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")
    verify.add_argument(
        "--strict",
        action="store_true",
        help="fail on 'confirmed' too: every step needs a symbolic proof",
    )
    verify.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    verify.add_argument(
        "--points",
        type=positive_int,
        default=DEFAULT_POINTS,
        help=f"sample points per claim (default {DEFAULT_POINTS})",
    )
    verify.add_argument(
        "--timeout",
        type=time_limit,
        default=DEFAULT_TIMEOUT,
        help=f"time limit per claim in seconds (default {DEFAULT_TIMEOUT:g})",
    )
    verify.add_argument("-v", "--verbose", action="store_true", help="every method's detail")
    verify.add_argument("--debug", action="store_true", help="show tracebacks")
    listing = commands.add_parser("list", help="list the derivations")
    listing.add_argument("--path", action="append", default=[], metavar="FILE.py")
    add_mutate(commands)
    return top


def add_mutate(commands) -> None:
    from .mutants import KINDS

    mutate = commands.add_parser(
        "mutate", help="mutation testing: wrong variants of every step must be refuted"
    )
    mutate.add_argument("names", nargs="*", metavar="NAME", help="derivations to mutate")
    mutate.add_argument("--path", action="append", default=[], metavar="FILE.py")
    mutate.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    mutate.add_argument(
        "--sample", type=positive_int, metavar="N", help="a seeded sample of N mutants"
    )
    mutate.add_argument(
        "--kind", action="append", choices=KINDS, default=[], help="only mutants of this kind"
    )
    mutate.add_argument("--format", choices=("text", "json"), default="text")
    mutate.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE")


def gather(args) -> list:
    if args.path:
        paths = list(dict.fromkeys(os.path.realpath(p) for p in args.path))  # each file once
        available = [d for path in paths for d in load_path(path)]
    else:
        available = list(builtin())
    names = list(dict.fromkeys(getattr(args, "names", [])))  # each name once
    return select(available, names)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
            f"derivcheck: internal error: {type(error).__name__}: {error} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL


def run(args) -> int:
    derivations = gather(args)
    if args.command == "list":
        for d in derivations:
            title = textwrap.shorten(d.title, 80 - 36, placeholder="…")
            print(f"{d.name:<24} {len(d.steps):>3} steps  {title}")
        return ExitCode.OK
    if args.command == "mutate":
        return mutate(args, derivations)
    from .api import verify_derivations
    from .report_json import render_json
    from .report_text import render_summary, render_text

    if args.step and len(derivations) != 1:
        raise LoadError("--step needs exactly one derivation NAME")
    if args.output:  # fail before the run, not after it
        try:
            open(args.output, "a", encoding="utf-8").close()
        except OSError as error:
            raise LoadError(f"cannot write the report to {args.output}: {error.strerror}") from None
    report = verify_derivations(
        derivations,
        seed=args.seed,
        points=args.points,
        timeout=args.timeout,
        strict=args.strict,
        steps=set(args.step) or None,
        debug=args.debug,
    )
    if not report.outcomes:
        raise LoadError("no step matched; see `derivcheck list` for names and step counts")
    text = (
        render_json(report) if args.format == "json" else render_text(report, verbose=args.verbose)
    )
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
        if args.format != "text":
            print("\n".join(render_summary(report)))
    else:
        sys.stdout.write(text)
    return ExitCode.OK if report.passed else ExitCode.FAILED


def mutate(args, derivations) -> int:
    from .mutate import run_mutation
    from .mutation_report import render_mutation_json, render_mutation_text

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
