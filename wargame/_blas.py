"""BLAS on one thread for work made of many small matrix operations."""

from __future__ import annotations

from contextlib import AbstractContextManager

__all__ = ["one_blas_thread"]


def one_blas_thread() -> AbstractContextManager[object]:
    """Return a context that keeps BLAS and LAPACK on one thread inside it and restores them after.

    Matrices of a few rows are too small for threads to pay: each call would spend its time handing work
    to the other threads, which then spin waiting for more (a 3 x 3 matrix exponential costs about 8 ms
    of CPU with two OpenBLAS threads on two busy cores, 0.02 ms with one).
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
