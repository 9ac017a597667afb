"""The notes' LaTeX as one line of readable Unicode math, for terminals and logs."""

from __future__ import annotations

import re

SYMBOLS = {
    r"\hat{y}": "ŷ",
    r"\sigma": "σ",
    r"\delta": "δ",
    r"\partial": "∂",
    r"\sum": "Σ",
    r"\neq": "≠",
    r"\cdot": "·",
    r"\circ": "∘",
    r"\rightarrow": "→",
    r"\Rightarrow": "⇒",
    r"\log": "log",
    r"\ln": "ln",
    r"\exp": "exp",
    r"\tanh": "tanh",
    r"\sinh": "sinh",
    r"\cosh": "cosh",
    r"\sin": "sin",
    r"\cos": "cos",
    r"\tan": "tan",
    r"\sqrt": "√",
    r"\lambda": "λ",
    r"\alpha": "α",
    r"\beta": "β",
    r"\theta": "θ",
    r"\mu": "μ",
    r"\pi": "π",
    r"\quad": "  ",
    r"\left": "",
    r"\right": "",
    r"\operatorname": "",
    r"\,": " ",
    r"\;": " ",
    r"\!": "",
    r"\ ": " ",
    r"\varepsilon": "ε",
    r"\epsilon": "ε",
    r"\varphi": "φ",
    r"\phi": "φ",
    r"\Phi": "Φ",
    r"\gamma": "γ",
    r"\Gamma": "Γ",
    r"\Delta": "Δ",
    r"\Sigma": "Σ",
    r"\Lambda": "Λ",
    r"\Theta": "Θ",
    r"\Omega": "Ω",
    r"\omega": "ω",
    r"\eta": "η",
    r"\kappa": "κ",
    r"\rho": "ρ",
    r"\tau": "τ",
    r"\nu": "ν",
    r"\xi": "ξ",
    r"\zeta": "ζ",
    r"\psi": "ψ",
    r"\chi": "χ",
    r"\nabla": "∇",
    r"\top": "T",  # w^\top: the superscript T
    r"\intercal": "T",
    r"\times": "×",
    r"\leq": "≤",
    r"\le": "≤",
    r"\geq": "≥",
    r"\ge": "≥",
    r"\approx": "≈",
    r"\infty": "∞",
    r"\in": "∈",
    r"\to": "→",
    r"\mid": "|",
}
# Named functions: a space before them where they follow a term (x\log y → x log y).
FUNCTIONS = {
    rf"\{name}": name
    for name in ("arctan", "arcsin", "arccos", "max", "min", "det", "tr", "sgn", "erf")
}
# Accents on one letter: the letter with a combining mark (\hat x → x̂).
ACCENTS = {r"\hat": "\u0302", r"\bar": "\u0304", r"\tilde": "\u0303", r"\dot": "\u0307",
           r"\vec": "\u20d7"}  # fmt: skip
WORDS = {"log", "ln", "exp", "tanh", "sinh", "cosh", "sin", "cos", "tan", *FUNCTIONS.values()}
SUBSCRIPT = dict(zip("0123456789aehijklmnoprstuvx+-=()", "₀₁₂₃₄₅₆₇₈₉ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ₊₋₌₍₎"))
SUPERSCRIPT = dict(
    zip("0123456789abcdefghijklmnoprstuvwxyzT+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᵀ⁺⁻⁼⁽⁾")
)


def group(text: str, start: int) -> tuple[str, int]:
    """The braced group (or single character) at `start`, and the index after it."""
    if start < len(text) and text[start] == "{":
        depth = 0
        for i in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            if depth == 0:
                return text[start + 1 : i], i + 1
        return text[start + 1 :], len(text)
    if text.startswith("\\", start):  # a command: x^\top
        end = start + 1
        while end < len(text) and text[end].isalpha():
            end += 1
        return text[start : max(end, start + 2)], max(end, start + 2)
    return text[start : start + 1], start + 1


def wrap(text: str) -> str:
    """`text` in parentheses unless it is one term already (no top-level space or operator)."""
    depth = 0
    for ch in text:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and ch in " +−-·/":
            return f"({text})"
    return text


def script(body: str, table: dict[str, str], mark: str) -> str:
    body = body.replace("−", "-").replace(" ", "")
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"


def to_text(latex: str) -> str:
    """The line in Unicode, or the LaTeX itself where a readable form could mislead (a command
    it does not know)."""
    text = readable(latex)
    return latex.strip() if "\\" in text else text


def readable(latex: str) -> str:
    out: list[str] = []

    def add(piece: str, spaced: bool = False) -> None:
        """Append; `spaced`: keep it apart from a term just before (∂L/∂r ∂r/∂w, d/dx log x)."""
        last = "".join(out)[-1:]
        if spaced and piece and (last.isalnum() or last in ")]}ᵀ" or last in SUBSCRIPT.values()
                                 or last in SUPERSCRIPT.values()):  # fmt: skip
            out.append(" ")
        out.append(piece)

    after_fraction = False
    i = 0
    while i < len(latex):
        spaced = after_fraction
        after_fraction = False
        if latex.startswith(r"\frac", i):
            numerator, i = group(latex, i + 5)
            denominator, i = group(latex, i)
            add(f"{wrap(readable(numerator))}/{wrap(readable(denominator))}", spaced=True)
            after_fraction = True
            continue
        if latex.startswith(r"\sqrt", i) and not latex[i + 5 : i + 6].isalpha():
            i += 5
            degree = ""
            if latex[i : i + 1] == "[":
                end = latex.index("]", i)
                degree, i = script(readable(latex[i + 1 : end]), SUPERSCRIPT, "^"), end + 1
            body, i = group(latex, i)
            add(f"{degree}√{wrap(readable(body))}", spaced)  # √(v + ε), never √v + ε
            continue
        accent = next((a for a in ACCENTS if latex.startswith(a, i)
                       and not latex[i + len(a) : i + len(a) + 1].isalpha()), None)  # fmt: skip
        if accent is not None and not latex.startswith(r"\hat{y}", i):
            j = i + len(accent)
            while latex[j : j + 1] == " ":
                j += 1
            body, i = group(latex, j)
            inner = readable(body)
            mark = ACCENTS[accent]
            add(inner + mark if len(inner) == 1 else f"{accent[1:]}({inner})", spaced)
            continue
        if latex.startswith(r"\text", i) or latex.startswith(r"\operatorname", i):
            i = latex.index("{", i)
            body, i = group(latex, i)
            add(body, spaced or body in WORDS)
            continue
        for command, replacement in (*SYMBOLS.items(), *FUNCTIONS.items()):
            if (
                latex.startswith(command, i)
                and not latex[i + len(command) : i + len(command) + 1].isalpha()
            ):
                add(replacement, spaced or replacement in WORDS)
                i += len(command)
                break
        else:
            ch = latex[i]
            if ch in "_^":
                body, i = group(latex, i + 1)
                table = SUBSCRIPT if ch == "_" else SUPERSCRIPT
                out.append(script(readable(body), table, ch))
            elif ch in "{}":
                i += 1
                after_fraction = spaced  # \frac{a}{b}{c}: still right after the fraction
            else:
                add(ch, spaced and ch != " ")
                i += 1
    text = "".join(out).replace("-", "−")
    text = re.sub(r"([δ∂∇]) (?=\w)", r"\1", text)  # \delta L → δL, \nabla L → ∇L
    return re.sub(r"\s+", " ", text).strip()
