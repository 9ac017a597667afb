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
}
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
    out = []
    i = 0
    while i < len(latex):
        if latex.startswith(r"\frac", i):
            numerator, i = group(latex, i + 5)
            denominator, i = group(latex, i)
            out.append(f"{wrap(to_text(numerator))}/{wrap(to_text(denominator))}")
            continue
        if latex.startswith(r"\text", i) or latex.startswith(r"\operatorname", i):
            i = latex.index("{", i)
            body, i = group(latex, i)
            out.append(body)
            continue
        for command, replacement in SYMBOLS.items():
            if (
                latex.startswith(command, i)
                and not latex[i + len(command) : i + len(command) + 1].isalpha()
            ):
                out.append(replacement)
                i += len(command)
                break
        else:
            ch = latex[i]
            if ch in "_^":
                body, i = group(latex, i + 1)
                table = SUBSCRIPT if ch == "_" else SUPERSCRIPT
                out.append(script(to_text(body), table, ch))
            elif ch in "{}":
                i += 1
            else:
                out.append(ch)
                i += 1
    text = "".join(out).replace("-", "−")
    text = re.sub(r"([δ∂]) (?=\w)", r"\1", text)  # \delta L → δL
    return re.sub(r"\s+", " ", text).strip()
