"""Poisson and binomial counts by inversion of uniforms, fast where the counts are small.

Both return ``min{k : F(k) >= u}`` elementwise, like :func:`~wargame.core.random_streams.poisson_quantile`
and :func:`~wargame.core.random_streams.binomial_quantile`, which they call for the elements expected to be
large. The others are inverted from 0 (Devroye 1986, X.3 and X.4): ``pmf(k) = pmf(k - 1) * (a - (k - 1) c)
/ k``, with ``a = mean, c = 0`` for a Poisson count and ``a = n q / (1 - q), c = q / (1 - q)`` for a binomial
one. Every element still searching is at the same ``k``, so a step is a few whole-array operations; the
arrays shrink when half of them have settled. A result depends on its element's inputs only.
"""

from __future__ import annotations

import numpy as np

from wargame.core.random_streams import binomial_quantile, poisson_quantile

__all__ = ["binomial_counts", "poisson_counts"]

# Elements expected to take more steps than this from 0 are searched from a normal guess instead.
_STEPS_FROM_ZERO = 16.0
# A Poisson count with a mean up to _STEPS_FROM_ZERO is below this but with probability under 1e-100.
_POISSON_STEPS_AT_MOST = 256.0


def poisson_counts(uniforms: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Return ``Poisson(mean)`` counts, shape of ``uniforms`` (``mean`` broadcasts to it)."""
    shape = uniforms.shape
    u = uniforms.reshape(-1)
    mean = np.broadcast_to(mean, shape).reshape(-1)
    near = mean <= _STEPS_FROM_ZERO
    if near.all():
        return _from_zero(u, np.exp(-mean), mean, None).reshape(shape)
    counts = np.empty(u.shape, dtype=np.int64)
    close, far = np.flatnonzero(near), np.flatnonzero(~near)
    counts[close] = _from_zero(u[close], np.exp(-mean[close]), mean[close], None)
    counts[far] = poisson_quantile(u[far], mean[far])
    return counts.reshape(shape)


def binomial_counts(uniforms: np.ndarray, trials: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Return ``Binomial(trials, probability)`` counts, shape of ``trials``.

    Only elements with trials are inverted. Where ``probability > 1/2`` the count is ``trials`` minus the
    count of the complement, so inversion from 0 takes at most ``trials / 2`` steps.

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
    near = n * q <= _STEPS_FROM_ZERO
    if near.all():
        complement = _binomial_from_zero(u, n, q)
    else:
        complement = np.empty(u.shape, dtype=np.int64)
        close, far = np.flatnonzero(near), np.flatnonzero(~near)
        complement[close] = _binomial_from_zero(u[close], n[close], q[close])
        complement[far] = binomial_quantile(u[far], n[far], q[far])
    counts.reshape(-1)[drawn] = np.where(flip, n - complement, complement)
    return counts


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
