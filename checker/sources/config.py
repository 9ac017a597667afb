"""`[tool.derivcheck]` in a repository's pyproject.toml: what a bare `derivcheck verify` checks.

[tool.derivcheck]
paths = ["derivations", "notes/extra.py"]   # files or directories, relative to the file
seed = 0
points = 20
timeout = 10
strict = false
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from .loader import LoadError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

KEYS = {"paths": "a list of files or directories", "seed": "a non-negative integer",
        "points": "a positive integer", "timeout": "a number of seconds",
        "strict": "true or false"}  # fmt: skip


@dataclass(frozen=True)
class Config:
    file: str = ""  # the pyproject.toml it was read from; "" for none
    paths: tuple[str, ...] = ()  # absolute
    seed: int | None = None
    points: int | None = None
    timeout: float | None = None
    strict: bool = False


def find_config(start: str | None = None) -> Config:
    """The `[tool.derivcheck]` table of the nearest pyproject.toml at or above `start` (the
    working directory); an empty Config when that file has no such table or there is none."""
    folder = Path(start or ".").resolve()
    for candidate in (folder, *folder.parents):
        file = candidate / "pyproject.toml"
        if file.is_file():
            return read_config(file)
    return Config()


def read_config(file: Path) -> Config:
    try:
        with open(file, "rb") as handle:
            table = tomllib.load(handle).get("tool", {}).get("derivcheck")
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LoadError(f"{file}: cannot read it: {error}") from None
    if table is None:
        return Config()
    where = f"{file}: [tool.derivcheck]"
    if not isinstance(table, dict):
        raise LoadError(f"{where} must be a table")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise LoadError(f"{where} has no key {unknown[0]!r}; known: {', '.join(KEYS)}")

    def bad(key):
        return LoadError(f"{where} {key} must be {KEYS[key]}, got {table[key]!r}")

    paths = table.get("paths", [])
    if isinstance(paths, str):
        paths = [paths]
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise bad("paths")
    for key in ("seed", "points"):
        value = table.get(key)
        if value is not None and (type(value) is not int or value < (key == "points")):
            raise bad(key)
    timeout = table.get("timeout")
    if timeout is not None and (type(timeout) not in (int, float) or not timeout > 0):
        raise bad("timeout")
    strict = table.get("strict", False)
    if type(strict) is not bool:
        raise bad("strict")
    return Config(
        str(file),
        tuple(str(file.parent / p) for p in paths),
        table.get("seed"),
        table.get("points"),
        None if timeout is None else float(timeout),
        strict,
    )
