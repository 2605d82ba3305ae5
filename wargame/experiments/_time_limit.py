"""A wall-clock limit on a block of Python code, in the main thread or in a worker thread.

In a process's main thread (serial runs, process-pool workers) the limit is a ``SIGALRM`` timer. In other
threads (Dask workers run tasks in a thread pool) a timer thread raises :class:`RunTimeoutError` in the
limited thread with ``PyThreadState_SetAsyncExc``; that interrupts Python code between bytecodes but not
a long call into C code, which is interrupted when it returns.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["RunTimeoutError", "time_limit"]


class RunTimeoutError(Exception):
    """A run went over its wall-clock limit."""


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`RunTimeoutError` inside the block if it runs longer than ``seconds``.

    Args:
        seconds: The limit in seconds; ``None`` for no limit.
    """
    if seconds is None:
        yield
        return
    if seconds <= 0:
        raise ValueError(f"a time limit must be positive, got {seconds}")
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm_limit(seconds):
            yield
    else:
        with _async_exception_limit(seconds):
            yield


@contextmanager
def _alarm_limit(seconds: float) -> Iterator[None]:
    def on_alarm(signum: int, frame: FrameType | None) -> None:
        raise RunTimeoutError(f"run exceeded its time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class _ThreadTimeoutError(RunTimeoutError):
    """Raised asynchronously; a class (not an instance) is all ``SetAsyncExc`` can deliver."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or ("run exceeded its time limit",)))


@contextmanager
def _async_exception_limit(seconds: float) -> Iterator[None]:
    thread_id = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire() -> None:
        with lock:
            if state["active"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread_id), ctypes.py_object(_ThreadTimeoutError)
                )

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    except _ThreadTimeoutError:
        raise RunTimeoutError(f"run exceeded its time limit of {seconds:g} s") from None
    finally:
        with lock:
            state["active"] = False
            timer.cancel()
            if state["fired"]:
                # Clear an exception that was scheduled but not yet raised when the block ended.
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), None)
