"""Notes as written: Markdown with LaTeX display math, read into derivations.

`tokens` (one token stream with positions), `parser` (LaTeX → SymPy, recursive descent),
`declarations` (the ```derivcheck TOML blocks and the sidecar file), `document` (display-math
blocks, rows, chains), `build` (claims → Derivations). Nothing read from a notes file is ever
passed to eval, exec, sympify or parse_expr: the parser builds SymPy objects directly.

May import the records (derivcheck.model, derivcheck.results, derivcheck.functions) and
derivcheck.indices.model; never a check, the pool, a report or the CLI.
"""

from .tokens import NotesError

__all__ = ["NotesError", "NotesReading", "notes_derivations", "read_notes"]


def __getattr__(name: str):  # SymPy is imported only when notes are read
    if name in ("NotesReading", "notes_derivations", "read_notes"):
        from . import build

        return getattr(build, name)
    raise AttributeError(name)
