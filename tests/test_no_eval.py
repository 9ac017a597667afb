"""Text in a derivation is never run: no side, definition, size or range reaches `sympify`,
`eval` or `exec` as a string (sympify parses a string with eval).

Each payload below writes a marker file if it is ever evaluated; the run must report an error
in one line, and the marker must not exist. Before checker/values.py, the first of these (a
string side of a step for every K) wrote its marker while the file was imported.
"""

import ast
import textwrap
from pathlib import Path

import pytest

from derivcheck.cli import main

ROOT = Path(__file__).resolve().parents[1] / "checker"
FORBIDDEN_CALLS = {"sympify", "parse_expr", "parse_latex", "eval", "exec", "S"}

HEADER = """
    from sympy import Indexed, IndexedBase, Integer, Sum, Symbol, exp
    from derivcheck.dsl import Instance, derivation, fix, for_all, step
    from derivcheck.indices import IndexContext
    from derivcheck.model import Claim, Context

    x = Symbol("x", real=True)
    K = Symbol("K", integer=True, positive=True)
    k = Symbol("k", integer=True)
    z = IndexedBase("z")
    PAYLOAD = "__import__('pathlib').Path(r'{marker}').write_text('ran') or 1"
    EVERY_K = IndexContext(ranges={{k: K}}, sizes={{K: (2, 3)}})
"""

CASES = {
    "indexed-side": 'D = derivation("t", "t", "f", for_all=EVERY_K, '
    'steps=[step("a = b", (PAYLOAD, z[k]))])',
    "indexed-for-all": 'D = derivation("t", "t", "f", '
    'steps=[step("a = b", for_all(z[k], PAYLOAD, EVERY_K))])',
    "size": 'D = derivation("t", "t", "f", '
    "for_all=IndexContext(ranges={k: K}, sizes={K: (2, PAYLOAD)}), "
    'steps=[step("a = b", (z[k], z[k]))])',
    "index-domain": 'D = derivation("t", "t", "f", '
    "for_all=IndexContext(ranges={k: K}, sizes={K: (2, 3)}, "
    "definitions={}, domains={z: (PAYLOAD, 1)}), "
    'steps=[step("a = b", (z[k], z[k]))])',
    "range": 'D = derivation("t", "t", "f", '
    "for_all=IndexContext(ranges={k: PAYLOAD}, sizes={K: (2, 3)}), "
    'steps=[step("a = b", (z[k], z[k]))])',
    "definition": 'D = derivation("t", "t", "f", '
    "for_all=IndexContext(ranges={k: K}, sizes={K: (2, 3)}, "
    "definitions={Symbol('L'): ((), PAYLOAD)}), "
    'steps=[step("a = b", (Symbol("L"), Symbol("L")))])',
    "concrete-side": 'D = derivation("t", "t", "f", instances=[Instance(Context())], '
    'steps=[step("a = b", (PAYLOAD, x))])',
    "concrete-definition": 'D = derivation("t", "t", "f", '
    'instances=[Instance(Context(definitions={Symbol("q"): PAYLOAD}))], '
    'steps=[step("a = b", (Symbol("q"), 1))])',
    "domain": 'D = derivation("t", "t", "f", '
    "instances=[Instance(Context(domains={x: (PAYLOAD, 2)}))], "
    'steps=[step("a = b", (x, x))])',
    "correction": 'D = derivation("t", "t", "f", instances=[Instance(Context())], '
    'steps=[step("a = b", (x, x + 1), erratum=fix("a = c", (PAYLOAD, x)))])',
}


def calls(tree) -> set[str]:
    """The names of every function `tree` calls, as `name(...)` or `module.name(...)`."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            function = node.func
            if isinstance(function, ast.Name):
                found.add(function.id)
            elif isinstance(function, ast.Attribute):
                found.add(function.attr)
    return found


def test_no_module_of_the_checker_calls_sympify_or_eval_itself():
    offenders = {
        f"{path.relative_to(ROOT.parent)}: {name}"
        for path in ROOT.rglob("*.py")
        # values.py turns strings into SymPy without sympify; codegen.py runs code printed
        # by SymPy's printer from expressions whose symbols are Dummies (tests/test_codegen.py)
        if path.name not in ("values.py", "codegen.py")
        for name in calls(ast.parse(path.read_text(encoding="utf-8"))) & FORBIDDEN_CALLS
    }
    assert not offenders


def test_the_scan_finds_a_planted_call():
    assert "sympify" in calls(ast.parse("import sympy\nsympy.sympify(side)"))
    assert "eval" in calls(ast.parse("eval(text)"))


@pytest.mark.parametrize("case", sorted(CASES))
def test_text_in_a_derivation_is_never_evaluated(case, tmp_path, capsys):
    marker = tmp_path / "ran.txt"
    path = tmp_path / "hostile.py"
    source = textwrap.dedent(HEADER.format(marker=marker)) + CASES[case] + "\n"
    path.write_text(source, encoding="utf-8")
    code = main(["verify", "--path", str(path), "--no-cache", "--no-suggest", "--points", "3"])
    captured = capsys.readouterr()
    assert not marker.exists(), f"{case}: the payload ran"
    assert code in (1, 2), captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err
    if code == 2:  # refused while loading: one line
        assert len(captured.err.strip().splitlines()) == 1, captured.err
