"""Worker processes that check claims and can be killed at their time limit.

SymPy cannot be interrupted from another thread, so every claim runs in a separate process (a
fresh interpreter, never a fork: JAX must not be forked once started, and a user's script must
not be re-run in the worker). A claim past its limit has its worker killed and replaced; the
methods it had finished still count.
"""

from __future__ import annotations

import atexit
import importlib
import importlib.util
import itertools
import json
import os
import pickle
import socket
import subprocess
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ..indices.check import check_indexed
from ..indices.instantiate import Planned, Unbuilt, built
from ..indices.model import IndexedClaim
from ..model import Claim
from ..results import ClaimResult, SymbolicResult

GRACE = 0.7  # seconds a worker gets past the time limit before it is killed (< 1 s in all)
STARTUP_FAILURES = 3  # workers dying before they are ready, in a row, before the run gives up
USER_MODULE_PREFIX = "derivcheck_user_"  # modules loaded from --path files
TICKETS = itertools.count()  # one per job sent, never reused within a process


PACKAGE = __name__.split(".")[0]  # the import name the main process gave this package
# A worker's interpreter runs this: the main process's sys.path, then this very package loaded
# from its folder, so a worker imports exactly what the main process imported, whatever the
# working directory holds (a user's own derivations/ package, a file named like this package).
START = """\
import importlib.util, json, sys
name, folder, path, sys.dont_write_bytecode = json.loads(sys.argv[2])
sys.path[:] = path
spec = importlib.util.spec_from_file_location(
    name, folder + "/__init__.py", submodule_search_locations=[folder]
)
sys.modules[name] = package = importlib.util.module_from_spec(spec)
spec.loader.exec_module(package)
importlib.import_module(name + ".run.worker").main()
"""


def start_arguments() -> str:
    """What START needs: the package's import name and folder, and the main process's path."""
    folder = str(Path(__file__).resolve().parents[1])  # checker/, whatever it is imported as
    path = [os.path.abspath(p) for p in sys.path]
    return json.dumps([PACKAGE, folder, path, sys.dont_write_bytecode])  # -I drops PYTHON*


class WorkerStartError(RuntimeError):
    """Worker processes die before they can take a claim."""


@dataclass(frozen=True)
class Job:
    claim: Claim
    seed: int
    points: int
    timeout: float
    debug: bool = False
    describe: bool = False  # record both sides as checked, for `explain`


def user_modules() -> dict[str, str]:
    """Modules loaded from --path files, which a worker must load too to unpickle claims."""
    return {
        name: module.__file__
        for name, module in list(sys.modules.items())
        if name.startswith(USER_MODULE_PREFIX) and getattr(module, "__file__", None)
    }


def load_user_modules(modules: dict[str, str]) -> None:
    for name, path in sorted(modules.items()):  # a package before its modules
        if name in sys.modules:
            continue
        if "." in name:  # a module of a package loaded from a directory
            importlib.import_module(name)
            continue
        folder = [os.path.dirname(path)] if os.path.basename(path) == "__init__.py" else None
        spec = importlib.util.spec_from_file_location(name, path, submodule_search_locations=folder)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)


def serve(conn: Connection) -> None:
    """A worker's loop: receive jobs, send each method's result as it comes, then the verdict."""
    from ..checks import engine  # noqa: F401 - SymPy, mpmath, NumPy once, before the first job

    if hasattr(sys, "set_int_max_str_digits"):  # lambdify prints a claim's integers (10**5000)
        sys.set_int_max_str_digits(0)
    conn.send(("ready", None, None))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if message is None:
            return
        key, modules, payload = message
        try:
            load_user_modules(modules)
            job = pickle.loads(payload)
        except Exception as error:
            conn.send(
                (
                    "done",
                    key,
                    ClaimResult(
                        "error",
                        "the claim could not be loaded in a worker process "
                        f"({type(error).__name__}: {' '.join(str(error).split())}); define "
                        "what it uses in an importable module",
                    ),
                )
            )
            continue

        def emit(method, result, key=key):
            conn.send(("partial", key, (method, result)))

        if isinstance(job.claim, IndexedClaim):
            conn.send(("done", key, check_indexed(job.claim, job.seed, job.timeout)))
            continue
        if hasattr(job.claim, "run_in_worker"):  # a later stage's task (derivcheck.suggest.search)
            conn.send(("done", key, job.claim.run_in_worker(job)))
            continue
        claim = job.claim
        if isinstance(claim, Planned):  # an instance, written out here: in parallel
            claim, problem = written(claim, job.debug)
            if problem is not None:
                conn.send(("done", key, ClaimResult("error", problem, claim.label, job.seed)))
                continue
        jax_first = needs_jax(claim)
        if jax_first:
            from ..checks import translate  # noqa: F401 - JAX, for the first claim that needs it
        if claim is not job.claim or jax_first:
            conn.send(("started", key, None))  # the claim's time limit starts now
        result = engine.check_claim(
            claim,
            seed=job.seed,
            points=job.points,
            timeout=job.timeout,
            emit=emit,
            debug=job.debug,
            describe=job.describe,
        )
        conn.send(("done", key, result))


def needs_jax(claim) -> bool:
    """Must JAX be imported for this claim: not yet imported, and the claim has a derivative (a
    side, or a shorthand's definition)? Imported before its time limit starts, not within it."""
    if "jax" in sys.modules:
        return False
    from sympy import Derivative

    from ..values import sympy_value

    try:
        exprs = [claim.lhs, claim.rhs, *claim.context.definitions.values()]
        return any(sympy_value(e).has(Derivative) for e in exprs)
    except Exception:  # not SymPy: the check says so; JAX, if it comes to it, is imported there
        return False


def written(planned: Planned, debug: bool = False):
    """(the instance written out, None), or (its context, why it could not be)."""
    try:
        made = built(planned)  # names that clash at these sizes: an Unbuilt, saying so
    except Exception as error:  # SymPy raising from deep inside on odd input
        if debug:
            raise
        what = f"{type(error).__name__}: {' '.join(str(error).split())}"[:300]
        return (
            planned.context,
            f"the instance at {planned.context.label} could not be written out ({what})",
        )
    if isinstance(made, Unbuilt):
        return made.context, made.message
    return made, None


def main() -> None:
    if len(sys.argv) < 2 or not sys.argv[1].isdigit():  # by hand: can a worker start at all?
        from ..checks import autodiff, engine  # noqa: F401

        print("derivcheck.run.worker: SymPy, mpmath and JAX import; workers can start")
        return
    sock = socket.socket(fileno=int(sys.argv[1]))
    serve(Connection(sock.detach()))


@dataclass
class Worker:
    process: object
    conn: object
    ready: bool = False
    key: int | None = None  # the ticket of the job in hand
    index: int = -1  # that job's place in the run
    job: Job | None = None
    deadline: float = 0.0
    started: float = 0.0
    partials: dict = field(default_factory=dict)


class Pool:
    def __init__(self, size: int | None = None, debug: bool = False):
        self.size = size or os.cpu_count() or 1  # one per core: SymPy and mpmath hold the GIL
        self.debug = debug
        self.workers: list[Worker] = []
        self.startup_failures = 0

    def spawn(self) -> Worker:
        if self.startup_failures >= STARTUP_FAILURES:
            raise WorkerStartError(
                f"{self.startup_failures} worker processes died before they were ready; "
                "run `python -c 'from derivcheck.run.worker import main; main()'` to see why"
            )
        parent, child = socket.socketpair()
        env = dict(os.environ)
        env.setdefault("JAX_PLATFORMS", "cpu")
        env["SYMPY_GROUND_TYPES"] = "python"  # GMP aborts on a huge integer (see __init__.py)
        process = subprocess.Popen(
            # -I: nothing from the working directory or PYTHON* variables before START sets the path
            [sys.executable, "-I", "-c", START, str(child.fileno()), start_arguments()],
            pass_fds=(child.fileno(),),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=None if self.debug else subprocess.DEVNULL,
        )
        child.close()
        worker = Worker(process, Connection(parent.detach()))
        self.workers.append(worker)
        return worker

    def warm(self, count: int | None = None) -> None:
        """Start `count` workers (all of them by default) now, without waiting for them: a
        worker takes seconds to import SymPy and JAX, which it can spend while the main
        process still builds the claims."""
        while len(self.workers) < min(self.size, count or self.size):
            self.spawn()

    def retire(self, worker: Worker) -> None:
        self.workers.remove(worker)
        if worker.process.poll() is None:
            worker.process.kill()
        worker.process.wait(timeout=5)
        worker.conn.close()

    def close(self) -> None:
        for worker in list(self.workers):
            try:
                worker.conn.send(None)
            except (OSError, BrokenPipeError):
                pass
            self.retire(worker)

    def run(self, jobs: list[Job], progress=None) -> list[ClaimResult]:
        """Every job's result, in the order of the jobs; `progress(done, total)` as they finish."""
        results: dict[int, ClaimResult] = {}
        try:
            self.schedule(jobs, results, progress)
        finally:
            # Interrupted (Ctrl-C, an exception): a busy worker's late answer must never be
            # taken for another job's, so busy workers go.
            for worker in [w for w in self.workers if w.key is not None]:
                self.retire(worker)
        return [results[i] for i in range(len(jobs))]

    def schedule(self, jobs, results, progress=None) -> None:
        pending = deque(enumerate(jobs))
        while len(self.workers) < min(self.size, max(1, len(jobs))):
            self.spawn()

        def finish(index, result):
            results[index] = result
            if progress is not None:
                progress(len(results), len(jobs))

        while len(results) < len(jobs):
            for worker in self.workers:
                if worker.ready and worker.key is None and pending:
                    index, job = pending.popleft()
                    ticket = next(TICKETS)
                    try:
                        worker.conn.send((ticket, user_modules(), pickle.dumps(job)))
                    except Exception as error:  # unpicklable, or too deep to pickle
                        finish(
                            index,
                            ClaimResult(
                                "error",
                                f"the claim cannot be sent to a worker process: "
                                f"{type(error).__name__}: {error}"[:300],
                                job.claim.context.label,
                                job.seed,
                            ),
                        )
                        continue
                    now = time.monotonic()
                    worker.key, worker.index, worker.job, worker.partials = ticket, index, job, {}
                    worker.started, worker.deadline = now, now + job.timeout + GRACE
            busy = [w for w in self.workers if w.key is not None]
            wait_for = min((w.deadline for w in busy), default=time.monotonic() + 30)
            ready = wait([w.conn for w in self.workers], max(0.0, wait_for - time.monotonic()))
            for conn in ready:
                worker = next(w for w in self.workers if w.conn is conn)
                try:
                    kind, ticket, payload = conn.recv()
                except (EOFError, OSError):
                    if not worker.ready:
                        self.startup_failures += 1
                    if worker.key is not None:
                        finish(
                            worker.index,
                            ClaimResult(
                                "error",
                                "the worker process died while checking this claim",
                                worker.job.claim.context.label,
                                worker.job.seed,
                                seconds=time.monotonic() - worker.started,
                            ),
                        )
                    self.retire(worker)
                    self.spawn()
                    continue
                if kind == "ready":
                    worker.ready = True
                    self.startup_failures = 0
                elif ticket != worker.key:
                    continue  # an answer to a job this run no longer waits for
                elif kind == "started":  # written out, JAX imported: its check starts now
                    now = time.monotonic()
                    worker.started, worker.deadline = now, now + worker.job.timeout + GRACE
                elif kind == "partial":
                    method, result = payload
                    worker.partials[method] = result
                elif kind == "done":
                    finish(worker.index, payload)
                    worker.key = worker.job = None
            now = time.monotonic()
            for worker in [w for w in self.workers if w.key is not None and now > w.deadline]:
                finish(worker.index, timed_out(worker, now))
                self.retire(worker)
                self.spawn()


def timed_out(worker: Worker, now: float) -> ClaimResult:
    """The result of a claim whose worker was killed at its time limit.

    Only a finished symbolic proof can still make it pass: without the residual probe, agreement
    at the sampled points is not enough to confirm it.
    """
    from ..checks.engine import decide

    job = worker.job
    numeric = worker.partials.get("numeric")
    autodiff = worker.partials.get("autodiff")
    symbolic = worker.partials.get("symbolic") or SymbolicResult(
        "timeout", seconds=now - worker.started
    )
    verdict, message = decide(symbolic, numeric, autodiff)
    if verdict == "confirmed" or numeric is None or autodiff is None:
        verdict = "error"
        message = (
            f"the step hit its time limit of {job.timeout:g} s before it could be decided; give it "
            "more time (--timeout) or split the step"
        )
    return ClaimResult(
        verdict,
        message,
        job.claim.context.label,
        job.seed,
        symbolic,
        numeric,
        autodiff,
        now - worker.started,
    )


_pool: Pool | None = None


def shared_pool() -> Pool:
    global _pool
    if _pool is None:
        _pool = Pool()
        atexit.register(_pool.close)
    return _pool
