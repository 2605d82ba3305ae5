"""Distributions a numeric scenario field may take instead of a number, to state what is uncertain.

In a scenario file any number may be written as a mapping with a ``dist`` key::

    resolve: {dist: beta, alpha: 6, beta: 4, source: "survey range 0.5-0.7"}
    latency_hours: {dist: triangular, low: 6, mode: 12, high: 48}
    base_rate_per_day: {dist: lognormal, median: 5.0, sigma: 0.3, high: 20}
    horizon_days: {dist: choice, values: [180, 365, 730], weights: [1, 2, 1]}

Each distribution is a frozen model with a vectorised quantile function :meth:`ppf` (``u`` in (0, 1) to
values: SciPy's, or SciPy's formula on numpy where that gives the same numbers without importing
scipy.stats), its :meth:`support` and its :meth:`median`. ``normal`` and ``lognormal`` take an optional
truncation ``low``/``high``; ``beta`` is on [0, 1] unless scaled to ``low``/``high``. Each may carry a
``source:`` saying why this range.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Self

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, model_validator
from scipy import special

__all__ = [
    "DISTRIBUTION_KINDS",
    "Beta",
    "Choice",
    "Distribution",
    "LogNormal",
    "Normal",
    "Triangular",
    "UncertainInput",
    "Uniform",
    "parse_distribution",
]

_TINY = 2.0**-54  # u is clipped to [_TINY, 1 - 2**-53]: every quantile is finite


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got the boolean {value!r}")
    return value


_Real = Annotated[float, BeforeValidator(_not_a_boolean)]
_Positive = Annotated[_Real, Field(gt=0.0)]
_Number = Annotated[int | float, BeforeValidator(_not_a_boolean)]
_Source = Annotated[str, Field(max_length=1000)]


def _open_unit(u: np.ndarray) -> np.ndarray:
    return np.clip(np.asarray(u, dtype=np.float64), _TINY, 1.0 - 2.0**-53)


def _ordered(low: float, high: float) -> None:
    if low == high:
        raise ValueError(
            f"low and high are both {low}: a distribution needs low < high (or write the number)"
        )
    if low > high:
        raise ValueError(f"low ({low}) must be smaller than high ({high})")


class _Distribution(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, populate_by_name=True, use_attribute_docstrings=True
    )

    source: _Source | None = None
    """Why this distribution: a citation or an argument."""

    @model_validator(mode="after")
    def _check_low_below_high(self) -> Self:
        low, high = getattr(self, "low", None), getattr(self, "high", None)
        if low is not None and high is not None:
            _ordered(low, high)
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Return the quantiles at ``u`` (clipped into the open interval (0, 1), so always finite)."""
        raise NotImplementedError

    def support(self) -> tuple[float, float]:
        """Return the lowest and highest values the distribution can take (``inf`` if unbounded)."""
        raise NotImplementedError

    def median(self) -> float:
        """Return the median: the value a nominal scenario takes."""
        return float(self.ppf(np.array([0.5]))[0])

    @property
    def open_below(self) -> bool:
        """Whether the lower end of the support is never reached (a log-normal's 0)."""
        return False


class Uniform(_Distribution):
    """Uniform on [``low``, ``high``]."""

    dist: Literal["uniform"]
    """The kind: uniform."""
    low: _Real
    """Lowest value."""
    high: _Real
    """Highest value."""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + _open_unit(u) * (self.high - self.low)

    def support(self) -> tuple[float, float]:
        return self.low, self.high

    def median(self) -> float:
        return (self.low + self.high) / 2


class Normal(_Distribution):
    """Normal with ``mean`` and standard deviation ``sd``, optionally truncated to [``low``, ``high``]."""

    dist: Literal["normal"]
    """The kind: normal."""
    mean: _Real
    """Mean."""
    sd: _Positive
    """Standard deviation."""
    low: _Real | None = None
    """Truncated below here (optional)."""
    high: _Real | None = None
    """Truncated above here (optional)."""

    def _standard_bounds(self) -> tuple[float, float]:
        low = -math.inf if self.low is None else (self.low - self.mean) / self.sd
        high = math.inf if self.high is None else (self.high - self.mean) / self.sd
        return low, high

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = _open_unit(u)
        if self.low is None and self.high is None:
            return self.mean + self.sd * special.ndtri(u)
        from scipy import stats  # only a truncated normal needs it: scipy.stats takes 0.4 s to import

        a, b = self._standard_bounds()
        return np.asarray(stats.truncnorm.ppf(u, a, b, loc=self.mean, scale=self.sd), dtype=np.float64)

    def support(self) -> tuple[float, float]:
        return (-math.inf if self.low is None else self.low, math.inf if self.high is None else self.high)


class LogNormal(_Distribution):
    """Log-normal: ``log(x)`` is normal with mean ``log(median)`` and standard deviation ``sigma``.

    Optionally truncated to [``low``, ``high``] (``low`` >= 0).
    """

    dist: Literal["lognormal"]
    """The kind: lognormal."""
    median_: _Positive = Field(alias="median")
    """Median (the exponential of the log's mean)."""
    sigma: _Positive
    """Standard deviation of the logarithm."""
    low: Annotated[_Real, Field(ge=0.0)] | None = None
    """Truncated below here (optional)."""
    high: _Positive | None = None
    """Truncated above here (optional)."""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        u = _open_unit(u)
        mu = math.log(self.median_)
        if (self.low is None or self.low == 0.0) and self.high is None:
            return np.exp(mu + self.sigma * special.ndtri(u))
        from scipy import stats  # only a truncated log-normal needs it: scipy.stats takes 0.4 s to import

        a = -math.inf if not self.low else (math.log(self.low) - mu) / self.sigma
        b = math.inf if self.high is None else (math.log(self.high) - mu) / self.sigma
        return np.exp(np.asarray(stats.truncnorm.ppf(u, a, b, loc=mu, scale=self.sigma), dtype=np.float64))

    def support(self) -> tuple[float, float]:
        return (self.low or 0.0, math.inf if self.high is None else self.high)

    @property
    def open_below(self) -> bool:
        return not self.low


class Beta(_Distribution):
    """Beta with shapes ``alpha`` and ``beta`` on [0, 1], or scaled to [``low``, ``high``]."""

    dist: Literal["beta"]
    """The kind: beta."""
    alpha: _Positive
    """First shape parameter."""
    beta: _Positive
    """Second shape parameter."""
    low: _Real = 0.0
    """Value of the beta's 0."""
    high: _Real = 1.0
    """Value of the beta's 1."""

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * special.betaincinv(self.alpha, self.beta, _open_unit(u))

    def support(self) -> tuple[float, float]:
        return self.low, self.high


class Triangular(_Distribution):
    """Triangular on [``low``, ``high``] with its peak at ``mode``."""

    dist: Literal["triangular"]
    """The kind: triangular."""
    low: _Real
    """Lowest value."""
    mode: _Real
    """Most likely value."""
    high: _Real
    """Highest value."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode}) must lie between low ({self.low}) and high ({self.high})")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:
        # scipy.stats.triang's quantile function, operation for operation (the same numbers, without
        # importing scipy.stats): sqrt(c u) below the peak c, 1 - sqrt((1 - c)(1 - u)) above it.
        width = self.high - self.low
        peak = (self.mode - self.low) / width
        u = _open_unit(u)
        standard = np.where(u < peak, np.sqrt(peak * u), 1 - np.sqrt((1 - peak) * (1 - u)))
        return standard * width + self.low

    def support(self) -> tuple[float, float]:
        return self.low, self.high


class Choice(_Distribution):
    """One of ``values``, with probabilities proportional to ``weights`` (equal when omitted)."""

    dist: Literal["choice"]
    """The kind: choice."""
    values: Annotated[tuple[_Number, ...], Field(min_length=1, max_length=1000)]
    """The values that can occur."""
    weights: Annotated[tuple[Annotated[_Real, Field(ge=0.0)], ...], Field(max_length=1000)] | None = None
    """Relative weight of each value (default: all equal)."""

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(f"{len(self.weights)} weights for {len(self.values)} values")
            if sum(self.weights) <= 0:
                raise ValueError("the weights sum to 0: give at least one a positive weight")
        return self

    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        """The values that can occur, ascending, and their cumulative probabilities."""
        weights = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, dtype=float)
        values = np.asarray(self.values, dtype=np.float64)
        keep = weights > 0
        order = np.argsort(values[keep], kind="stable")
        cumulative = np.cumsum(weights[keep][order])
        return values[keep][order], cumulative / cumulative[-1]

    def ppf(self, u: np.ndarray) -> np.ndarray:
        values, cumulative = self._table()
        index = np.searchsorted(cumulative, _open_unit(u), side="left")
        return values[np.minimum(index, len(values) - 1)]

    def support(self) -> tuple[float, float]:
        values, _ = self._table()
        return float(values[0]), float(values[-1])

    @property
    def whole_numbers(self) -> bool:
        """Whether every value is an integer (written without a decimal point)."""
        return all(isinstance(value, int) for value in self.values)


Distribution = Annotated[
    Uniform | Normal | LogNormal | Beta | Triangular | Choice, Field(discriminator="dist")
]
DISTRIBUTION_KINDS: tuple[str, ...] = ("uniform", "normal", "lognormal", "beta", "triangular", "choice")

_ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)


def parse_distribution(mapping: dict[str, Any]) -> Uniform | Normal | LogNormal | Beta | Triangular | Choice:
    """Validate a ``{dist: ...}`` mapping (raises :class:`pydantic.ValidationError`)."""
    return _ADAPTER.validate_python(mapping)


class UncertainInput(BaseModel):
    """A scenario field whose value is uncertain: where it is, its distribution, whether it is whole.

    The loader fills ``Scenario.uncertain_inputs`` from the ``{dist: ...}`` values of a file; files do not
    list them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    path: Annotated[str, Field(max_length=200)]
    """Override path of the field, e.g. actors.twn.resolve or programs.policy_dialogue.effects.0.target."""
    distribution: Distribution
    """The distribution each run draws the field's value from; the nominal scenario holds its median."""
    integer: bool = False
    """Whether the field is an integer (its distribution is then a choice of whole numbers)."""
