"""The result cache: the same verdicts with and without it, a key that every ingredient of a
verdict changes, and entries that a corrupt file or two runs at once cannot turn stale."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sympy import Derivative, Eq, Symbol, exp

import derivcheck.run.api
from derivcheck import cli, verify_derivations
from derivcheck.dsl import Instance, derivation, step
from derivcheck.functions import sigmoid
from derivcheck.model import Claim, Context
from derivcheck.reports.json import render_json
from derivcheck.reports.terminal import render_terminal
from derivcheck.results import ClaimResult
from derivcheck.run import cache as caching
from derivcheck.run.cache import ResultCache
from derivcheck.run.worker import Job

ROOT = Path(__file__).resolve().parent.parent
x = Symbol("x", real=True)
y = Symbol("y", real=True)
z = Symbol("z", real=True)
s = sigmoid(z)
CONTEXT = Context(domains={z: (-4.0, 4.0)})


def sigmoid_derivation(last_rhs=s * (1 - s)):
    return derivation(
        "cached-sigmoid",
        "σ′ by hand",
        "test",
        instances=[Instance(CONTEXT)],
        steps=[
            step(r"\sigma' = \sigma (1 - \sigma)", (Derivative(s, z), last_rhs)),
            step(r"\sigma = \sigma", (s, 1 / (1 + exp(-z)))),
            step(r"\sigma' = \sigma (1 + \sigma)", (Derivative(s, z), s * (1 + s))),
        ],
    )


def stripped(value):
    """A JSON report without what may differ between a checked and a cached run."""
    if isinstance(value, dict):
        return {k: stripped(v) for k, v in value.items() if k not in ("seconds", "cached")}
    if isinstance(value, list):
        return [stripped(v) for v in value]
    return value


def no_workers():
    raise AssertionError("a worker was asked for, though every claim was cached")


def test_cached_run_has_the_same_report_and_starts_no_worker(tmp_path, monkeypatch):
    first = verify_derivations([sigmoid_derivation()], cache_dir=tmp_path)
    uncached = verify_derivations([sigmoid_derivation()])
    monkeypatch.setattr(derivcheck.run.api, "shared_pool", no_workers)
    second = verify_derivations([sigmoid_derivation()], cache_dir=tmp_path)
    assert first.cached == 0 and second.cached == 3
    assert all(c.cached for o in second.outcomes for c in o.result.claims)
    reports = [json.loads(render_json(r)) for r in (first, uncached, second)]
    assert stripped(reports[0]) == stripped(reports[1]) == stripped(reports[2])
    assert reports[2]["summary"]["cached"] == 3
    assert reports[2]["derivations"][0]["steps"][0]["instances"][0]["cached"] is True
    text = " ".join(render_terminal(second, width=80, color=False).split())
    assert "3 from the cache" in text and "cached" in text.replace("from the cache", "")


def test_editing_one_step_rechecks_only_that_step(tmp_path):
    verify_derivations([sigmoid_derivation()], cache_dir=tmp_path)
    edited = sigmoid_derivation(last_rhs=s - s**2)  # the same line, written otherwise
    report = verify_derivations([edited], cache_dir=tmp_path)
    assert [o.result.cached for o in report.outcomes] == [False, True, True]
    assert report.outcomes[0].result.verdict == "proved"


def test_a_line_for_every_K_is_cached_whole_and_not_instantiated_again(tmp_path, monkeypatch):
    from derivations.index_classes import L, context, m, y, yhat, z
    from derivcheck.dsl import for_all

    line = derivation(
        "cached-ce",
        "CE gradient",
        "test",
        steps=[step("s", for_all(Derivative(L, z[m]), yhat[m] - y[m], context(label_sum=True)))],
    )
    first = verify_derivations([line], cache_dir=tmp_path)
    monkeypatch.setattr(derivcheck.run.api, "shared_pool", no_workers)
    monkeypatch.setattr(derivcheck.run.api, "planned", lambda *a: no_workers())
    second = verify_derivations([line], cache_dir=tmp_path)
    assert first.outcomes[0].result.verdict == "proved" and second.cached == 1
    assert stripped(json.loads(render_json(first))) == stripped(json.loads(render_json(second)))


def job(lhs=x**2, rhs=x * x, domains=None, given=(), definitions=None, **settings):
    context = Context(domains or {x: (-1.0, 1.0)}, definitions or {}, given)
    return Job(Claim(lhs, rhs, context), **{"seed": 1, "points": 20, "timeout": 10.0, **settings})


@pytest.mark.parametrize(
    "changed",
    [
        job(lhs=x**3),
        job(rhs=x + x),
        job(lhs=Symbol("x", positive=True) ** 2),  # an assumption is part of the claim
        job(domains={x: (-1.0, 2.0)}),
        job(given=(Eq(x, 2 * y),)),
        job(lhs=y, definitions={y: x**2}),
        job(seed=2),
        job(points=21),
        job(timeout=11.0),
        job(debug=True),
        job(describe=True),
        replace(job(), claim=replace(job().claim, context=replace(CONTEXT, label="K=3"))),
        # an instance of a proved line skips the probe: never the result of one not proved
        replace(job(), claim=replace(job().claim, context=replace(CONTEXT, line_proved=True))),
    ],
)
def test_every_ingredient_of_a_claim_changes_its_key(tmp_path, changed):
    cache = ResultCache(tmp_path)
    assert cache.key(job()) == cache.key(job())
    assert cache.key(changed) != cache.key(job())


def test_strict_versions_and_the_checkers_source_change_every_key(tmp_path, monkeypatch):
    base = ResultCache(tmp_path, versions=(("sympy", "1.13.3"),)).key(job())
    assert ResultCache(tmp_path, versions=(("sympy", "1.13.3"),), strict=True).key(job()) != base
    assert ResultCache(tmp_path, versions=(("sympy", "1.14.0"),)).key(job()) != base
    monkeypatch.setattr(caching, "source_hash", lambda: "edited")
    assert ResultCache(tmp_path, versions=(("sympy", "1.13.3"),)).key(job()) != base


def test_a_changed_claim_misses_a_stored_result(tmp_path):
    cache = ResultCache(tmp_path)
    cache.store(cache.key(job()), ClaimResult("proved", "stored"))
    assert cache.load(cache.key(job())).message == "stored"
    assert cache.load(cache.key(job(rhs=x * x + 1))) is None
    assert cache.load(cache.key(job(seed=2))) is None


KEY_SCRIPT = """
import sys
from sympy import Symbol, exp, Eq
from derivcheck.model import Claim, Context
from derivcheck.run.cache import ResultCache
from derivcheck.run.worker import Job
x, y = Symbol("x", real=True), Symbol("y", positive=True)
context = Context({x: (-1.0, 1.0), y: (0.5, 2.0)}, {}, (Eq(x, y - 1),))
claim = Claim(exp(x) * y + x * y**2 + 3, y * exp(x) + 3 + x * y**2, context)
print(ResultCache(".").key(Job(claim, 0, 20, 10.0)))
"""


def test_the_key_is_the_same_in_every_process():
    keys = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", KEY_SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        keys.add(done.stdout.strip())
    assert len(keys) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        lambda text: "",
        lambda text: "\x00\xff not json",
        lambda text: text.replace('"proved"', '"maybe"').replace("ClaimResult", "Popen"),
        lambda text: json.dumps({"key": "another", "results": json.loads(text)["results"]}),
    ],
)
def test_a_corrupt_entry_is_ignored_and_replaced(tmp_path, damage):
    cache = ResultCache(tmp_path)
    key = cache.key(job())
    cache.store(key, ClaimResult("proved", "stored"))
    path = cache.path(key)
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8", errors="replace")
    assert cache.load(key) is None
    cache.store(key, ClaimResult("proved", "again"))
    assert cache.load(key).message == "again"


def test_a_time_limit_or_a_dead_worker_is_not_cached(tmp_path):
    cache = ResultCache(tmp_path)
    for message in (
        "the step hit its time limit of 10 s before it could be decided",
        "the worker process died while checking this claim",
    ):
        key = cache.key(job(seed=len(message)))
        cache.store(key, ClaimResult("error", message))
        assert cache.load(key) is None
    key = cache.key(job())
    cache.store(key, ClaimResult("error", "step 4 uses symbol w, which has no domain"))
    assert cache.load(key).verdict == "error"


def test_the_directory_is_tagged_and_ignored_by_git(tmp_path):
    cache = ResultCache(tmp_path / "c")
    cache.store(cache.key(job()), ClaimResult("proved", "stored"))
    assert (
        (tmp_path / "c" / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert (tmp_path / "c" / ".gitignore").read_text().splitlines()[-1] == "*"


WRITER = """
import sys
from derivcheck.results import ClaimResult, NumericResult, Slice
from derivcheck.run.cache import ResultCache
cache = ResultCache(sys.argv[1])
values = tuple(float(i) for i in range(2000))  # an entry too large to be written at once
for i in range(60):
    numeric = NumericResult("agree", 20, 0, 0.0, 50, relative_errors=values)
    cache.store(sys.argv[2], ClaimResult("proved", sys.argv[3] + str(i), numeric=numeric))
"""


def test_two_runs_at_once_never_leave_a_torn_entry(tmp_path):
    cache = ResultCache(tmp_path)
    key = cache.key(job())
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), key, name], env=env)
        for name in ("a", "b")
    ]
    seen = 0
    while any(w.poll() is None for w in writers):
        if cache.path(key).exists():
            assert cache.load(key) is not None  # all of an entry, or the one before it
            seen += 1
    assert [w.wait() for w in writers] == [0, 0]
    assert cache.load(key).message in ("a59", "b59")
    assert not [p for p in cache.path(key).parent.iterdir() if p.name.startswith(".tmp")]


def test_cache_clear(tmp_path, capsys):
    directory = tmp_path / "c"
    cache = ResultCache(directory)
    cache.store(cache.key(job()), ClaimResult("proved", "stored"))
    assert cli.main(["cache", "clear", "--cache-dir", str(directory)]) == cli.ExitCode.OK
    assert "removed 1 cached result" in capsys.readouterr().out
    assert not directory.exists()
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    assert cli.main(["cache", "clear", "--cache-dir", str(elsewhere)]) == cli.ExitCode.USAGE
    assert elsewhere.exists() and "not a derivcheck cache" in capsys.readouterr().err


def test_no_cache_keeps_nothing(tmp_path, capsys):
    path = tmp_path / "mine.py"
    path.write_text(
        "from sympy import Symbol\nfrom derivcheck.dsl import Instance, derivation, step\n"
        "from derivcheck.model import Context\nx = Symbol('x', real=True)\n"
        "DERIVATION = derivation('mine', 'mine', 'test', "
        "instances=[Instance(Context(domains={x: (-1.0, 1.0)}))], "
        "steps=[step('x', (x * (x + 1), x**2 + x))])\n"
    )
    directory = tmp_path / "c"
    args = ["verify", "--path", str(path), "--cache-dir", str(directory)]
    assert cli.main([*args, "--no-cache"]) == cli.ExitCode.OK
    assert not directory.exists()
    assert cli.main(args) == cli.ExitCode.OK
    assert cli.main(args) == cli.ExitCode.OK
    assert "1 from the cache" in " ".join(capsys.readouterr().out.split())


def test_one_worker_per_core_by_default_and_jobs_to_choose(monkeypatch):
    from derivcheck.run import worker

    monkeypatch.setattr(worker.os, "cpu_count", lambda: 8)
    assert worker.Pool().size == 8
    assert worker.Pool(3).size == 3
    assert cli.parser().parse_args(["verify", "--jobs", "3"]).jobs == 3


def test_a_float_and_an_integer_never_share_a_key(tmp_path):
    """Canonical text is memoised per SymPy value (keyed on ==): 2.0 and 2 must stay apart."""
    from sympy import Float, Integer

    cache = ResultCache(tmp_path)
    assert cache.key(job(rhs=x * Integer(2) / 2)) != cache.key(job(rhs=x * Float(2.0) / 2))
    assert caching.sympy_text(Float(2.0)) != caching.sympy_text(Integer(2))


def slipped_derivation():
    return derivation(
        "cached-slip",
        "a sign slip",
        "test",
        instances=[Instance(Context(domains={x: (-2.0, 2.0)}))],
        steps=[
            step("x(x + 1) = x^2 + x", (x * (x + 1), x**2 + x)),
            step("x^2 + x = x(x - 1)", (x**2 + x, x * (x - 1))),
            step("x(x + 1) = x + x^2", (x * (x + 1), x + x**2)),
        ],
    )


def suggested(tmp_path):
    """A run with suggestions, searched (or taken from the cache in `tmp_path`)."""
    from derivcheck.run.api import open_cache
    from derivcheck.suggest.api import suggest_report

    report = verify_derivations([slipped_derivation()], cache_dir=tmp_path)
    return suggest_report(report, seconds=20.0, cache=open_cache(tmp_path))


def test_a_search_for_a_correction_is_cached_and_starts_no_worker(tmp_path, monkeypatch):
    first = suggested(tmp_path)
    search = first.outcomes[1].suggestions
    assert search.found and not search.cached and not search.stopped  # x(x − 1) → x(x + 1)
    assert first.cached == 0
    monkeypatch.setattr(derivcheck.run.api, "shared_pool", no_workers)  # the searches' pool too
    second = suggested(tmp_path)
    assert second.outcomes[1].suggestions.cached and second.cached == 3
    reports = [stripped(json.loads(render_json(r))) for r in (first, second)]
    assert reports[0] == reports[1]
    assert reports[1]["derivations"][0]["steps"][1]["suggestions"][0]["edit"]


def test_a_search_is_searched_again_when_anything_it_read_changed(tmp_path):
    """The key covers the line, its neighbours (anchors), the seed, the budget, and the lines
    proved in its context (a suggestion may take its certificate from one of them)."""
    from derivcheck.run.api import open_cache
    from derivcheck.suggest.api import relevant
    from derivcheck.suggest.search import Search

    cache = open_cache(tmp_path)
    claim = Claim(Derivative(s, z), s * (1 + s), CONTEXT)
    proved = Claim(s, 1 / (1 + exp(-z)), CONTEXT)
    elsewhere = Claim(s, 1 / (1 + exp(-z)), replace(CONTEXT, label="other"))
    assert relevant(((proved, "SymPy"), (elsewhere, "SymPy")), claim) == ((proved, "SymPy"),)

    def key(search=None, seed=1, points=20):
        return cache.key_of("suggestion search", search or Search(claim), seed, points)

    changed = [
        key(Search(replace(claim, rhs=s * (2 + s)))),
        key(Search(claim, lhs_first=True)),
        key(Search(claim, seconds=9.0)),
        key(Search(claim, known=((proved, "SymPy"),))),
        key(Search(claim, anchors=(s, None))),
        key(seed=2),
        key(points=21),
    ]
    assert key() == key() and key() not in changed and len(set(changed)) == len(changed)


def test_a_search_cut_short_by_its_budget_is_not_cached(tmp_path):
    from derivcheck.results import SuggestionSearch

    cache = ResultCache(tmp_path)
    cache.store("a" * 64, SuggestionSearch((), screened=3, message="within 8 s", stopped=True))
    assert cache.load_search("a" * 64) is None
    cache.store("b" * 64, SuggestionSearch((), screened=3, message="none agreed"))
    assert cache.load_search("b" * 64).message == "none agreed"
    assert cache.load("b" * 64) is None  # a search is no claim's result
