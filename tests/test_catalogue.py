"""The catalogue (catalogue/*.md): every file reads every equals sign and names its source, and
`make verify` checks every file; a slip planted in a copy of a catalogue line is refuted at that
line (a scalar line SymPy proves, lines for every D or N the index rules prove, a line with max
and |x| only the numeric checks decide, a line for every T, D checked at sizes only). The full
check of each file is `make verify`'s job."""

import re
from pathlib import Path

import pytest

from derivcheck import verify_derivations
from derivcheck.notes import read_notes

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = sorted((ROOT / "catalogue").glob("*.md"))


def test_the_catalogue_has_files():
    assert len(CATALOGUE) >= 12


@pytest.mark.parametrize("path", CATALOGUE, ids=lambda p: p.name)
def test_every_equals_sign_of_a_catalogue_file_is_read_and_the_file_names_its_source(path):
    reading = read_notes(str(path), display=f"catalogue/{path.name}")
    assert reading.readings, "no equals sign at all"
    assert [(r.line, r.column, r.status) for r in reading.readings if not r.read] == []
    assert sum(len(d.steps) for d in reading.derivations) > 0
    assert re.search(r"^Sources?: ", path.read_text(), flags=re.M), "no 'Source:' paragraph"


def test_make_verify_checks_every_catalogue_file_in_one_run():
    makefile = (ROOT / "Makefile").read_text()
    (command,) = [line for line in makefile.splitlines() if "derivcheck check" in line]
    assert "notes/softmax_notes.md" in command and "$(CATALOGUE)" in command
    assert re.search(r"^CATALOGUE := .*catalogue/\*\.md", makefile, flags=re.M)


# (file, the text as written, the text with a slip planted, the slipped sign's rank on its line)
SLIPS = [
    pytest.param(
        "softplus.md",
        r"= \frac{e^{x}}{1 + e^{x}} = \frac{1}{e^{-x} + 1}",
        r"= \frac{e^{x}}{1 + e^{x}} = \frac{1}{e^{x} + 1}",
        4,
        id="softplus-sign-of-an-exponent",
    ),
    pytest.param(
        "layernorm.md",
        r"- \frac{\hat{x}_j}{D} \sum_i \gamma_i u_i \hat{x}_i",
        r"- \hat{x}_j \sum_i \gamma_i u_i \hat{x}_i",
        2,
        id="layernorm-backward-for-every-D-a-factor-dropped",
    ),
    pytest.param(
        "bce_with_logits.md",
        r"$$\max(x, 0) - x z + \log(1 + e^{-|x|}) = -x z + \log(1 + e^{x})$$",
        r"$$\max(x, 0) - x z + \log(1 + e^{|x|}) = -x z + \log(1 + e^{x})$$",
        1,
        id="bce-stable-form-with-max-and-abs",
    ),
    pytest.param(
        "batchnorm.md",
        r"\cdot \left(-\frac{1}{2}\right) (v + \epsilon)^{-3/2}$$",
        r"\cdot \frac{1}{2} (v + \epsilon)^{-3/2}$$",
        1,
        id="batchnorm-paper-line-a-sign-flipped",
    ),
    pytest.param(
        "attention.md",
        r"\frac{\partial L}{\partial S_{tu}} = P_{tu} \left(",
        r"\frac{\partial L}{\partial S_{tu}} = \left(",
        1,
        id="attention-scores-checked-at-sizes-a-factor-dropped",
    ),
]


@pytest.mark.parametrize("name, written, slipped, sign", SLIPS)
def test_a_slip_planted_in_a_catalogue_line_is_refuted_at_that_line(
    tmp_path, name, written, slipped, sign
):
    text = (ROOT / "catalogue" / name).read_text()
    assert text.count(written) == 1, f"the text to slip is not in {name} once"
    line = text[: text.index(written)].count("\n") + 1
    copy = tmp_path / name
    copy.write_text(text.replace(written, slipped))
    reading = read_notes(str(copy), display=f"catalogue/{name}")
    assert reading.unexplained == []
    (slip,) = [r for r in reading.readings if r.line == line and r.sign == sign]
    where = f"catalogue/{name}:{line}:{slip.column}"
    (derivation,) = [d for d in reading.derivations if any(s.where == where for s in d.steps)]
    (step,) = [s for s in derivation.steps if s.where == where]
    report = verify_derivations([derivation], steps={step.number}, points=8, timeout=30)
    assert [(o.step.where, o.result.verdict) for o in report.outcomes] == [(where, "refuted")]
