"""Wrong variants of the notes' steps: the slips people make, as changes to SymPy trees.

Every step of a derivation (an erratum's correction, which is its true form) and each of its
instances (K = 2…5) gives mutants: a sign flipped, a term or factor dropped, a factor added, an
exponent or a constant changed by one, two symbols of one kind swapped, σ(t) replaced by σ(−t)
or 1 − σ(t), a side condition removed, or a side multiplied by 1 + 10⁻ᵏ. The same seed gives
the same mutants, in the same order.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, replace

import sympy
from sympy import Indexed, IndexedBase, KroneckerDelta, Sum

from ..functions import sigmoid
from ..indices.model import IndexedClaim
from ..indices.rules import NoRule, free_indices
from ..leibniz import nested
from ..model import Claim, Derivation
from ..values import sympy_value

KINDS = (
    "sign",
    "drop-term",
    "drop-factor",
    "add-factor",
    "exponent",
    "swap",
    "constant",
    "sigmoid",
    "side-condition",
    "perturb",
)
SITES_PER_KIND = 3  # at most this many places of one kind, per side of a claim (seeded choice)
INDEXED_SITES = 4  # the same for a line written for a symbolic K (one claim, not four instances)
PERTURBATIONS = tuple(range(1, 13))  # multiply by 1 + 10^-k, k = 1…12
SHOWN = 34  # characters of an expression shown in a mutant's description


@dataclass(frozen=True)
class Mutant:
    """One wrong variant of one instance of a step, and what was changed."""

    derivation: str
    step: int
    label: str  # the instance, e.g. "K=3" ("" for a derivation with one instance)
    kind: str
    description: str
    claim: Claim | IndexedClaim  # an IndexedClaim for a line written for a symbolic K
    original: Claim | IndexedClaim
    entries: tuple[int, ...] | None  # the flat matrix entries changed; None: all of them

    @property
    def indexed(self) -> bool:
        return isinstance(self.claim, IndexedClaim)

    @property
    def name(self) -> str:
        where = f"{self.derivation} step {self.step}" + (f" {self.label}" if self.label else "")
        return f"{where}: {self.kind}: {self.description}"


def generate(derivations, seed: int = 0) -> list[Mutant]:
    """Every mutant of every step of `derivations` (in order), deterministic for `seed`."""
    mutants = []
    for derivation in derivations:
        mutants.extend(derivation_mutants(derivation, seed))
    return mutants


def true_indexed(step) -> IndexedClaim | None:
    """A symbolic-K step's claim in its true form (the correction's, for an erratum)."""
    return step.correction.indexed if step.correction is not None else step.indexed


def true_claims(step) -> tuple[Claim, ...]:
    """A step's claims in their true form: an erratum's correction, otherwise the step as is."""
    return step.correction.claims if step.correction is not None else step.claims


def derivation_mutants(derivation: Derivation, seed: int) -> list[Mutant]:
    out = []
    for step in derivation.steps:
        symbolic = true_indexed(step)
        if symbolic is not None:
            rng = random.Random(stable_seed(seed, derivation.name, step.number, "indexed"))
            out.extend(
                Mutant(derivation.name, step.number, "", kind, text, mutated, symbolic, None)
                for kind, text, mutated in indexed_mutants(symbolic, rng)
                if changed(mutated, symbolic)
            )
            continue
        claims = true_claims(step)
        for position, claim in enumerate(claims):
            rng = random.Random(stable_seed(seed, derivation.name, step.number, position))
            made = claim_mutants(claim, rng, position, len(claims))
            out.extend(
                Mutant(
                    derivation.name,
                    step.number,
                    claim.context.label,
                    kind,
                    text,
                    mutated,
                    claim,
                    entries,
                )  # fmt: skip
                for kind, text, mutated, entries in made
                if changed(mutated, claim)
            )
    return out


def changed(mutated, original) -> bool:
    """Is the mutant another claim at all? An edit SymPy evaluates away (0 · (1 + 10⁻³) is 0)
    leaves the line as it was: the original, which must pass, is no mutant."""
    return (mutated.lhs, mutated.rhs, mutated.context) != (
        original.lhs,
        original.rhs,
        original.context,
    )


def stable_seed(*parts) -> int:
    return zlib.crc32(":".join(map(str, parts)).encode())


# ---------------------------------------------------------------- one claim


def claim_mutants(claim: Claim, rng: random.Random, instance: int, instances: int):
    """(kind, description, mutated claim, entries changed) for one claim."""
    made = []
    for side in ("lhs", "rhs"):
        value = getattr(claim, side)
        entries = flat(value)
        for kind, operator in SIDE_OPERATORS:
            entry = rng.randrange(len(entries))  # one entry of a matrix side per kind
            original = sympy_value(entries[entry])
            found = operator(original, rng)
            changes = numbered([(text, new) for text, new in found if new != original])
            if len(changes) > SITES_PER_KIND:
                changes = rng.sample(changes, SITES_PER_KIND)
            for text, new in changes:
                mutated = replace(claim, **{side: with_entry(value, entry, new)})
                made.append((kind, f"{side}{at(value, entry)}: {text}", mutated, (entry,)))
        # 1 + 10^-k: each k once per step, spread over its instances
        entry = rng.randrange(len(entries))
        for k in PERTURBATIONS[instance::instances]:
            text, new = perturb(sympy_value(entries[entry]), k, rng)
            mutated = replace(claim, **{side: with_entry(value, entry, new)})
            made.append(("perturb", f"{side}{at(value, entry)}: {text}", mutated, (entry,)))
    made.extend(definition_mutants(claim))
    made.extend(given_mutants(claim))
    return made


def flat(value) -> list:
    return list(value) if isinstance(value, sympy.MatrixBase) else [value]


def with_entry(value, entry: int, new):
    if isinstance(value, sympy.MatrixBase):
        entries = list(value)
        entries[entry] = new
        return sympy.Matrix(value.rows, value.cols, entries)
    return new


def at(value, entry: int) -> str:
    if isinstance(value, sympy.MatrixBase) and len(value) > 1:
        return f"[{entry // value.cols},{entry % value.cols}]"
    return ""


def definition_mutants(claim: Claim):
    """σ(t) → σ(−t) or 1 − σ(t) inside a shorthand's definition (ŷ := σ(z))."""
    made = []
    definitions = claim.context.definitions
    for symbol in sorted(definitions, key=str):
        for text, new in sigmoid_changes(sympy_value(definitions[symbol]), None):
            changed = {**definitions, symbol: new}
            mutated = replace(claim, context=replace(claim.context, definitions=changed))
            made.append(("sigmoid", f"definition of {symbol}: {text}", mutated, None))
    return made


def given_mutants(claim: Claim):
    """Each side condition removed in turn."""
    made = []
    given = tuple(claim.context.given)
    for index, condition in enumerate(given):
        rest = given[:index] + given[index + 1 :]
        mutated = replace(claim, context=replace(claim.context, given=rest))
        text = f"side condition {short(condition.lhs)} = {short(condition.rhs)} removed"
        made.append(("side-condition", text, mutated, None))
    return made


# ---------------------------------------------------------------- trees


LEAVES = (sympy.Symbol, sympy.Number, Indexed, IndexedBase, KroneckerDelta)


def nodes(expr, path=()):
    """(path, node) for every node a slip can touch; a derivative's variables are left alone."""
    yield path, expr
    if isinstance(expr, sympy.Derivative):
        yield from nodes(expr.expr, (*path, 0))
        return
    if isinstance(expr, LEAVES) or not isinstance(expr, sympy.Expr):
        return  # z[k] and δ_km are whole: their indices change only by a swap
    for index, arg in enumerate(expr.args):
        if isinstance(arg, sympy.Expr):
            yield from nodes(arg, (*path, index))


def replace_at(expr, path, new):
    if not path:
        return new
    args = list(expr.args)
    args[path[0]] = replace_at(args[path[0]], path[1:], new)
    return expr.func(*args)


def short(expr) -> str:
    text = sympy.sstr(expr)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def change(expr, path, old, new, text=None):
    """(description, mutated expression) for one subtree replaced."""
    return (text or f"{short(old)} → {short(new)}", replace_at(expr, path, new))


def terms(expr):
    """(path, term, the sum) for every term of every sum."""
    for path, node in nodes(expr):
        if isinstance(node, sympy.Add):
            for index, term in enumerate(node.args):
                yield (*path, index), term, node


def flip_sign(expr, rng):
    found = [change(expr, p, t, -t, f"sign of {short(t)} flipped") for p, t, _ in terms(expr)]
    if not isinstance(expr, sympy.Add):
        found.append(("sign of the side flipped", -expr))
    return found


def drop_term(expr, rng):
    found = []
    for path, term, total in terms(expr):
        rest = [a for a in total.args if a is not term]
        found.append(
            change(expr, path[:-1], total, sympy.Add(*rest), f"term {short(term)} dropped")
        )
    return found


def drop_factor(expr, rng):
    found = []
    for path, node in nodes(expr):
        if isinstance(node, sympy.Mul):
            for factor in node.args:
                if factor == -1:
                    continue  # that is a sign flip
                rest = sympy.Mul(*[a for a in node.args if a is not factor])
                found.append(change(expr, path, node, rest, f"factor {short(factor)} dropped"))
    return found


def add_factor(expr, rng):
    """A term (or the side) multiplied by one of the claim's symbols, or by 2."""
    symbols = sorted(expr.free_symbols, key=lambda s: s.name)
    places = [(p, t) for p, t, _ in terms(expr)] or [((), expr)]
    found = []
    for path, term in places:
        factor = rng.choice([*symbols, sympy.Integer(2)])
        found.append(change(expr, path, term, factor * term, f"{short(term)} × {factor}"))
    return found


def exponent(expr, rng):
    """A power's exponent, or e^a's, changed by ±1."""
    found = []
    for path, node in nodes(expr):
        if isinstance(node, sympy.Pow):
            base, power = node.args
            for step in (1, -1):
                new = sympy.Pow(base, power + step)
                found.append(change(expr, path, node, new, f"exponent of {short(node)} {step:+d}"))
        elif isinstance(node, sympy.exp):
            for step in (1, -1):
                new = sympy.exp(node.args[0] + step)
                found.append(change(expr, path, node, new, f"exponent of {short(node)} {step:+d}"))
    return found


def kind_of(symbol) -> str:
    """A symbol's stem: its name without digits and without 'hat' (y, ŷ; z_k, z_m; w_0, w_1)."""
    return re.sub(r"hat|\d", "", symbol.name)


def swap(expr, rng):
    """Two distinct symbols of the same kind exchanged throughout the side."""
    symbols = sorted(expr.free_symbols | derivative_variables(expr), key=lambda s: s.name)
    found = []
    for i, a in enumerate(symbols):
        for b in symbols[i + 1 :]:
            if kind_of(a) == kind_of(b):
                found.append((f"{a} ↔ {b}", expr.xreplace({a: b, b: a})))
    return found


def derivative_variables(expr) -> set:
    return {v for d in expr.atoms(sympy.Derivative) for v in d.variables}


def constant(expr, rng):
    """A number (not an exponent) changed by ±1."""
    found = []
    for path, node in nodes(expr):
        if not isinstance(node, sympy.Rational) or (path and is_exponent(expr, path)):
            continue
        for step in (1, -1):
            new = node + step
            found.append(change(expr, path, node, new, f"constant {node} → {new}"))
    return found


def is_exponent(expr, path) -> bool:
    parent = expr
    for index in path[:-1]:
        parent = parent.args[index]
    return isinstance(parent, sympy.Pow) and path[-1] == 1


def sigmoid_changes(expr, rng):
    found = []
    for path, node in nodes(expr):
        if isinstance(node, sigmoid):
            (t,) = node.args
            found.append(change(expr, path, node, sigmoid(-t), f"σ({short(t)}) → σ(−t)"))
            found.append(change(expr, path, node, 1 - sigmoid(t), f"σ({short(t)}) → 1 − σ(t)"))
    return found


def perturb(expr, k: int, rng):
    """The side times 1 + 10^-k; for even k, one of its terms instead, where it has some."""
    factor = 1 + sympy.Rational(1, 10**k)
    places = [(p, t) for p, t, _ in terms(expr)]
    if k % 2 == 0 and places:
        path, term = places[rng.randrange(len(places))]
        return change(expr, path, term, factor * term, f"{short(term)} × (1 + 10^-{k})")
    return f"× (1 + 10^-{k})", factor * expr


SIDE_OPERATORS = (
    ("sign", flip_sign),
    ("drop-term", drop_term),
    ("drop-factor", drop_factor),
    ("add-factor", add_factor),
    ("exponent", exponent),
    ("swap", swap),
    ("constant", constant),
    ("sigmoid", sigmoid_changes),
)


# ---------------------------------------------------------------- symbolic K


def indexed_mutants(claim: IndexedClaim, rng: random.Random):
    """(kind, description, mutated claim) for a line written for a symbolic K: the same slips on
    the indexed trees (a sum's limits and an index left alone), free indices and bases swapped,
    and a given Σ_k y_k = 1 or k ≠ m removed. A mutant with an index outside every declared
    range (an input error, not a wrong line) is not made."""
    made = []
    for side in ("lhs", "rhs"):
        original = sympy_value(getattr(claim, side))
        operators = (*SIDE_OPERATORS, ("swap", index_swaps(claim.context)))
        for kind, operator in operators:
            found = operator(original, rng)
            changes = numbered([(text, new) for text, new in found if new != original])
            if len(changes) > INDEXED_SITES:
                changes = rng.sample(changes, INDEXED_SITES)
            for text, new in changes:
                made.append((kind, f"{side}: {text}", replace(claim, **{side: new})))
        for k in PERTURBATIONS:
            text, new = perturb(original, k, rng)
            made.append(("perturb", f"{side}: {text}", replace(claim, **{side: new})))
    context = claim.context
    for index, unit in enumerate(context.unit_sums):
        rest = context.unit_sums[:index] + context.unit_sums[index + 1 :]
        mutated = replace(claim, context=replace(context, unit_sums=rest))
        made.append(("side-condition", f"side condition {unit.text()} removed", mutated))
    for index, (a, b) in enumerate(context.distinct):
        rest = context.distinct[:index] + context.distinct[index + 1 :]
        mutated = replace(claim, context=replace(context, distinct=rest))
        made.append(("side-condition", f"side condition {a} ≠ {b} removed", mutated))
    return [(kind, text, mutated) for kind, text, mutated in made if well_formed(mutated)]


def well_formed(claim: IndexedClaim) -> bool:
    """Every free index of the sides has a declared range, every size is declared."""
    context = claim.context
    try:
        free = free_indices(sympy_value(claim.lhs)) | free_indices(sympy_value(claim.rhs))
    except NoRule:
        return False
    return all(
        s in context.ranges or s in context.sizes or not s.is_integer
        for s in free
        if isinstance(s, sympy.Symbol)
    )


def index_swaps(context):
    """z_k → z_m in one place (two free indices of one range), and two bases of one shape
    (y ↔ ŷ) exchanged in one place or throughout the side."""

    defined = frozenset(context.definitions)

    def operator(expr, rng):
        found = []
        for path, node, bound in indexed_sites(expr):
            for position, index in enumerate(node.indices):
                if index in bound or index not in context.ranges:
                    continue
                for other in sorted(context.ranges, key=str):
                    if other == index or other in bound:
                        continue
                    if context.ranges[other] != context.ranges[index]:
                        continue
                    indices = list(node.indices)
                    indices[position] = other
                    new = node.base[tuple(indices)]
                    found.append(at_site(expr, path, new, f"{short(node)} → {short(new)}", defined))
            for base in same_shape(node.base.label, context):
                new = IndexedBase(base, real=True)[node.indices]
                found.append(at_site(expr, path, new, f"{short(node)} → {short(new)}", defined))
        bases = sorted({n.base for _, n, _ in indexed_sites(expr)}, key=str)
        for i, a in enumerate(bases):
            for b in bases[i + 1 :]:
                shape = context.shapes.get(a)
                if shape is not None and shape == context.shapes.get(b):
                    found.append((f"{a} ↔ {b} throughout", expr.xreplace({a: b, b: a})))
        return found

    return operator


def numbered(found):
    """The same change at two places told apart: "ŷ_k → ŷ_m (place 2)"."""
    seen: dict[str, int] = {}
    out = []
    for text, new in found:
        seen[text] = seen.get(text, 0) + 1
        out.append((text if seen[text] == 1 else f"{text} (place {seen[text]})", new))
    return out


def same_shape(label, context) -> list:
    bases = {str(b): b for b in context.shapes}
    mine = context.shapes.get(bases.get(str(label)))
    return sorted(
        (str(b) for b in context.shapes if str(b) != str(label) and context.shapes[b] == mine),
        key=str,
    )


def indexed_sites(expr, path=(), bound=frozenset()):
    """(path, z[k], indices bound by enclosing sums) for every indexed symbol, a derivative's
    variables included (path ends in ("var", i) there)."""
    if isinstance(expr, Indexed):
        yield path, expr, bound
        return
    if isinstance(expr, sympy.Derivative):
        yield from indexed_sites(expr.expr, (*path, 0), bound)
        for i, variable in enumerate(expr.variables):
            if isinstance(variable, Indexed):
                yield (*path, ("var", i)), variable, bound
        return
    if isinstance(expr, Sum):
        (j, _, _), *_ = expr.limits
        yield from indexed_sites(expr.function, (*path, 0), bound | {j})
        return
    for index, arg in enumerate(expr.args):
        if isinstance(arg, sympy.Expr) and not isinstance(arg, IndexedBase):
            yield from indexed_sites(arg, (*path, index), bound)


def at_site(expr, path, new, text, defined=frozenset()):
    return text, replace_site(expr, path, new, defined)


def replace_site(expr, path, new, defined=frozenset()):
    """`expr` with the node at `path` replaced; a derivative's variable replaced by or next to a
    shorthand (in `defined`) makes the derivative nested, inner first (∂/∂z_m ∂L/∂ŷ_m)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(head, tuple):  # a derivative's variable
        variables = list(expr.variables)
        variables[head[1]] = new
        if defined:
            return nested(expr.expr, variables, defined)
        return sympy.Derivative(expr.expr, *variables)
    args = list(expr.args)
    args[head] = replace_site(args[head], rest, new, defined)
    return expr.func(*args)
