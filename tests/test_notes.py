"""The notes reader: each construct of the notation where it must read and where it must refuse
(one line per case, the exact message), the document's chains, continuations, arrows, boxes and
statements, scoped declarations, hostile input, and a planted slip refuted at its line."""

import builtins
import sys
import time
from pathlib import Path

import pytest
import sympy

from derivcheck.notes import NotesError, read_notes
from derivcheck.notes.declarations import resolve
from derivcheck.notes.parser import parse
from derivcheck.notes.tokens import Source, tokenize

DECL = {
    "symbols": {
        "\\hat{y}": {},
        "\\bar{x}": {},
        "\\tilde{x}": {},
        "\\mathbf{x}": {},
        "w": {"shape": [2]},
        "v": {"shape": [2]},
        "u": {"shape": ["K"]},
        "W": {"shape": ["K", "D"]},
    },
    "sizes": {"K": [2, 5], "D": [1, 3]},
    "indices": {"j": [1, "K"], "k": [1, "K"], "m": [1, "K"], "d": [1, "D"]},
    "functions": {"f": {"variable": "t", "body": "t^2 + 1"}},
}


def read(latex: str, raw=None):
    scope = resolve(1, 0, "decl", DECL if raw is None else raw, Source("notes.md", ""))
    source = Source("notes.md", latex)
    value, _ = parse(source, tokenize(source, 0, len(latex)), scope.env)
    return value


READS = [  # (LaTeX, SymPy as printed), one line per construct
    ("\\sum_{j=1}^{K} u_j", "Sum(u[j], (j, 1, K))"),
    ("\\dfrac{a}{b}", "a/b"),
    ("\\sigma'(2z)", "Subs(Derivative(σ(_t), _t), _t, 2*z)"),
    ("\\frac{a}{b}", "a/b"),
    ("a \\cdot b", "a*b"),
    ("a \\times b", "a*b"),
    ("2x", "2*x"),
    ("x^2", "x**2"),
    ("x^{-1}", "1/x"),
    ("e^{x}", "exp(x)"),
    ("\\exp(x)", "exp(x)"),
    ("\\log x", "log(x)"),
    ("\\log(x)", "log(x)"),
    ("\\ln x", "log(x)"),
    ("\\log_2 x", "log(x)/log(2)"),
    ("\\sqrt{x}", "sqrt(x)"),
    ("\\sqrt[3]{x}", "x**(1/3)"),
    ("\\tanh x", "tanh(x)"),
    ("\\sin^2 x", "sin(x)**2"),
    ("\\sin(x)^2", "sin(x)**2"),  # the power is the function's, as for σ(z)^2
    ("\\log(x)^2 + \\exp(x)^{3}", "exp(3*x) + log(x)**2"),
    ("\\sin x^2", "sin(x**2)"),
    ("\\sin(x^2)", "sin(x**2)"),
    ("z_0", "z0"),
    ("\\hat{y}", "yhat"),
    ("\\bar{x} + \\tilde{x} + \\mathbf{x}", "xbar + xbf + xtilde"),
    ("\\sum_{j=1}^{3} x_j", "x1 + x2 + x3"),
    ("\\sum_j u_j", "Sum(u[j], (j, 1, K))"),
    ("\\sum_{k \\neq m} u_k", "Sum((1 - KroneckerDelta(k, m))*u[k], (k, 1, K))"),
    ("\\sum_j u_j x", "x*Sum(u[j], (j, 1, K))"),
    ("\\prod_{i=1}^{3} x_i", "x1*x2*x3"),
    ("\\frac{dL}{dz}", "Derivative(L, z)"),
    ("\\frac{d}{dz}(z^2)", "Derivative(z**2, z)"),
    ("\\frac{d}{dz} z^2 + 1", "Derivative(z**2, z) + 1"),
    ("\\frac{\\partial L}{\\partial x}", "Derivative(L, x)"),
    ("\\frac{\\delta L}{\\delta x}", "Derivative(L, x)"),
    ("\\frac{d\\hat{y}}{dz}", "Derivative(yhat, z)"),
    ("\\frac{d^2 L}{dx^2}", "Derivative(L, (x, 2))"),
    ("\\frac{\\partial^2 L}{\\partial x \\partial y}", "Derivative(L, x, y)"),
    ("\\frac{du_k}{du_m}", "Derivative(u[k], u[m])"),
    ("\\frac{dL}{dW_{md}}", "Derivative(L, W[m, d])"),
    ("\\frac{dL}{dW_{m,d}}", "Derivative(L, W[m, d])"),
    ("\\sigma(z)", "σ(z)"),
    ("\\sigma'(z)", "Derivative(σ(z), z)"),
    ("f(x)", "x**2 + 1"),
    ("w^T v", "v0*w0 + v1*w1"),
    ("w^\\top v", "v0*w0 + v1*w1"),
    ("w^{T} v", "v0*w0 + v1*w1"),
    ("|x - 1|", "Abs(x - 1)"),
    ("\\max(a, b)", "Max(a, b)"),
    ("y(1 - \\hat{y})", "y*(1 - yhat)"),
    ("0.5 x", "x/2"),
    ("\\left( a + b \\right)^2", "(a + b)**2"),
    ("x \\text{ for all } y", "x*y"),
    ("\\frac{dL}{dw}", "Matrix([[Derivative(L, w0)], [Derivative(L, w1)]])"),
    ("\\boxed{x + 1}", "x + 1"),
]
REFUSES = [  # (LaTeX, the located message), one line per case
    ("x^2^3", "notes.md:1:4: a double superscript; write x^{a^b} or (x^a)^b"),
    ("2 3", "notes.md:1:3: two numbers side by side (2 3); write \\cdot between them"),
    (
        "\\sum_j x_j",
        'notes.md:1:8: x_j is not declared; declare x indexed (e.g. "x" = {shape = ["K"]}) or "x_j" as a symbol',  # noqa: E501
    ),
    (
        "\\hat{z}",
        'notes.md:1:1: \\hat{z} is not declared; declare it in a ```derivcheck block (e.g. [symbols] "\\hat{z}" = {domain = [0, 1]})',  # noqa: E501
    ),
    ("u_q", 'notes.md:1:3: q is not an index; declare it in [indices], e.g. q = [1, "K"]'),
    ("u", "notes.md:1:1: u is indexed (rank 1); write it with its indices, e.g. u_i"),
    (
        "\\frac{d}{dz}",
        "notes.md:1:1: d/d… has no operand: write what is differentiated, \\frac{d}{dz}(…) or \\frac{dy}{dz}",  # noqa: E501
    ),
    ("x^T", "notes.md:1:3: ᵀ of a scalar; declare the name a vector, e.g. shape = [3]"),
    ("(a + b", "notes.md:1:7: expected ')', found the end of the expression"),
    (
        "\\input{foo}",
        "notes.md:1:1: \\input is not read: derivcheck never expands macros or reads other files; write the expression out",  # noqa: E501
    ),
    (
        "\\def\\x{1}",
        "notes.md:1:1: \\def is not read: derivcheck never expands macros or reads other files; write the expression out",  # noqa: E501
    ),
    ("a \\pm b", "notes.md:1:3: \\pm is two claims; write each sign out"),
    ("\\sin^{-1} x", "notes.md:1:11: \\sin^{-1} is ambiguous; write \\arcsin or 1/\\sin"),
    ("\\sin^2(x)^2", "notes.md:1:10: \\sin^… with a power after its argument too; write one"),
    ("\\unknown", "notes.md:1:1: \\unknown is not notation derivcheck reads here"),
    (
        "a + \\frac{1}{",
        "notes.md:1:13: unbalanced: the { of the denominator of \\frac is never closed",
    ),
    ("\\sum_{j=1} x_j", "notes.md:1:1: \\sum_{j=…} needs an upper limit ^{…}"),
    ("\\frac{dL}{d(x+1)}", "notes.md:1:12: expected a name, found ("),
    (
        "\\frac{d^2 L}{dx}",
        "notes.md:1:1: the order above the line (2) differs from the variables below it (1)",
    ),
    ("w v", "notes.md:1:4: multiplies two vectors of shape (2, 1); write uᵀv"),
    ("w + 1", "notes.md:1:6: adds values of different shapes (shape (2, 1) and a scalar)"),
    ("\\log(w)", "notes.md:1:8: \\log of a vector"),
    ("\\sigma(w)", "notes.md:1:10: \\sigma of a vector; write it entry by entry"),
    ("u_{k m}", "notes.md:1:4: u_{km}: u takes 1 index; write one (or separate them with commas)"),
    (
        "x_k",
        'notes.md:1:1: x_k is not declared; declare x indexed (e.g. "x" = {shape = ["K"]}) or "x_k" as a symbol',  # noqa: E501
    ),
    ("\\|x\\|", "notes.md:1:1: \\| is not notation derivcheck reads here"),
    (
        "\\partial x",
        "notes.md:1:1: \\partial outside a derivative \\frac{\\partial …}{\\partial …}",
    ),
    ("\\frac{dL}{dw}dw", "notes.md:1:16: multiplies two vectors of shape (2, 1); write uᵀv"),
]


@pytest.mark.parametrize(("latex", "expected"), READS, ids=[c[0] for c in READS])
def test_the_parser_reads(latex, expected):
    assert str(read(latex)) == expected


@pytest.mark.parametrize(("latex", "message"), REFUSES, ids=[c[0] for c in REFUSES])
def test_the_parser_refuses_with_a_located_message(latex, message):
    with pytest.raises(NotesError) as error:
        read(latex)
    assert str(error.value) == message


def test_e_is_a_variable_once_declared_and_log_takes_a_declared_base():
    assert str(read("e^{x}", {"symbols": {"e": {}}})) == "e**x"
    assert read("\\log x", {"log": 10}) == sympy.log(sympy.Symbol("x", real=True), 10)


def notes(tmp_path, text: str, name: str = "notes.md"):
    path = tmp_path / name
    path.write_text(text)
    return read_notes(str(path), display=name)


def shown(reading) -> list[tuple]:
    return [
        (r.line, r.sign, r.status, str(r.lhs), str(r.rhs), tuple(r.remarks))
        for r in reading.readings
    ]


def test_a_chain_is_one_claim_per_equals_sign(tmp_path):
    r = notes(tmp_path, "$$a = b = c$$\n")
    assert shown(r) == [(1, 1, "claim", "a", "b", ()), (1, 2, "claim", "b", "c", ())]


def test_an_aligned_row_continues_from_the_row_above_also_across_blocks(tmp_path):
    text = (
        "$$\\begin{aligned} a &= b \\\\ &= c \\end{aligned}$$\n\n"
        "Prose between, and $x = y$ inline is not a claim.\n\n"
        "$$\\begin{aligned} &= d \\end{aligned}$$\n"
    )
    assert [(r.line, str(r.lhs), str(r.rhs)) for r in notes(tmp_path, text).readings] == [
        (1, "a", "b"),
        (1, "b", "c"),
        (5, "c", "d"),
    ]


def test_arrows_read_as_equals_unless_an_equals_follows_them(tmp_path):
    text = "$$a \\Rightarrow b$$\n\n$$\\frac{dy}{dz} \\rightarrow y = z^2$$\n"
    assert shown(notes(tmp_path, text)) == [
        (1, 1, "claim", "a", "b", ("\\Rightarrow read as =",)),
        (3, 2, "claim", "y", "z**2", ()),
    ]


def test_an_arrow_ending_a_row_carries_to_the_next_statement(tmp_path):
    text = "$$\\begin{aligned} a &= b \\rightarrow \\\\ &\\quad c \\end{aligned}$$\n"
    assert shown(notes(tmp_path, text))[1] == (1, 2, "claim", "b", "c", ("\\rightarrow read as =",))


def test_quad_separates_statements_and_a_boxed_statement_is_its_own_chain(tmp_path):
    text = (
        "$$\\begin{aligned} a &= b \\quad \\boxed{\\begin{aligned} c &= d \\\\ &= g "
        "\\end{aligned}} \\\\ &= f \\end{aligned}$$\n"
    )
    assert [(str(r.lhs), str(r.rhs)) for r in notes(tmp_path, text).readings] == [
        ("a", "b"),
        ("c", "d"),
        ("d", "g"),
        ("b", "f"),
    ]


def test_a_continuation_row_without_a_relation_is_an_implicit_equals(tmp_path):
    text = "$$\\begin{aligned} a &= b \\\\ &\\quad c \\end{aligned}$$\n"
    assert shown(notes(tmp_path, text))[1] == (
        1, 2, "claim", "b", "c", ("no relation written on this row: read as =",)
    )  # fmt: skip


def test_only_a_top_level_equals_splits(tmp_path):
    text = '```derivcheck\naliases = {"P(x=1)" = "p"}\n```\n\n$$P(x=1) = q$$\n'
    assert shown(notes(tmp_path, text)) == [(5, 1, "claim", "p", "q", ("P(x=1) read as p",))]


def test_a_row_that_is_only_k_neq_m_is_a_side_condition_of_its_chain(tmp_path):
    text = (
        '```derivcheck\n[sizes]\nK = [2, 4]\n[indices]\nk = [1, "K"]\nm = [1, "K"]\n'
        '[symbols]\nu = {shape = ["K"]}\n```\n\n'
        "$$\\frac{du_k}{du_m} = 0$$\n\n$$\\begin{aligned} k \\neq m \\\\ &= 0 \\cdot u_k "
        "\\end{aligned}$$\n"
    )
    r = notes(tmp_path, text)
    assert [str(x.conditions) for x in r.readings] == ["[(k, m)]", "[(k, m)]"]
    step = r.derivations[0].steps[0]
    assert step.indexed.context.distinct == ((sympy.Symbol("k", integer=True),
                                              sympy.Symbol("m", integer=True)),)  # fmt: skip


def test_text_left_right_and_spacing_are_dropped(tmp_path):
    text = "$$\\left( a \\, + \\; b \\right) \\text{ (by the above) } = c$$\n"
    assert shown(notes(tmp_path, text)) == [
        (1, 1, "claim", "a + b", "c", ("\\text{(bytheabove)} dropped (an annotation)",))
    ]


SCOPED = """\
```derivcheck
name = "first"
[symbols]
x = {shape = [2]}
w = {shape = [2]}
```

$$w^T x = x^T w$$

```derivcheck
forget = ["x"]
name = "second"
[define]
x = "z_1 - z_0"
[symbols]
x = {}
```

$$x = z_1 - z_0$$
"""


def test_a_letter_that_changes_meaning_from_one_block_to_the_next(tmp_path):
    r = notes(tmp_path, SCOPED)
    assert [(d.name, [s.latex for s in d.steps]) for d in r.derivations] == [
        ("first", ["w^T x = x^T w"]),
        ("second", ["x = z_1 - z_0"]),
    ]
    first, second = (d.steps[0].claims[0] for d in r.derivations)
    assert isinstance(first.lhs, sympy.Expr) and first.lhs.has(sympy.Symbol("x0", real=True))
    assert second.context.definitions == {
        sympy.Symbol("x", real=True): sympy.Symbol("z1", real=True) - sympy.Symbol("z0", real=True)
    }


def test_the_sidecar_declares_notes_that_cannot_be_edited(tmp_path):
    (tmp_path / "plain.derivcheck.toml").write_text(
        '[symbols]\n"\\\\hat{y}" = {}\n[[block]]\nat_line = 3\nname = "later"\n'
        '[block.symbols]\n"\\\\hat{z}" = {}\n'
    )
    r = notes(tmp_path, "$$\\hat{y} = 1$$\n\n$$\\hat{z} = \\hat{y}$$\n", "plain.md")
    assert [(x.line, x.status) for x in r.readings] == [(1, "claim"), (3, "claim")]
    assert [d.name for d in r.derivations] == ["plain-1", "later"]


def test_an_undeclared_name_is_a_located_error_naming_it(tmp_path):
    r = notes(tmp_path, "\n$$a = \\hat{q}$$\n")
    assert [x.error for x in r.readings] == [
        "notes.md:2:7: \\hat{q} is not declared; declare it in a ```derivcheck block (e.g. "
        '[symbols] "\\hat{q}" = {domain = [0, 1]})'
    ]
    assert r.unexplained and not r.derivations


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```derivcheck\nname = \n```\n", "notes.md:2: the derivcheck block is not TOML: "
         "Invalid value (at end of document)"),
        ("```derivcheck\nname = 'a'\ntitle = = 1\n```\n", "notes.md:3: the derivcheck block is "
         "not TOML: Invalid value (at column 9)"),
        ("```derivcheck\nnmae = 'x'\n```\n", "notes.md:2: unknown declaration key 'nmae'; known: "
         "aliases, assume, defaults, define, forget, functions, indices, lines, log, name, "
         "reset, sizes, symbols, title"),
        ("```derivcheck\n[[lines]]\nline = 9\nskip = 'x'\n```\n$$a = b$$\n",
         "notes.md:1: [[lines]] line = 9: there is no such equals sign (see `derivcheck read`)"),
        ("```derivcheck\n[[lines]]\nline = 4\nexpect = 'refuted'\n```\n$$a = b$$\n",
         'notes.md:1: line 4: expect = "refuted" needs its corrected line, corrected = '
         '"lhs = rhs" (it must pass)'),
        ("```derivcheck\n[define]\nq = 'a'\n```\n", "notes.md:1: define q: declare q in "
         "[symbols] first"),
        ("```derivcheck\n[sizes]\nD = [1, 3]\n[indices]\ne = [1, 'D']\n```\n", "notes.md:1: "
         "the index e would change what e^{…} means (Euler's number); name the index otherwise "
         "(d, f, …)"),
        ("$$a = b\n", "notes.md:1:1: a $$ with no closing $$"),
        ("```derivcheck\nname = 'x'\n", "notes.md:1:1: a code fence ``` with no closing ```"),
    ],
)  # fmt: skip
def test_a_declaration_that_cannot_be_used_is_a_located_error(tmp_path, text, message):
    with pytest.raises(NotesError) as error:
        notes(tmp_path, text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("$$a = \\frac{1}{b$$\n", "notes.md:1:12: unbalanced: a group opened here is never closed"),
        ("$$" + "{" * 10_000 + "x" + "}" * 10_000 + " = 1$$\n",
         "notes.md:1:103: groups nested over 100 deep"),
        ("$$\\input{/etc/passwd} = 1$$\n", "notes.md:1:3: \\input is not read: derivcheck never "
         "expands macros or reads other files; write the expression out"),
        ("$$\\def\\x{1} \\x = 1$$\n", "notes.md:1:3: \\def is not read: derivcheck never expands "
         "macros or reads other files; write the expression out"),
        ("$$a = b } + {$$\n", "notes.md:1:9: a closing } with nothing open"),
    ],
)  # fmt: skip
def test_hostile_input_is_a_clear_error_and_no_hang(tmp_path, text, error):
    start = time.monotonic()
    r = notes(tmp_path, text)
    assert [x.error for x in r.readings] == [error]
    assert time.monotonic() - start < 30


def test_a_one_megabyte_line_is_read_or_refused_quickly(tmp_path):
    start = time.monotonic()
    prose = notes(tmp_path, "x" * 1_000_000 + "\n\n$$a = a$$\n")
    assert [x.status for x in prose.readings] == ["claim"]
    long = notes(tmp_path, "$$" + "a + " * 250_000 + "a = b$$\n")
    assert [x.error for x in long.readings] == [
        "notes.md:1:3: a display-math block of over 200000 tokens"
    ]
    assert time.monotonic() - start < 60


def test_nothing_from_the_notes_reaches_eval_exec_sympify_or_parse_expr(monkeypatch):
    # Every name these are bound to, in every module loaded, raises on a string.
    from sympy.parsing import sympy_parser

    originals = {
        id(sympy.sympify): sympy.sympify,
        id(sympy_parser.parse_expr): sympy_parser.parse_expr,
    }

    def guard(original):
        def guarded(value, *args, **kwargs):
            if isinstance(value, str):
                raise AssertionError(f"{original.__name__} called on {value!r}")
            return original(value, *args, **kwargs)

        return guarded

    for module in list(sys.modules.values()):
        for name, value in list(getattr(module, "__dict__", {}).items()):
            if id(value) in originals and value is originals[id(value)]:
                monkeypatch.setattr(module, name, guard(value))
    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, guard(getattr(builtins, name)))
    reading = read_notes("notes/softmax_notes.md")
    assert sum(r.read for r in reading.readings) == 62
    with pytest.raises(AssertionError):  # the guard can fail: a string does reach it
        sympy.sympify("x")


SLIP = """\
# A planted slip

```derivcheck
name = "planted"
[define]
s = "\\\\sigma(z)"
[symbols]
s = {}
z = {domain = [-5, 5]}
```

$$\\frac{ds}{dz} = s(1 - s)$$

$$\\frac{d}{dz} \\sigma(z) = s(1 + s)$$
"""


def test_a_planted_slip_is_refuted_at_its_line(tmp_path):
    from derivcheck import verify_derivations

    r = notes(tmp_path, SLIP)
    report = verify_derivations(r.derivations, timeout=20)
    assert [(o.step.where, o.result.verdict) for o in report.outcomes] == [
        ("notes.md:12:17", "proved"),
        ("notes.md:14:26", "refuted"),
    ]


NESTED = r"""# Nested derivatives by a shorthand

```derivcheck
name = "nested"
[symbols]
z = {domain = [-3, 3]}
"\\hat{y}" = {domain = [0, 1]}
L = {}
[define]
"\\hat{y}" = "\\sigma(z)"
L = "-\\log \\hat{y}"
```

$$\frac{\partial}{\partial z} \frac{\partial L}{\partial \hat{y}} = \frac{1 - \hat{y}}{\hat{y}}$$

$$\frac{\partial}{\partial z} \frac{\partial L}{\partial \hat{y}} = \frac{1 - \hat{y}}{\hat{y}^2}$$

$$\frac{\partial}{\partial z} \frac{\partial L}{\partial z} = \hat{y}(1 - \hat{y})$$

$$\frac{\partial^2 L}{\partial \hat{y} \partial z} = \frac{1 - \hat{y}}{\hat{y}}$$

$$\frac{\partial}{\partial \hat{y}} \frac{\partial L}{\partial z} = 0$$
"""


def test_a_nested_derivative_by_a_shorthand_is_checked_in_leibniz_order(tmp_path):
    # d/dz (dL/dŷ) = d/dz (−1/ŷ) = (1 − ŷ)/ŷ: dL/dŷ with ŷ held, then ŷ = σ(z), then d/dz.
    from derivcheck import verify_derivations

    r = notes(tmp_path, NESTED)
    assert [str(s.lhs) for s in r.readings] == [
        "Derivative(Subs(Derivative(L, yhat), yhat, yhat), z)",  # held apart, not merged
        "Derivative(Subs(Derivative(L, yhat), yhat, yhat), z)",
        "Derivative(L, (z, 2))",  # an ordinary nested derivative, as before
        "Derivative(L, yhat, z)",  # one fraction by both: ambiguous, refused
        "Derivative(Subs(Derivative(L, z), z, z), yhat)",  # by ŷ of ∂L/∂z: ambiguous, refused
    ]
    report = verify_derivations(r.derivations, timeout=20)
    assert [(o.step.where, o.result.verdict) for o in report.outcomes] == [
        ("notes.md:14:67", "proved"),
        ("notes.md:16:67", "refuted"),
        ("notes.md:18:61", "proved"),
        ("notes.md:20:52", "error"),
        ("notes.md:22:67", "error"),
    ]
    assert "ambiguous" in report.outcomes[3].result.message
    # ∂L/∂z = ŷ − 1 is a function of z: by ŷ it is 1 written so, 0 with ŷ held: no one reading
    assert "ambiguous" in report.outcomes[4].result.message


def test_a_nested_derivative_by_a_shorthand_for_every_k(tmp_path):
    # ∂/∂z_m (∂L/∂ŷ_m) = ∂/∂z_m (−y_m/ŷ_m) = y_m (1 − ŷ_m)/ŷ_m, by the rules and at the sizes.
    from derivcheck import verify_derivations

    catalogue = Path(__file__).resolve().parent.parent / "catalogue" / "softmax_hessian.md"
    text = catalogue.read_text().split("The gradient")[0] + (
        "$$\\frac{\\partial}{\\partial z_m} \\frac{\\partial L}{\\partial \\hat{y}_m}"
        " = \\frac{y_m (1 - \\hat{y}_m)}{\\hat{y}_m}$$\n\n"
        "$$\\frac{\\partial}{\\partial z_m} \\frac{\\partial L}{\\partial \\hat{y}_m}"
        " = \\frac{\\partial}{\\partial z_m} (\\hat{y}_m - y_m)$$\n\n"
        "$$\\frac{\\partial}{\\partial \\hat{y}_k} \\frac{\\partial L}{\\partial z_m} = 0$$\n"
    )
    report = verify_derivations(notes(tmp_path, text).derivations, timeout=20)
    proof, refutation, held = (o.result for o in report.outcomes)
    assert proof.verdict == "proved" and proof.proof.status == "proved"
    assert refutation.verdict == "refuted" and refutation.proof.status == "not proved"
    # by ŷ_k of ∂L/∂z_m, a function of z: no one reading, refused (never a pass)
    assert held.verdict == "error" and held.proof.status == "error"
    assert "ambiguous" in held.message


def test_the_readme_example_is_the_file_and_the_commands_work_on_it(capsys):
    from derivcheck import cli

    root = Path(__file__).resolve().parent.parent
    example = (root / "docs" / "tanh_notes.md").read_text()
    assert example in (root / "README.md").read_text()
    assert cli.main(["read", "docs/tanh_notes.md"]) == 0
    out = capsys.readouterr().out
    assert "docs/tanh_notes.md:19:24 (sign 1) claim, expected refuted · tanh" in out
    assert out.endswith("docs/tanh_notes.md: 3 equals signs, 3 read, 0 skipped by the "
                        "declaration, 0 not read\n")  # fmt: skip
    assert cli.main(["check", "-q", "--timeout", "20", "docs/tanh_notes.md"]) == 0
    out = capsys.readouterr().out
    assert "PASSED: 3 steps" in out and "errata 1/1" in out
    assert cli.main(["explain", "--timeout", "20", "docs/tanh_notes.md", "19"]) == 0
    assert "tanh step 3 · docs/tanh_notes.md:19:24" in capsys.readouterr().out


def test_an_equals_sign_not_read_fails_the_check_and_a_bad_file_is_a_usage_error(tmp_path, capsys):
    from derivcheck import cli

    path = tmp_path / "n.md"
    path.write_text("$$a = a$$\n\n$$b = \\hat{q}$$\n")
    assert cli.main(["check", "-q", "--timeout", "20", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: 2 equals signs, 1 read, 0 skipped by the declaration, 1 not read" in out
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GITHUB_ACTIONS", "true")
        assert cli.main(["check", "-q", "--timeout", "20", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"::error file={str(path).replace(':', '%3A')},line=3,col=5,title=not read::" in out
    assert cli.main(["read", str(tmp_path / "missing.md")]) == 2
    path.write_text("```derivcheck\nname = \n```\n")
    assert cli.main(["check", str(path)]) == 2
    assert "the derivcheck block is not TOML" in capsys.readouterr().err


def test_github_annotations_and_junit_point_at_the_markdown_line(tmp_path, monkeypatch, capsys):
    import os

    from derivcheck import cli

    path = tmp_path / "slip.md"
    path.write_text(SLIP)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    junit = tmp_path / "results.xml"
    assert cli.main(["check", "--timeout", "20", "-o", str(junit), str(path)]) == 1
    out = capsys.readouterr().out
    assert f"::error file={os.path.relpath(path)},line=14," in out
    assert f'file="{os.path.relpath(path)}" line="14"' in junit.read_text()


def test_the_html_report_shows_the_notes_with_a_mark_beside_every_equals_sign(tmp_path):
    from derivcheck import cli

    path = tmp_path / "slip.md"
    path.write_text(SLIP + "\n<script>alert(1)</script> and [a](javascript:alert(1))\n")
    page = tmp_path / "report.html"
    assert cli.main(["check", "-q", "--timeout", "20", "-o", str(page), str(path)]) == 1
    html = page.read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a class="mark proved" href="#planted-step-1"' in html
    assert '<a class="mark refuted failing" href="#planted-step-2"' in html
    assert html.count('<div class="notes-math failing">') == 1
    assert html.count('<div class="notes-math">') == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("$$" + "a = " * 6000 + "a$$\n", "over 5000 equals signs; split the notes"),
        ("$$\\sum_{i=1}^{40} \\sum_{j=1}^{40} x_i x_j = 0$$\n",
         "over 1000 terms of sums written out in one expression"),
    ],
)  # fmt: skip
def test_work_without_end_is_refused_quickly(tmp_path, text, message):
    start = time.monotonic()
    try:
        r = notes(tmp_path, text)
        errors = [x.error for x in r.readings if x.error]
    except NotesError as error:
        errors = [str(error)]
    assert any(e.endswith(message) for e in errors), errors
    assert time.monotonic() - start < 30


def test_an_inequality_beside_a_chain_is_listed_on_it_not_dropped(tmp_path):
    text = "$$\\begin{aligned} a &= b \\quad x > 0 \\\\ &= c \\end{aligned}$$\n"
    remark = (
        "beside this chain, x > 0 (notes.md:1:32) is not read as a side condition (only "
        "k \\neq m between two indices is)"
    )
    assert [r.remarks for r in notes(tmp_path, text).readings] == [[remark], [remark]]


FUZZ = [
    "x", "y", "e", "d", "k", "1", "0.5", "+", "-", "=", "^", "_", "{", "}", "(", ")", "[", "]",
    "|", ",", "&", "\\\\", "'", "\\frac", "\\sum", "\\log", "\\sqrt", "\\hat", "\\sigma",
    "\\cdot", "\\left", "\\right", "\\quad", "\\boxed", "\\Rightarrow", "\\neq", "<",
    "\\partial", "\\delta", "\\text", "\\max", "\\circ", "T", "\\begin{aligned}",
    "\\end{aligned}", "z_k", "\\sum_{k \\neq m}", "\\frac{d}{dx}", "x^T y",
]  # fmt: skip
FUZZ_HEAD = (
    '```derivcheck\n[sizes]\nK = [2, 4]\n[indices]\nk = [1, "K"]\nm = [1, "K"]\n'
    '[symbols]\nz = {shape = ["K"]}\nx = {shape = [2]}\ny = {shape = [2]}\n```\n\n'
)


def test_random_latex_is_read_or_refused_with_a_located_error(tmp_path):
    import random

    rng = random.Random(0)
    start = time.monotonic()
    for n in range(400):
        body = " ".join(rng.choice(FUZZ) for _ in range(rng.randint(1, 20)))
        try:
            r = notes(tmp_path, (FUZZ_HEAD if n % 2 else "") + f"$${body}$$\n")
        except NotesError as error:
            assert str(error).startswith("notes.md:"), (body, str(error))
            continue
        for reading in r.readings:
            assert reading.read or reading.error.startswith("notes.md:"), (body, reading.error)
    assert time.monotonic() - start < 120


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ('assume = "x"', "notes.md:2: assume must be an array, got 'x'"),
        ("assume = [1]", "notes.md:2: every entry of assume must be a string"),
        ("[define]\nx = 1", "notes.md:2: every value of define must be a LaTeX string"),
        ("reset = 1", "notes.md:2: reset must be true or false, got 1"),
        ("[symbols]\nx = {shape = [0]}", "notes.md:1: the shape of x must hold sizes ≥ 1 or "
         "declared sizes"),
        ("[symbols]\nx = 3", "notes.md:1: the symbol 'x' needs a table, e.g. {domain = [0, 1]}"),
        ("[symbols]\nx = {domain = [1, 0]}", "notes.md:1: the domain of x must be [low, high] "
         "with low < high"),
        ('[indices]\nj = [1, "K"]', "notes.md:1: index j: 'K' is neither a number nor a declared "
         "size (declare it in [sizes], e.g. K = [2, 12])"),
        ('[functions]\nf = "nope"', "notes.md:1: the function f = 'nope'; known: arccos, "
         "arcsin, arctan, cos, cosh, exp, log, sigmoid, sin, sinh, tan, tanh"),
    ],
)  # fmt: skip
def test_a_declaration_of_the_wrong_type_is_a_located_error(tmp_path, block, message):
    with pytest.raises(NotesError) as error:
        notes(tmp_path, f"```derivcheck\n{block}\n```\n\n$$a = a$$\n")
    assert str(error.value) == message


def test_an_alias_of_a_letter_leaves_the_accented_names_alone(tmp_path):
    text = (
        '```derivcheck\naliases = {y = "q"}\n[symbols]\n"\\\\hat{y}" = {}\n```\n\n'
        "$$y + \\hat{y} + \\hat y = 1$$\n"
    )
    assert [str(r.lhs) for r in notes(tmp_path, text).readings] == ["q + 2*yhat"]


def test_a_power_after_a_functions_parentheses_is_the_functions(tmp_path):
    # d/dx sin(x)² read as d/dx sin(x²) proved the slip 2x cos(x²) and refuted the true line.
    from derivcheck import verify_derivations

    text = (
        "$$\\frac{d}{dx} \\sin(x)^2 = 2 \\sin(x) \\cos(x)$$\n\n"
        "$$\\frac{d}{dx} \\sin(x)^2 = 2 x \\cos(x^2)$$\n"
    )
    report = verify_derivations(notes(tmp_path, text).derivations, timeout=20)
    true, slip = (o.result for o in report.outcomes)
    assert true.verdict == "proved", true.message
    assert slip.verdict == "refuted", slip.message
