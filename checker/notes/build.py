"""Notes → readings (one per equals sign) → Derivations, fed unchanged to `verify_derivations`.

A chain a = b = c is two claims; a row `&= c` continues from the last expression above it (also
across blocks); an arrow between two expressions reads as = (and the step says so) unless an =
follows it in the same statement, where it introduces a new statement; a continuation row with
no relation is an implicit =. A claim's scope is the declaration in force at its relation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import sympy

from ..indices.model import IndexedClaim
from ..model import Claim, Correction, Definition, Derivation, Step
from .declarations import (
    Block,
    LineRule,
    Scope,
    line_rules,
    merged,
    parse_block,
    resolve,
    with_distinct,
)
from .document import Declaration, Heading, Math, Statement, apply_aliases, scan, structure
from .parser import ARROWS, parse
from .tokens import NotesError, Source, Token, tokenize

SIDE = {"neq", "ne", "<", ">", "leq", "le", "geq", "ge"}
MAX_SIGNS = 5000  # equals signs in one notes file; past that it is not notes


@dataclass
class Reading:
    """One equals sign of the notes (or an arrow read as one, or an implicit row) as read."""

    pos: int
    line: int
    column: int
    sign: int  # its rank among the relation signs of its line, from 1
    relation: str  # "=", "\\Rightarrow", … or "" for an implicit row
    lhs_tokens: list[Token]
    rhs_tokens: list[Token]
    scope: Scope
    chain: int
    latex: str = ""
    written: tuple[str, str] = ("", "")  # both sides as the notes have them (before aliases)
    lhs: object = None
    rhs: object = None
    error: str = ""  # why it was not read
    status: str = ""  # "claim", "definition", "skipped", "not read"
    rule: LineRule | None = None
    remarks: list[str] = field(default_factory=list)
    conditions: list = field(default_factory=list)  # (k, m) pairs: k ≠ m beside the chain
    step: Step | None = None
    derivation: str = ""

    @property
    def read(self) -> bool:
        return self.status in ("claim", "definition")


@dataclass
class NotesReading:
    """Every equals sign of a notes file, and the derivations its claims make."""

    path: str
    readings: list[Reading]
    derivations: list[Derivation]
    scopes: list[Scope]
    text: str = ""
    blocks: tuple[tuple[int, int], ...] = ()  # the display-math blocks' content offsets

    @property
    def not_read(self) -> list[Reading]:
        return [r for r in self.readings if not r.read]

    @property
    def unexplained(self) -> list[Reading]:
        """Signs not read and not declared skipped: these fail a check."""
        return [r for r in self.readings if r.status == "not read"]


def sidecar_blocks(path: Path, source: Source) -> list[Block]:
    side = path.with_name(path.stem + ".derivcheck.toml")
    if not side.exists():
        return []
    text = side.read_text(encoding="utf-8")
    data = parse_block(text, str(side), 1, ("block",))
    parts = data.pop("block", [])
    blocks = [Block(data, 0, f"{side}")] if data else []
    for number, part in enumerate(parts, 1):
        line = part.pop("at_line", 1)
        if not isinstance(line, int) or line < 1:
            raise NotesError(f"{side}: [[block]] {number}: at_line must be a line number")
        pos = source.starts[min(line, len(source.starts)) - 1]
        blocks.append(Block(part, pos, f"{side} [[block]] {number}"))
    return blocks


def read_notes(path: str, display: str | None = None) -> NotesReading:
    """Read a notes file: every equals sign, as read or with why not, and its derivations.

    A declaration that cannot be used (not TOML, an unknown key, a definition that does not
    parse) is a NotesError; an expression that does not parse is a reading not read, located.
    """
    file = Path(path)
    if not file.exists():
        raise NotesError(f"{path}: no such file")
    if file.is_dir():
        raise NotesError(f"{path}: is a directory; give a Markdown notes file")
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise NotesError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    name = display or path
    source = Source(name, text)
    items = scan(source)
    blocks = sidecar_blocks(file, source)
    for item in items:
        if isinstance(item, Declaration):
            origin = f"{name}:{item.line - 1}"
            blocks.append(Block(parse_block(item.text, name, item.line), item.pos, origin))
    blocks.sort(key=lambda b: b.pos)
    rules = line_rules(blocks)
    scopes = [resolve(0, 0, f"{name} (defaults)", {}, source)]
    raw: dict = {}
    for number, block in enumerate(blocks, 1):
        raw = merged(raw, block.data)
        try:
            scopes.append(resolve(number, block.pos, block.origin, raw, source))
        except (TypeError, ValueError, ArithmeticError, AttributeError, IndexError) as error:
            if isinstance(error, NotesError):
                raise
            raise NotesError(
                f"{block.origin}: the declaration cannot be used ({type(error).__name__}: {error})"
            ) from None
    headings = [item for item in items if isinstance(item, Heading)]
    maths = [item for item in items if isinstance(item, Math)]
    readings = chains(source, maths, scopes, rules)
    for rule in rules:  # a rule that names no equals sign is a slip in the declaration
        if not any(rule.matches(r.line, r.sign) for r in readings):
            sign = f" sign {rule.sign}" if rule.sign is not None else ""
            raise NotesError(
                f"{rule.origin}: [[lines]] line = {rule.line}{sign}: there is no "
                "such equals sign (see `derivcheck read`)"
            )
    for reading in readings:
        interpret(source, reading)
    derivations = assemble(source, file, name, readings, scopes, headings)
    blocks = tuple((m.start, m.end) for m in maths)
    return NotesReading(name, readings, derivations, scopes, text, blocks)


def notes_derivations(path: str) -> list[Derivation]:
    """The derivations a notes file makes (for the pytest plugin and `derivcheck check`)."""
    return read_notes(path).derivations


def scope_at(scopes: list[Scope], pos: int) -> Scope:
    current = scopes[0]
    for scope in scopes[1:]:
        if scope.pos <= pos:
            current = scope
    return current


def chains(source: Source, maths: list[Math], scopes: list[Scope], rules) -> list[Reading]:
    """The readings of every block, in order, with chains and continuations joined."""
    blocks = []
    positions: list[int] = []  # every relation sign (and implicit row): to rank them per line
    for math in maths:
        scope = scope_at(scopes, math.start)
        try:
            tokens = tokenize(source, math.start, math.end)
            tokens, used = apply_aliases(tokens, scope.aliases)
            shape = structure(source, tokens)
        except NotesError as error:
            blocks.append((math, scope, None, [], str(error)))
            positions.append(math.start)
            continue
        for s in shape.statements:
            positions.extend(t.pos for t in s.relations)
            if not s.relations and s.continued:
                positions.append(s.pos)
        blocks.append((math, scope, shape, used, ""))
    if len(positions) > MAX_SIGNS:
        raise NotesError(f"{source.name}: over {MAX_SIGNS} equals signs; split the notes")
    ranks: dict[int, tuple[int, int, int]] = {}
    previous_line, count = 0, 0
    for p in sorted(positions):  # each sign's rank on its line, once
        line, column = source.line_col(p)
        count = count + 1 if line == previous_line else 1
        previous_line = line
        ranks[p] = (line, column, count)

    def rank(pos: int) -> tuple[int, int, int]:
        if pos in ranks:
            return ranks[pos]
        line, column = source.line_col(pos)
        before = [r for p, r in ranks.items() if p <= pos and r[0] == line]
        return line, column, max((r[2] for r in before), default=1)

    def rule_for(pos: int) -> LineRule | None:
        line, _, sign = rank(pos)
        found = [r for r in rules if r.matches(line, sign)]
        return found[-1] if found else None

    readings: list[Reading] = []
    last = {}  # box → (tokens of the last expression, chain number)
    pending = None  # a dangling arrow: (lhs tokens, arrow token, chain)
    chain_count = 0
    conditions_of: dict[int, list] = {}
    unread_sides: dict[int, list] = {}

    def claim(lhs, rhs, relation: Token | None, pos, scope, chain, remark=""):
        line, column, sign = rank(pos)
        reading = Reading(
            pos, line, column, sign, relation.shown() if relation else "", lhs, rhs, scope, chain
        )
        reading.rule = rule_for(pos)
        reading.conditions = conditions_of.setdefault(chain, [])
        if remark:
            reading.remarks.append(remark)
        spans = {t.pos for t in [*lhs, *rhs] if t.stop}
        for start, _, text in current_aliases:
            if start in spans and text not in reading.remarks:
                reading.remarks.append(text)
        readings.append(reading)
        return reading

    current_aliases: list = []
    for math, scope, shape, used, failure in blocks:
        current_aliases[:] = used
        if shape is None:
            line, column, sign = rank(math.start)
            reading = Reading(math.start, line, column, sign, "", [], [], scope, -1)
            reading.error, reading.status = failure, "not read"
            reading.rule = rule_for(math.start)
            readings.append(reading)
            continue
        box_last: dict[int, tuple] = {}
        for s in shape.statements:
            memory = last if s.box == 0 else box_last
            relations = s.relations
            atoms = s.atoms
            kinds = [relation_kind(t) for t in relations]
            if relations and all(k == "side" for k in kinds):
                if not side_condition(source, s, scope, memory, conditions_of):
                    chain = memory[s.box][1] if s.box in memory else -1
                    text = written(source, [t for atom in s.atoms for t in atom] + relations)
                    unread_sides.setdefault(chain, []).append(
                        f"beside this chain, {text} ({source.where(s.pos)}) is not read as a "
                        "side condition (only k \\neq m between two indices is)"
                    )
                continue
            if not relations:
                if pending is not None and s.box == 0:
                    lhs, arrow, chain = pending
                    claim(
                        lhs, atoms[0], arrow, arrow.pos, scope, chain, f"{arrow.shown()} read as ="
                    )
                    memory[s.box] = (atoms[0], chain)
                    pending = None
                elif s.continued and s.box in memory:
                    previous, chain = memory[s.box]
                    claim(
                        previous,
                        atoms[0],
                        None,
                        s.pos,
                        scope,
                        chain,
                        "no relation written on this row: read as =",
                    )
                    memory[s.box] = (atoms[0], chain)
                continue
            if "other" in kinds or "side" in kinds:
                bad = relations[[i for i, k in enumerate(kinds) if k != "arrow" and k != "eq"][0]]
                r = claim([], [], bad, bad.pos, scope, -1)
                r.error = (
                    source.where(bad.pos) + f": {bad.shown()} in a chain of equalities is not read"
                )
                r.status = "not read"
                continue
            start = 0
            for i in range(len(relations)):  # an arrow followed by = introduces a statement
                if kinds[i] == "arrow" and "eq" in kinds[i + 1 :]:
                    start = i + 1
            atoms, relations = atoms[start:], relations[start:]
            if atoms[0]:
                chain_count += 1
                chain = chain_count
                if (
                    pending is not None
                    and s.box == 0
                    and not all_definitions(s, relations, rule_for)
                ):
                    lhs, arrow, chain = pending
                    claim(
                        lhs, atoms[0], arrow, arrow.pos, scope, chain, f"{arrow.shown()} read as ="
                    )
                    pending = None
            else:
                if s.box not in memory:
                    t = relations[0]
                    r = claim([], atoms[1], t, t.pos, scope, -1)
                    r.error = (
                        source.where(t.pos)
                        + f": {t.shown()} at the start of a row continues nothing"
                    )
                    r.status = "not read"
                    continue
                atoms = [memory[s.box][0], *atoms[1:]]
                chain = memory[s.box][1]
            for i, t in enumerate(relations):
                lhs, rhs = atoms[i], atoms[i + 1]
                if not rhs:
                    if kinds[start + i] == "arrow" and i == len(relations) - 1 and s.box == 0:
                        pending = (lhs, t, chain)
                        continue
                    r = claim(lhs, [], t, t.pos, scope, chain)
                    r.error, r.status = (
                        source.where(t.pos) + f": nothing on the right of {t.shown()}",
                        "not read",
                    )
                    continue
                note = f"{t.shown()} read as =" if t.text in ARROWS else ""
                claim(lhs, rhs, t, t.pos, scope, chain, note)
            if atoms[-1] and not all_definitions(s, relations, rule_for):
                memory[s.box] = (atoms[-1], chain)
    if pending is not None:
        lhs, arrow, chain = pending
        r = claim(lhs, [], arrow, arrow.pos, scope_at(scopes, arrow.pos), chain)
        r.error, r.status = (
            source.where(arrow.pos) + f": nothing follows {arrow.shown()}",
            "not read",
        )
    for reading in readings:
        reading.remarks.extend(unread_sides.get(reading.chain, []))
    readings.sort(key=lambda r: r.pos)
    return readings


def relation_kind(t: Token) -> str:
    if t.text == "=":
        return "eq"
    if t.text in ARROWS:
        return "arrow"
    if t.text in SIDE:
        return "side"
    return "other"


def all_definitions(s: Statement, relations, rule_for) -> bool:
    found = [rule_for(t.pos) for t in relations]
    return bool(found) and all(r is not None and r.definition for r in found)


def side_condition(source, s, scope, memory, conditions_of) -> bool:
    """k ≠ m beside a chain: a side condition of the chain it stands in; False if not read."""
    if len(s.relations) == 1 and s.relations[0].text in ("neq", "ne"):
        try:
            k, _ = parse(source, s.atoms[0], scope.env)
            m, _ = parse(source, s.atoms[1], scope.env)
        except NotesError:
            k = m = None
        if k is not None and k.is_Symbol and m.is_Symbol and k.is_integer and m.is_integer:
            chain = memory[s.box][1] if s.box in memory else -1
            conditions_of.setdefault(chain, []).append((k, m))
            return True
    return False  # other relations beside a chain are not claims: listed on it, not checked


def written(source: Source, tokens: list[Token]) -> str:
    if not tokens:
        return ""
    return source.text[min(t.pos for t in tokens) : max(t.end for t in tokens)].strip()


def text_of(source: Source, tokens: list[Token]) -> str:
    """The LaTeX of an expression as written; where an alias rewrote it, as read."""
    if not tokens:
        return ""
    if any(t.stop for t in tokens):
        out = tokens[0].shown()
        for before, t in zip(tokens, tokens[1:]):
            word = before.kind == "cmd" and before.text.isalpha() and t.kind in ("letter", "number")
            after_value = before.kind in ("letter", "number") or before.text in "})"
            spaced = word or (t.kind == "cmd" and after_value) or "=" in (t.text, before.text)
            out += (" " if spaced else "") + t.shown()
        return out
    start = min(t.pos for t in tokens)
    end = max(t.end for t in tokens)
    return source.text[start:end].strip()


def interpret(source: Source, reading: Reading) -> None:
    """Both sides as SymPy, or why not; what the declaration says of the sign."""
    if reading.status == "not read":
        return
    relation = reading.relation or "="
    reading.latex = (
        f"{text_of(source, reading.lhs_tokens)} {relation} {text_of(source, reading.rhs_tokens)}"
    )
    reading.written = (written(source, reading.lhs_tokens), written(source, reading.rhs_tokens))
    rule = reading.rule
    if rule is not None and rule.skip:
        reading.status, reading.error = "skipped", f"skipped by the declaration: {rule.skip}"
        return
    try:
        lhs, left = parse(source, reading.lhs_tokens, reading.scope.env)
        rhs, right = parse(source, reading.rhs_tokens, reading.scope.env)
        check_shapes(source, reading, lhs, rhs)
    except NotesError as error:
        reading.status, reading.error = "not read", str(error)
        return
    except RecursionError:
        reading.status = "not read"
        reading.error = f"{source.where(reading.pos)}: nested too deeply to read"
        return
    except (TypeError, ValueError, ArithmeticError, AttributeError, IndexError) as error:
        # SymPy refusing what the parser built (a shape it cannot take): said, never skipped
        reading.status = "not read"
        reading.error = (
            f"{source.where(reading.pos)}: could not build the expression "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''})"
        )
        return
    reading.lhs, reading.rhs = lhs, rhs
    reading.remarks.extend(r for r in left + right if r not in reading.remarks)
    reading.status = "definition" if rule is not None and rule.definition else "claim"


def check_shapes(source: Source, reading: Reading, lhs, rhs) -> None:
    shapes = [x.shape if isinstance(x, sympy.MatrixBase) else () for x in (lhs, rhs)]
    if shapes[0] != shapes[1]:
        raise source.error(
            reading.pos,
            f"the two sides have different shapes ({describe(shapes[0])} "
            f"and {describe(shapes[1])})",
        )
    if reading.scope.index_context is not None and shapes[0]:
        raise source.error(
            reading.pos,
            "a vector claim in a scope with symbolic sizes; write it entry by entry (z_i, W_{md})",
        )


def describe(shape) -> str:
    return f"shape {shape}" if shape else "a scalar"


def claims_of(reading: Reading, lhs, rhs):
    """The step's claims: one IndexedClaim for a symbolic size, else one concrete Claim."""
    scope = reading.scope
    if scope.index_context is not None:
        context = with_distinct(scope, reading.conditions)
        known = set(context.ranges) | set(context.sizes)
        for side in (lhs, rhs):
            loose = sorted(str(s) for s in free_indices(side) if s not in known)
            if loose:
                raise NotesError(
                    f"{scope.origin}: the index {loose[0]} in the line at "
                    f"{reading.line}:{reading.column} has no range; declare it in "
                    f'[indices], e.g. {loose[0]} = [1, "K"]'
                )
        return (), IndexedClaim(lhs, rhs, context)
    return (Claim(lhs, rhs, scope.context),), None


def free_indices(expr) -> set:
    if isinstance(expr, sympy.MatrixBase):
        return set().union(*(free_indices(e) for e in expr))
    return {s for s in getattr(expr, "free_symbols", set()) if s.is_integer}


def correction_of(source: Source, reading: Reading) -> Correction:
    rule = reading.rule
    text = rule.corrected
    src = Source(f"{rule.origin} (corrected line {reading.line})", text)
    tokens = tokenize(src, 0, len(text))
    split = [i for i, t in enumerate(tokens) if t.is_("char", "=")]
    if len(split) != 1:
        raise NotesError(f"{src.name}: a corrected line is one equality, lhs = rhs")
    lhs, _ = parse(src, tokens[: split[0]], reading.scope.env)
    rhs, _ = parse(src, tokens[split[0] + 1 :], reading.scope.env)
    claims, indexed = claims_of(reading, lhs, rhs)
    return Correction(text, claims, indexed)


def assemble(source, file: Path, name: str, readings, scopes, headings) -> list[Derivation]:
    stem = file.stem
    by_scope: dict[int, list[Reading]] = {}
    for reading in readings:
        if reading.read:
            by_scope.setdefault(reading.scope.number, []).append(reading)
    out = []
    for scope in scopes:
        members = by_scope.get(scope.number, [])
        steps, definitions = [], []
        for reading in members:
            note = "; ".join(
                [
                    *reading.remarks,
                    *([reading.rule.note] if reading.rule and reading.rule.note else []),
                ]
            )
            where = f"{name}:{reading.line}:{reading.column}"
            if reading.status == "definition":
                definitions.append(
                    Definition(reading.latex, f"{where}" + (f"; {note}" if note else ""))
                )
                continue
            try:
                claims, indexed = claims_of(reading, reading.lhs, reading.rhs)
                correction = None
                if reading.rule is not None and reading.rule.expect == "refuted":
                    correction = correction_of(source, reading)
            except NotesError as error:
                reading.status, reading.error = "not read", str(error)
                continue
            step = Step(
                len(steps) + 1,
                reading.latex,
                claims,
                where,
                note,
                correction,
                reading.line,
                indexed,
            )
            reading.step = step
            steps.append(step)
        if not steps:
            continue
        derivation_name = scope.name or f"{stem}-{scope.number}"
        first, last_line = members[0].line, members[-1].line
        heading = [h.text for h in headings if h.pos <= members[0].pos]
        title = scope.title or (heading[-1] if heading else f"{name} lines {first}–{last_line}")
        where = f"{name}, lines {first}–{last_line}"
        derivation = Derivation(
            derivation_name, title, where, tuple(steps), tuple(definitions), os.path.abspath(file)
        )
        for reading in members:
            reading.derivation = derivation_name
        out.append(derivation)
    return out
