"""Counter-based random streams: one independent stream per run, drawn for a whole ensemble at once.

Each run owns a 64-bit key spawned from the root :class:`numpy.random.SeedSequence`. A draw is a pure
function of ``(run key, stream, day, slot)``, hashed with the SplitMix64 finaliser, so run ``i`` draws
the same numbers whether it is simulated alone, in a batch of 10,000 or on another worker. That is what
makes results independent of ``--jobs`` and lets a session (an ensemble of one) replay any run of a sweep
from its recorded seed.

Distributions are built from these uniforms by exact inversion: normals with ``scipy.special.ndtri``,
Poisson and binomial counts with :mod:`wargame.core.counts`.
"""

from __future__ import annotations

import functools
from enum import IntEnum

import numpy as np
from scipy import special

from wargame.core.counts import binomial_counts, poisson_counts

__all__ = [
    "EnsembleRandom",
    "Stream",
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


def run_keys_from_seed(root_seed: int, runs: int, first_run: int = 0) -> np.ndarray:
    """Spawn the 64-bit keys of runs ``first_run`` to ``first_run + runs - 1`` from
    ``numpy.random.SeedSequence(root_seed)``, in run order.

    Run ``i`` takes the root's ``i``-th child (the one ``SeedSequence.spawn`` makes as
    ``SeedSequence(entropy, spawn_key=(i,))``), so a block of runs gets the keys it has among all of them.
    """
    if runs < 0:
        raise ValueError(f"runs must be non-negative, got {runs}")
    if first_run < 0:
        raise ValueError(f"first_run must be non-negative, got {first_run}")
    root = np.random.SeedSequence(root_seed)
    children = (
        np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, i), pool_size=root.pool_size)
        for i in range(first_run, first_run + runs)
    )
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
        return poisson_counts(uniforms, mean)

    def binomial_days(
        self, trials: np.ndarray, probability: np.ndarray, stream: Stream, first_day: int, first_slot: int = 0
    ) -> np.ndarray:
        """Return binomial counts for consecutive days; ``trials`` has shape ``(runs, days, k)``."""
        trials = np.asarray(trials, dtype=np.int64)
        uniforms = self.uniform_days(stream, first_day, trials.shape[1], trials.shape[2], first_slot)
        return binomial_counts(uniforms, trials, probability)

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
