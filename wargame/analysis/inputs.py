"""What the uncertain inputs do to an outcome: the spread they cause, and which of them drive it.

Each run draws its own values of the scenario's uncertain inputs (columns ``input:<path>`` of the outcome
rows), so one run is one plausible world. Two given-data analyses of those rows:

* **Spread** (:func:`input_spread`): a penalised meta-model of the outcome on the drawn inputs (logistic for
  a yes/no outcome such as war, ridge otherwise; scikit-learn, on normal scores of the inputs' ranks,
  predicting each run out of fold) gives each world's expected outcome; the 5th and 95th percentiles of
  those predictions are the spread that comes from the inputs, beside the Monte Carlo interval of the mean.
  The share of the outcome's variation the meta-model explains out of fold (R², or McFadden's pseudo-R² for
  a yes/no outcome) says how far to trust it.
* **Sensitivity** (:func:`input_sensitivity`): for each input, Spearman's rank correlation with the outcome
  (SciPy, with a Fisher-z 95% interval), by which they are ranked; for the inputs of largest correlation
  also Borgonovo's moment-independent delta index with a bootstrap 95% interval (SALib's given-data
  estimator; Plischke, Borgonovo & Smith 2013), which sees effects that are not monotone.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from wargame._blas import one_blas_thread

__all__ = [
    "InputEffect",
    "InputSpread",
    "input_columns",
    "input_sensitivity",
    "input_spread",
    "render_sensitivity",
]

INPUT_PREFIX = "input:"
_Z_95 = float(stats.norm.ppf(0.975))


def input_columns(outcomes: pd.DataFrame) -> list[str]:
    """Return the outcome columns that hold drawn inputs, in column order."""
    return [column for column in outcomes.columns if column.startswith(INPUT_PREFIX)]


def _normal_scores(outcomes: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Return the inputs as normal scores of their ranks, ``(runs, inputs)`` (robust to any distribution)."""
    ranks = outcomes[columns].rank(method="average").to_numpy(dtype=np.float64)
    return special.ndtri((ranks - 0.5) / len(outcomes))


def _is_binary(values: np.ndarray) -> bool:
    return bool(np.isin(values, (0.0, 1.0)).all())


@dataclass(frozen=True)
class InputSpread:
    """The spread of a world's expected outcome across the drawn inputs (see the module docstring)."""

    outcome: str
    low: float
    median: float
    high: float
    explained: float
    binary: bool

    def format(self, percent: bool = False) -> str:
        scale, unit = (100.0, "%") if percent else (1.0, "")
        measure = "pseudo-R²" if self.binary else "R²"
        return (
            f"{self.median * scale:.3g}{unit} (90% of worlds {self.low * scale:.3g}{unit} to "
            f"{self.high * scale:.3g}{unit}; {measure} {self.explained:.2f})"
        )


_MOST_RUNS_FITTED = 5_000
MIN_RUNS_FOR_SPREAD = 50
"""Fewest runs a meta-model is fitted on (ten per fold of its cross-validation)."""
_FOLDS = 5
_LOGISTIC_STRENGTHS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)  # inverse L2 penalties tried (normal-score units)


def input_spread(outcomes: pd.DataFrame, outcome: str) -> InputSpread | None:
    """Return the spread of ``outcome``'s expected value across the drawn inputs, or None without inputs
    or with fewer than :data:`MIN_RUNS_FOR_SPREAD` runs that have a value of it.

    The meta-model is penalised (L2, its strength chosen by 5-fold cross-validation: with many inputs and
    few wars an unpenalised fit would separate the runs perfectly) and each run's prediction is made out of
    fold, by a model that did not see it, so neither the spread nor the share explained is inflated by
    overfitting. It is fitted on the first ``_MOST_RUNS_FITTED`` runs at most (runs are exchangeable).

    Raises:
        ValueError: For an outcome that is not a numeric column.
    """
    with one_blas_thread():
        return _fitted_spread(outcomes, outcome)


def _fitted_spread(outcomes: pd.DataFrame, outcome: str) -> InputSpread | None:
    from sklearn.linear_model import LogisticRegression, Ridge, RidgeCV
    from sklearn.model_selection import KFold, cross_val_predict

    columns = input_columns(outcomes)
    if not columns:
        return None
    outcomes = outcomes.iloc[:_MOST_RUNS_FITTED]
    y = outcomes[outcome].to_numpy(dtype=np.float64)
    keep = np.isfinite(y)
    if np.count_nonzero(keep) < MIN_RUNS_FOR_SPREAD:
        return None
    x = _normal_scores(outcomes.loc[keep], columns)
    y = y[keep]
    binary = _is_binary(y)
    folds = KFold(_FOLDS)
    if binary and min(y.sum(), (1.0 - y).sum()) >= _FOLDS:
        p = y.mean()
        null = np.sum(y * math.log(p) + (1 - y) * math.log(1 - p))
        best = -math.inf
        for strength in _LOGISTIC_STRENGTHS:  # the penalty that predicts the held-out runs best
            model = LogisticRegression(C=strength, max_iter=2000)
            held_out = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
            clipped = np.clip(held_out, 1e-12, 1 - 1e-12)
            fitted = float(np.sum(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
            if fitted > best:
                best, predicted = fitted, held_out
        explained = 1.0 - best / null
    elif binary:  # too few runs of one kind to model
        predicted, explained = np.full(y.shape, y.mean()), 0.0
    else:
        alpha = RidgeCV(alphas=np.logspace(-2, 4, 13)).fit(x, y).alpha_
        predicted = cross_val_predict(Ridge(alpha=alpha), x, y, cv=folds)
        residual = np.sum((y - predicted) ** 2)
        total = np.sum((y - y.mean()) ** 2)
        explained = 1.0 - residual / total if total > 0.0 else 0.0
        predicted = np.clip(predicted, y.min(), y.max())  # no world beyond what the runs reached
    low, median, high = np.percentile(predicted, [5, 50, 95])
    return InputSpread(outcome, float(low), float(median), float(high), float(explained), binary)


@dataclass(frozen=True)
class InputEffect:
    """How strongly one drawn input drives an outcome."""

    path: str
    spearman: float
    spearman_low: float
    spearman_high: float
    delta: float
    delta_half_width: float


def input_sensitivity(
    outcomes: pd.DataFrame, outcome: str, seed: int = 1, delta_for: int = 8
) -> list[InputEffect]:
    """Rank the drawn inputs by how much they drive ``outcome`` (module docstring), strongest first.

    Every input gets its Spearman correlation and the ranking follows ``|rho|``; the ``delta_for`` inputs
    of largest ``|rho|`` also get Borgonovo's delta (its estimator costs seconds per input), the others NaN;
    a yes/no outcome gets no delta (its two values leave the estimator's bins too thin to rank inputs).
    Delta is biased upwards for every input (SALib's warnings about thin bins are not passed on): compare
    deltas with each other, not with 0. ``seed`` seeds delta's bootstrap (SALib takes 0 as no seed).
    """
    from SALib.analyze import delta

    columns = input_columns(outcomes)
    if not columns:
        return []
    y = outcomes[outcome].to_numpy(dtype=np.float64)
    keep = np.isfinite(y)
    x = outcomes.loc[keep, columns].to_numpy(dtype=np.float64)
    y = y[keep]
    n = y.size
    half = _Z_95 / math.sqrt(max(n - 3, 1))
    rho = np.zeros(len(columns))
    if np.ptp(y) > 0.0:
        for i in range(len(columns)):
            if np.ptp(x[:, i]) > 0.0:
                rho[i] = float(stats.spearmanr(x[:, i], y).statistic)
    deltas = np.full(len(columns), np.nan)
    widths = np.full(len(columns), np.nan)
    # Delta needs an outcome of many values: on a yes/no outcome its bins are too thin to rank anything.
    top = np.argsort(-np.abs(rho))[:delta_for] if not _is_binary(y) else np.zeros(0, dtype=np.intp)
    if np.ptp(y) > 0.0 and top.size:
        problem = {
            "num_vars": int(top.size),
            "names": [columns[i] for i in top],
            "bounds": [[float(x[:, i].min()), float(x[:, i].max()) + 1e-12] for i in top],
        }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # thin bins: see the docstring
            result = delta.analyze(problem, x[:, top], y, num_resamples=20, seed=seed, method="delta")
        # SALib names the bias-corrected estimate "delta_balanced" (newer releases) or "delta" (older ones).
        key = next(k for k in ("delta_balanced", "delta") if k in result)
        deltas[top] = np.asarray(result[key])
        widths[top] = np.asarray(result[f"{key}_conf"])
    effects = []
    for i, column in enumerate(columns):
        z = math.atanh(max(min(rho[i], 0.999999), -0.999999))
        effects.append(
            InputEffect(
                path=column.removeprefix(INPUT_PREFIX),
                spearman=float(rho[i]),
                spearman_low=math.tanh(z - half),
                spearman_high=math.tanh(z + half),
                delta=float(deltas[i]),
                delta_half_width=float(widths[i]),
            )
        )
    return sorted(effects, key=lambda e: -abs(e.spearman))


def render_sensitivity(effects: list[InputEffect], outcome: str, limit: int = 15) -> str:
    """Return the ranking as an aligned text table."""
    if not effects:
        return f"no uncertain inputs: nothing drives {outcome} but the runs' own chance"
    width = max(len(effect.path) for effect in effects[:limit])
    lines = [
        f"what drives {outcome} (drawn inputs by |Spearman rho|, strongest first; 95% intervals)",
        f"  {'input':<{width}}  {'delta':>15}  {'Spearman rho':>22}",
    ]
    if not any(math.isfinite(effect.delta) for effect in effects):
        lines[1] = f"  {'input':<{width}}  {'Spearman rho':>22}"
    for effect in effects[:limit]:
        shown = f"{effect.delta:6.3f} ± {effect.delta_half_width:5.3f}" if math.isfinite(effect.delta) else ""
        rho = f"{effect.spearman:+6.3f} [{effect.spearman_low:+.3f}, {effect.spearman_high:+.3f}]"
        lines.append(f"  {effect.path:<{width}}  {shown:>15}  {rho:>22}")
    if len(effects) > limit:
        lines.append(f"  ... and {len(effects) - limit} more")
    return "\n".join(lines)
