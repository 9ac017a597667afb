"""Soft time limits inside a worker: SIGALRM interrupts pure-Python work such as SymPy's.

The worker's parent kills it outright if this is not enough (C code does not see the signal).
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class OutOfTime(BaseException):
    """A BaseException, like KeyboardInterrupt: SymPy's own `except Exception` cannot swallow it."""


@contextmanager
def budget(seconds: float):
    """Raise OutOfTime after `seconds`, where signals can be used (the main thread)."""
    if seconds <= 0:
        raise OutOfTime
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
