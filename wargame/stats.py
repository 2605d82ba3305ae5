"""Confidence intervals and sample statistics, computed by :mod:`scipy.stats`: one method per question.

* proportions (``war``, any yes/no outcome): the Clopper-Pearson ("exact") interval, from the beta
  distribution. It never covers the true proportion less often than stated, for any number of runs and any
  proportion, which matters where this engine's proportions live: rare wars counted over a few dozen
  replications of a design point. Wilson's interval is narrower on average but its coverage dips below
  the nominal level near 0 and 1 for small samples (Brown, Cai and DasGupta, *Statistical Science* 16,
  2001); at a thousand runs the two differ in the third digit. Both ends stay inside [0, 1].
* means: Student's t interval, clipped to the outcome's possible range when it has one (a share of
  runs, a rung index, a day of the horizon). Clipping never loses coverage: the true mean lies in the
  range, so it lies in the clipped interval whenever it lies in the unclipped one.
* quantiles: sample values themselves (the inverted empirical CDF, so a median onset day is a day on
  which some run went to war, never an interpolated day), and the distribution-free order-statistic
  interval of :func:`scipy.stats.quantile_test`.
* paired differences (common random numbers: the same seeds under two settings): the t interval of the
  mean per-seed difference, :func:`scipy.stats.ttest_rel`.
* anything else: the bootstrap, :func:`scipy.stats.bootstrap`, with a seed.

Every function ignores ``NaN`` values (a run without war has no war day) and returns ``NaN`` where a
sample is too small for the statistic.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

__all__ = [
    "Estimate",
    "bootstrap_interval",
    "mean_interval",
    "paired_difference",
    "percentile_of_score",
    "proportion_interval",
    "proportion_intervals",
    "quantile_interval",
    "sample_quantiles",
]

Bounds = tuple[float, float]


@dataclass(frozen=True)
class Estimate:
    """A point estimate with a confidence interval (``NaN`` where it cannot be computed)."""

    value: float
    low: float
    high: float

    def format(self, digits: int = 3, percent: bool = False) -> str:
        """Return ``value [low, high]`` with ``digits`` significant digits, or ``n/a``."""
        scale, unit = (100.0, "%") if percent else (1.0, "")
        if math.isnan(self.value):
            return "n/a"
        if math.isnan(self.low) or math.isnan(self.high):
            return f"{self.value * scale:.{digits}g}{unit}"
        return (
            f"{self.value * scale:.{digits}g}{unit} "
            f"[{self.low * scale:.{digits}g}, {self.high * scale:.{digits}g}]"
        )


_NAN_ESTIMATE = Estimate(math.nan, math.nan, math.nan)


def _present(values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    return array[~np.isnan(array)]


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")


def _clip(low: float, high: float, bounds: Bounds | None) -> tuple[float, float]:
    if bounds is None:
        return low, high
    return max(low, bounds[0]), min(high, bounds[1])


def proportion_intervals(
    successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Return the Clopper-Pearson bounds of many proportions at once (arrays of the broadcast shape).

    The lower bound is the ``(1 - confidence) / 2`` quantile of Beta(k, n - k + 1) (0 when k = 0), the
    upper bound the ``(1 + confidence) / 2`` quantile of Beta(k + 1, n - k) (1 when k = n). Where there
    are no trials both bounds are ``NaN``.
    """
    _check_confidence(confidence)
    k = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    if np.any(k < 0) or np.any(k > n):
        raise ValueError("successes must be between 0 and the number of trials")
    tail = (1.0 - confidence) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        low = np.where(k > 0, stats.beta.ppf(tail, np.maximum(k, 1), n - k + 1), 0.0)
        high = np.where(k < n, stats.beta.ppf(1.0 - tail, k + 1, np.maximum(n - k, 1)), 1.0)
    empty = n <= 0
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


def proportion_interval(successes: int, trials: int, confidence: float = 0.95) -> Estimate:
    """Return a proportion with its Clopper-Pearson interval; ``NaN`` for zero trials."""
    if trials == 0:
        return _NAN_ESTIMATE
    low, high = proportion_intervals(successes, trials, confidence)
    return Estimate(successes / trials, float(low), float(high))


def mean_interval(values: ArrayLike, confidence: float = 0.95, bounds: Bounds | None = None) -> Estimate:
    """Return the mean with its Student-t interval, clipped to ``bounds`` (the outcome's possible range).

    Args:
        values: The sample; ``NaN`` values are left out.
        confidence: Confidence level of the interval.
        bounds: ``(lowest, highest)`` value the outcome can take, if it has such a range.

    Returns:
        ``NaN`` for an empty sample; the mean with a ``NaN`` interval for a single value.
    """
    _check_confidence(confidence)
    sample = _present(values)
    if sample.size == 0:
        return _NAN_ESTIMATE
    mean = float(sample.mean())
    if sample.size == 1:
        return Estimate(mean, math.nan, math.nan)
    scale = float(stats.sem(sample))
    if scale == 0.0:
        return Estimate(mean, mean, mean)
    low, high = stats.t.interval(confidence, sample.size - 1, loc=mean, scale=scale)
    return Estimate(mean, *_clip(float(low), float(high), bounds))


def sample_quantiles(values: ArrayLike, probabilities: Sequence[float]) -> tuple[float, ...]:
    """Return quantiles that are values of the sample (the inverted empirical CDF); ``NaN`` if empty.

    The ``p``-quantile is the smallest sample value whose empirical CDF reaches ``p``, so a quantile of
    days is a day that occurred.
    """
    sample = _present(values)
    if sample.size == 0:
        return tuple(math.nan for _ in probabilities)
    found = stats.quantile(sample, np.asarray(probabilities, dtype=np.float64), method="inverted_cdf")
    return tuple(float(value) for value in np.atleast_1d(found))


def quantile_interval(values: ArrayLike, probability: float, confidence: float = 0.95) -> Estimate:
    """Return the ``probability``-quantile (a sample value) with its distribution-free interval.

    The interval's ends are order statistics chosen from the binomial distribution
    (:func:`scipy.stats.quantile_test`); it needs no assumption about the distribution's shape. An end
    that no order statistic of a sample this small can give is ``-inf`` or ``inf``.
    """
    _check_confidence(confidence)
    sample = _present(values)
    if sample.size == 0:
        return _NAN_ESTIMATE
    (value,) = sample_quantiles(sample, [probability])
    interval = stats.quantile_test(sample, q=value, p=probability).confidence_interval(confidence)
    return Estimate(value, float(interval.low), float(interval.high))


def paired_difference(
    first: ArrayLike, second: ArrayLike, confidence: float = 0.95, bounds: Bounds | None = None
) -> Estimate:
    """Return the mean of ``first - second`` over paired runs (same seeds) with its t interval.

    Pairs where either value is ``NaN`` are left out. ``bounds`` is the range of the outcome itself; the
    interval of the difference is clipped to ``(low - high, high - low)``.

    Raises:
        ValueError: If the two samples differ in length.
    """
    _check_confidence(confidence)
    a = np.asarray(first, dtype=np.float64).ravel()
    b = np.asarray(second, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired samples differ in length: {a.size} and {b.size}")
    keep = ~(np.isnan(a) | np.isnan(b))
    a, b = a[keep], b[keep]
    if a.size == 0:
        return _NAN_ESTIMATE
    difference = a - b
    mean = float(difference.mean())
    if a.size == 1:
        return Estimate(mean, math.nan, math.nan)
    if float(np.ptp(difference)) == 0.0:
        return Estimate(mean, mean, mean)
    interval = stats.ttest_rel(a, b).confidence_interval(confidence)
    span = None if bounds is None else (bounds[0] - bounds[1], bounds[1] - bounds[0])
    return Estimate(mean, *_clip(float(interval.low), float(interval.high), span))


def bootstrap_interval(
    values: ArrayLike,
    statistic: Callable[..., Any],
    *,
    seed: int,
    confidence: float = 0.95,
    resamples: int = 2000,
    bounds: Bounds | None = None,
) -> Estimate:
    """Return ``statistic(values)`` with a bias-corrected and accelerated (BCa) bootstrap interval, or
    the percentile bootstrap interval where BCa's corrections are undefined (a statistic that barely
    varies over the resamples).

    Args:
        values: The sample (``NaN`` left out).
        statistic: A function of a 1-d sample that accepts an ``axis`` keyword (as numpy's reductions
            do), so that resamples are evaluated at once.
        seed: Seed of the resampling; the same data and seed give the same interval.
        confidence: Confidence level.
        resamples: Number of bootstrap resamples.
        bounds: The statistic's possible range, to clip the interval to.
    """
    _check_confidence(confidence)
    sample = _present(values)
    if sample.size == 0:
        return _NAN_ESTIMATE
    value = float(statistic(sample))
    if sample.size == 1 or float(np.ptp(sample)) == 0.0:
        return Estimate(value, value, value) if sample.size > 1 else Estimate(value, math.nan, math.nan)
    for method in ("BCa", "percentile"):
        with warnings.catch_warnings():
            # A statistic that barely varies over resamples (an upper quantile of a sample of mostly
            # equal values) leaves BCa's corrections undefined: scipy warns and returns NaN, and the
            # plain percentile interval of the same resamples is used instead.
            warnings.simplefilter("ignore", stats.DegenerateDataWarning)
            warnings.simplefilter("ignore", RuntimeWarning)
            result = stats.bootstrap(
                (sample,),
                statistic,
                confidence_level=confidence,
                n_resamples=resamples,
                method=method,
                rng=np.random.default_rng(seed),
            )
        low, high = float(result.confidence_interval.low), float(result.confidence_interval.high)
        if not (math.isnan(low) or math.isnan(high)):
            break
    return Estimate(value, *_clip(low, high, bounds))


def percentile_of_score(sample: ArrayLike, score: float) -> float:
    """Return the percentile rank of ``score`` in ``sample`` (0-100), ties counted half
    (:func:`scipy.stats.percentileofscore` with ``kind="mean"``)."""
    return float(stats.percentileofscore(_present(sample), score, kind="mean"))
