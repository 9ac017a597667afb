"""Hostile names, titles, notes, definitions and LaTeX through every report format: the structure
holds (one row or test case per step), no markup a user wrote becomes HTML, a link or a script,
no control character reaches a terminal or the XML, and the re-run command is one shell command.

The file is `samples.HOSTILE_REPORT_FILE`; `make browser-check` opens its HTML in Chromium too.
"""

import contextlib
import io
import json
import os
import re
import shlex
import textwrap
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from samples import HOSTILE_REPORT_FILE
from sympy import Symbol

from derivcheck import cli
from derivcheck.reports.explain import render_explain
from derivcheck.reports.html import latex_math, sympy_math
from derivcheck.reports.terminal import render_terminal

STEPS = 3
FAILING = 2  # steps 2 and 3 are false, so a counterexample and a re-run line are drawn
# Presentation MathML (MathML Core and the few elements latex2mathml and SymPy write), written
# out here rather than taken from the sanitiser, which is what is under test.
MATHML = set(
    "math mrow mi mn mo ms mtext mspace msub msup msubsup munder mover munderover mfrac msqrt "
    "mroot mstyle merror mpadded mphantom mfenced menclose mtable mtr mtd mlabeledtr "
    "mmultiscripts mprescripts none semantics".split()
)
SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours rich itself writes, and nothing else
HOSTILE_LATEX = [
    r"x = \text{</math><script>alert(1)</script><math>} x",
    r"\href{javascript:alert(2)}{x} = x",
    r"\text{<img src=x onerror=alert(3)>} = \mbox{<svg onload=alert(4)>}",
    r"\style{background:url(javascript:alert(5))}{x} = \verb|<script>|",
    r'\href{a" onmouseover="alert(6)}{x} = \fbox{<iframe src=javascript:alert(7)>}',
]


class Elements(HTMLParser):
    """Every element and attribute of an HTML page, the MathML ones apart."""

    def __init__(self, text: str):
        super().__init__()
        self.tags, self.attributes, self.math_tags, self.depth = [], [], [], 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "math":
            self.depth += 1
        if self.depth:
            self.math_tags.append((tag, [name for name, _ in attrs]))

    def handle_endtag(self, tag):
        if tag == "math":
            self.depth -= 1


def unsafe_characters(text: str) -> set[str]:
    """Control characters (but the newline), bidirectional overrides and surrogates in `text`."""
    return {
        ch
        for ch in text
        if ch != "\n" and (unicodedata.category(ch) in ("Cc", "Cs") or "\u202a" <= ch <= "\u202e")
    }


def assert_safe_html(page: str) -> None:
    found = Elements(page)
    assert "script" not in found.tags and "iframe" not in found.tags and "img" not in found.tags
    for tag, name, value in found.attributes:
        assert not name.startswith("on"), (tag, name)
        schemes = re.match(r"\s*([a-z][a-z0-9+.-]*):", value, re.IGNORECASE)
        if name in ("href", "src", "xlink:href", "action") and schemes:
            assert schemes.group(1).lower() in ("http", "https"), (tag, name, value)
    for tag, names in found.math_tags:
        assert tag in MATHML, tag
        assert not {"href", "style", "class", "id", "src"} & set(names), (tag, names)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One run of the hostile file with every report written, the Report kept, the annotations
    printed as on GitHub's runners, and `explain` of the refuted step."""
    folder = tmp_path_factory.mktemp("hostile-report")
    source = folder / "hostile.py"
    source.write_text(textwrap.dedent(HOSTILE_REPORT_FILE), encoding="utf-8")
    files = {form: folder / f"r.{form}" for form in ("json", "html", "xml", "md")}
    argv = ["verify", "--path", str(source)] + [a for p in files.values() for a in ("-o", str(p))]
    captured = []
    original = cli.check

    def check(*args, **kwargs):
        captured.append(original(*args, **kwargs))
        return captured[-1]

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out):
        patch.setattr(cli, "check", check)
        patch.setenv("GITHUB_ACTIONS", "true")
        code = cli.main(argv)
    assert code == 1
    (report,) = captured
    texts = {form: path.read_text(encoding="utf-8") for form, path in files.items()}
    return report, texts, out.getvalue(), source


def test_one_row_per_step_in_the_markdown_as_github_renders_it(hostile):
    report, texts, _, _ = hostile
    page = MarkdownIt("gfm-like", {"linkify": False}).render(texts["md"])
    found = Elements(page)
    assert found.tags.count("tr") == 1 + STEPS  # the header row and one per step
    assert found.tags.count("td") == 5 * STEPS
    assert found.tags.count("li") == FAILING
    allowed = {"h3", "p", "table", "thead", "tbody", "tr", "th", "td", "code", "strong", "ul"}
    assert set(found.tags) <= allowed | {"li"}
    assert found.attributes == [(t, "style", v) for t, _, v in found.attributes]  # alignment only
    assert not unsafe_characters(texts["md"])
    # What was written is shown as text, not dropped: the name reads as it is.
    name = report.derivations[0].derivation.name
    assert page.count(name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) >= 3


def test_html_runs_nothing_and_links_nowhere(hostile):
    _, texts, _, _ = hostile
    page = texts["html"]
    assert_safe_html(page)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy and "script-src 'none'" in policy.group(1)
    assert "default-src 'none'" in policy.group(1)
    assert page.index("Content-Security-Policy") < page.index("<style>")
    assert Elements(page).tags.count("article") == STEPS
    # The hostile LaTeX is shown as LaTeX, escaped, with a note saying why.
    assert page.count("fallback-note") >= STEPS
    assert "\\text{&lt;/math&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("latex", HOSTILE_LATEX)
def test_mathml_keeps_only_presentation_markup(latex):
    shown = latex_math(latex)
    assert_safe_html(shown)
    assert "<script" not in shown
    assert not [a for a in Elements(shown).attributes if "javascript" in a[2]]


def test_claims_mathml_keeps_only_presentation_markup():
    # SymPy's MathML printer writes a symbol's name unescaped: <mi>q<img ...></mi>.
    q = Symbol("q<img src=x onerror=alert(1)>", real=True)
    shown = sympy_math(q + 1, Symbol("</math><script>alert(2)</script>"))
    assert_safe_html(shown)
    assert "q&lt;img src=x onerror=alert(1)&gt;" in shown  # shown, as text


def test_junit_is_well_formed_with_a_case_per_step(hostile):
    _, texts, _, _ = hostile
    suites = ET.fromstring(texts["xml"])
    cases = suites.findall("testsuite/testcase")
    assert len(cases) == STEPS
    assert sum(case.find("failure") is not None for case in cases) == FAILING


def test_json_keeps_what_was_written(hostile):
    report, texts, _, _ = hostile
    data = json.loads(texts["json"])
    (derivation,) = data["derivations"]
    assert derivation["name"] == report.derivations[0].derivation.name
    assert [s["latex"] for s in derivation["steps"]] == [
        s.step.latex for s in report.derivations[0].steps
    ]


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
def test_terminal_gets_no_control_character(hostile, color):
    report, _, _, _ = hostile
    for quiet, verbose in ((False, False), (False, True), (True, False)):
        text = render_terminal(report, color=color, verbose=verbose, quiet=quiet)
        assert not unsafe_characters(SGR.sub("", text)), (quiet, verbose)
    name = report.derivations[0].derivation.name
    assert not unsafe_characters(render_explain(report, name, 2))


def test_annotations_are_one_line_each(hostile):
    _, _, out, _ = hostile
    annotations = [line for line in out.splitlines() if line.startswith("::")]
    assert len(annotations) == FAILING
    assert all(line.startswith("::error ") for line in annotations)
    assert not unsafe_characters(out)


def test_rerun_is_one_shell_command_with_every_option(hostile):
    report, texts, out, source = hostile
    name = report.derivations[0].derivation.name
    failure = ET.fromstring(texts["xml"]).find("testsuite/testcase/failure")
    (command,) = [line[len("re-run: ") :] for line in failure.text.splitlines() if "re-run" in line]
    words = shlex.split(command)
    assert words[:2] == ["derivcheck", "verify"]
    args = cli.parser().parse_args(words[1:])
    assert args.names == [name]
    assert [os.path.realpath(p) for p in args.path] == [os.path.realpath(source)]
    assert (args.step, args.seed, args.points, args.timeout) == ([2], 0, 20, 10.0)
    # The terminal breaks a long command with a shell line continuation, never inside a word.
    text = render_terminal(report)
    start = text.index("re-run: ")
    lines = text[start:].splitlines()
    joined = ""
    for line in lines:
        joined += line.strip().removesuffix("\\")
        if not line.endswith("\\"):
            break
        joined += " "
    assert shlex.split(joined.removeprefix("re-run: ")) == words


def test_the_fast_escape_names_every_character_the_rule_does():
    """`printable` runs one regular expression: it must match exactly the characters `unsafe`
    (Unicode categories Cc and Cs, the bidirectional overrides, U+FFFE/U+FFFF) calls unsafe,
    over the whole of Unicode."""
    from derivcheck.reports.text import UNSAFE, printable, unsafe

    differ = [c for c in map(chr, range(0x110000)) if bool(UNSAFE.fullmatch(c)) != unsafe(c)]
    assert differ == []
    assert printable("a\x1bb\u202ec\ud800") == "a\\x1bb\\u202ec\\ud800"
    assert unicodedata.category("\x85") == "Cc" and printable("\x85") == "\\x85"
