"""Gray-zone salami slicing: Poisson incidents erode resolve unless attributed before a deadline."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from wargame.teaching._base import Parameters, TeachingModel, new_figure, normal_quantile_99, save_figure

__all__ = [
    "GrayZoneModel",
    "GrayZoneResult",
    "RegimeOutcome",
    "expected_erosion",
    "probability_timely",
    "simulate_regime",
]


def probability_timely(params: Parameters, sharing: bool) -> float:
    """P(attribution delay <= deadline) for exponential analysis times (shifted by the link latency)."""
    deadline = params["response_deadline_hours"]
    if not sharing:
        return 1 - math.exp(-deadline / params["own_analysis_mean_hours"])
    slack = deadline - params["link_latency_hours"]
    return 0.0 if slack < 0 else 1 - math.exp(-slack / params["partner_analysis_mean_hours"])


def expected_erosion(params: Parameters, sharing: bool) -> float:
    """E[cumulative erosion] = rate * days * epsilon * (1 - mitigation * P(timely))."""
    return (
        params["incident_rate_per_day"]
        * params["days"]
        * params["resolve_loss_per_incident"]
        * (1 - params["mitigation"] * probability_timely(params, sharing))
    )


@dataclass(frozen=True)
class RegimeOutcome:
    """Many simulated campaigns under one attribution regime.

    Attributes:
        erosion: Cumulative resolve lost in each campaign, shape ``(runs,)``.
        incidents: Incidents in each campaign.
        answered: Incidents attributed in time in each campaign.
        mean_erosion_path: Mean cumulative erosion at the end of each day, shape ``(days,)``.
        sample_paths: Cumulative erosion of the first few campaigns, shape ``(k, days)``.
    """

    erosion: np.ndarray
    incidents: np.ndarray
    answered: np.ndarray
    mean_erosion_path: np.ndarray
    sample_paths: np.ndarray

    def mean_erosion_ci99(self) -> tuple[float, float, float]:
        """Mean erosion and its 99% confidence interval."""
        mean = float(self.erosion.mean())
        half = normal_quantile_99 * float(self.erosion.std(ddof=1)) / math.sqrt(self.erosion.size)
        return mean, mean - half, mean + half

    def answered_fraction_ci99(self) -> tuple[float, float, float]:
        """Fraction of all incidents answered in time, and its 99% interval (ratio estimator)."""
        total = float(self.incidents.sum())
        fraction = float(self.answered.sum()) / total if total else 0.0
        residual = self.answered - fraction * self.incidents
        mean_incidents = float(self.incidents.mean())
        spread = (
            float(residual.std(ddof=1)) / (mean_incidents * math.sqrt(self.incidents.size)) if total else 0.0
        )
        half = normal_quantile_99 * spread
        return fraction, fraction - half, fraction + half


def simulate_regime(params: Parameters, sharing: bool, runs: int, rng: np.random.Generator) -> RegimeOutcome:
    """Simulate ``runs`` campaigns of ``days`` days under one attribution regime."""
    days = int(params["days"])
    counts = rng.poisson(params["incident_rate_per_day"], size=(runs, days))
    total = int(counts.sum())
    if sharing:
        delays = params["link_latency_hours"] + rng.exponential(
            params["partner_analysis_mean_hours"], size=total
        )
    else:
        delays = rng.exponential(params["own_analysis_mean_hours"], size=total)
    timely = delays <= params["response_deadline_hours"]
    loss = params["resolve_loss_per_incident"] * np.where(timely, 1 - params["mitigation"], 1.0)
    cell = np.repeat(np.arange(runs * days), counts.ravel())
    daily_loss = np.bincount(cell, weights=loss, minlength=runs * days).reshape(runs, days)
    daily_answered = np.bincount(cell, weights=timely, minlength=runs * days).reshape(runs, days)
    paths = np.cumsum(daily_loss, axis=1)
    return RegimeOutcome(
        erosion=paths[:, -1],
        incidents=counts.sum(axis=1),
        answered=daily_answered.sum(axis=1).round().astype(np.int64),
        mean_erosion_path=paths.mean(axis=0),
        sample_paths=paths[:5],
    )


@dataclass(frozen=True)
class GrayZoneResult:
    """The campaign without and with fast (shared) attribution."""

    alone: RegimeOutcome
    shared: RegimeOutcome
    params: dict[str, float]


class GrayZoneModel(TeachingModel):
    """Compare cumulative erosion and incidents answered with own attribution and with shared attribution."""

    name = "grayzone"
    stochastic = True
    parameter_names = frozenset(
        {
            "incident_rate_per_day",
            "days",
            "resolve_loss_per_incident",
            "initial_resolve",
            "mitigation",
            "response_deadline_hours",
            "own_analysis_mean_hours",
            "link_latency_hours",
            "partner_analysis_mean_hours",
            "runs",
        }
    )

    def run(self, params: Parameters, seed: int | np.random.Generator | None = None) -> GrayZoneResult:
        """Simulate both regimes, each from its own spawned stream."""
        p = {key: float(value) for key, value in params.items()}  # type: ignore[arg-type]
        root = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        alone_rng, shared_rng = root.spawn(2)
        runs = int(p["runs"])
        return GrayZoneResult(
            alone=simulate_regime(p, False, runs, alone_rng),
            shared=simulate_regime(p, True, runs, shared_rng),
            params=p,
        )

    def report(self, results: Mapping[str, GrayZoneResult]) -> str:
        """Print incidents answered and erosion for both regimes next to their closed forms."""
        lines = [self.title]
        for case, result in results.items():
            p = result.params
            lines.append(
                f"\ncase {case}: {p['incident_rate_per_day']:g} incidents/day for {int(p['days'])} days"
                f" (expected {p['incident_rate_per_day'] * p['days']:.1f}), each costing"
                f" {p['resolve_loss_per_incident']:g} resolve unless answered within"
                f" {p['response_deadline_hours']:g} h; {int(p['runs'])} campaigns per regime"
            )
            for label, outcome, sharing in (
                (f"own analysis (mean {p['own_analysis_mean_hours']:g} h)", result.alone, False),
                (
                    f"shared (link {p['link_latency_hours']:g} h"
                    f" + partner mean {p['partner_analysis_mean_hours']:g} h)",
                    result.shared,
                    True,
                ),
            ):
                fraction, f_low, f_high = outcome.answered_fraction_ci99()
                mean, low, high = outcome.mean_erosion_ci99()
                final_resolve = p["initial_resolve"] - mean
                lines.append(f"  {label}:")
                lines.append(
                    f"    incidents answered in time {fraction:.4f} (99% CI {f_low:.4f} to {f_high:.4f});"
                    f" closed form {probability_timely(p, sharing):.4f}"
                )
                lines.append(
                    f"    resolve eroded {mean:.4f} (99% CI {low:.4f} to {high:.4f});"
                    f" closed form {expected_erosion(p, sharing):.4f}; resolve {p['initial_resolve']:g}"
                    f" -> {final_resolve:.3f}"
                )
            saved = (
                1 - result.shared.erosion.mean() / result.alone.erosion.mean()
                if result.alone.erosion.mean()
                else 0
            )
            lines.append(f"  fast attribution cuts the erosion by {saved:.0%}")
        return "\n".join(lines)

    def plot(self, results: Mapping[str, GrayZoneResult], out_dir: Path) -> list[Path]:
        """Resolve over the campaign in both regimes, and the share of incidents answered."""
        result = next(iter(results.values()))
        p = result.params
        days = np.arange(1, int(p["days"]) + 1)
        figure, axes = new_figure(columns=2, size=(11.0, 4.3))
        for outcome, sharing, colour, label in (
            (result.alone, False, "C3", "own analysis"),
            (result.shared, True, "C0", "shared attribution"),
        ):
            for path in outcome.sample_paths:
                axes[0].step(
                    days, p["initial_resolve"] - path, where="post", color=colour, alpha=0.25, linewidth=0.8
                )
            axes[0].plot(
                days,
                p["initial_resolve"] - outcome.mean_erosion_path,
                color=colour,
                linewidth=2,
                label=f"{label}: mean of {int(p['runs'])} campaigns",
            )
            axes[0].plot(
                days, p["initial_resolve"] - expected_erosion({**p, "days": days}, sharing), "k:", linewidth=1
            )
        axes[0].plot([], [], "k:", label="closed form")
        axes[0].set_xlabel("day of the campaign (days)")
        axes[0].set_ylabel("resolve (0 to 1)")
        axes[0].set_title("Resolve under salami slicing (thin lines: single campaigns)")
        axes[0].legend(fontsize=8)

        labels = ["own analysis", "shared attribution"]
        answered = [result.alone.answered_fraction_ci99(), result.shared.answered_fraction_ci99()]
        closed = [probability_timely(p, False), probability_timely(p, True)]
        axes[1].bar(
            labels,
            [a[0] for a in answered],
            color=["C3", "C0"],
            yerr=[[a[0] - a[1] for a in answered], [a[2] - a[0] for a in answered]],
            capsize=4,
        )
        axes[1].hlines(closed, [-0.4, 0.6], [0.4, 1.4], colors="k", linestyles="--", label="closed form")
        axes[1].set_ylim(0, 1)
        axes[1].set_ylabel("fraction of incidents answered in time")
        axes[1].set_xlabel("attribution regime")
        axes[1].set_title(f"Attributed within {p['response_deadline_hours']:g} h (99% CI)")
        axes[1].legend(fontsize=8)
        paths = [save_figure(figure, out_dir / "grayzone_resolve.png")]
        return paths
