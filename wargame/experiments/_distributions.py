"""Probability distributions of sampled parameters, and their SALib names."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Distribution",
    "LogNormalDistribution",
    "LogUniformDistribution",
    "NormalDistribution",
    "TriangularDistribution",
    "TruncatedNormalDistribution",
    "UniformDistribution",
    "salib_distribution",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Range(_Frozen):
    """A distribution on ``[low, high]`` with ``low < high``."""

    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be smaller than high ({self.high})")
        return self


class UniformDistribution(_Range):
    """Uniform between ``low`` and ``high``."""

    kind: Literal["uniform"]


class LogUniformDistribution(UniformDistribution):
    """Log-uniform between ``low`` and ``high``, both positive."""

    kind: Literal["loguniform"]  # type: ignore[assignment]

    @model_validator(mode="after")
    def _positive(self) -> Self:
        if self.low <= 0:
            raise ValueError(f"low ({self.low}) must be positive for a log-uniform distribution")
        return self


class NormalDistribution(_Frozen):
    """Normal with mean ``mean`` and standard deviation ``sd``."""

    kind: Literal["normal"]
    mean: float
    sd: Annotated[float, Field(gt=0.0)]


class TruncatedNormalDistribution(_Range):
    """Normal with ``mean`` and ``sd``, truncated to [``low``, ``high``]."""

    kind: Literal["truncated_normal"]
    mean: float
    sd: Annotated[float, Field(gt=0.0)]


class TriangularDistribution(_Frozen):
    """Triangular on [``low``, ``high``] with its peak at ``mode``."""

    kind: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not (self.low <= self.mode <= self.high and self.low < self.high):
            raise ValueError(
                f"need low <= mode <= high and low < high, got {self.low}, {self.mode}, {self.high}"
            )
        return self


class LogNormalDistribution(_Frozen):
    """Log-normal: the logarithm is normal with ``mean_log`` and ``sd_log``."""

    kind: Literal["lognormal"]
    mean_log: float
    sd_log: Annotated[float, Field(gt=0.0)]


Distribution = Annotated[
    UniformDistribution
    | LogUniformDistribution
    | NormalDistribution
    | TruncatedNormalDistribution
    | TriangularDistribution
    | LogNormalDistribution,
    Field(discriminator="kind"),
]


def salib_distribution(distribution: Any) -> tuple[str, list[float]]:
    """Return SALib's ``(dists entry, bounds entry)`` for one distribution model."""
    match distribution:
        case LogUniformDistribution():
            return "logunif", [distribution.low, distribution.high]
        case UniformDistribution():
            return "unif", [distribution.low, distribution.high]
        case NormalDistribution():
            return "norm", [distribution.mean, distribution.sd]
        case TruncatedNormalDistribution():
            return "truncnorm", [distribution.low, distribution.high, distribution.mean, distribution.sd]
        case TriangularDistribution():
            peak = (distribution.mode - distribution.low) / (distribution.high - distribution.low)
            return "triang", [distribution.low, distribution.high, peak]
        case LogNormalDistribution():
            return "lognorm", [distribution.mean_log, distribution.sd_log]
    raise TypeError(f"not a distribution: {distribution!r}")
