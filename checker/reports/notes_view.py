"""The notes themselves in the HTML report: the Markdown as the user wrote it (markdown-it-py, raw
HTML off), each display-math block as MathML, and beside it a verdict mark for every equals sign
in it, each a link to the step's evidence below; a block with a failing sign is highlighted."""

from __future__ import annotations

from dataclasses import dataclass

from ..results import Report
from .text import MARKS

STATUS_MARKS = {"definition": "≔", "skipped": "–", "not read": "?"}
CSS = """
.notes-page { border: 1px solid #ddd; border-radius: 6px; padding: 0.4em 1.2em; margin: 1em 0; }
.notes-math { display: flex; align-items: center; gap: 0.8em; border-left: 3px solid #ddd;
              padding-left: 0.6em; margin: 0.6em 0; }
.notes-math.failing { border-left-color: #c33; background: #fdf1f1; }
.notes-math .math { flex: 1; }
.notes-marks { white-space: nowrap; }
a.mark.definition, a.mark.skipped { background: #888; } a.mark.unread { background: #555; }
"""


@dataclass(frozen=True)
class Mark:
    """One equals sign of the notes: where it is, and the step that checks it (if any)."""

    pos: int
    where: str  # notes.md:42:17
    status: str  # "claim", "definition", "skipped", "not read"
    derivation: str = ""
    step: int = 0
    reason: str = ""


@dataclass(frozen=True)
class NotesPage:
    path: str
    text: str
    blocks: tuple[tuple[int, int], ...]  # the display-math blocks' content offsets
    marks: tuple[Mark, ...]


def render_notes(report: Report, pages, esc, latex_math) -> str:
    """The HTML of every notes page; `esc` and `latex_math` are the report's own."""
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark", {"html": False})
    outcomes = {(d.derivation.name, s.step.number): s for d in report.derivations for s in d.steps}
    out = []
    for page in pages:
        out.append(f'<section class="notes-page" id="notes-{esc(page.path)}">')
        out.append(f"<h2>{esc(page.path)} as written</h2>")
        text, cursor = page.text, 0
        for start, end in page.blocks:
            outer = (
                (start - 2, end + 2) if text[start - 2 : start] in ("$$", "\\[") else (start, end)
            )
            out.append(markdown.render(text[cursor : outer[0]]))
            marks = [m for m in page.marks if start <= m.pos < end]
            links, failing = [], False
            for m in marks:
                link, bad = mark_link(m, outcomes, report.strict, esc)
                links.append(link)
                failing = failing or bad
            latex = text[start:end]
            out.append(
                f'<div class="notes-math{" failing" if failing else ""}">'
                f'<div class="math">{latex_math(latex)}</div>'
                f'<span class="notes-marks">{"".join(links)}</span></div>'
            )
            cursor = outer[1]
        out.append(markdown.render(text[cursor:]))
        out.append("</section>")
    return "\n".join(out)


def mark_link(mark: Mark, outcomes, strict: bool, esc) -> tuple[str, bool]:
    outcome = outcomes.get((mark.derivation, mark.step))
    if mark.status != "claim" or outcome is None:
        shown = STATUS_MARKS.get(mark.status, "?")
        kind = "unread" if mark.status == "not read" else mark.status.replace(" ", "-")
        title = f"{mark.where}: {mark.status}" + (f" — {mark.reason}" if mark.reason else "")
        return (
            f'<a class="mark {esc(kind)}" title="{esc(title)}">{esc(shown)}</a>',
            mark.status == "not read",
        )
    verdict = outcome.result.verdict
    ok = outcome.ok(strict)
    expected = " expected" if outcome.step.erratum and ok else ""
    failing = "" if ok else " failing"
    title = f"{mark.where}: {verdict}" + (" (erratum, as expected)" if expected else "")
    anchor = f"#{mark.derivation}-step-{mark.step}"
    return (
        f'<a class="mark {esc(verdict)}{expected}{failing}" href="{esc(anchor)}" '
        f'title="{esc(title)}">{esc(MARKS[verdict])}</a>',
        not ok,
    )
