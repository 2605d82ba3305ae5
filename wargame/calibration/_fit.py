"""Maximum-likelihood fit of the count process, with 95% intervals from the observed information.

The free parameters are optimised on unbounded scales (``log`` of the base rate, of sigma and of the decay
time; ``logit(n / 0.95)`` of the branching ratio, whose schema bound is 0.95) by BFGS with the analytic
gradient, inside a wide box so that no step overflows. The observed information is the Jacobian of that
gradient at the optimum, by error-controlled finite differences (:func:`scipy.differentiate.jacobian`). The
95% intervals are Wald intervals on those scales, ``theta_hat +- 1.96 se``, mapped back (so they are
asymmetric and stay inside the parameters' bounds).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

from wargame.calibration._likelihood import log_likelihood_and_gradient_batch, log_likelihood_batch
from wargame.calibration._process import ProcessParameters
from wargame.errors import InputError

__all__ = ["PARAMETER_NAMES", "ParameterEstimate", "ProcessFit", "fit_process", "numerical_jacobian"]

PARAMETER_NAMES = (
    "base_rate_per_day",
    "overdispersion_sigma",
    "clustering.branching_ratio",
    "clustering.decay_days",
)
"""The fitted fields, as dotted paths inside the activity (``--fix`` names)."""

MAX_BRANCHING_RATIO = 0.95
_Z95 = float(special.ndtri(0.975))

# (to the unbounded scale, back to the parameter, bounds of the unbounded scale for the optimiser)
_LOG_BOUNDS = {
    "base_rate_per_day": (math.log(1e-6), math.log(1e7)),
    "overdispersion_sigma": (math.log(1e-3), math.log(3.0)),
    "clustering.decay_days": (math.log(0.05), math.log(365.0)),
}
_LOGIT_BOUNDS = (-12.0, 12.0)


def _to_free(name: str, value: float) -> float:
    if name == "clustering.branching_ratio":
        return float(special.logit(value / MAX_BRANCHING_RATIO))
    return math.log(value)


def _from_free(name: str, value: np.ndarray) -> np.ndarray:
    if name == "clustering.branching_ratio":
        return MAX_BRANCHING_RATIO * special.expit(value)
    return np.exp(value)


def _free_slope(name: str, value: np.ndarray) -> np.ndarray:
    """d parameter / d (its unbounded scale), at the parameter's ``value``."""
    if name == "clustering.branching_ratio":
        return value * (1.0 - value / MAX_BRANCHING_RATIO)
    return value


def _bounds(name: str) -> tuple[float, float]:
    return _LOGIT_BOUNDS if name == "clustering.branching_ratio" else _LOG_BOUNDS[name]


@dataclass(frozen=True)
class ParameterEstimate:
    """One parameter of a fit: its value and 95% interval (``None`` when held fixed or not estimable).

    ``at_bound`` marks an estimate at the edge of the parameter's range (the branching ratio at 0.95, say):
    the data push it past what the process allows, and a Wald interval means nothing there.
    """

    name: str
    value: float
    low: float | None
    high: float | None
    fixed: bool
    at_bound: bool = False


@dataclass(frozen=True)
class ProcessFit:
    """A maximum-likelihood fit of the count process to one series.

    Attributes:
        params: The fitted process.
        estimates: One :class:`ParameterEstimate` per name of :data:`PARAMETER_NAMES` that applies (the
            decay time is left out when the branching ratio is held at 0).
        log_likelihood: The maximised conditional log-likelihood.
        observed_days: Days that contributed a term.
        free: Names of the estimated parameters.
        covariance: Covariance of the free parameters on their unbounded scales (inverse of the observed
            information of those not at a bound; rows and columns of parameters at a bound are NaN), or
            ``None`` when that information is not positive definite.
        converged: Whether the optimiser reported success.
    """

    params: ProcessParameters
    estimates: tuple[ParameterEstimate, ...]
    log_likelihood: float
    observed_days: int
    free: tuple[str, ...]
    covariance: np.ndarray | None
    converged: bool

    @property
    def aic(self) -> float:
        """Akaike's information criterion, ``2 k - 2 log L`` with ``k`` free parameters."""
        return 2.0 * len(self.free) - 2.0 * self.log_likelihood

    def estimate(self, name: str) -> ParameterEstimate:
        for estimate in self.estimates:
            if estimate.name == name:
                return estimate
        raise KeyError(name)


def _parameters(values: Mapping[str, float]) -> ProcessParameters:
    return ProcessParameters(
        base_rate_per_day=values["base_rate_per_day"],
        overdispersion_sigma=values["overdispersion_sigma"],
        branching_ratio=values["clustering.branching_ratio"],
        decay_days=values["clustering.decay_days"],
    )


def _start(counts: np.ndarray) -> dict[str, float]:
    """Moment-based starting values: the mean, the excess dispersion and the autocorrelations' decay."""
    observed = counts[~np.isnan(counts)]
    mean = max(float(observed.mean()), 1e-3)
    variance = float(observed.var())
    ratio = 0.5
    pairs = [(counts[:-lag], counts[lag:]) for lag in (1, 2)]
    correlations = []
    for left, right in pairs:
        both = ~np.isnan(left) & ~np.isnan(right)
        if np.count_nonzero(both) > 2 and np.std(left[both]) > 0 and np.std(right[both]) > 0:
            correlations.append(float(np.corrcoef(left[both], right[both])[0, 1]))
    if len(correlations) == 2 and correlations[0] > 0.05 and correlations[1] > 0:
        ratio = float(np.clip(correlations[1] / correlations[0], 0.1, 0.9))
    branching = 0.3
    retention = max((ratio - branching) / (1.0 - branching), 0.2)  # decay of the ACF is phi + a
    excess = max(variance - mean, 0.1 * mean) / (mean * mean)
    return {
        "base_rate_per_day": mean,
        "overdispersion_sigma": float(np.clip(0.8 * math.sqrt(math.log1p(excess)), 0.05, 2.0)),
        "clustering.branching_ratio": branching,
        "clustering.decay_days": float(np.clip(-1.0 / math.log(retention), 0.2, 30.0)),
    }


def numerical_jacobian(function: Callable[[np.ndarray], np.ndarray], point: np.ndarray) -> np.ndarray:
    """The Jacobian at ``point`` of a smooth vector function evaluated on batches of points.

    ``function`` maps points ``(n, k)`` to values ``(n, m)``; the result is ``(m, k)``. Uses
    :func:`scipy.differentiate.jacobian` (adaptive, error-controlled finite differences) where the installed
    SciPy has it, else :func:`central_difference_jacobian`.
    """
    point = np.asarray(point, dtype=np.float64)
    try:
        from scipy.differentiate import jacobian
    except ImportError:  # SciPy < 1.15
        return central_difference_jacobian(function, point)

    def on_grid(x: np.ndarray) -> np.ndarray:
        flat = x.reshape(x.shape[0], -1)
        return function(flat.T).T.reshape(-1, *x.shape[1:])

    result = jacobian(on_grid, point, initial_step=0.05, order=4, tolerances={"rtol": 1e-6})
    if not np.all(result.success):
        return central_difference_jacobian(function, point)
    return np.asarray(result.df, dtype=np.float64)


def central_difference_jacobian(
    function: Callable[[np.ndarray], np.ndarray], point: np.ndarray, step: float = 1e-4
) -> np.ndarray:
    """The Jacobian by central differences, the ``2k`` points in one batch (variables on log or logit
    scales, where a step of ``1e-4`` keeps truncation and rounding errors near 1e-8 of the slope)."""
    point = np.asarray(point, dtype=np.float64)
    unit = np.eye(point.size) * step
    values = np.asarray(function(np.vstack([point + unit, point - unit])), dtype=np.float64)
    return ((values[: point.size] - values[point.size :]) / (2.0 * step)).T


def _check_fixed(fixed: Mapping[str, float]) -> dict[str, float]:
    checked: dict[str, float] = {}
    for name, value in fixed.items():
        if name not in PARAMETER_NAMES:
            raise InputError(f"cannot fix {name!r}; fixable: {', '.join(PARAMETER_NAMES)}", source="--fix")
        value = float(value)
        valid = {
            "base_rate_per_day": value > 0.0,
            "overdispersion_sigma": value >= 0.0,
            "clustering.branching_ratio": 0.0 <= value <= MAX_BRANCHING_RATIO,
            "clustering.decay_days": 0.0 < value <= 365.0,
        }[name]
        if not (math.isfinite(value) and valid):
            bound = {
                "base_rate_per_day": "> 0",
                "overdispersion_sigma": ">= 0",
                "clustering.branching_ratio": f"in [0, {MAX_BRANCHING_RATIO}]",
                "clustering.decay_days": "in (0, 365]",
            }[name]
            raise InputError(f"{name} must be {bound}, got {value:g}", source="--fix")
        checked[name] = value
    return checked


def fit_process(counts: np.ndarray, fixed: Mapping[str, float] | None = None) -> ProcessFit:
    """Fit the process to a daily series by maximum likelihood.

    Args:
        counts: Daily counts, ``NaN`` on missing days.
        fixed: Parameters held at given values (names from :data:`PARAMETER_NAMES`). Holding
            ``clustering.branching_ratio`` at 0 fits the process without clustering (the decay time then
            plays no part and is left out).

    Raises:
        InputError: An unknown or out-of-range fixed parameter, or a series with no positive count.
    """
    counts = np.asarray(counts, dtype=np.float64)
    fixed_values = _check_fixed(fixed or {})
    observed = counts[~np.isnan(counts)]
    if observed.size == 0 or not observed.any():
        raise InputError("the series has no day with a positive count: nothing to fit")
    values = {**_start(counts), **fixed_values}
    no_clustering = values["clustering.branching_ratio"] == 0.0
    if no_clustering:
        values["clustering.decay_days"] = fixed_values.get("clustering.decay_days", 1.0)
    free = tuple(
        name
        for name in PARAMETER_NAMES
        if name not in fixed_values and not (no_clustering and name == "clustering.decay_days")
    )
    columns = [PARAMETER_NAMES.index(name) for name in free]
    base_row = np.array([values[name] for name in PARAMETER_NAMES])

    def natural(thetas: np.ndarray) -> np.ndarray:
        """Rows of the four parameters for a batch of free-parameter vectors on their unbounded scales."""
        rows = np.tile(base_row, (thetas.shape[0], 1))
        for column, name, theta in zip(columns, free, thetas.T, strict=True):
            rows[:, column] = _from_free(name, np.clip(theta, *_bounds(name)))
        return rows

    def gradients(thetas: np.ndarray) -> np.ndarray:
        """``d(-log L) / d theta`` for a batch ``(n, len(free))`` of free-parameter vectors."""
        rows = natural(np.atleast_2d(thetas))
        _, slope = log_likelihood_and_gradient_batch(rows, counts)
        return -np.stack(
            [slope[:, c] * _free_slope(name, rows[:, c]) for c, name in zip(columns, free, strict=True)],
            axis=1,
        )

    scale = 1.0 / observed.size

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        """``-log L`` per observed day and its gradient in the free parameters."""
        rows = natural(theta[None, :])
        value, slope = log_likelihood_and_gradient_batch(rows, counts)
        free_slope = [
            slope[0, c] * _free_slope(name, rows[0, c]) for c, name in zip(columns, free, strict=True)
        ]
        if not np.isfinite(value[0]):
            return 1e300, np.zeros(theta.size)
        return -scale * float(value[0]), -scale * np.array(free_slope)

    start = np.array([_to_free(name, values[name]) for name in free])
    converged = True
    theta_hat = start
    if free:
        result = optimize.minimize(
            objective,
            start,
            method="BFGS",
            jac=True,
            options={"maxiter": 1000, "gtol": 1e-7},
        )
        theta_hat = np.array([np.clip(v, *_bounds(name)) for v, name in zip(result.x, free, strict=True)])
        converged = bool(result.success)
    estimate_values = dict(values)
    for name, theta in zip(free, theta_hat, strict=True):
        estimate_values[name] = float(_from_free(name, theta))
    maximum = float(log_likelihood_batch(natural(theta_hat[None, :]), counts)[0])
    # At a bound of the box (or, for the decay time, when the branching ratio is at 0 and it plays no
    # part) a parameter has no Wald interval; the others' come from the information without it.
    at_bound = {
        name
        for name, theta in zip(free, theta_hat, strict=True)
        if not _bounds(name)[0] + 1e-6 < theta < _bounds(name)[1] - 1e-6
    }
    if "clustering.branching_ratio" in at_bound and estimate_values["clustering.branching_ratio"] < 0.5:
        at_bound |= {"clustering.decay_days"} & set(free)
    inside = [i for i, name in enumerate(free) if name not in at_bound]
    covariance = None
    if free:
        information = numerical_jacobian(gradients, theta_hat)
        information = 0.5 * (information + information.T)[np.ix_(inside, inside)]
        if np.all(np.isfinite(information)) and np.all(np.linalg.eigvalsh(information) > 0):
            covariance = np.full((len(free), len(free)), np.nan)
            covariance[np.ix_(inside, inside)] = np.linalg.inv(information)
    estimates = []
    for name in PARAMETER_NAMES:
        if no_clustering and name == "clustering.decay_days":
            continue
        value = estimate_values[name]
        if name in free and name not in at_bound and covariance is not None:
            i = free.index(name)
            half_width = _Z95 * math.sqrt(covariance[i, i])
            low = float(_from_free(name, theta_hat[i] - half_width))
            high = float(_from_free(name, theta_hat[i] + half_width))
            estimates.append(ParameterEstimate(name, value, low, high, fixed=False))
        else:
            estimates.append(
                ParameterEstimate(name, value, None, None, fixed=name not in free, at_bound=name in at_bound)
            )
    return ProcessFit(
        params=_parameters(estimate_values),
        estimates=tuple(estimates),
        log_likelihood=maximum,
        observed_days=int(observed.size),
        free=free,
        covariance=covariance,
        converged=converged,
    )
