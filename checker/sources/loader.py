"""Find derivations: the notes' own, by name, or every Derivation in a user's Python file."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import sys
from pathlib import Path

from ..model import Derivation


class LoadError(ValueError):
    """A derivations file or name that cannot be used; the message says why in one line."""


def builtin() -> tuple[Derivation, ...]:
    import derivations

    return derivations.ALL


def select(available, names) -> list[Derivation]:
    by_name: dict[str, Derivation] = {}
    for d in available:
        if by_name.setdefault(d.name, d) is not d:
            raise LoadError(
                f"two derivations are named {d.name!r} ({by_name[d.name].source_file} and "
                f"{d.source_file}); give each its own name"
            )
    if not names:
        return list(available)
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise LoadError(f"unknown derivation {unknown[0]!r}; known: {', '.join(sorted(by_name))}")
    return [by_name[n] for n in names]


def load_path(path: str) -> list[Derivation]:
    """Every module-level Derivation of a Python file, in the order they are defined."""
    file = Path(path)
    if not file.exists():
        raise LoadError(f"{path}: no such file")
    if file.is_dir():
        raise LoadError(f"{path}: is a directory; give a Python file of derivations")
    if file.suffix != ".py":
        raise LoadError(f"{path}: not a Python file (expected a .py module of derivations)")
    name = f"derivcheck_user_{abs(hash(file.resolve()))}"
    spec = importlib.util.spec_from_file_location(name, file)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # workers load the same module under the same name
    try:
        with contextlib.redirect_stdout(sys.stderr):  # keep stdout for the report
            spec.loader.exec_module(module)
    except SyntaxError as error:
        del sys.modules[name]
        raise LoadError(f"{path}:{error.lineno}: syntax error: {error.msg}") from None
    except KeyboardInterrupt:
        del sys.modules[name]
        raise
    except BaseException as error:  # SystemExit too: a module must not end the run
        del sys.modules[name]
        line = error_line(error, file)
        raise LoadError(
            f"{path}{line}: importing it raised {type(error).__name__}: {first_line(str(error))}"
        ) from None
    found: list[Derivation] = []
    for value in vars(module).values():
        candidates = value if isinstance(value, (list, tuple)) else (value,)
        for candidate in candidates:
            if isinstance(candidate, Derivation) and candidate not in found:
                found.append(candidate)
    found = [dataclasses.replace(d, origin=str(file)) for d in found]  # for the re-run command
    if not found:
        raise LoadError(
            f"{path}: defines no Derivation; build one with checker.dsl.derivation(...) "
            "at module level"
        )
    return found


def error_line(error: Exception, file: Path) -> str:
    tb = error.__traceback__
    line = ""
    while tb is not None:
        if Path(tb.tb_frame.f_code.co_filename).resolve() == file.resolve():
            line = f":{tb.tb_lineno}"
        tb = tb.tb_next
    return line


def first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""
