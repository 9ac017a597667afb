"""One token stream with positions: the LaTeX of a display-math block, split into tokens.

Every token keeps its offset in the notes file, so every error is located there
(`notes.md:42:17: …`). Macros are never expanded: `\\def`, `\\input` and their kin are refused.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

REFUSED = {
    "def", "edef", "gdef", "xdef", "let", "newcommand", "renewcommand", "providecommand",
    "DeclareMathOperator", "input", "include", "InputIfFileExists", "usepackage", "catcode",
    "csname", "write", "immediate", "openout", "read", "special",
}  # fmt: skip
SPACING = {",", ";", ":", "!", " ", "thinspace", "medspace", "thickspace", "enspace", "quad"}
MAX_TOKENS = 200_000  # one display-math block; past that it is not a line of notes


class NotesError(ValueError):
    """A notes file that cannot be read as written; the message is located, in one line."""


@dataclass(frozen=True)
class Source:
    """The notes file's text and name, to turn an offset into its line and column."""

    name: str
    text: str

    def __post_init__(self):
        starts = [0] + [i + 1 for i, c in enumerate(self.text) if c == "\n"]
        object.__setattr__(self, "starts", starts)

    def line_col(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, pos)
        return line, pos - self.starts[line - 1] + 1

    def where(self, pos: int) -> str:
        line, col = self.line_col(pos)
        return f"{self.name}:{line}:{col}"

    def error(self, pos: int, message: str) -> NotesError:
        """The one place errors are made: `notes.md:42:17: message`."""
        return NotesError(f"{self.where(pos)}: {message}")


@dataclass(frozen=True)
class Token:
    kind: str  # "cmd" (\name, text without the backslash), "letter", "number", "char", "row"
    text: str
    pos: int
    stop: int = 0  # where it ends in the notes, if not pos + its length (an alias's tokens)

    @property
    def end(self) -> int:
        return self.stop or self.pos + len(self.shown())

    def is_(self, kind: str, text: str | None = None) -> bool:
        return self.kind == kind and (text is None or self.text == text)

    def shown(self) -> str:
        if self.kind == "cmd":
            return "\\" + self.text
        if self.kind == "row":
            return "\\\\"
        return self.text


def tokenize(source: Source, start: int, end: int) -> list[Token]:
    """The tokens of source.text[start:end]; comments and spacing commands dropped."""
    text = source.text
    out: list[Token] = []
    i = start
    while i < end:
        c = text[i]
        if c.isspace() or c == "~":
            i += 1
        elif c == "%":  # a comment, to the end of the line
            while i < end and text[i] != "\n":
                i += 1
        elif c == "\\":
            j = i + 1
            if j < end and text[j].isalpha() and text[j].isascii():
                while j < end and text[j].isalpha() and text[j].isascii():
                    j += 1
                name = text[i + 1 : j]
                if name in REFUSED:
                    raise source.error(
                        i,
                        f"\\{name} is not read: derivcheck never expands macros or reads other "
                        "files; write the expression out",
                    )
                out.append(Token("cmd", name, i))
                i = j
            elif j < end and text[j] == "\\":
                out.append(Token("row", "\\\\", i))
                i = j + 1
            elif j < end:
                if text[j] not in SPACING:
                    out.append(Token("cmd", text[j], i))
                i = j + 1
            else:
                raise source.error(i, "a lone \\ at the end of the math")
        elif c.isdigit():
            j = i
            while j < end and text[j].isdigit():
                j += 1
            if j + 1 < end and text[j] == "." and text[j + 1].isdigit():
                j += 1
                while j < end and text[j].isdigit():
                    j += 1
            out.append(Token("number", text[i:j], i))
            i = j
        elif c.isascii() and c.isalpha():
            out.append(Token("letter", c, i))
            i += 1
        elif c in "+-*/=<>()[]{}|,;:'!.^_&":
            out.append(Token("char", c, i))
            i += 1
        else:
            raise source.error(
                i, f"unexpected character {c!r}; write it as a LaTeX command (e.g. \\sigma)"
            )
        if len(out) > MAX_TOKENS:
            raise source.error(start, f"a display-math block of over {MAX_TOKENS} tokens")
    return out
