"""The document: where the display math and the declarations are, and how a block's LaTeX falls
into rows, statements, and the expressions between relations.

Display math is `$$ … $$`, `\\[ … \\]`, or an `equation`, `align` or `gather` environment;
prose and inline `$…$` are not claims. Inside a block, `\\\\` ends a row, `\\quad` separates
statements, `&` aligns (a row starting `&=` continues the row above), and a statement that is
only `\\boxed{…}` is a chain of its own. Only a relation outside every group splits: P(x=1) is
one expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .parser import ACCENTS, is_relation
from .tokens import Source, Token

ENVIRONMENTS = {
    "aligned", "align", "align*", "equation", "equation*", "gathered", "gather", "gather*",
    "split", "multline", "multline*", "alignat", "alignat*", "alignedat",
}  # fmt: skip
TOP_ENVIRONMENTS = ("equation", "align", "gather", "multline")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)")


@dataclass(frozen=True)
class Declaration:
    text: str
    pos: int
    line: int  # the first line of the TOML


@dataclass(frozen=True)
class Math:
    start: int  # the content's offsets in the notes file
    end: int


@dataclass(frozen=True)
class Heading:
    text: str
    pos: int


@dataclass
class Statement:
    atoms: list[list[Token]]  # the expressions between the relations (empty at a row's start: `&=`)
    relations: list[Token]
    continued: bool  # its row starts with & (an aligned continuation)
    pos: int
    box: int = 0  # 0: the block itself; n: the n-th \boxed{…} chain in it


@dataclass
class Structure:
    statements: list[Statement] = field(default_factory=list)
    boxes: int = 0


def scan(source: Source) -> list:
    """Declarations, display-math blocks and headings, in the order they stand."""
    text = source.text
    items: list = []
    lines = text.split("\n")
    offset = 0
    fenced: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            offset += len(lines[i]) + 1
            i += 1
            continue
        marker, info = match.group(1), match.group(2)
        start = offset
        body_start = offset + len(lines[i]) + 1
        j = i + 1
        position = body_start
        while j < len(lines) and not lines[j].strip().startswith(marker[0] * len(marker)):
            position += len(lines[j]) + 1
            j += 1
        if j == len(lines):
            raise source.error(start, f"a code fence {marker} with no closing {marker}")
        body = "\n".join(lines[i + 1 : j])
        if info == "derivcheck":
            items.append(Declaration(body, start, i + 2))
        end = position + len(lines[j])
        fenced.append((start, end))
        offset = end + 1
        i = j + 1
    items.extend(math_blocks(source, fenced))
    return sorted(items, key=lambda item: item.pos if not isinstance(item, Math) else item.start)


def math_blocks(source: Source, fenced: list[tuple[int, int]]) -> list:
    text = source.text
    out: list = []
    i, n = 0, len(text)
    fences = iter(fenced + [(n + 1, n + 1)])
    fence = next(fences)
    line_start = True
    while i < n:
        if i >= fence[0]:
            i = fence[1] + 1
            fence = next(fences)
            line_start = True
            continue
        c = text[i]
        if line_start and c == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out.append(Heading(text[i:end].lstrip("#").strip(), i))
            i = end
            continue
        line_start = c == "\n" or (line_start and c in " \t")
        if c == "\\" and text.startswith("\\$", i):
            i += 2
        elif text.startswith("$$", i):
            close = text.find("$$", i + 2)
            if close < 0 or close > fence[0]:
                raise source.error(i, "a $$ with no closing $$")
            out.append(Math(i + 2, close))
            i = close + 2
        elif c == "$":
            close = text.find("$", i + 1)
            if close < 0:
                raise source.error(i, "a $ with no closing $")
            i = close + 1
        elif text.startswith("\\[", i):
            close = text.find("\\]", i + 2)
            if close < 0 or close > fence[0]:
                raise source.error(i, "a \\[ with no closing \\]")
            out.append(Math(i + 2, close))
            i = close + 2
        elif text.startswith("\\begin{", i):
            name = text[i + 7 : text.find("}", i)] if text.find("}", i) > 0 else ""
            if name.rstrip("*") in TOP_ENVIRONMENTS:
                close = text.find(f"\\end{{{name}}}", i)
                if close < 0:
                    raise source.error(i, f"a \\begin{{{name}}} with no \\end{{{name}}}")
                end = close + len(f"\\end{{{name}}}")
                out.append(Math(i, end))
                i = end
            else:
                i += 7
        else:
            i += 1
    return out


def without_environments(source: Source, tokens: list[Token]) -> list[Token]:
    """The tokens with \\begin{aligned} … \\end{aligned} and their kin taken away."""
    out = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "cmd" and t.text in ("begin", "end"):
            if i + 1 >= len(tokens) or not tokens[i + 1].is_("char", "{"):
                raise source.error(t.pos, f"expected {{name}} after \\{t.text}")
            j = i + 2
            while j < len(tokens) and not tokens[j].is_("char", "}"):
                j += 1
            name = "".join(x.text for x in tokens[i + 2 : j])
            if name not in ENVIRONMENTS:
                raise source.error(
                    t.pos,
                    f"the environment {name!r} is not read (derivcheck reads aligned, align, "
                    "equation, gathered, split)",
                )
            i = j + 1
            if name.startswith("alignat") and i < len(tokens) and tokens[i].is_("char", "{"):
                while i < len(tokens) and not tokens[i].is_("char", "}"):
                    i += 1
                i += 1
            continue
        out.append(t)
        i += 1
    return out


def depth_change(t: Token) -> int:
    if t.kind == "char" and t.text in "{([":
        return 1
    if t.kind == "char" and t.text in "})]":
        return -1
    if t.kind == "cmd" and t.text in ("{", "left"):
        return 1 if t.text == "{" else 0
    if t.kind == "cmd" and t.text == "}":
        return -1
    return 0


def split_at(tokens: list[Token], is_mark, source: Source) -> list[list[Token]]:
    """The tokens split at every mark outside all groups; unbalanced groups are an error."""
    parts, current, depth = [], [], 0
    for t in tokens:
        depth += depth_change(t)
        if depth < 0:
            raise source.error(t.pos, f"a closing {t.shown()} with nothing open")
        if depth == 0 and is_mark(t):
            parts.append(current)
            current = []
        else:
            current.append(t)
    if depth > 0:
        opened = [t for t in tokens if depth_change(t) > 0]
        raise source.error(
            opened[0].pos if opened else tokens[0].pos,
            "unbalanced: a group opened here is never closed",
        )
    parts.append(current)
    return parts


def structure(source: Source, tokens: list[Token]) -> Structure:
    """The block's statements, in order, the boxed chains numbered after the block's own."""
    out = Structure()
    add_rows(source, without_environments(source, tokens), out, 0)
    return out


def add_rows(source: Source, tokens: list[Token], out: Structure, box: int) -> None:
    for row in split_at(tokens, lambda t: t.kind == "row", source):
        continued = bool(row) and row[0].is_("char", "&")
        first = True
        for part in split_at(row, lambda t: t.is_("cmd", "quad") or t.is_("cmd", "qquad"), source):
            part = [t for t in part if not t.is_("char", "&")]
            while part and part[-1].kind == "char" and part[-1].text in ",.;":
                part = part[:-1]
            if not part:
                continue
            if part[0].is_("cmd", "boxed") and len(part) > 2 and part[1].is_("char", "{"):
                closing = closing_brace(part, 1)
                if closing == len(part) - 1:
                    out.boxes += 1
                    add_rows(source, part[2:-1], out, out.boxes)
                    first = False
                    continue
            pieces = split_at(part, is_relation, source)
            relations = [t for t in top_level(part) if is_relation(t)]
            out.statements.append(
                Statement(pieces, relations, continued and first, part[0].pos, box)
            )
            first = False


def closing_brace(tokens: list[Token], start: int) -> int:
    depth = 0
    for i in range(start, len(tokens)):
        depth += tokens[i].is_("char", "{") - tokens[i].is_("char", "}")
        if depth == 0:
            return i
    return -1


def top_level(tokens: list[Token]) -> list[Token]:
    out, depth = [], 0
    for t in tokens:
        depth += depth_change(t)
        if depth == 0:
            out.append(t)
    return out


def apply_aliases(tokens: list[Token], aliases) -> tuple[list[Token], list[tuple]]:
    """Each alias's pattern replaced by its tokens, which stand where the pattern stood; and
    where each was applied, (start, stop, "Z read as z")."""
    if not aliases:
        return tokens, []
    out: list[Token] = []
    used: list[tuple] = []
    i = 0
    while i < len(tokens):
        for pattern, replacement, text in aliases:
            n = len(pattern)
            window = tokens[i : i + n]
            if len(window) == n and all(
                a.kind == b.kind and a.text == b.text for a, b in zip(window, pattern)
            ):
                if n == 1 and pattern[0].kind == "letter" and accented(tokens, i):
                    continue  # the y of \hat{y} is another name
                start, stop = window[0].pos, window[-1].end
                out.extend(Token(t.kind, t.text, start, stop) for t in replacement)
                used.append((start, stop, text))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out, used


def accented(tokens: list[Token], i: int) -> bool:
    r"""Whether the letter at i is inside an accent: \hat y, \hat{y}, \mathbf{x}."""
    before = tokens[i - 1] if i >= 1 else None
    if before is not None and before.kind == "cmd" and before.text in ACCENTS:
        return True
    return (
        i >= 2
        and tokens[i - 1].is_("char", "{")
        and tokens[i - 2].kind == "cmd"
        and tokens[i - 2].text in ACCENTS
    )
