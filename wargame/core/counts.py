"""Poisson and binomial counts by exact inversion of uniforms: ``min{k : F(k) >= u}`` elementwise.

A count depends on its own uniform and parameters only, never on the other elements of the array, so a
run draws the same numbers alone or in an ensemble. Elements expected to be small are inverted from 0
(Devroye 1986, X.3 and X.4): ``pmf(k) = pmf(k - 1) * (a - (k - 1) c) / k``, with ``a = mean, c = 0`` for
a Poisson count and ``a = n q / (1 - q), c = q / (1 - q)`` for a binomial one; every element still
searching is at the same ``k``, so a step is a few whole-array operations, and the arrays shrink when half
of them have settled. The others are searched from a normal first guess (Cornish-Fisher for a Poisson
count, whose CDF comes from ``scipy.special.pdtr``; the binomial CDF from ``betainc``), stepping only the
elements not yet settled.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import special

__all__ = ["binomial_counts", "poisson_counts"]

_ZERO, _ONE = np.array(0.0), np.array(1.0)
# Elements expected to take more steps than this from 0 are searched from a normal guess instead.
_STEPS_FROM_ZERO = 16.0
# A Poisson count with a mean up to _STEPS_FROM_ZERO is below this but with probability under 1e-100.
_POISSON_STEPS_AT_MOST = 256.0


def poisson_counts(uniforms: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Return ``Poisson(mean)`` counts, shape of ``uniforms`` (``mean`` broadcasts to it)."""
    shape = uniforms.shape
    mean = np.broadcast_to(mean, shape).reshape(-1)
    counts = _by_size(
        mean <= _STEPS_FROM_ZERO, _poisson_from_zero, _poisson_from_guess, uniforms.reshape(-1), mean
    )
    return counts.reshape(shape)


def binomial_counts(uniforms: np.ndarray, trials: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Return ``Binomial(trials, probability)`` counts, shape of ``trials``.

    Only elements with trials are inverted. Where ``probability > 1/2`` the count is ``trials`` minus the
    complement's quantile of ``1 - u`` (``F_p(k) = 1 - F_{1-p}(n - k - 1)``, so that is the quantile of ``u``
    but for ties of the CDF with ``u``): inversion from 0 takes at most ``trials / 2`` steps, and a count
    still rises with ``probability`` for a given uniform (common random numbers stay coupled).

    Args:
        uniforms: Uniforms in (0, 1), the shape of ``trials``.
        trials: Non-negative integer counts.
        probability: Success probabilities, the shape of the trailing axes of ``trials`` (one per cell of a
            day, say), repeated over the leading axes; clipped to [0, 1].
    """
    shape = trials.shape
    counts = np.zeros(shape, dtype=np.int64)
    flat_trials = trials.reshape(-1)
    drawn = np.flatnonzero(flat_trials)
    if not drawn.size:
        return counts
    u = uniforms.reshape(-1)[drawn]
    n = flat_trials[drawn].astype(np.float64)
    p = np.clip(probability.reshape(-1)[drawn % probability.size], 0.0, 1.0)
    flip = p > 0.5
    q = np.where(flip, 1.0 - p, p)
    u = np.where(flip, 1.0 - u, u)
    complement = _by_size(n * q <= _STEPS_FROM_ZERO, _binomial_from_zero, _binomial_from_guess, u, n, q)
    counts.reshape(-1)[drawn] = np.where(flip, n - complement, complement)
    return counts


def _by_size(
    near: np.ndarray,
    from_zero: Callable[..., np.ndarray],
    from_guess: Callable[..., np.ndarray],
    *arrays: np.ndarray,
) -> np.ndarray:
    """Return counts of the flat ``arrays`` (uniforms first): ``from_zero`` where ``near``, else
    ``from_guess``."""
    if near.all():
        return from_zero(*arrays)
    counts = np.empty(arrays[0].shape, dtype=np.int64)
    for where, invert in ((np.flatnonzero(near), from_zero), (np.flatnonzero(~near), from_guess)):
        counts[where] = invert(*(array[where] for array in arrays))
    return counts


def _poisson_from_zero(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    return _from_zero(u, np.exp(-mean), mean, None)


def _binomial_from_zero(u: np.ndarray, n: np.ndarray, q: np.ndarray) -> np.ndarray:
    odds = q / (1.0 - q)
    return _from_zero(u, np.exp(n * np.log1p(-q)), n * odds, odds, n)


def _from_zero(
    u: np.ndarray, pmf: np.ndarray, a: np.ndarray, c: np.ndarray | None, trials: np.ndarray | None = None
) -> np.ndarray:
    """Return ``min{k : F(k) >= u}`` stepping up from ``k = 0`` with ``pmf = pmf(0)`` (see the module).

    A binomial count (``trials`` given) stops at its trials, a Poisson count at ``_POISSON_STEPS_AT_MOST``.
    """
    cdf = pmf.copy()
    counts = np.zeros(u.shape, dtype=np.int64)
    index = np.flatnonzero(u > cdf)
    if not index.size:
        return counts
    binomial = [] if c is None or trials is None else [c[index], trials[index]]
    u, pmf, cdf, a = u[index], pmf[index], cdf[index], a[index]
    steps = np.ones(index.size, dtype=np.int64)
    k, searching = 1.0, index.size
    while True:
        pmf *= (a - (k - 1.0) * binomial[0] if binomial else a) * (1.0 / k)
        cdf += pmf
        going_on = u > cdf
        if binomial:
            going_on &= binomial[1] > k
        elif k >= _POISSON_STEPS_AT_MOST:  # only a uniform that rounding put above the whole cdf gets here
            going_on[:] = False
        left = int(np.count_nonzero(going_on))
        if not left:
            counts[index] = steps
            return counts
        steps += going_on
        k += 1.0
        if 2 * left < searching:
            counts[index] = steps
            keep = np.flatnonzero(going_on)
            kept = (x[keep] for x in (index, u, pmf, cdf, a, steps, *binomial))
            index, u, pmf, cdf, a, steps, *binomial = kept
            searching = left


def _search(
    uniforms: np.ndarray,
    k: np.ndarray,
    pmf: np.ndarray,
    cdf: np.ndarray,
    up_ratio: Callable[[np.ndarray, np.ndarray], np.ndarray],
    down_ratio: Callable[[np.ndarray, np.ndarray], np.ndarray],
    upper: np.ndarray | None = None,
) -> np.ndarray:
    """Walk each ``k`` (with ``pmf = P(X = k)``, ``cdf = P(X <= k)``) to ``min{k : F(k) >= u}``.

    ``up_ratio(idx, k)`` is ``pmf(k) / pmf(k - 1)`` and ``down_ratio(idx, k)`` is ``pmf(k - 1) / pmf(k)``
    for the elements ``idx``. Only unfinished elements are touched, so a good first guess costs a step or two.
    """
    active = ((k > _ZERO) & (uniforms <= cdf - pmf)).nonzero()[0]
    while active.size:
        cdf[active] -= pmf[active]
        pmf[active] *= down_ratio(active, k[active])
        k[active] -= 1.0
        active = active[(k[active] > 0) & (uniforms[active] <= cdf[active] - pmf[active])]
    below = (uniforms > cdf) & (pmf > _ZERO)
    if upper is not None:
        below &= k < upper
    active = below.nonzero()[0]
    while active.size:
        k[active] += 1.0
        pmf[active] *= up_ratio(active, k[active])
        cdf[active] += pmf[active]
        bound = np.inf if upper is None else upper[active]
        active = active[(uniforms[active] > cdf[active]) & (k[active] < bound) & (pmf[active] > 0.0)]
    return k.astype(np.int64)


def _poisson_from_guess(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Search from the Cornish-Fisher first guess (see :func:`poisson_quantile`)."""
    z = special.ndtri(u)
    correction = z * z
    correction -= 1.0
    correction /= 6.0
    k = np.sqrt(mean)
    k *= z
    k += mean
    k += correction
    np.floor(k, out=k)
    k = np.where(mean > _ZERO, np.maximum(k, _ZERO), _ZERO)
    # With mean 0 (and k 0) these are pmf 1 and cdf 1: the search leaves those elements alone.
    pmf = np.exp(special.xlogy(k, mean) - mean - special.gammaln(k + _ONE))
    cdf = special.pdtr(k, mean)
    # The guess is one short for about a quarter of the elements: take that step for all of them with
    # whole-array operations (cheaper than indexing on small arrays); the search finishes the rest.
    up = (u > cdf) & (pmf > _ZERO)
    k += up
    pmf = np.where(up, pmf * (mean / np.maximum(k, _ONE)), pmf)
    cdf += pmf * up
    return _search(u, k, pmf, cdf, lambda i, k: mean[i] / k, lambda i, k: k / mean[i])


def _binomial_from_guess(u: np.ndarray, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Search from a normal first guess (flat arrays; ``p`` in [0, 1])."""
    open_interval = (p > 0.0) & (p < 1.0) & (n > 0.0)
    safe_p = np.where(open_interval, p, 0.5)
    odds = safe_p / (1.0 - safe_p)
    z = special.ndtri(u)
    k = np.clip(np.floor(n * safe_p + np.sqrt(n * safe_p * (1.0 - safe_p)) * z + 0.5), 0.0, n)
    log_pmf = (
        special.gammaln(n + 1.0)
        - special.gammaln(k + 1.0)
        - special.gammaln(n - k + 1.0)
        + k * np.log(safe_p)
        + (n - k) * np.log1p(-safe_p)
    )
    pmf = np.exp(log_pmf)
    # P(X <= k) = I_{1-p}(n - k, k + 1), the regularised incomplete beta function.
    below_n = np.minimum(k, n - 1.0)
    cdf = np.where(k >= n, 1.0, special.betainc(n - below_n, below_n + 1.0, 1.0 - safe_p))
    # Degenerate cases are already exact: set them up so the search leaves them alone.
    k = np.where(open_interval, k, np.where(p >= 1.0, n, 0.0))
    pmf = np.where(open_interval, pmf, 1.0)
    cdf = np.where(open_interval, cdf, 1.0)
    counts = _search(
        u,
        k,
        pmf,
        cdf,
        lambda i, k: (n[i] - k + 1.0) / k * odds[i],
        lambda i, k: k / ((n[i] - k + 1.0) * odds[i]),
        upper=n,
    )
    return counts
