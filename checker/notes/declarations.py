"""The declaration: ```derivcheck TOML blocks in the notes (or a NOTES.derivcheck.toml sidecar).

Each block applies from where it stands until the next one and extends the one before it (a name
declared again takes its new meaning from there on; `reset = true` starts afresh); `aliases` and
`name`/`title` belong to their block alone. Shorthands, side conditions and corrections are
LaTeX, read by the same parser as the notes.

    name = "bce"                       # the derivation's name (default: the file's stem, a number)
    title = "Binary cross-entropy"
    assume = ["\\sum_k y_k = 1", "k \\neq m"]
    aliases = {Z = "z"}                # slips of notation, rewritten token by token
    forget = ["x"]                     # names declared above that lose their meaning here
    log = "natural"                    # or 10, 2: what \\log means
    [symbols]                          # a name: its shape (none: a scalar) and sampling domain
    "\\hat{y}" = {shape = ["K"], domain = [0, 1]}
    x = {shape = [3], domain = [-1.5, 1.5]}
    [indices]                          # what \\sum_j runs over, and the free indices' ranges
    j = [1, "K"]
    [sizes]                            # a symbolic size and the values it is checked at
    K = [2, 12]
    [functions]
    "\\sigma" = "sigmoid"              # or exp, log, tanh, …, or {variable = "t", body = "…"}
    [define]                           # shorthands, substituted as `verify` does
    "\\hat{y}_i" = "\\frac{e^{z_i}}{\\sum_j e^{z_j}}"
    [[lines]]                          # one equals sign (line, and `sign` = its rank on the line)
    line = 12
    definition = true                  # or skip = "reason", or expect = "refuted" + corrected = "…"
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field, replace
from typing import Any

import sympy

from ..indices.model import IndexContext, UnitSum
from ..model import Context
from .parser import (
    NAMED_FUNCTIONS,
    Env,
    Function,
    Index,
    Indexed,
    Parser,
    Scalar,
    Vector,
    is_relation,
    python_name,
)
from .tokens import NotesError, Source, Token, tokenize

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_DOMAIN = (-3.0, 3.0)
KNOWN_KEYS = {
    "name", "title", "reset", "assume", "aliases", "log", "defaults", "symbols", "indices",
    "sizes", "functions", "define", "lines", "at_line", "forget",
}  # fmt: skip
TYPES = {
    "name": str, "title": str, "reset": bool, "assume": list, "aliases": dict, "log": (str, int),
    "defaults": bool, "symbols": dict, "indices": dict, "sizes": dict, "functions": dict,
    "define": dict, "lines": list, "forget": list,
}  # fmt: skip
KIND_NAMES = {str: "a string", bool: "true or false", list: "an array", dict: "a table",
              int: "a whole number"}  # fmt: skip
LINE_KEYS = {"line", "sign", "definition", "skip", "expect", "corrected", "note"}


@dataclass(frozen=True)
class LineRule:
    """What a declaration says of one equals sign (or every sign of a line)."""

    line: int
    sign: int | None
    definition: bool = False
    skip: str = ""
    expect: str = ""
    corrected: str = ""
    note: str = ""
    origin: str = ""  # where the rule is written, for errors

    def matches(self, line: int, sign: int) -> bool:
        return self.line == line and (self.sign is None or self.sign == sign)


@dataclass
class Block:
    """One declaration block as written, before it is merged with the blocks above it."""

    data: dict
    pos: int  # offset in the notes file where it applies from
    origin: str  # "notes.md:12" or "notes.derivcheck.toml [[block]] 2"


@dataclass
class Scope:
    """The declarations in force over a stretch of the notes, resolved into SymPy objects."""

    number: int
    pos: int
    origin: str
    name: str
    title: str
    raw: dict
    env: Env
    context: Context
    index_context: IndexContext | None
    aliases: list[tuple[list[Token], list[Token], str]] = field(default_factory=list)


def parse_block(text: str, origin: str, first_line: int, extra: tuple = ()) -> dict:
    """A ```derivcheck block's TOML; a block that is not TOML is a located error, at the line
    of the notes file that tomllib's "(at line L, column C)" points to."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        line = first_line + int(found.group(1)) - 1 if found else first_line
        if found:
            message = message[: found.start()] + f"(at column {found.group(2)})"
        raise NotesError(f"{origin}:{line}: the derivcheck block is not TOML: {message}") from None
    for key, kind in TYPES.items():
        if key in data and not isinstance(data[key], kind):
            names = " or ".join(
                KIND_NAMES[k] for k in (kind if isinstance(kind, tuple) else (kind,))
            )
            raise NotesError(f"{origin}:{first_line}: {key} must be {names}, got {data[key]!r}")
    for key in ("assume", "forget"):
        if any(not isinstance(item, str) for item in data.get(key, [])):
            raise NotesError(f"{origin}:{first_line}: every entry of {key} must be a string")
    for key in ("aliases", "define"):
        if any(not isinstance(v, str) for v in data.get(key, {}).values()):
            raise NotesError(f"{origin}:{first_line}: every value of {key} must be a LaTeX string")
    unknown = sorted(set(data) - KNOWN_KEYS - set(extra))
    if unknown:
        raise NotesError(
            f"{origin}:{first_line}: unknown declaration key {unknown[0]!r}; known: "
            + ", ".join(sorted(KNOWN_KEYS - {"at_line"}))
        )
    return data


def merged(previous: dict, data: dict) -> dict:
    """A block's declarations on top of the ones before it."""
    if data.get("reset") or not previous:
        base: dict = {}
    else:
        base = {k: v for k, v in previous.items() if k not in ("name", "title", "aliases")}
    out = dict(base)
    for name in data.get("forget", []):  # names that lose their meaning from here on
        for table in ("symbols", "define", "functions", "indices", "sizes"):
            out[table] = {k: v for k, v in out.get(table, {}).items() if k != name}
    for key, value in data.items():
        if key in ("symbols", "indices", "sizes", "functions", "define"):
            out[key] = {**out.get(key, {}), **value}
        elif key == "assume":
            out[key] = [*out.get(key, []), *value]
        elif key not in ("lines", "forget"):
            out[key] = value
    return out


def line_rules(blocks: list[Block]) -> list[LineRule]:
    rules = []
    for block in blocks:
        entries = block.data.get("lines", [])
        if not isinstance(entries, list):
            raise NotesError(f"{block.origin}: `lines` must be an array of tables, [[lines]]")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("line"), int):
                raise NotesError(f"{block.origin}: each [[lines]] entry needs line = N")
            unknown = sorted(set(entry) - LINE_KEYS)
            if unknown:
                raise NotesError(
                    f"{block.origin}: unknown [[lines]] key {unknown[0]!r}; known: "
                    + ", ".join(sorted(LINE_KEYS))
                )
            expect = entry.get("expect", "")
            if expect not in ("", "refuted"):
                raise NotesError(f'{block.origin}: expect = {expect!r}; only "refuted" is known')
            if expect and not entry.get("corrected"):
                raise NotesError(
                    f'{block.origin}: line {entry["line"]}: expect = "refuted" needs its '
                    'corrected line, corrected = "lhs = rhs" (it must pass)'
                )
            chosen = [k for k in ("definition", "skip", "expect") if entry.get(k)]
            if len(chosen) > 1:
                raise NotesError(
                    f"{block.origin}: line {entry['line']}: choose one of "
                    f"definition, skip and expect, not {' and '.join(chosen)}"
                )
            rules.append(
                LineRule(
                    entry["line"],
                    entry.get("sign"),
                    bool(entry.get("definition", False)),
                    str(entry.get("skip", "")),
                    expect,
                    str(entry.get("corrected", "")),
                    str(entry.get("note", "")),
                    block.origin,
                )
            )
    return rules


def latex_source(origin: str, what: str, text: str) -> Source:
    if not isinstance(text, str):
        raise NotesError(f"{origin}: {what} must be a LaTeX string, got {text!r}")
    return Source(f"{origin} ({what})", text)


def key_of(origin: str, text: str, env: Env) -> tuple[str, str, list[Token] | None]:
    """A declared name as the parser keys it: (base key, full key, its subscript tokens)."""
    source = latex_source(origin, f"the name {text!r}", text)
    tokens = tokenize(source, 0, len(text))
    if not tokens:
        raise NotesError(f"{origin}: an empty name")
    parser = Parser(source, tokens, env)
    pos, key = parser.name_key(0)
    pos, sub = parser.subscript(pos)
    if pos != len(parser.tokens):
        raise parser.error(
            pos, f"expected a name such as y, \\hat{{y}}, z_0, found {parser.found(pos)}"
        )
    if sub is None:
        return key, key, None
    from .parser import canonical

    return key, f"{key}_{canonical(sub)}", sub


def interval(origin: str, what: str, value) -> tuple[float, float]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        or not value[0] < value[1]
    ):
        raise NotesError(f"{origin}: the domain of {what} must be [low, high] with low < high")
    return (float(value[0]), float(value[1]))


def resolve(number: int, block_pos: int, origin: str, raw: dict, file: Source) -> Scope:
    """The scope's names, shorthands and side conditions as SymPy objects."""
    env = Env()
    log = raw.get("log", "natural")
    if log != "natural":
        if not isinstance(log, int) or log < 2:
            raise NotesError(f'{origin}: log = {log!r}; use "natural" or a base such as 10')
        env.log_base = sympy.Integer(log)
    env.defaults = bool(raw.get("defaults", True))
    sizes: dict[Any, tuple[int, int]] = {}
    for name, values in raw.get("sizes", {}).items():
        if (
            not isinstance(values, list)
            or len(values) != 2
            or not all(isinstance(v, int) and v >= 1 for v in values)
            or values[0] > values[1]
        ):
            raise NotesError(f"{origin}: the size {name} must be [low, high], whole numbers ≥ 1")
        symbol = sympy.Symbol(name, integer=True, positive=True)
        sizes[symbol] = (values[0], values[1])
        env.names[name] = symbol

    def size_of(value, what):
        if isinstance(value, int) and not isinstance(value, bool):
            return sympy.Integer(value)
        if isinstance(value, str) and value in env.names and env.names[value] in sizes:
            return env.names[value]
        raise NotesError(
            f"{origin}: {what}: {value!r} is neither a number nor a declared size "
            "(declare it in [sizes], e.g. K = [2, 12])"
        )

    ranges = {}
    for name, values in raw.get("indices", {}).items():
        if not isinstance(values, list) or len(values) != 2:
            raise NotesError(f'{origin}: the index {name} must be [low, high], e.g. [1, "K"]')
        if name == "e":  # e^{x} would become a power of the index, also in earlier shorthands
            raise NotesError(
                f"{origin}: the index e would change what e^{{…}} means (Euler's number); "
                "name the index otherwise (d, f, …)"
            )
        low, high = size_of(values[0], f"index {name}"), size_of(values[1], f"index {name}")
        symbol = sympy.Symbol(name, integer=True)
        env.names[name] = Index(symbol, low, high)
        if not high.is_Integer:
            if low != 1:
                raise NotesError(f"{origin}: the index {name} runs over a symbolic size from 1")
            ranges[symbol] = high
    domains: dict[Any, tuple[float, float]] = {}
    index_domains: dict[Any, tuple[float, float]] = {}
    shapes: dict[Any, tuple] = {}
    for text, spec in raw.get("symbols", {}).items():
        if not isinstance(spec, dict):
            raise NotesError(
                f"{origin}: the symbol {text!r} needs a table, e.g. {{domain = [0, 1]}}"
            )
        _, key, _ = key_of(origin, text, env)
        if key == "e":
            env.e_is_variable = True
        domain = interval(origin, text, spec["domain"]) if "domain" in spec else DEFAULT_DOMAIN
        shape = spec.get("shape", [])
        py = python_name(key)
        if not isinstance(shape, list):
            raise NotesError(f'{origin}: the shape of {text} must be a list, e.g. [3] or ["K"]')
        if not shape:
            symbol = sympy.Symbol(py, real=True)
            env.names[key] = Scalar(symbol)
            domains[symbol] = domain
        elif all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in shape):
            if len(shape) > 2:
                raise NotesError(f"{origin}: {text}: at most two dimensions")
            rows, cols = shape[0], shape[1] if len(shape) == 2 else 1
            start = int(spec.get("start", 0))
            if len(shape) == 1:
                matrix = sympy.Matrix(
                    [sympy.Symbol(f"{py}{start + i}", real=True) for i in range(rows)]
                )
            else:
                matrix = sympy.Matrix(
                    [
                        [
                            sympy.Symbol(f"{py}{start + i}_{start + j}", real=True)
                            for j in range(cols)
                        ]
                        for i in range(rows)
                    ]
                )
            env.names[key] = Vector(matrix, start)
            domains.update({s: domain for s in matrix})
        else:
            if any(isinstance(n, bool) or (isinstance(n, int) and n < 1) for n in shape):
                raise NotesError(
                    f"{origin}: the shape of {text} must hold sizes ≥ 1 or declared sizes"
                )
            dims = tuple(size_of(n, f"the shape of {text}") for n in shape)
            base = sympy.IndexedBase(py, real=True)
            env.names[key] = Indexed(base, len(dims))
            index_domains[base] = domain
            shapes[base] = dims
    for text, spec in raw.get("functions", {}).items():
        _, key, _ = key_of(origin, text, env)
        env.names[key] = function(origin, text, spec, env)
    # Shorthands and side conditions, read with the names above.
    definitions: dict[Any, Any] = {}
    index_definitions: dict[Any, tuple] = {}
    for text, latex in raw.get("define", {}).items():
        base_key, key, sub = key_of(origin, text, env)
        source = latex_source(origin, f"define {text}", latex)
        tokens = tokenize(source, 0, len(latex))
        entry = env.names.get(key)
        if entry is None and sub is not None:
            entry = env.names.get(base_key)
        bound: dict = {}
        dummies: tuple = ()
        if isinstance(entry, Indexed) and key != base_key:
            dummies = tuple(sympy.Symbol(t.text, integer=True) for t in sub if t.kind == "letter")
            if len(dummies) != entry.rank or len(dummies) != len(
                [t for t in sub if t.kind != "char"]
            ):
                raise NotesError(
                    f"{origin}: define {text}: write the indices as letters, one per "
                    f"index of {base_key} ({entry.rank})"
                )
            bound = {str(d): d for d in dummies}
        value = Parser(source, tokens, env).expression_in(bound) if tokens else None
        if value is None:
            raise NotesError(f"{origin}: define {text}: an empty definition")
        value = (
            value[0, 0] if isinstance(value, sympy.MatrixBase) and value.shape == (1, 1) else value
        )
        if isinstance(entry, Indexed):
            index_definitions[entry.base] = (dummies, value)
        elif isinstance(entry, Scalar):
            definitions[entry.symbol] = value
            index_definitions[entry.symbol] = ((), value)
        elif isinstance(entry, Vector) and key == base_key:
            if not isinstance(value, sympy.MatrixBase) or value.shape != entry.matrix.shape:
                raise NotesError(
                    f"{origin}: define {text}: {text} has shape "
                    f"{entry.matrix.shape}; the definition must have it too"
                )
            definitions.update(dict(zip(entry.matrix, value)))
        elif isinstance(entry, Vector):
            element = Parser(
                Source(origin, text), tokenize(Source(origin, text), 0, len(text)), env
            ).read()
            definitions[element] = value
        else:
            raise NotesError(f"{origin}: define {text}: declare {text} in [symbols] first")
    env.defined = frozenset(definitions) | frozenset(index_definitions)
    given, unit_sums, distinct = [], [], []
    for latex in raw.get("assume", []):
        source = latex_source(origin, "assume", latex)
        tokens = tokenize(source, 0, len(latex))
        relation = [i for i, t in enumerate(tokens) if is_relation(t)]
        if len(relation) != 1:
            raise NotesError(f"{origin}: assume {latex!r}: write one relation, a = b or k \\neq m")
        r = relation[0]
        lhs = Parser(source, tokens[:r], env).read()
        rhs = Parser(source, tokens[r + 1 :], env).read()
        op = tokens[r].text
        if (
            op == "="
            and isinstance(lhs, sympy.Sum)
            and rhs == 1
            and isinstance(lhs.function, sympy.Indexed)
        ):
            index, low, high = lhs.limits[0]
            item = lhs.function
            if low != 1 or index not in item.indices:
                raise NotesError(f"{origin}: assume {latex!r}: a sum from 1 over one index")
            unit_sums.append(
                UnitSum(item.base, item.indices.index(index), high, str(index), len(item.indices))
            )
        elif op == "=":
            given.append(sympy.Eq(lhs, rhs))
        elif op in ("neq", "ne") and lhs.is_Symbol and rhs.is_Symbol and lhs.is_integer:
            distinct.append((lhs, rhs))
        else:
            raise NotesError(
                f"{origin}: assume {latex!r}: derivcheck reads a = b, Σ_k y_k = 1 "
                "and k \\neq m as side conditions"
            )
    context = Context(domains, definitions, tuple(given))
    index_context = None
    if sizes:
        index_context = IndexContext(
            ranges=ranges,
            sizes=sizes,
            definitions=index_definitions,
            distinct=tuple(distinct),
            domains={**index_domains, **domains},
            shapes=shapes,
        )
        for unit in unit_sums:
            index_context = index_context.with_unit_sum(unit)
    elif unit_sums:
        raise NotesError(f"{origin}: Σ_k y_k = 1 with a symbolic size needs [sizes]")
    aliases = []
    for pattern, replacement in (raw.get("aliases") or {}).items():
        p_source = latex_source(origin, f"alias {pattern}", pattern)
        r_source = latex_source(origin, f"alias {pattern}", replacement)
        p_tokens = tokenize(p_source, 0, len(pattern))
        if not p_tokens:
            raise NotesError(f"{origin}: an empty alias")
        aliases.append(
            (p_tokens, tokenize(r_source, 0, len(replacement)), f"{pattern} read as {replacement}")
        )
    name = raw.get("name", "")
    return Scope(
        number,
        block_pos,
        origin,
        name,
        raw.get("title", ""),
        raw,
        env,
        context,
        index_context,
        aliases,
    )


def function(origin: str, text: str, spec, env: Env) -> Function:
    if isinstance(spec, str):
        if spec not in NAMED_FUNCTIONS:
            raise NotesError(
                f"{origin}: the function {text} = {spec!r}; known: "
                + ", ".join(sorted(NAMED_FUNCTIONS))
            )
        return Function(NAMED_FUNCTIONS[spec], text)
    if isinstance(spec, dict) and isinstance(spec.get("variable"), str) and "body" in spec:
        variable = sympy.Dummy(spec["variable"], real=True)
        source = latex_source(origin, f"the function {text}", spec["body"])
        body = Parser(source, tokenize(source, 0, len(spec["body"])), env).expression_in(
            {spec["variable"]: variable}
        )
        return Function(lambda arg, body=body, v=variable: body.subs(v, arg), text)
    raise NotesError(
        f'{origin}: the function {text} must be a name ("sigmoid") or '
        '{variable = "t", body = "…"}'
    )


def with_distinct(scope: Scope, pairs) -> IndexContext | None:
    context = scope.index_context
    if context is None:
        return None
    for k, m in pairs:
        if (k, m) not in context.distinct and (m, k) not in context.distinct:
            context = context.with_distinct(k, m)
    return context


__all__ = [
    "Block",
    "LineRule",
    "Scope",
    "line_rules",
    "merged",
    "parse_block",
    "resolve",
    "replace",
]
