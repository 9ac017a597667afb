"""The HTML report's plots as inline SVG (matplotlib, Agg): they draw data the checks recorded."""

from __future__ import annotations

import io
import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after the backend is chosen

from ..results import Slice  # noqa: E402
from .text import printable  # noqa: E402

STYLE = {
    "svg.hashsalt": "derivcheck",  # the same ids every run, so the report is reproducible
    "svg.fonttype": "none",  # text stays text: smaller, and the browser's font
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # inline: no XML prolog, no DOCTYPE
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, flags=re.DOTALL)


def literal(text: str) -> str:
    """A label as text: matplotlib reads $…$ as mathtext (a symbol may be named "$"), and has
    no glyph for a control character."""
    return printable(text).replace("$", r"\$")


def slice_plot(line: Slice, title: str) -> str:
    """Both sides along the line, with the point it goes through marked."""
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(5.2, 2.4))
        axes.plot(line.values, line.lhs, label=f"lhs ({line.lhs_method})", linewidth=2.2)
        axes.plot(line.values, line.rhs, "--", label=f"rhs ({line.rhs_method})", linewidth=1.6)
        if line.at is not None:
            axes.axvline(line.at, color="0.6", linewidth=0.8, linestyle=":")
        entry = f"  (entry {list(line.element)})" if line.element else ""
        axes.set_xlabel(literal(line.symbol) + entry)
        axes.set_title(literal(title), fontsize=9, loc="left")
        axes.legend(frameon=False, fontsize=8)
        return svg(figure)


def error_histogram(errors: list[float], title: str) -> str:
    """How far apart the sides were at each sampled point, on a log scale; exact zeros apart."""
    exact = sum(1 for e in errors if e == 0)
    logs = [math.log10(e) for e in errors if e > 0]
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(5.2, 2.2))
        if logs:
            axes.hist(logs, bins=30, color="#4a7ebb")
        else:  # nothing to bin: say so rather than draw empty axes
            axes.text(0.5, 0.5, "every point: the sides agree exactly", ha="center",
                      va="center", transform=axes.transAxes)  # fmt: skip
            axes.set_yticks([])
            axes.set_xticks([])
        axes.set_xlabel("log10 relative error, lhs against rhs (mpmath)")
        axes.set_ylabel("points")
        axes.set_title(
            literal(f"{title} · {exact} of {len(errors)} exactly 0"), fontsize=9, loc="left"
        )
        return svg(figure)
