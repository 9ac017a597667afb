"""Find derivations: the notes' own, by name, or every Derivation in a user's Python file."""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import sys
import zlib
from pathlib import Path

from ..model import Derivation

USER_MODULE_PREFIX = "derivcheck_user_"  # the names of modules loaded from paths (run.worker)


class LoadError(ValueError):
    """A derivations file or name that cannot be used; the message says why in one line."""


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


def load_paths(paths) -> list[Derivation]:
    """The Derivations of several files and directories, each file once, in the order given."""
    found: list[Derivation] = []
    unique: dict[str, str] = {}
    for path in paths:
        unique.setdefault(os.path.realpath(path), path)  # named as given, in messages
    for path in unique.values():
        found += [d for d in load_path(path) if d not in found]
    return found


def load_changed(paths) -> tuple[list[Derivation], list[str]]:
    """The Derivations defined in these changed files (a commit's), and the files skipped.

    A file of a package is loaded with its package (relative imports work); a changed module of
    a package that defines no Derivation itself (a helper) stands for the whole package's.
    A Python file outside any package that defines none, and any other file, is skipped.
    """
    found: list[Derivation] = []
    skipped: list[str] = []
    for path in dict.fromkeys(os.path.realpath(p) for p in paths):
        file = Path(path)
        if file.suffix != ".py" or not file.is_file():
            skipped.append(path)
            continue
        in_package = (file.parent / "__init__.py").is_file()
        if in_package:
            loaded = load_path(str(file.parent))
        else:
            forget(module_name(file))
            module = load_module(module_name(file), file, path)
            loaded = derivations_of(module, path, empty_ok=True)
        own = [d for d in loaded if Path(d.source_file).resolve() == file.resolve()]
        chosen = own or (loaded if in_package else [])
        if not chosen:
            skipped.append(path)
        found += [d for d in chosen if d not in found]
    return found, skipped


def load_path(path: str) -> list[Derivation]:
    """Every module-level Derivation of a Python file, in the order they are defined; of a
    directory, those of each of its modules (a package's __init__.py first, then by name)."""
    file = Path(path)
    if not file.exists():
        raise LoadError(f"{path}: no such file or directory")
    if file.is_dir():
        return load_directory(file, path)
    if file.suffix != ".py":
        hint = ""
        if file.suffix.lower() in (".md", ".markdown"):
            hint = f"; a notes file is checked with `derivcheck check {path}`"
        raise LoadError(f"{path}: not a Python file (expected a .py module of derivations){hint}")
    if (file.parent / "__init__.py").is_file() and file.name != "__init__.py":
        # a module of a package: imported with its package, so its relative imports work
        loaded = load_directory(file.parent, str(file.parent))
        own = [d for d in loaded if Path(d.source_file).resolve() == file.resolve()]
        if not own:
            raise LoadError(f"{path}: defines no Derivation; build one with "
                            "derivcheck.dsl.derivation(...) at module level")  # fmt: skip
        return own
    name = module_name(file)
    forget(name)
    return derivations_of(load_module(name, file, path), path)


def module_name(path: Path) -> str:
    return f"{USER_MODULE_PREFIX}{zlib.crc32(str(path.resolve()).encode())}"


def forget(name: str) -> None:
    """Drop an earlier load of the same path, so a file edited since is read again."""
    for loaded in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
        del sys.modules[loaded]


def load_directory(folder: Path, path: str) -> list[Derivation]:
    """A package is imported as one (its modules may import each other, relative imports
    included) under a name of its own; a plain folder's files are modules of their own."""
    files = sorted(f for f in folder.glob("*.py") if f.name != "__init__.py")
    found: list[Derivation] = []
    if (folder / "__init__.py").is_file():
        name = module_name(folder)
        forget(name)
        package = load_module(name, folder / "__init__.py", path, package=folder)
        modules = [package]
        for file in files:
            modules.append(load_module(f"{name}.{file.stem}", file, str(file)))
    else:
        modules = []
        for file in files:
            forget(module_name(file))
            modules.append(load_module(module_name(file), file, str(file)))
    for module in modules:
        found += [d for d in derivations_of(module, path, empty_ok=True) if d not in found]
    if not found:
        raise LoadError(
            f"{path}: no module in this directory defines a Derivation; build one with "
            "derivcheck.dsl.derivation(...) at module level"
        )
    return found


def load_module(name: str, file: Path, path: str, package: Path | None = None):
    """The module of a file under `name` (workers load it under the same name). The folder
    above its package (its own folder, for a file outside any package) goes on the path, as
    pytest does, so that a user's module can import the user's other modules by name."""
    if name in sys.modules:
        return sys.modules[name]
    base = file.resolve().parent
    while (base / "__init__.py").is_file() and base.parent != base:
        base = base.parent
    if str(base) not in sys.path:
        sys.path.append(str(base))  # after everything else: it shadows nothing installed
    locations = [str(package)] if package is not None else None
    spec = importlib.util.spec_from_file_location(name, file, submodule_search_locations=locations)
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
    return module


def derivations_of(module, path: str, empty_ok: bool = False) -> list[Derivation]:
    found: list[Derivation] = []
    for value in vars(module).values():
        candidates = value if isinstance(value, (list, tuple)) else (value,)
        for candidate in candidates:
            if isinstance(candidate, Derivation) and candidate not in found:
                found.append(candidate)
    found = [dataclasses.replace(d, origin=str(path)) for d in found]  # for the re-run command
    if not found and not empty_ok:
        raise LoadError(
            f"{path}: defines no Derivation; build one with derivcheck.dsl.derivation(...) "
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
