"""LaTeX → SymPy by recursive descent over one token stream; SymPy objects are built directly.

Each parse method takes a position in the token list and returns `(pos, value)`. What a letter
means (a variable, an index, a vector, a function) comes from the declaration (`Env`), never from
a guess: `y(1 - ŷ)` is a product unless y is declared a function, `\\sum_j` needs a range for j,
and every refusal is located in the notes file with what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

from ..functions import sigmoid
from ..indices.model import sum_except
from ..leibniz import held_apart
from .tokens import Source, Token

GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau",
    "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda",
    "Xi", "Pi", "Sigma", "Phi", "Psi", "Omega", "pi",
}  # fmt: skip
ACCENTS = {
    "hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar", "tilde": "tilde",
    "widetilde": "tilde", "vec": "vec", "dot": "dot", "ddot": "ddot", "mathbf": "bf",
    "boldsymbol": "bf", "bm": "bf", "mathit": "", "mathcal": "cal",
}  # fmt: skip
FUNCTIONS = {
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sin": sympy.sin, "cos": sympy.cos,
    "tan": sympy.tan, "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "arcsin": sympy.asin, "arccos": sympy.acos, "arctan": sympy.atan,
}  # fmt: skip
NAMED_FUNCTIONS = {"sigmoid": sigmoid, **{k: v for k, v in FUNCTIONS.items() if k != "ln"}}
RELATIONS = {"=", "<", ">"}
RELATION_CMDS = {
    "neq", "ne", "leq", "le", "geq", "ge", "approx", "equiv", "Rightarrow", "rightarrow",
    "implies", "to", "Longrightarrow", "longrightarrow",
}  # fmt: skip
ARROWS = {"Rightarrow", "rightarrow", "implies", "to", "Longrightarrow", "longrightarrow"}
STOP_CHARS = {"+", "-", ")", "]", "}", ",", "&", "=", "<", ">", ";"}
SIZING = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "big", "Big", "bigg", "Bigg"}
IGNORED = {"displaystyle", "limits", "nolimits", "thinspace", "medspace", "thickspace",
           "enspace", "nonumber", "notag"}  # fmt: skip
ANNOTATIONS = {"text", "textrm", "mbox", "textit", "textbf", "label", "tag"}
MAX_DEPTH = 100  # groups inside groups; past that it is not a line of notes
MAX_TERMS = 1000  # a sum with numeric limits is written out; past that it is refused


def is_relation(token: Token) -> bool:
    return (token.kind == "char" and token.text in RELATIONS) or (
        token.kind == "cmd" and token.text in RELATION_CMDS
    )


@dataclass(frozen=True)
class Scalar:
    symbol: Any


@dataclass(frozen=True)
class Vector:
    matrix: Any  # a column (or a matrix) of symbols, a concrete size
    start: int = 0  # the first index, as the notes count


@dataclass(frozen=True)
class Indexed:
    base: Any  # IndexedBase, of a symbolic size
    rank: int


@dataclass(frozen=True)
class Index:
    symbol: Any
    low: Any
    high: Any


@dataclass(frozen=True)
class Function:
    apply: Any  # a SymPy function class, or a callable of one argument
    name: str


@dataclass
class Env:
    """What the names of one scope mean: every entry comes from a declaration or a default."""

    names: dict[str, Any] = field(default_factory=dict)
    e_is_variable: bool = False
    log_base: Any = None  # None: natural
    defaults: bool = True  # a lone letter is a real variable on the default domain
    made: dict[str, Any] = field(default_factory=dict)  # the default symbols made while reading
    defined: frozenset = frozenset()  # the shorthands' symbols and bases (L, ŷ), once resolved

    def symbol(self, key: str):
        if key not in self.made:
            self.made[key] = sympy.Symbol(python_name(key), real=True)
        return self.made[key]


def python_name(key: str) -> str:
    """The SymPy name of a notes name: \\hat{y}_0 → yhat0, \\sigma → sigma, W_{md} → Wmd."""
    out = key
    for command, suffix in ACCENTS.items():
        if f"\\{command}{{" in out:
            start = out.index(f"\\{command}{{")
            inner_end = out.index("}", start)
            inner = out[start + len(command) + 2 : inner_end]
            out = out[:start] + inner + suffix + out[inner_end + 1 :]
    return "".join(c for c in out if c.isalnum()) or "x"


def canonical(tokens: list[Token]) -> str:
    return (
        "".join(
            t.shown() if t.kind != "cmd" or not t.text.isalpha() else t.shown() + " "
            for t in tokens
        )
        .replace(" }", "}")
        .strip()
    )


def single_letter_key(key: str) -> bool:
    return len(key) == 1 and key.isalpha() or (key.startswith("\\") and key[1:] in GREEK)


def transparent(tokens: list[Token]) -> tuple[list[Token], list[str]]:
    """The tokens with \\left, \\right, sizing, \\text{…} and \\mathrm{d} dropped or rewritten."""
    out: list[Token] = []
    remarks: list[str] = []
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.kind == "cmd" and t.text in SIZING:
            if i + 1 < len(tokens) and tokens[i + 1].is_("char", "."):
                i += 1
            i += 1
            continue
        if t.kind == "cmd" and t.text in IGNORED:
            i += 1
            continue
        if t.kind == "cmd" and t.text in ANNOTATIONS:
            end = group_end(tokens, i + 1)
            if end is None:
                out.append(t)
                i += 1
                continue
            words = "".join(x.text for x in tokens[i + 2 : end])
            remarks.append(f"\\{t.text}{{{words}}} dropped (an annotation)")
            i = end + 1
            continue
        if (
            t.kind == "cmd"
            and t.text == "mathrm"
            and i + 3 < len(tokens)
            and tokens[i + 1].is_("char", "{")
            and tokens[i + 2].is_("letter", "d")
            and tokens[i + 3].is_("char", "}")
        ):
            out.append(Token("letter", "d", tokens[i + 2].pos))
            i += 4
            continue
        out.append(t)
        i += 1
    return out, remarks


def group_end(tokens: list[Token], start: int) -> int | None:
    """The index of the } closing the { at `start`, or None."""
    if start >= len(tokens) or not tokens[start].is_("char", "{"):
        return None
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i].is_("char", "{"):
            depth += 1
        elif tokens[i].is_("char", "}"):
            depth -= 1
            if depth == 0:
                return i
    return None


def collapse(value):
    """A 1 × 1 matrix (wᵀx) as the scalar it is."""
    if isinstance(value, sympy.MatrixBase) and value.shape == (1, 1):
        return value[0, 0]
    return value


class Parser:
    """One expression of the notes: `Parser(source, tokens, env).read()` is its SymPy value."""

    def __init__(self, source: Source, tokens: list[Token], env: Env, work: list | None = None):
        self.source = source
        self.tokens, self.remarks = transparent(tokens)
        self.env = env
        self.depth = 0
        self.work = [0] if work is None else work  # terms written out, shared with inner parsers
        self.end_pos = tokens[-1].end if tokens else 0  # where "the end of the expression" is

    # --- helpers -------------------------------------------------------------------------

    def error(self, pos: int, message: str):
        at = self.tokens[pos].pos if pos < len(self.tokens) else self.end_pos
        return self.source.error(at, message)

    def peek(self, pos: int) -> Token | None:
        return self.tokens[pos] if pos < len(self.tokens) else None

    def found(self, pos: int) -> str:
        t = self.peek(pos)
        return "the end of the expression" if t is None else t.shown()

    def expect(self, pos: int, text: str, what: str) -> int:
        t = self.peek(pos)
        if t is None or t.text != text or t.kind not in ("char", "cmd"):
            raise self.error(pos, f"expected {what}, found {self.found(pos)}")
        return pos + 1

    def read(self):
        if not self.tokens:
            raise self.error(0, "expected an expression, found nothing")
        pos, value = self.expression(0, {}, 0)
        if pos != len(self.tokens):
            raise self.error(pos, f"unexpected {self.found(pos)} after a complete expression")
        return collapse(value)

    # --- expression := [+-] term ([+-] term)* ------------------------------------------

    def expression(self, pos: int, bound: dict, bars: int):
        negative = False
        t = self.peek(pos)
        if t is not None and t.kind == "char" and t.text in "+-":
            negative, pos = t.text == "-", pos + 1
        pos, value = self.term(pos, bound, bars)
        value = -value if negative else value
        while (t := self.peek(pos)) is not None and t.kind == "char" and t.text in "+-":
            pos, other = self.term(pos + 1, bound, bars)
            value = self.add(pos, value, -other if t.text == "-" else other)
        if (t := self.peek(pos)) is not None and t.is_("cmd", "pm"):
            raise self.error(pos, "\\pm is two claims; write each sign out")
        return pos, value

    def add(self, pos, a, b):
        a, b = collapse(a), collapse(b)
        if isinstance(a, sympy.MatrixBase) != isinstance(b, sympy.MatrixBase) or (
            isinstance(a, sympy.MatrixBase) and a.shape != b.shape
        ):
            raise self.error(pos, f"adds values of different shapes ({shape(a)} and {shape(b)})")
        return a + b

    # --- term := factor ((\cdot | \times | / | juxtaposition) factor)* --------------------

    def term(self, pos: int, bound: dict, bars: int, signed: bool = False):
        pos, negative, factors = self.factors(pos, bound, bars, signed)
        value = self.multiply(pos, factors)
        return pos, -value if negative else value

    def factors(self, pos: int, bound: dict, bars: int, signed: bool = False):
        negative = False
        if signed and (t := self.peek(pos)) is not None and t.is_("char", "-"):
            negative, pos = True, pos + 1
        pos, first = self.factor(pos, bound, bars)
        factors = [first]
        while (t := self.peek(pos)) is not None:
            if t.kind == "row" or (t.kind == "char" and t.text in STOP_CHARS) or is_relation(t):
                break
            if t.is_("char", "|") and bars:
                break
            if t.is_("cmd", "quad") or t.is_("cmd", "qquad"):
                pos += 1
                continue
            if t.kind == "cmd" and t.text in ("cdot", "times", "ast") or t.is_("char", "*"):
                pos, value = self.factor(pos + 1, bound, bars)
                factors.append(value)
            elif t.is_("char", "/"):
                pos, value = self.factor(pos + 1, bound, bars)
                if isinstance(value, sympy.MatrixBase):
                    raise self.error(pos, "divides by a vector or matrix")
                factors.append(1 / value)
            elif t.is_("cmd", "circ"):
                after, _ = self.factor(pos + 1, bound, bars)
                shown = " ".join(x.shown() for x in self.tokens[pos + 1 : after])
                self.remarks.append(
                    f"∘ {shown} read as an annotation (numerator and denominator multiplied by "
                    "it) and dropped"
                )
                pos = after
            else:
                before = self.tokens[pos - 1]
                if t.kind == "number" and before.kind == "number":
                    raise self.error(
                        pos,
                        f"two numbers side by side ({before.text} {t.text}); "
                        "write \\cdot between them",
                    )
                pos, value = self.factor(pos, bound, bars)  # juxtaposition is a product
                factors.append(value)
        return pos, negative, factors

    def multiply(self, pos, factors):
        value = factors[0]
        for f in factors[1:]:
            if isinstance(value, sympy.MatrixBase) and isinstance(f, sympy.MatrixBase):
                if value.shape[1] != f.shape[0]:
                    if value.shape == f.shape and value.shape[1] == 1:
                        raise self.error(
                            pos, f"multiplies two vectors of shape {value.shape}; write uᵀv"
                        )
                    raise self.error(pos, f"multiplies shapes {value.shape} and {f.shape}")
                value = collapse(value * f)
            else:
                value = value * f
        return value

    # --- factor := atom (^ power | ^T | ')* ---------------------------------------------

    def factor(self, pos: int, bound: dict, bars: int):
        t = self.peek(pos)
        if t is None:
            raise self.error(pos, "expected a value, found the end of the expression")
        if t.kind == "cmd" and t.text in ("sum", "prod"):
            return self.big_operator(pos, bound, bars)
        pos, value = self.atom(pos, bound, bars)
        powered = False
        while (t := self.peek(pos)) is not None:
            if t.is_("char", "^"):
                if powered:
                    raise self.error(pos, "a double superscript; write x^{a^b} or (x^a)^b")
                pos, value = self.power(pos + 1, value, bound)
                powered = True
            elif t.is_("char", "!"):
                value, pos = sympy.factorial(value), pos + 1
            elif t.is_("char", "_"):
                raise self.error(pos, "a subscript on an expression; subscripts go on names")
            elif t.is_("char", "'"):
                raise self.error(pos, "a prime on a value; primes go on functions, σ'(z)")
            else:
                break
        return pos, value

    def power(self, pos: int, base, bound: dict):
        t = self.peek(pos)
        transpose = (t is not None and t.kind == "cmd" and t.text in ("top", "intercal")) or (
            t is not None and t.is_("letter", "T") and "T" not in self.env.names
        )
        if t is not None and t.is_("char", "{"):
            inner = self.peek(pos + 1)
            closing = self.peek(pos + 2)
            if (
                inner is not None
                and closing is not None
                and closing.is_("char", "}")
                and (inner.is_("cmd", "top") or inner.is_("letter", "T"))
                and "T" not in self.env.names
            ):
                transpose, pos = True, pos + 2
        if transpose:
            if not isinstance(base, sympy.MatrixBase):
                raise self.error(pos, "ᵀ of a scalar; declare the name a vector, e.g. shape = [3]")
            return pos + 1, base.T
        pos, exponent = self.script(pos, bound)
        if isinstance(base, sympy.MatrixBase):
            raise self.error(pos, "a power of a vector or matrix")
        if base is sympy.E:
            return pos, sympy.exp(exponent)
        return pos, sympy.Pow(base, exponent)

    def script(self, pos: int, bound: dict):
        """A superscript: a braced expression, or one token (x^2, e^x, x^{-1})."""
        t = self.peek(pos)
        if t is None:
            raise self.error(pos, "expected an exponent after ^, found the end of the expression")
        if t.is_("char", "{"):
            return self.braced(pos, bound)
        if t.kind in ("number", "letter"):
            if t.kind == "number" and len(t.text) > 1 and "." not in t.text:
                return pos + 1, sympy.Integer(int(t.text[0]))  # x^23 is x²·3 in LaTeX
            return self.atom(pos, bound, 0)
        if t.kind == "cmd":
            return self.atom(pos, bound, 0)
        raise self.error(pos, f"expected an exponent after ^, found {t.shown()}")

    def braced(self, pos: int, bound: dict):
        pos = self.expect(pos, "{", "{")
        self.enter(pos)
        try:
            pos, value = self.expression(pos, bound, 0)
        finally:
            self.depth -= 1
        return self.expect(pos, "}", "}"), value

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(pos, f"groups nested over {MAX_DEPTH} deep")

    # --- atom ----------------------------------------------------------------------------

    def atom(self, pos: int, bound: dict, bars: int):
        t = self.peek(pos)
        if t is None:
            raise self.error(pos, "expected a value, found the end of the expression")
        if t.kind == "number":
            return pos + 1, number(t.text)
        if t.kind == "char":
            closers = {"(": ")", "[": "]", "{": "}"}
            if t.text in closers:
                self.enter(pos)
                try:
                    pos, value = self.expression(pos + 1, bound, 0)
                finally:
                    self.depth -= 1
                return self.expect(pos, closers[t.text], f"{closers[t.text]!r}"), value
            if t.text == "|":
                self.enter(pos)
                try:
                    pos, value = self.expression(pos + 1, bound, bars + 1)
                finally:
                    self.depth -= 1
                if isinstance(value, sympy.MatrixBase):
                    raise self.error(pos, "|…| of a vector; write the norm out")
                return self.expect(pos, "|", "the closing |"), sympy.Abs(value)
            raise self.error(pos, f"expected a value, found {t.shown()}")
        if t.kind == "row":
            raise self.error(pos, "expected a value, found \\\\")
        if t.kind == "cmd":
            return self.command(pos, bound, bars)
        return self.name(pos, bound, bars)

    def command(self, pos: int, bound: dict, bars: int):
        t = self.tokens[pos]
        c = t.text
        if c in ("frac", "dfrac", "tfrac"):
            return self.fraction(pos, bound, bars)
        if c == "sqrt":
            pos += 1
            degree = 2
            if (n := self.peek(pos)) is not None and n.is_("char", "["):
                pos, degree = self.expression(pos + 1, bound, 0)
                pos = self.expect(pos, "]", "]")
            pos, value = self.argument(pos, bound)
            return pos, sympy.root(value, degree)
        if c == "boxed":
            return self.braced(pos + 1, bound)
        if c == "{":
            self.enter(pos)
            try:
                pos, value = self.expression(pos + 1, bound, 0)
            finally:
                self.depth -= 1
            return self.expect(pos, "}", "\\}"), value
        if c in ("max", "min"):
            pos = self.expect(pos + 1, "(", f"( after \\{c}")
            args = []
            while True:
                pos, value = self.expression(pos, bound, 0)
                args.append(value)
                if (n := self.peek(pos)) is not None and n.is_("char", ","):
                    pos += 1
                    continue
                break
            pos = self.expect(pos, ")", f") closing \\{c}")
            return pos, (sympy.Max if c == "max" else sympy.Min)(*args)
        if c in FUNCTIONS and f"\\{c}" not in self.env.names:
            return self.builtin(pos, bound)
        if c == "operatorname":
            end = group_end(self.tokens, pos + 1)
            if end is None:
                raise self.error(pos + 1, "expected {name} after \\operatorname")
            key = "\\operatorname{" + "".join(x.text for x in self.tokens[pos + 2 : end]) + "}"
            return self.resolved(end + 1, key, bound, bars, pos)
        if c in ("pm", "mp"):
            raise self.error(pos, f"\\{c} is two claims; write each sign out")
        if c in ("infty",):
            return pos + 1, sympy.oo
        if c in GREEK or c in ACCENTS:
            return self.name(pos, bound, bars)
        if c in ("partial", "nabla"):
            raise self.error(
                pos, f"\\{c} outside a derivative \\frac{{\\partial …}}{{\\partial …}}"
            )
        raise self.error(pos, f"\\{c} is not notation derivcheck reads here")

    def builtin(self, pos: int, bound: dict):
        name = self.tokens[pos].text
        pos += 1
        base = self.env.log_base if name == "log" else None
        power = None
        if name in ("log", "ln") and (n := self.peek(pos)) is not None and n.is_("char", "_"):
            pos, base = self.script(pos + 1, bound)
        if (n := self.peek(pos)) is not None and n.is_("char", "^"):
            pos, power = self.script(pos + 1, bound)
            if power == -1:
                raise self.error(
                    pos, f"\\{name}^{{-1}} is ambiguous; write \\arc{name} or 1/\\{name}"
                )
        pos, arg = self.argument(pos, bound)
        if power is not None and (n := self.peek(pos)) is not None and n.is_("char", "^"):
            raise self.error(pos, f"\\{name}^… with a power after its argument too; write one")
        if isinstance(arg, sympy.MatrixBase):
            raise self.error(pos, f"\\{name} of a vector")
        if name in ("log", "ln"):
            value = sympy.log(arg) if base is None else sympy.log(arg, base)
        else:
            value = FUNCTIONS[name](arg)
        return pos, value if power is None else value**power

    def argument(self, pos: int, bound: dict):
        """A function's argument: (…), {…}, or the next factor (\\log \\hat{y}, \\tanh x).

        A power after a parenthesised argument is the function's, as for σ(z)² (`call`):
        \\sin(x)^2 is (sin x)², not sin(x²); \\sin x^2 stays sin(x²)."""
        t = self.peek(pos)
        if t is None or t.kind == "row" or is_relation(t):
            raise self.error(pos, "expected the function's argument, found " + self.found(pos))
        if t.is_("char", "{"):
            return self.braced(pos, bound)
        if t.is_("char", "("):
            return self.atom(pos, bound, 0)
        return self.factor(pos, bound, 0)

    # --- names ---------------------------------------------------------------------------

    def name_key(self, pos: int) -> tuple[int, str]:
        """A name as written: a letter, a Greek letter, or an accented name (\\hat{y})."""
        t = self.tokens[pos]
        if t.kind == "letter":
            return pos + 1, t.text
        if t.kind == "cmd" and t.text in GREEK:
            return pos + 1, "\\" + t.text
        if t.kind == "cmd" and t.text in ACCENTS:
            end = group_end(self.tokens, pos + 1)
            if end is not None:
                inner = canonical(self.tokens[pos + 2 : end])
                if not inner:
                    raise self.error(pos, f"\\{t.text}{{}} with nothing inside")
                return end + 1, f"\\{t.text}{{{inner}}}"
            n = self.peek(pos + 1)
            if n is not None and (n.kind == "letter" or (n.kind == "cmd" and n.text in GREEK)):
                return pos + 2, f"\\{t.text}{{{n.shown()}}}"
            raise self.error(pos + 1, f"expected a name after \\{t.text}")
        raise self.error(pos, f"expected a name, found {t.shown()}")

    def subscript(self, pos: int) -> tuple[int, list[Token] | None]:
        t = self.peek(pos)
        if t is None or not t.is_("char", "_"):
            return pos, None
        n = self.peek(pos + 1)
        if n is None:
            raise self.error(pos + 1, "expected a subscript after _")
        if n.is_("char", "{"):
            end = group_end(self.tokens, pos + 1)
            if end is None:
                raise self.error(pos + 1, "unbalanced { in a subscript")
            return end + 1, self.tokens[pos + 2 : end]
        return pos + 2, [n]

    def name(self, pos: int, bound: dict, bars: int):
        start = pos
        pos, key = self.name_key(pos)
        return self.resolved(pos, key, bound, bars, start)

    def resolved(self, pos: int, key: str, bound: dict, bars: int, start: int):
        pos, sub = self.subscript(pos)
        env = self.env
        if sub is not None:
            written = canonical(sub)
            if len(sub) == 1 and sub[0].kind == "letter" and sub[0].text in bound:
                value = bound[sub[0].text]
                written = str(value) if getattr(value, "is_Integer", False) else written
            full = f"{key}_{written}"
            if full in env.names:
                return self.entry_value(pos, env.names[full], full, bound, bars, start)
            if not sub:
                raise self.error(pos - 1, f"{key}_{{}}: an empty subscript")
            entry = env.names.get(key)
            if isinstance(entry, Indexed):
                return pos, entry.base[tuple(self.indices(sub, entry.rank, key, bound))]
            if isinstance(entry, Vector):
                return pos, self.element(entry, sub, key, bound, start)
            if isinstance(entry, Function):
                raise self.error(start, f"a subscript on the function {key}")
            if entry is None and key in bound:
                raise self.error(start, f"{key} is a summation index, not a name to subscript")
            if entry is None and env.defaults and single_letter_key(key):
                values = self.indices(sub, len(split_indices(sub)), key, bound)
                if all(v.is_Integer for v in values):
                    return pos, env.symbol(f"{key}_{''.join(str(v) for v in values)}")
            raise self.error(
                start,
                f"{key}_{canonical(sub)} is not declared; declare {key} indexed "
                f'(e.g. "{key}" = {{shape = ["K"]}}) or "{key}_{canonical(sub)}" as a symbol',
            )
        if key in bound:
            return pos, bound[key]
        if key in env.names:
            return self.entry_value(pos, env.names[key], key, bound, bars, start)
        if key == "e" and not env.e_is_variable:
            return pos, sympy.E
        if key == "\\pi":
            return pos, sympy.pi
        if key == "\\sigma":
            return self.call(pos, Function(sigmoid, "\\sigma"), key, bound)
        if env.defaults and single_letter_key(key):
            return pos, env.symbol(key)
        raise self.error(
            start,
            f"{key} is not declared; declare it in a ```derivcheck block "
            f'(e.g. [symbols] "{key}" = {{domain = [0, 1]}})',
        )

    def entry_value(self, pos, entry, key, bound, bars, start):
        if isinstance(entry, Scalar):
            return pos, entry.symbol
        if isinstance(entry, Vector):
            return pos, entry.matrix
        if isinstance(entry, Index):
            return pos, entry.symbol
        if isinstance(entry, Function):
            return self.call(pos, entry, key, bound)
        if isinstance(entry, Indexed):
            raise self.error(
                start,
                f"{key} is indexed (rank {entry.rank}); write it with its indices, e.g. {key}_i",
            )
        return pos, entry  # a size symbol

    def call(self, pos: int, function: Function, key: str, bound: dict):
        primes = 0
        while (t := self.peek(pos)) is not None and t.is_("char", "'"):
            primes, pos = primes + 1, pos + 1
        t = self.peek(pos)
        if t is None or not t.is_("char", "("):
            if t is None or t.kind == "row" or is_relation(t):
                raise self.error(pos, f"expected the argument of the function {key}")
            pos, arg = self.factor(pos, bound, 0)
        else:
            self.enter(pos)
            try:
                pos, arg = self.expression(pos + 1, bound, 0)
            finally:
                self.depth -= 1
            pos = self.expect(pos, ")", f") closing the argument of {key}")
        if isinstance(arg, sympy.MatrixBase):
            raise self.error(pos, f"{key} of a vector; write it entry by entry")
        if not primes:
            return pos, function.apply(arg)
        t_ = sympy.Dummy("t", real=True)
        derivative = sympy.Derivative(function.apply(t_), (t_, primes))
        if isinstance(arg, sympy.Symbol):
            return pos, derivative.subs(t_, arg)
        return pos, sympy.Subs(derivative, t_, arg)

    def indices(self, sub: list[Token], rank: int, key: str, bound: dict) -> list:
        groups = split_indices(sub)
        if len(groups) != rank and rank > 1 and len(groups) == 1 and len(sub) == rank:
            groups = [[t] for t in sub]  # W_{md}: one letter per index
        if len(groups) != rank:
            raise self.error_at(sub[0], f"{key} takes {rank} indices, found {len(groups)}")
        for group in groups:
            if len(group) > 1 and all(t.kind in ("letter", "number") for t in group):
                raise self.error_at(
                    group[0],
                    f"{key}_{{{canonical(group)}}}: {key} takes "
                    f"{rank} index; write one (or separate them with commas)",
                )
        out = []
        for group in groups:
            value = Parser(self.source, group, self.env, self.work).expression_in(bound)
            if not (value.is_integer or value.is_Integer):
                raise self.error_at(
                    group[0],
                    f"{canonical(group)} is not an index; declare it "
                    f'in [indices], e.g. {canonical(group)} = [1, "K"]',
                )
            out.append(value)
        return out

    def expression_in(self, bound: dict):
        pos, value = self.expression(0, bound, 0)
        if pos != len(self.tokens):
            raise self.error(pos, f"unexpected {self.found(pos)} in a subscript")
        return value

    def error_at(self, token: Token, message: str):
        return self.source.error(token.pos, message)

    def element(self, entry: Vector, sub, key, bound, start):
        values = self.indices(sub, len(split_indices(sub)), key, bound)
        if not all(v.is_Integer for v in values):
            raise self.error(
                start,
                f"{key} has a concrete size; its subscript must be a number "
                "(or a summation index with numeric limits)",
            )
        matrix = entry.matrix
        at = [int(v) - entry.start for v in values]
        if len(at) == 1 and matrix.shape[1] == 1:
            at.append(0)
        if len(at) != 2 or not (0 <= at[0] < matrix.shape[0] and 0 <= at[1] < matrix.shape[1]):
            raise self.error(
                start, f"{key}_{canonical(sub)} is outside {key}'s shape {matrix.shape}"
            )
        return matrix[at[0], at[1]]

    # --- \frac and derivatives -------------------------------------------------------------

    def group_tokens(self, pos: int, what: str) -> tuple[int, list[Token]]:
        end = group_end(self.tokens, pos)
        if end is None and (t := self.peek(pos)) is not None and t.is_("char", "{"):
            raise self.error(pos, f"unbalanced: the {{ of the {what} of \\frac is never closed")
        if end is None:
            t = self.peek(pos)
            if t is not None and t.kind in ("letter", "number") and len(t.text) == 1:
                return pos + 1, [t]  # \frac12
            raise self.error(
                pos, f"expected {{…}} for the {what} of \\frac, found {self.found(pos)}"
            )
        if end - pos > 1 and self.depth + 1 > MAX_DEPTH:
            raise self.error(pos, f"groups nested over {MAX_DEPTH} deep")
        return end + 1, self.tokens[pos + 1 : end]

    def fraction(self, pos: int, bound: dict, bars: int):
        start = pos
        pos, top = self.group_tokens(pos + 1, "numerator")
        pos, bottom = self.group_tokens(pos, "denominator")
        if differential(top) and differential(bottom):
            return self.derivative(start, pos, top, bottom, bound, bars)
        numerator = self.sub_parse(top, bound)
        denominator = self.sub_parse(bottom, bound)
        if isinstance(denominator, sympy.MatrixBase):
            raise self.error(start, "a fraction with a vector or matrix below the line")
        return pos, numerator / denominator

    def sub_parse(self, tokens: list[Token], bound: dict):
        if not tokens:
            raise self.error(0, "an empty group {}")
        inner = Parser(self.source, tokens, self.env, self.work)
        inner.depth = self.depth + 1
        if inner.depth > MAX_DEPTH:
            raise inner.error(0, f"groups nested over {MAX_DEPTH} deep")
        value = inner.expression_in_group(bound)
        self.remarks.extend(inner.remarks)
        return value

    def expression_in_group(self, bound: dict):
        pos, value = self.expression(0, bound, 0)
        if pos != len(self.tokens):
            raise self.error(pos, f"unexpected {self.found(pos)} in a group")
        return collapse(value)

    def derivative(self, start, pos, top, bottom, bound, bars):
        mark = top[0]
        kind = mark.text
        rest = top[1:]
        order = 1
        if rest and rest[0].is_("char", "^"):
            if len(rest) < 2 or rest[1].kind != "number":
                raise self.error_at(rest[0], "expected the derivative's order, d^2")
            order, rest = int(rest[1].text), rest[2:]
        variables = []
        i = 0
        while i < len(bottom):
            if not (bottom[i].text == kind and bottom[i].kind == mark.kind):
                raise self.error_at(
                    bottom[i],
                    f"expected {mark.shown()} before each variable below the line of a derivative",
                )
            j = i + 1
            k, depth = j, 0
            while k < len(bottom):
                depth += bottom[k].is_("char", "{") - bottom[k].is_("char", "}")
                if depth == 0 and bottom[k].text == kind and bottom[k].kind == mark.kind:
                    break
                k += 1
            if j == k:
                raise self.error_at(bottom[i], f"{mark.shown()} with no variable below the line")
            var_tokens = bottom[j:k]
            power = 1
            if len(var_tokens) >= 2 and var_tokens[-2].is_("char", "^"):
                if var_tokens[-1].kind != "number":
                    raise self.error_at(var_tokens[-1], "expected a number as the variable's power")
                power, var_tokens = int(var_tokens[-1].text), var_tokens[:-2]
            inner = Parser(self.source, var_tokens, self.env, self.work)
            p, variable = inner.name(0, bound, 0)
            if p != len(inner.tokens):
                raise inner.error(
                    p,
                    "a derivative is taken by a name (dz, dz_m, d\\hat{y}_k), "
                    f"found {inner.found(p)}",
                )
            variables.append((variable, power))
            i = k
        if sum(p for _, p in variables) != order:
            raise self.error(
                start,
                f"the order above the line ({order}) differs from the "
                f"variables below it ({sum(p for _, p in variables)})",
            )
        if kind == "delta":
            self.remarks.append("δ read as a derivative (δL/δw = ∂L/∂w)")
        if rest:
            operand = self.sub_parse(rest, bound)
        else:  # d/dz operand: what follows, up to the next + or −
            t = self.peek(pos)
            if (
                t is None
                or t.kind == "row"
                or is_relation(t)
                or (t.kind == "char" and t.text in STOP_CHARS)
            ):
                raise self.error(
                    start,
                    "d/d… has no operand: write what is differentiated, "
                    "\\frac{d}{dz}(…) or \\frac{dy}{dz}",
                )
            pos, operand = self.term(pos, bound, bars)
        return pos, differentiate(operand, variables, self.env.defined)

    # --- \sum and \prod --------------------------------------------------------------------

    def index_range(self, start: int, name: str, written: str) -> tuple:
        """(low, high) of a declared index that a sum without explicit limits runs over."""
        declared = self.env.names.get(name)
        if not isinstance(declared, Index):
            raise self.error(
                start,
                f'{written} has no range for {name}; declare it, e.g. [indices] {name} = [1, "K"]',
            )
        return declared.low, declared.high

    def big_operator(self, pos: int, bound: dict, bars: int):
        start = pos
        kind = self.tokens[pos].text
        pos += 1
        sub = sup = None
        for _ in range(2):
            t = self.peek(pos)
            if t is not None and t.is_("char", "_") and sub is None:
                pos, sub = self.subscript(pos)
            elif t is not None and t.is_("char", "^") and sup is None:
                n = self.peek(pos + 1)
                if n is not None and n.is_("char", "{"):
                    end = group_end(self.tokens, pos + 1)
                    if end is None:
                        raise self.error(pos + 1, "unbalanced { in a limit")
                    sup, pos = self.tokens[pos + 2 : end], end + 1
                elif n is not None:
                    sup, pos = [n], pos + 2
        symbol = "Σ" if kind == "sum" else "Π"
        if not sub:
            raise self.error(
                start,
                f"\\{kind} without an index; write \\{kind}_j (with j "
                "declared in [indices]) or \\{kind}_{{j=1}}^{{K}}",
            )
        if sub[0].kind != "letter":
            raise self.error_at(sub[0], f"expected the index of {symbol}, found {sub[0].shown()}")
        name = sub[0].text
        except_ = None
        if len(sub) == 1:
            low, high = self.index_range(start, name, f"\\{kind}_{name}")
            if sup is not None:
                raise self.error(start, f"\\{kind}_{name}^… needs a lower limit, {name}=1")
        elif sub[1].is_("char", "="):
            if sup is None:
                raise self.error(start, f"\\{kind}_{{{name}=…}} needs an upper limit ^{{…}}")
            low = Parser(self.source, sub[2:], self.env, self.work).expression_in(bound)
            high = Parser(self.source, sup, self.env, self.work).expression_in(bound)
        elif sub[1].kind == "cmd" and sub[1].text in ("neq", "ne"):
            low, high = self.index_range(start, name, f"\\{kind}_{{{name} \\neq …}}")
            except_ = Parser(self.source, sub[2:], self.env, self.work).expression_in(bound)
        else:
            raise self.error_at(
                sub[1], f"expected = or \\neq after the index of {symbol}, found {sub[1].shown()}"
            )
        if low.is_Integer and high.is_Integer:
            return self.written_out(pos, kind, name, int(low), int(high), except_, bound, bars)
        index = sympy.Symbol(name, integer=True)
        pos, negative, factors = self.factors(pos, bound | {name: index}, bars, signed=True)
        inside = [f for f in factors if depends(f, index)]
        outside = [f for f in factors if f not in inside]
        body = self.multiply(pos, inside) if inside else sympy.Integer(1)
        if isinstance(body, sympy.MatrixBase):
            raise self.error(start, f"{symbol} of a vector or matrix")
        if except_ is not None:
            if kind != "sum" or low != 1:
                raise self.error(start, "a \\neq index range needs a \\sum from 1")
            total = sum_except(body, index, except_, high)
        elif kind == "sum":
            total = sympy.Sum(body, (index, low, high))
        else:
            total = sympy.Product(body, (index, low, high))
        value = self.multiply(pos, [*outside, total]) if outside else total
        return pos, -value if negative else value

    def written_out(self, pos, kind, name, low, high, except_, bound, bars):
        self.work[0] += max(high - low + 1, 1)
        if self.work[0] > MAX_TERMS:
            raise self.error(pos, f"over {MAX_TERMS} terms of sums written out in one expression")
        if except_ is not None and not except_.is_Integer:
            raise self.error(pos, "\\neq with numeric limits needs a number on its right")
        terms, end = [], None
        for value in range(low, high + 1):
            p, negative, factors = self.factors(
                pos, bound | {name: sympy.Integer(value)}, bars, True
            )
            end = p
            if except_ is not None and value == int(except_):
                continue
            term = self.multiply(p, factors)
            terms.append(-term if negative else term)
        if end is None:  # an empty range: read the body once to find where it ends
            end, _, _ = self.factors(pos, bound | {name: sympy.Integer(low)}, bars, True)
        if kind == "sum":
            total = terms[0] if terms else sympy.Integer(0)
            for t in terms[1:]:
                total = self.add(end, total, t)
            return end, total
        return end, sympy.Mul(*terms)


def depends(value, index) -> bool:
    """Whether a factor depends on a summation index (also through dŷ_k, a derivative by it)."""
    if isinstance(value, sympy.MatrixBase):
        return any(depends(v, index) for v in value)
    if not isinstance(value, sympy.Basic):
        return False
    if index in value.free_symbols:
        return True
    return any(index in v.free_symbols for d in value.atoms(sympy.Derivative) for v in d.variables)


def split_indices(sub: list[Token]) -> list[list[Token]]:
    groups, current, depth = [], [], 0
    for t in sub:
        if t.is_("char", "{") or t.is_("char", "("):
            depth += 1
        elif t.is_("char", "}") or t.is_("char", ")"):
            depth -= 1
        if t.is_("char", ",") and depth == 0:
            groups.append(current)
            current = []
        else:
            current.append(t)
    groups.append(current)
    return [g for g in groups if g]


def differential(tokens: list[Token]) -> bool:
    if not tokens:
        return False
    t = tokens[0]
    return t.is_("letter", "d") or t.is_("cmd", "partial") or t.is_("cmd", "delta")


def differentiate(operand, variables, defined=frozenset()):
    """The derivative of one fraction; an operand that is itself a derivative (d/dz dL/dŷ) is
    held apart from it across a shorthand (`leibniz`), the fraction's own variables are not."""
    out = operand
    for position, (variable, power) in enumerate(variables):
        held = defined if position == 0 else frozenset()  # ∂²L/∂ŷ∂z stays one derivative

        def derivative(e, v, p=power, held=held):
            return sympy.Derivative(held_apart(e, v, held), (v, p))

        if isinstance(variable, sympy.MatrixBase):
            if isinstance(out, sympy.MatrixBase):
                raise ValueError("a derivative of a vector by a vector")  # pragma: no cover
            out = sympy.Matrix([derivative(out, v) for v in variable])
        elif isinstance(out, sympy.MatrixBase):
            out = out.applyfunc(lambda e, v=variable, d=derivative: d(e, v))
        else:
            out = derivative(out, variable)
    return out


def number(text: str):
    """An exact number: 0.5 is 1/2, never a float."""
    if "." in text:
        whole, fraction = text.split(".")
        return sympy.Rational(int(whole + fraction), 10 ** len(fraction))
    return sympy.Integer(int(text))


def shape(value) -> str:
    return f"shape {value.shape}" if isinstance(value, sympy.MatrixBase) else "a scalar"


def parse(source: Source, tokens: list[Token], env: Env):
    """The SymPy value of one expression, and the parser's remarks on how it read it."""
    parser = Parser(source, tokens, env)
    value = parser.read()
    return value, parser.remarks
