"""Mutation testing: each operator makes the slip it names, the equivalence check sets aside
only mutants that are still true, and a seeded sample of mutants of the notes is all refuted."""

import json
import random
from dataclasses import replace

import pytest
from sympy import (
    Derivative,
    Eq,
    KroneckerDelta,
    Matrix,
    Rational,
    Subs,
    Sum,
    Symbol,
    exp,
    log,
    sympify,
)

import derivations
from derivations.index_classes import D, K, L, N, k, m
from derivations.index_classes import y as y_
from derivations.index_classes import yhat as yhat_
from derivations.index_classes import z as z_
from derivcheck.checks.domains import solve_given
from derivcheck.checks.prepare import prepare
from derivcheck.checks.symbolic import QUICK, check_symbolic
from derivcheck.cli import main
from derivcheck.functions import sigmoid
from derivcheck.indices import IndexedClaim
from derivcheck.model import Claim, Context
from derivcheck.mutation.equivalence import still_true, still_true_indexed
from derivcheck.mutation.mutants import (
    Mutant,
    add_factor,
    claim_mutants,
    constant,
    drop_factor,
    drop_term,
    exponent,
    flip_sign,
    generate,
    index_swaps,
    indexed_mutants,
    perturb,
    sigmoid_changes,
    swap,
)
from derivcheck.mutation.mutate import (
    MutantOutcome,
    MutationReport,
    check_mutants,
    choose,
    run_mutation,
    undefined,
)
from derivcheck.mutation.report import render_mutation_json, render_mutation_text

x, y, t, b = (Symbol(name, real=True) for name in ("x", "y", "t", "b"))
z0, z1, z2 = (Symbol(f"z{i}", real=True) for i in range(3))
y0, y1, yhat = (Symbol(name, real=True) for name in ("y0", "y1", "yhat"))


def results(operator, expr, seed=0):
    return {sympify(new) for _, new in operator(expr, random.Random(seed))}


def test_flip_sign_negates_one_term():
    assert results(flip_sign, x + 2 * y) == {-x + 2 * y, x - 2 * y}
    assert results(flip_sign, x * y) == {-x * y}


def test_drop_term_removes_one_term():
    assert results(drop_term, x + y + t) == {y + t, x + t, x + y}


def test_drop_factor_removes_one_factor_but_not_a_minus_sign():
    assert results(drop_factor, -x * y * t) == {-y * t, -x * t, -x * y}


def test_add_factor_multiplies_a_term():
    for new in results(add_factor, x + y):
        difference = sympify(new - (x + y))
        assert difference != 0
        assert difference in {x * x - x, x * y - x, y * x - y, y * y - y, x, y}


def test_exponent_changes_by_one():
    assert results(exponent, x**2) == {x**3, x}
    assert results(exponent, exp(t)) == {exp(t + 1), exp(t - 1)}


def test_swap_exchanges_symbols_of_one_kind_only():
    assert results(swap, z0 - 2 * z1) == {z1 - 2 * z0}
    assert results(swap, y * log(yhat)) == {yhat * log(y)}  # y and ŷ are one kind
    assert results(swap, x * z0) == set()  # x and z are not


def test_constant_changes_by_one_but_not_an_exponent():
    assert results(constant, 3 - x) == {4 - x, 2 - x, 3 - 2 * x, 3}
    assert results(constant, x**3) == set()


def test_sigmoid_replaced_by_its_slips():
    assert results(sigmoid_changes, sigmoid(t) * x) == {sigmoid(-t) * x, (1 - sigmoid(t)) * x}


def test_perturb_multiplies_by_one_plus_ten_to_the_minus_k():
    _, new = perturb(x * y, 12, random.Random(0))
    assert new == (1 + Rational(1, 10**12)) * x * y
    _, new = perturb(x + y, 3, random.Random(0))
    assert new == (1 + Rational(1, 1000)) * (x + y)


def test_side_condition_removed_and_matrix_entry_mutated():
    claim = Claim(
        Matrix([y0, y1]),
        Matrix([1 - y1, y1]),
        Context({y0: (0, 1), y1: (0, 1)}, {}, (Eq(y0 + y1, 1),)),
    )
    made = claim_mutants(claim, random.Random(0), 0, 1)
    removed = [m for kind, _, m, _ in made if kind == "side-condition"]
    assert [m.context.given for m in removed] == [()]
    for kind, _, mutated, entries in made:
        if entries is not None:  # one entry changed, the other left alone
            side = mutated.lhs if mutated.lhs != claim.lhs else mutated.rhs
            original = claim.lhs if mutated.lhs != claim.lhs else claim.rhs
            changed = [i for i in range(2) if side[i] != original[i]]
            assert changed == list(entries), kind


def test_mutants_are_deterministic_for_a_seed_and_each_described():
    first = generate(derivations.ALL[:2], seed=3)
    again = generate(derivations.ALL[:2], seed=3)
    other = generate(derivations.ALL[:2], seed=4)
    assert [m.name for m in first] == [m.name for m in again]
    assert [m.name for m in first] != [m.name for m in other]
    assert all(m.description and m.claim != m.original for m in first)


def test_mutants_cover_every_step_and_kind():
    mutants = generate(derivations.ALL)
    steps = {(d.name, s.number) for d in derivations.ALL for s in d.steps}
    assert {(m.derivation, m.step) for m in mutants} == steps
    assert {m.kind for m in mutants} >= {"sign", "swap", "sigmoid", "side-condition", "perturb"}


# ---------------------------------------------------------------- equivalence


SOFTMAX = Context({z0: (-4, 4), z1: (-4, 4), z2: (-4, 4)})


def test_swapping_symmetric_symbols_is_equivalent():
    total = exp(z0) + exp(z1) + exp(z2)
    original = Claim(exp(z0) / total, exp(z0) / total, SOFTMAX)
    swapped = Claim(exp(z0) / total, exp(z0) / total.xreplace({z1: z2, z2: z1}), SOFTMAX)
    assert still_true(original) and still_true(swapped)


@pytest.mark.parametrize("k", [1, 12])
def test_a_tiny_perturbation_is_not_equivalent(k):
    lhs = Derivative(sigmoid(t), t)
    rhs = sigmoid(t) * (1 - sigmoid(t))
    context = Context({t: (-8, 8)})
    assert still_true(Claim(lhs, rhs, context))
    assert not still_true(Claim(lhs, rhs * (1 + Rational(1, 10**k)), context))


def test_a_zero_side_scaled_beside_rounding_noise_is_equivalent():
    # Found by `make mutation` over the catalogue (gaussian-nll step 5, lhs × (1 + 10^-1)):
    # an lhs that is 0 for every input, scaled, is still 0; evaluated it is rounding noise
    # beside the rhs's exact 0, which no relative comparison accepts.
    from sympy import cosh, sinh

    zero = cosh(t) ** 2 - sinh(t) ** 2 - 1  # SymPy leaves it as it is
    context = Context({t: (-3, 3)})
    assert still_true(Claim(zero * Rational(11, 10), 0, context))
    assert not still_true(Claim(zero + Rational(1, 10**30), 0, context))
    assert not still_true(Claim(zero + exp(-200) * t, 0, context))


# A term far below 1e-45 of the sides (e^{−200}·y is a relative 1e-87): a slip in it is not
# equivalent, since the checker resolves it (or, beyond 4000 digits, cannot decide).
EXTREME = [exp(-200), Rational(1, 10**100), Rational(1, 10**1000), exp(-5000)]
EXTREME_IDS = ["e^-200", "1e-100", "1e-1000", "e^-5000"]


@pytest.mark.parametrize("c", EXTREME, ids=EXTREME_IDS)
def test_a_slip_in_a_term_far_below_the_sides_is_not_equivalent(c):
    context = Context({y: (1, 2)})
    assert not still_true(Claim(y**2 + c * y, y**2 - c * y, context))  # a sign flipped
    assert not still_true(Claim(y**2 + c * y, y**2, context))  # a term dropped
    assert not still_true(Claim(1 / c + y, 1 / c, context))  # beside a large one


@pytest.mark.parametrize("c", EXTREME[:3], ids=EXTREME_IDS[:3])
def test_a_true_claim_with_extreme_constants_is_still_equivalent(c):
    assert still_true(Claim((y + c) ** 2, y**2 + 2 * c * y + c**2, Context({y: (1, 2)})))


def test_a_needed_side_condition_is_not_equivalent_once_removed():
    context = Context({y0: (0, 1), y1: (0, 1)}, {}, (Eq(y0 + y1, 1),))
    assert still_true(Claim(y0, 1 - y1, context))
    assert not still_true(Claim(y0, 1 - y1, Context(context.domains)))
    assert still_true(Claim(y0 * 2, y0 + y0, Context(context.domains)))  # never needed it


def test_a_derivative_by_a_shorthand_holds_it_as_a_variable():
    context = Context({t: (-8, 8)}, {yhat: sigmoid(t), x: -log(yhat)})
    assert still_true(Claim(Derivative(x, yhat), -1 / yhat, context))
    assert not still_true(Claim(Derivative(x, yhat), -1 / sigmoid(t) ** 2, context))


def test_a_mutant_sympy_made_infinite_is_set_aside_as_undefined():
    # 1/(1 − ŷ) with the 1 made ŷ is 1/0 = zoo: no claim at all, an input error by design.
    made = Claim(x, 1 / (yhat - yhat))
    assert undefined(made) and not undefined(Claim(x, 1 / (1 - yhat)))


def test_a_difference_near_an_end_of_the_domain_is_found():
    # Above 1e-45 relative only within 0.1 of x = 3: uniform points alone would mostly miss it.
    context = Context({x: (-3, 3)})
    assert not still_true(Claim(x, x + exp(-1000 * (3 - x)), context))


# ---------------------------------------------------------------- the sample


SAMPLE = 200
SYMBOLIC_SAMPLE = 60  # of them, lines written for a symbolic K (each: proof + 3 instances)
SYMBOLIC = {"softmax-cross-entropy", "softmax-jacobian", "softmax-ce-gradients",
            "softmax-matrix-gradients"}  # fmt: skip


@pytest.mark.parametrize(
    "symbolic, sample", [(False, SAMPLE - SYMBOLIC_SAMPLE), (True, SYMBOLIC_SAMPLE)]
)
def test_a_seeded_sample_of_mutants_is_all_refuted(warm_pool, symbolic, sample):
    chosen = [d for d in derivations.ALL if (d.name in SYMBOLIC) == symbolic]
    assert chosen
    # Killed is what is asserted, not how fast: beside other work on both cores a mutant ran
    # into the default 10 s limit ("error", a survivor) that it needs a second for when quiet.
    report = run_mutation(chosen, seed=0, sample=sample, timeout=60)
    survivors = [f"{o.mutant.name}: {o.verdict}: {o.message}" for o in report.survivors]
    assert survivors == []
    assert report.count("killed") == sample
    killed = [o.mutant for o in report.outcomes if o.status == "killed"]
    assert all(m.indexed == symbolic for m in killed)


# ---------------------------------------------------------------- symbolic K


def by_name(name):
    (found,) = [d for d in derivations.ALL if d.name == name]
    return found


def true_form(name, number):
    step = by_name(name).steps[number - 1]
    return step.correction.indexed if step.correction is not None else step.indexed


def test_symbolic_lines_give_mutants_of_every_kind_that_applies():
    mutants = [m for m in generate(derivations.ALL) if m.indexed]
    assert {m.derivation for m in mutants} == SYMBOLIC
    assert {m.kind for m in mutants} >= {"sign", "drop-term", "drop-factor", "add-factor",
                                         "exponent", "swap", "constant", "side-condition",
                                         "perturb"}  # fmt: skip
    for mutant in mutants:  # a sum's limits are never touched
        for side in (mutant.claim.lhs, mutant.claim.rhs):
            for total in sympify(side).atoms(Sum):
                (_, low, high) = total.limits[0]
                assert low == 1 and high in (K, N, D)


def test_an_index_swap_in_a_softmax_jacobian_line_is_made_and_killed(warm_pool):
    claim = true_form("softmax-jacobian", 11)  # −ŷ_k ŷ_m, k ≠ m
    rhs = sympify(claim.rhs)
    swapped = {new for _, new in index_swaps(claim.context)(rhs, random.Random(0))}
    assert -(yhat_[m] ** 2) in swapped and -(yhat_[k] ** 2) in swapped
    made = [(kind, text, c) for kind, text, c in indexed_mutants(claim, random.Random(0))]
    assert any(kind == "swap" and "→ yhat[m]" in text for kind, text, _ in made)
    mutant = Mutant(
        "softmax-jacobian",
        11,
        "",
        "swap",
        "ŷ_k → ŷ_m",
        replace(claim, rhs=-(yhat_[m] ** 2)),
        claim,
        None,
    )
    assert not still_true_indexed(mutant.claim)
    (outcome,) = check_mutants([mutant])
    assert outcome.status == "killed" and outcome.verdict == "refuted"


def test_an_equivalent_indexed_mutant_is_set_aside():
    claim = true_form("softmax-jacobian", 12)  # δ_km ŷ_k − ŷ_k ŷ_m
    same = replace(claim, rhs=KroneckerDelta(k, m) * yhat_[m] - yhat_[k] * yhat_[m])
    wrong = replace(claim, rhs=KroneckerDelta(k, m) * yhat_[m] - yhat_[k] * yhat_[k])
    mutants = [Mutant("softmax-jacobian", 12, "", "swap", text, c, claim, None)
               for text, c in (("δ_km ŷ_m", same), ("ŷ_k ŷ_k", wrong))]  # fmt: skip
    to_run, equivalent, undefined_ones = choose(mutants, 0, None, 0)
    assert equivalent == mutants[:1] and to_run == mutants[1:] and undefined_ones == []


def test_removing_the_label_sum_from_dl_dz_is_not_equivalent_and_killed(warm_pool):
    # dL/dz_m = ŷ_m − y_m holds only because the labels sum to 1.
    context = true_form("softmax-ce-gradients", 12).context
    claim = IndexedClaim(Derivative(L, z_[m]), yhat_[m] - y_[m], context)
    assert context.unit_sums
    (removed,) = [
        (text, made)
        for kind, text, made in indexed_mutants(claim, random.Random(0))
        if kind == "side-condition"
    ]
    assert removed[0] == "side condition Σ_k y_k = 1 removed"
    mutant = Mutant("softmax-ce-gradients", 0, "", "side-condition", *removed, claim, None)
    assert mutant.claim.context.unit_sums == ()
    assert mutant.claim.lhs == mutant.original.lhs and mutant.claim.rhs == mutant.original.rhs
    assert still_true_indexed(mutant.original) and not still_true_indexed(mutant.claim)
    (outcome,) = check_mutants([mutant])
    assert outcome.status == "killed"


def test_a_survivor_fails_the_run_and_is_listed():
    (mutant,) = [m for m in generate(derivations.ALL[2:3]) if m.kind == "perturb"][:1]
    outcomes = (
        MutantOutcome(mutant, "killed", "refuted"),
        MutantOutcome(mutant, "false pass", "confirmed", "no symbolic proof " * 12),
    )
    report = MutationReport(outcomes, 0, 20, 10.0, 1.0, 0.5)
    assert not report.passed
    assert report.survivors == outcomes[1:]
    text = render_mutation_text(report)
    assert "FAILED" in text and mutant.description in text.replace("\n      ", " ")
    assert max(len(line) for line in text.splitlines()) <= 80
    summary = json.loads(render_mutation_json(report))["summary"]
    assert summary == {
        "generated": 2, "equivalent": 0, "undefined": 0, "killed": 1, "survived": 1, "false pass": 1
    }  # fmt: skip


def test_mutate_command_exits_zero_when_every_mutant_is_killed(warm_pool, capsys):
    assert main(["mutate", "--sample", "4", "--kind", "sign", "sigmoid-derivative"]) == 0
    text = capsys.readouterr().out
    assert "PASSED: 4 non-equivalent mutants" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_once_refuted_sympy_looks_only_at_the_refuted_entry():
    # Quick mode: one entry not reduced to zero shows SymPy does not contradict the refutation;
    # the other entries (each needing a `cancel`) are left alone.
    square = x * (x + 1)
    claim = Claim(Matrix([square, square * x, square]), Matrix([x**2 + x] * 3))
    prepared = prepare(claim)
    result, _ = check_symbolic(prepared, solve_given(()), 5.0, quick=True, refuted_element=1)
    assert result.status == "residual"
    assert [a.outcome for a in result.attempts] == ["residual"] * len(QUICK)
    full, _ = check_symbolic(prepared, solve_given(()), 5.0)
    assert [a.outcome for a in full.attempts].count("zero") == 2


NOTES = """# a slip-free page

```derivcheck
name = "page"
[symbols]
x = {domain = [-2, 2]}
```

$$x(x + 1) = x^2 + x$$

$$(x + 1)^2 = x^2 + 2x + 1$$
"""


def test_mutate_reads_notes_files_as_written(warm_pool, tmp_path, capsys):
    """`derivcheck mutate NOTES.md`: the derivations read from the notes are mutated like a
    module's (the catalogue is mutated this way by `make mutation`)."""
    notes = tmp_path / "page.md"
    notes.write_text(NOTES, encoding="utf-8")
    assert main(["mutate", str(notes), "--kind", "sign"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "page" in text and "0 false passes" in text and "100.0% killed" in text
    assert main(["verify", str(notes)]) == 2
    assert f"derivcheck check {notes}" in " ".join(capsys.readouterr().err.split())


def test_an_edit_sympy_evaluates_away_is_no_mutant(tmp_path):
    """× (1 + 10⁻ᵏ) of a side that is 0 leaves the line as it was: the original line (true)
    must not be counted as a mutant, which the checker would then "falsely" pass."""
    from derivcheck.notes import read_notes

    notes = tmp_path / "zero.md"
    notes.write_text(NOTES.replace("$$(x + 1)^2 = x^2 + 2x + 1$$", "$$x^2 - x \\cdot x = 0$$"))
    found = generate(read_notes(str(notes)).derivations, 0)
    zero_side = [m for m in found if m.step == 2 and m.kind == "perturb"]
    assert all((m.claim.lhs, m.claim.rhs) != (m.original.lhs, m.original.rhs) for m in found)
    assert not [m for m in zero_side if "rhs" in m.description]


def test_a_shorthand_swapped_into_a_nested_derivative_is_refuted(warm_pool):
    """∂/∂z_m ∂L/∂z_m → ∂/∂z_m ∂L/∂ŷ_m (and ∂/∂ŷ_k ∂L/∂z_m off the diagonal): false lines,
    checked in Leibniz order and refuted, not refused as an ambiguous merged derivative."""
    from pathlib import Path

    from derivcheck.notes import read_notes

    catalogue = Path(__file__).resolve().parent.parent / "catalogue" / "softmax_hessian.md"
    hessian = read_notes(str(catalogue)).derivations[:2]  # diagonal, off the diagonal
    swaps = ("lhs: z[m] → yhat[m]", "lhs: z[k] → yhat[k]")
    mutants = [m for m in generate(hessian) if m.step == 1 and m.description in swaps]
    assert [(m.derivation, m.description) for m in mutants] == [
        ("softmax-hessian-diagonal", swaps[0]),
        ("softmax-hessian-offdiagonal", swaps[0]),
        ("softmax-hessian-offdiagonal", swaps[1]),
    ]
    assert all(sympify(m.claim.lhs).has(Subs) for m in mutants)  # held apart, not merged
    # ∂/∂ŷ_k ∂L/∂z_m has no one reading: set aside with the undefined, as the checker refuses it
    assert [undefined(m.claim) for m in mutants] == [False, False, True]
    assert not any(still_true_indexed(m.claim) for m in mutants[:2])
    outcomes = check_mutants(mutants)
    assert [(o.status, o.verdict) for o in outcomes[:2]] == [("killed", "refuted")] * 2
    assert (outcomes[2].verdict, "ambiguous" in outcomes[2].message) == ("error", True)


def test_a_huge_integer_in_sympys_gcd_does_not_kill_the_worker(warm_pool):
    """w2·x2 × (1 + 10⁻¹²) in softmax-to-sigmoid step 9: with GMP as SymPy's integers, cancel's
    heuristic gcd aborted the worker ("gmp: overflow in mpz type"), an error, not a kill."""
    import derivations

    ds = [d for d in derivations.ALL if d.name == "softmax-to-sigmoid"]
    mutants = [m for m in generate(ds) if m.step == 9 and m.description.endswith("× (1 + 10^-12)")]
    mutants = [m for m in mutants if "w2*x2" in m.description]
    assert mutants
    assert [(o.status, o.verdict) for o in check_mutants(mutants)] == [("killed", "refuted")]


def test_sympy_keeps_python_integers_where_derivcheck_is_imported_first():
    import subprocess
    import sys

    code = "import derivcheck, sympy.external.gmpy as g; print(g.GROUND_TYPES)"
    env = {k: v for k, v in __import__("os").environ.items() if k != "SYMPY_GROUND_TYPES"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.stdout.strip() == "python", done.stderr
