"""The result cache: a claim's result kept under a key that covers everything its verdict depends
on, so that a re-run checks only the claims that changed (as pytest's and mypy's caches do).

The key is a SHA-256 of the claim in canonical form (both sides, the context, SymPy's `srepr`,
which spells out every symbol's assumptions), the seed, points, time limit, strict, debug and
describe, the versions of derivcheck, SymPy, mpmath, gmpy2, JAX, jaxlib and NumPy, and a hash of the
checker's own source. Entries are JSON, never pickle: a cache directory that came with a
checkout must not be able to run code. A file that cannot be read back as a result of the same
key is a miss, and is replaced. Every write goes to a temporary file that is then renamed, so
two runs at once never leave a torn entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path

import sympy

from .. import results as records
from ..results import ClaimResult

FORMAT = "derivcheck-cache/1"
DEFAULT_DIR = ".derivcheck_cache"
ENTRIES = "claims"  # the folder of entries inside the cache directory
TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by derivcheck.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
# The records a cached result may be made of: nothing else is ever built from a cache file.
RECORDS = {
    cls.__name__: cls
    for cls in (
        records.ClaimResult,
        records.SymbolicResult,
        records.NumericResult,
        records.AutodiffResult,
        records.Attempt,
        records.Counterexample,
        records.Slice,
        records.IndexProof,
        records.RuleUse,
        records.SuggestionSearch,
        records.Suggestion,
    )
}
PACKAGE = Path(__file__).resolve().parents[1]  # checker/


@cache
def source_hash() -> str:
    """A hash of every Python file of the checker: editing the checker invalidates every entry."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def canonical(value) -> str:
    """`value` as text that two equal claims share and two different claims never do.

    Anything without a canonical spelling falls back to its type and repr; a repr that names a
    memory address only makes the key miss, never hit a stale entry.
    """
    if isinstance(value, sympy.Basic):
        return sympy_text(value)
    if isinstance(value, sympy.MatrixBase):
        return f"sympy:{sympy.srepr(value)}{user_classes(value)}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ",".join(
            f"{f.name}={canonical(getattr(value, f.name))}" for f in dataclasses.fields(value)
        )
        return f"{qualified(type(value))}({fields})"
    if isinstance(value, Mapping):
        items = sorted(f"{canonical(k)}:{canonical(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, (tuple, list)):
        return f"{type(value).__name__}[" + ",".join(canonical(v) for v in value) + "]"
    if value is None or isinstance(value, (bool, int, float, str)):
        return f"{type(value).__name__}:{value!r}"
    return f"{qualified(type(value))}:{value!r}"


@lru_cache(maxsize=8192)
def sympy_text(expr: sympy.Basic) -> str:
    """A SymPy value's canonical text, worked out once per value in a run (a line's sides come
    back in its neighbours' keys and in every search's proved lines). Two values SymPy holds
    equal have the same structure, types and assumptions, hence the same text."""
    return f"sympy:{sympy.srepr(expr)}{user_classes(expr)}"


def user_classes(expr) -> str:
    """The source of every class in `expr` defined outside SymPy and the checker (a function a
    --path file defines): srepr gives only its name, the behaviour is in its code."""
    sources = []
    for cls in sorted({type(node) for node in sympy.preorder_traversal(expr)}, key=qualified):
        module = cls.__module__ or ""
        if module.split(".")[0] in ("sympy", "derivcheck"):
            continue
        try:
            text = inspect.getsource(cls)
        except (OSError, TypeError):
            text = repr(id(cls))  # no source to hash: a miss in every other process
        sources.append(f"{qualified(cls)}={hashlib.sha256(text.encode()).hexdigest()}")
    return f"[{';'.join(sources)}]" if sources else ""


def qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def encode(value):
    """A result record as JSON data: each record tagged with its type, tuples as lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__name__ not in RECORDS:
            raise TypeError(f"{type(value).__name__} is not a result record")
        body = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"record": type(value).__name__, "fields": body}
    if isinstance(value, (tuple, list)):
        return [encode(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"{type(value).__name__} cannot be cached")


def decode(data):
    """The record `encode` made; anything that is not one raises (and the entry is a miss)."""
    if isinstance(data, dict):
        cls = RECORDS[data["record"]]
        return cls(**{name: decode(v) for name, v in data["fields"].items()})
    if isinstance(data, list):
        return tuple(decode(v) for v in data)
    return data


def stored(result):
    """The record as it is kept: not marked cached, and a suggestion without its SymPy sides
    (JSON does not hold them; only `mutate --suggest`, which never reads the cache, uses them)."""
    if isinstance(result, records.SuggestionSearch):
        kept = tuple(dataclasses.replace(s, sides=()) for s in result.suggestions)
        return dataclasses.replace(result, suggestions=kept, cached=False)
    return dataclasses.replace(result, cached=False)


def cacheable(result) -> bool:
    """A result the same inputs give again: not one cut short by a time limit, a worker's death
    or a claim a worker could not load, which another run may well finish; not a suggestion
    search stopped at its budget (a faster run might have gone further)."""
    if isinstance(result, records.SuggestionSearch):
        return not result.stopped
    if result.verdict == "error" and ("time limit" in result.message or "worker" in result.message):
        return False
    if result.proof is not None and result.proof.condition is not None:
        return False  # the condition is SymPy data, which JSON does not hold
    return True


class ResultCache:
    """Claim results on disk, under `directory`, for one run's settings."""

    def __init__(self, directory, *, strict: bool = False, versions=()):
        self.directory = Path(directory)
        self.settings = canonical((FORMAT, tuple(versions), source_hash(), strict))
        self.hits = 0

    def key(self, job) -> str | None:
        """The key of a worker job (a claim with its seed, points, time limit), or None when the
        claim has no canonical form."""
        return self.key_of(
            "claim", job.claim, job.seed, job.points, job.timeout, job.debug, job.describe
        )

    def key_of(self, *values) -> str | None:
        try:
            text = canonical((self.settings, *values))
        except Exception:  # an object SymPy cannot print: checked, never cached
            return None
        return hashlib.sha256(text.encode()).hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / ENTRIES / key[:2] / f"{key}.json"

    def load(self, key: str) -> ClaimResult | None:
        """The result kept under `key`, marked cached; None for a miss."""
        found = self.load_all(key)
        return found[0] if found is not None and len(found) == 1 else None

    def load_all(self, key: str, kind: type = ClaimResult) -> tuple | None:
        """The results kept together under `key` (the claims of a step), marked cached; each
        must be a `kind` (a ClaimResult, or the SuggestionSearch of a refuted line)."""
        try:
            entry = json.loads(self.path(key).read_text(encoding="utf-8"))
            if entry["key"] != key:
                return None
            found = decode(entry["results"])
        except Exception:  # missing, truncated, corrupt, or from another format: a miss
            return None
        if not isinstance(found, tuple) or not all(type(r) is kind for r in found):
            return None
        self.hits += len(found)
        return tuple(dataclasses.replace(r, cached=True) for r in found)

    def load_search(self, key: str) -> records.SuggestionSearch | None:
        """The suggestion search kept under `key`, marked cached; None for a miss."""
        found = self.load_all(key, records.SuggestionSearch)
        return found[0] if found is not None and len(found) == 1 else None

    def store(self, key: str, *results) -> None:
        """Keep `results` under `key`, unless one of them another run might well finish."""
        if not results or not all(cacheable(r) for r in results):
            return
        try:
            data = [encode(stored(r)) for r in results]
            text = json.dumps({"key": key, "results": data})
        except (TypeError, ValueError):
            return  # something in the result JSON cannot hold: not cached
        try:
            self.prepare()
            write_atomically(self.path(key), text)
        except OSError:
            pass  # a read-only or full disk makes the run slower next time, never wrong

    def prepare(self) -> None:
        """The directory, tagged as a cache (CACHEDIR.TAG) and ignored by git, as pytest's is."""
        tag = self.directory / "CACHEDIR.TAG"
        if tag.exists():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        write_atomically(self.directory / ".gitignore", "# created by derivcheck\n*\n")
        write_atomically(tag, TAG)


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: a reader sees all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def clear(directory) -> int:
    """Remove the cache directory; the number of entries it held. Refuses a directory that is
    not a derivcheck cache (no CACHEDIR.TAG written by derivcheck)."""
    directory = Path(directory)
    if not directory.exists():
        return 0
    tag = directory / "CACHEDIR.TAG"
    if not tag.is_file() or "derivcheck" not in tag.read_text(encoding="utf-8", errors="replace"):
        raise ValueError(f"{directory} is not a derivcheck cache (it has no CACHEDIR.TAG of ours)")
    count = sum(1 for _ in (directory / ENTRIES).rglob("*.json"))
    shutil.rmtree(directory)
    return count
