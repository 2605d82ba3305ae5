"""Counter-based random streams: one independent stream per run, drawn for a whole ensemble at once.

Each run owns a 64-bit key spawned from the root :class:`numpy.random.SeedSequence`. A draw is a pure
function of ``(run key, stream, day, slot)``, hashed with the SplitMix64 finaliser, so run ``i`` draws
the same numbers whether it is simulated alone, in a batch of 10,000 or on another worker. That is what
makes results independent of ``--jobs`` and lets a session (an ensemble of one) replay any run of a sweep
from its recorded seed.

Distributions are built from these uniforms by exact inversion: normals with ``scipy.special.ndtri``;
Poisson and binomial counts by a vectorised inverse-CDF search that starts at a normal-approximation guess
(whose CDF comes from ``scipy.special.pdtr`` / ``betainc``) and steps only the elements not yet settled;
Poisson counts with a small mean by inversion from 0.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import IntEnum

import numpy as np
from scipy import special

__all__ = [
    "EnsembleRandom",
    "Stream",
    "binomial_quantile",
    "poisson_quantile",
    "run_keys_from_seed",
]

# Constants as 0-d arrays: numpy applies those faster than scalars. uint64 arithmetic wraps modulo 2**64.
_GOLDEN = np.array(0x9E3779B97F4A7C15, dtype=np.uint64)
_MIX_1 = np.array(0xBF58476D1CE4E5B9, dtype=np.uint64)
_MIX_2 = np.array(0x94D049BB133111EB, dtype=np.uint64)
_SHIFTS = tuple(np.array(bits, dtype=np.uint64) for bits in (30, 27, 31, 11))
# A counter is stream << 48 | day << 20 | slot: each (stream, day, slot) has its own counter only while the
# slot is below 2**20 and the day below 2**28; draws outside those ranges are refused.
_SLOTS_PER_DAY = 1 << 20
_DAYS = 1 << 28
_DAY_STRIDE = np.array(_SLOTS_PER_DAY, dtype=np.uint64)
# Single-day draws of ensembles of at most _WINDOW_RUNS runs are hashed _WINDOW_DAYS days ahead.
_WINDOW_RUNS, _WINDOW_DAYS, _WINDOW_SLOTS = 4, 64, 16
_TO_UNIT = 1.0 / float(1 << 53)
_ZERO, _ONE = np.array(0.0), np.array(1.0)
# Below this mean a Poisson count is found faster by inversion from 0 than from the Cornish-Fisher guess.
_CHOP_DOWN_MEAN = 2.0


class Stream(IntEnum):
    """Named draw sites: a stream per mechanic, so adding draws to one never shifts another."""

    INCIDENT_SHOCK = 1
    INCIDENT_COUNT = 2
    DETECTION = 3
    TIMELY_ATTRIBUTION = 4
    PERCEPTION_BIAS = 5
    PERCEPTION_NOISE = 6
    ADVERSARY_CHOICE = 7
    MOBILIZATION_WARNING = 8
    POLICY = 9
    ADJUDICATION = 10
    SEAT_PICTURE = 11
    INPUTS = 12
    ALLY_PICTURE = 13
    BELIEF_NOISE = 14
    HIDDEN_INPUTS = 15
    RESOLVE_SHOCK = 16


def _mix(x: np.ndarray) -> np.ndarray:
    """The SplitMix64 finaliser, elementwise (returns a new array)."""
    x = x ^ (x >> _SHIFTS[0])
    x *= _MIX_1
    x ^= x >> _SHIFTS[1]
    x *= _MIX_2
    x ^= x >> _SHIFTS[2]
    return x


@functools.cache
def _stream_numbers(streams: tuple[Stream, ...]) -> np.ndarray:
    """The high bits of the counters of ``streams`` (a constant per tuple of streams)."""
    numbers = np.array([int(stream) << 48 for stream in streams], dtype=np.uint64)
    numbers.flags.writeable = False
    return numbers


def run_keys_from_seed(root_seed: int, runs: int) -> np.ndarray:
    """Spawn ``runs`` 64-bit run keys from ``numpy.random.SeedSequence(root_seed)``, in run order."""
    if runs < 0:
        raise ValueError(f"runs must be non-negative, got {runs}")
    children = np.random.SeedSequence(root_seed).spawn(runs)
    return np.array([child.generate_state(1, dtype=np.uint64)[0] for child in children], dtype=np.uint64)


class EnsembleRandom:
    """Random draws for an ensemble of runs; row ``i`` of every result belongs to run ``i``.

    Args:
        run_keys: One unsigned 64-bit key per run.
        branch_day: With ``branch_keys``, draws for days from ``branch_day`` on use ``branch_keys``
            instead: runs sharing a key before the branch share their history, then diverge (used for
            counterfactual continuations of a session).
        branch_keys: One key per run for days from ``branch_day`` on.
        hidden_keys: One key per run for the streams in ``hidden_streams`` before the branch: runs that share
            their history's keys but resample what the history does not reveal (a session's fan).
        hidden_streams: The streams drawn from ``hidden_keys``.
    """

    def __init__(
        self,
        run_keys: np.ndarray,
        branch_day: int | None = None,
        branch_keys: np.ndarray | None = None,
        hidden_keys: np.ndarray | None = None,
        hidden_streams: frozenset[Stream] = frozenset(),
    ) -> None:
        self.run_keys = np.asarray(run_keys, dtype=np.uint64)
        self._standing: dict[tuple[Stream, int, int], np.ndarray] = {}
        self._windows: dict[tuple[Stream, int], tuple[int, np.ndarray]] = {}
        self._keys = _mix(self.run_keys)[:, None]
        if (branch_day is None) != (branch_keys is None):
            raise ValueError("give both branch_day and branch_keys, or neither")
        self.branch_day = branch_day
        self._branch: tuple[int, np.ndarray] | None = None  # (first day, mixed keys) of the branch
        if branch_day is not None and branch_keys is not None:
            self._branch = (branch_day, _mix(self._check_keys(branch_keys, "branch_keys"))[:, None])
        self.hidden_streams = frozenset(hidden_streams) if hidden_keys is not None else frozenset()
        self._hidden_keys = None
        if hidden_keys is not None:
            self._hidden_keys = _mix(self._check_keys(hidden_keys, "hidden_keys"))[:, None]

    def _check_keys(self, keys: np.ndarray, name: str) -> np.ndarray:
        keys = np.asarray(keys, dtype=np.uint64)
        if keys.shape != self.run_keys.shape:
            raise ValueError(f"{name} needs one key per run")
        return keys

    @property
    def runs(self) -> int:
        return int(self.run_keys.shape[0])

    def uniform(self, stream: Stream, day: int, slots: int, first_slot: int = 0) -> np.ndarray:
        """Return uniforms in (0, 1), shape ``(runs, slots)``, for slots ``first_slot ..``.

        For a tiny ensemble (a session) the numbers of the next ``_WINDOW_DAYS`` days are hashed at once and
        kept, so the draws of later decisions only slice them; the result is then a read-only view. The
        numbers are the same either way.
        """
        if (
            slots > _WINDOW_SLOTS
            or self.runs > _WINDOW_RUNS
            or first_slot > _SLOTS_PER_DAY - _WINDOW_SLOTS
            or day > _DAYS - _WINDOW_DAYS
        ):
            return self.uniform_days(stream, day, 1, slots, first_slot)[:, 0, :]
        window = self._windows.get((stream, first_slot))
        if window is None or not 0 <= day - window[0] < _WINDOW_DAYS:
            numbers = self.uniform_block((stream,), day, _WINDOW_DAYS, _WINDOW_SLOTS, first_slot)[0]
            numbers.flags.writeable = False
            window = self._windows[(stream, first_slot)] = (day, numbers)
        return window[1][day - window[0], :, :slots]

    def uniform_days(
        self, stream: Stream, first_day: int, days: int, slots: int, first_slot: int = 0
    ) -> np.ndarray:
        """Return uniforms for consecutive days, shape ``(runs, days, slots)``.

        Element ``[:, i, s]`` equals ``uniform(stream, first_day + i, ...)[:, s]``: drawing a block of days
        at once gives the same numbers as drawing them day by day.
        """
        return self.uniform_block((stream,), first_day, days, slots, first_slot)[0].transpose(1, 0, 2)

    def uniform_block(
        self,
        streams: tuple[Stream, ...],
        first_day: int,
        days: int,
        slots: int,
        first_slot: int = 0,
        standing: bool = False,
    ) -> np.ndarray:
        """Return uniforms of several streams for consecutive days, shape ``(streams, days, runs, slots)``.

        Element ``[k, i, :, s]`` equals ``uniform_days(streams[k], first_day, ...)[:, i, s]``; one call
        serves every stream of a mechanic, and the day-major layout makes each day a contiguous slice.
        ``standing`` draws values fixed for the whole run (the day is then only a counter): they come from
        the run keys whatever the branch, since a branch shares the run's history and inputs.

        Raises:
            ValueError: If a slot is outside ``0 .. 2**20 - 1`` or a day outside ``0 .. 2**28 - 1``: their
                counters would be those of other (day, slot) pairs.
        """
        if first_slot < 0 or first_slot + slots > _SLOTS_PER_DAY:
            raise ValueError(
                f"slots {first_slot} to {first_slot + slots - 1} are outside 0 to {_SLOTS_PER_DAY - 1}"
            )
        if first_day < 0 or first_day + days > _DAYS:
            raise ValueError(f"days {first_day} to {first_day + days - 1} are outside 0 to {_DAYS - 1}")
        day_numbers = np.arange(first_day, first_day + days, dtype=np.uint64)
        slot_numbers = np.arange(first_slot, first_slot + slots, dtype=np.uint64)
        stream_numbers = _stream_numbers(streams)
        counter = np.add.outer(np.add.outer(stream_numbers, day_numbers * _DAY_STRIDE), slot_numbers)
        counter += _GOLDEN
        mixed_counter = _mix(counter)
        mixed_counter *= _GOLDEN
        mixed_counter = mixed_counter[:, :, None, :]  # (streams, days, 1, slots)
        bits = _mix(self._keys ^ mixed_counter)
        if self.hidden_streams and self._hidden_keys is not None:
            for k, stream in enumerate(streams):
                if stream in self.hidden_streams:
                    bits[k] = _mix(self._hidden_keys ^ mixed_counter[k])
        branch = None if standing else self._branch
        if branch is not None and first_day + days > branch[0]:
            branch_day, branch_keys = branch
            branched = _mix(branch_keys ^ mixed_counter)
            after = (day_numbers >= branch_day)[None, :, None, None]
            bits = np.where(after, branched, bits)
        bits >>= _SHIFTS[3]
        uniforms = bits.astype(np.float64)
        uniforms += 0.5
        uniforms *= _TO_UNIT
        return uniforms

    def normal(self, stream: Stream, day: int, slots: int, first_slot: int = 0) -> np.ndarray:
        """Return standard normals, shape ``(runs, slots)``."""
        return special.ndtri(self.uniform(stream, day, slots, first_slot))

    def standing_normal(self, stream: Stream, slots: int, first_slot: int = 0) -> np.ndarray:
        """Return the standard normals of day 0, drawn once and kept: a quantity fixed for the whole run.

        Returns a read-only array of shape ``(runs, slots)``.
        """
        key = (stream, slots, first_slot)
        if key not in self._standing:
            normals = self.normal(stream, 0, slots, first_slot)
            normals.flags.writeable = False
            self._standing[key] = normals
        return self._standing[key]

    def poisson_days(
        self, mean: np.ndarray, stream: Stream, first_day: int, first_slot: int = 0
    ) -> np.ndarray:
        """Return Poisson counts for consecutive days; ``mean`` has shape ``(runs, days, k)``."""
        mean = np.asarray(mean, dtype=np.float64)
        uniforms = self.uniform_days(stream, first_day, mean.shape[1], mean.shape[2], first_slot)
        return poisson_quantile(uniforms, mean)

    def binomial_days(
        self, trials: np.ndarray, probability: np.ndarray, stream: Stream, first_day: int, first_slot: int = 0
    ) -> np.ndarray:
        """Return binomial counts for consecutive days; ``trials`` has shape ``(runs, days, k)``."""
        trials = np.asarray(trials, dtype=np.int64)
        uniforms = self.uniform_days(stream, first_day, trials.shape[1], trials.shape[2], first_slot)
        return binomial_quantile(uniforms, trials, probability)

    def poisson(self, mean: np.ndarray, stream: Stream, day: int, first_slot: int = 0) -> np.ndarray:
        """Return Poisson counts with the given means, shape ``(runs, k)`` like ``mean``."""
        mean = np.asarray(mean, dtype=np.float64)[:, None, :]
        return self.poisson_days(mean, stream, day, first_slot)[:, 0, :]

    def binomial(
        self, trials: np.ndarray, probability: np.ndarray, stream: Stream, day: int, first_slot: int = 0
    ) -> np.ndarray:
        """Return binomial counts, shape ``(runs, k)`` like ``trials``."""
        trials = np.asarray(trials, dtype=np.int64)
        probability = np.broadcast_to(probability, trials.shape)
        return self.binomial_days(trials[:, None, :], probability[:, None, :], stream, day, first_slot)[
            :, 0, :
        ]


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


def poisson_quantile(uniforms: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Return Poisson quantiles ``min{k : F(k) >= u}`` (shape of ``uniforms``).

    Elements with a mean below ``_CHOP_DOWN_MEAN`` are inverted from 0; the others are searched from a
    Cornish-Fisher first guess ``floor(mean + sqrt(mean) * z + (z**2 - 1) / 6)`` with ``z = ndtri(u)``.

    Args:
        uniforms: Uniforms in (0, 1).
        mean: Poisson means, the shape of ``uniforms``.
    """
    shape = uniforms.shape
    u = uniforms.reshape(-1)
    mean = np.ascontiguousarray(mean, dtype=np.float64).reshape(-1)
    small = mean < _CHOP_DOWN_MEAN
    if small.all():
        return _poisson_chop_down(u, mean).reshape(shape)
    if not small.any():
        return _poisson_from_guess(u, mean).reshape(shape)
    counts = np.empty(u.shape, dtype=np.int64)
    chopped, guessed = small.nonzero()[0], (~small).nonzero()[0]
    counts[chopped] = _poisson_chop_down(u[chopped], mean[chopped])
    counts[guessed] = _poisson_from_guess(u[guessed], mean[guessed])
    return counts.reshape(shape)


def _poisson_chop_down(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Inversion from 0 (Devroye 1986, X.3): cheap where the mean is small and most counts are 0 or 1."""
    pmf = np.exp(-mean)
    cdf = pmf.copy()
    k = np.zeros(u.shape)
    active = ((u > cdf) & (pmf > 0.0)).nonzero()[0]
    while active.size:
        k[active] += 1.0
        pmf[active] *= mean[active] / k[active]
        cdf[active] += pmf[active]
        active = active[(u[active] > cdf[active]) & (pmf[active] > 0.0)]
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


def binomial_quantile(uniforms: np.ndarray, trials: np.ndarray, probability: np.ndarray) -> np.ndarray:
    """Return binomial quantiles ``min{k : F(k) >= u}`` (shape of ``uniforms``), searched from a normal
    first guess; ``probability`` is clipped to [0, 1]."""
    shape = uniforms.shape
    u = uniforms.reshape(-1)
    n = np.asarray(trials, dtype=np.float64).reshape(-1)
    p = np.clip(np.broadcast_to(probability, shape), 0.0, 1.0).reshape(-1)
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
    return counts.reshape(shape)
