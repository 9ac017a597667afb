"""A call interrupted while a worker is busy leaves no answer behind for the next call."""

import signal

import pytest
from sympy import Sum, Symbol, sin

from derivcheck import verify_step

x = Symbol("x", real=True)


class Interrupted(Exception):
    """Raised by the test's SIGALRM handler, as Ctrl-C would raise KeyboardInterrupt."""


def interrupt(signum, frame):
    raise Interrupted


def test_interrupted_call_does_not_answer_the_next(warm_pool):
    k = Symbol("k", integer=True, positive=True)
    slow = Sum(sin(k * x) / k, (k, 1, 1500))  # true, but several seconds of work
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.alarm(2)
        with pytest.raises(Interrupted):
            verify_step(slow, slow, timeout=60)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert verify_step(x, x + 1).verdict == "refuted"
    assert verify_step(x, x).verdict == "proved"
