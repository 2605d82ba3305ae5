"""Gray-zone salami slicing: Poisson incidents erode resolve unless attributed before a deadline.

A one-screen version of the engine's detection and attribution mechanics (:mod:`wargame.model.gray_zone`).
The defender's picture has sources: its own ISR and analysts and, with information sharing, a partner whose
detections reach it over a link. Source ``s`` catches an incident with probability ``q_s`` and delivers
its attribution ``h_s`` hours after it; the first source to deliver attributes the incident::

    q_own  = own_detection_probability                        h_own  = own_attribution_hours
    q_link = partner_detection_probability * link_fidelity    h_link = link_latency + partner_attribution
    P(first is s) = q_s * prod over sources s' faster than s of (1 - q_s')
    P(known)      = 1 - prod_s (1 - q_s)
    P(timely)     = sum over sources with h_s <= deadline of P(first is s)
    E[delay | known] = sum_s P(first is s) * h_s / P(known)
    E[erosion]    = rate * days * epsilon * (1 - mitigation * P(timely))

The simulation does not use these formulas: each incident draws, for each source, whether that source
caught it, and takes the earliest delivery among the sources that did.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import numpy as np

from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.stats import Estimate, mean_interval
from wargame.teaching._base import (
    CONFIDENCE,
    Parameters,
    StochasticModel,
    format_values,
    ratio_interval,
    scalar_parameters,
)
from wargame.teaching._figures import case_stems, label_axis, new_figure
from wargame.teaching._replicate import CHUNK_RUNS, replicate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "REGIMES",
    "AttributionProfile",
    "GrayZoneModel",
    "GrayZoneResult",
    "RegimeOutcome",
    "Source",
    "attribution_profile",
    "expected_erosion",
    "picture_sources",
    "probability_timely",
    "simulate_campaigns",
]

#: The two attribution regimes: the defender's own picture, and its picture with a partner's link.
REGIMES = {"alone": False, "shared": True}

_ELEMENTS_PER_BLOCK = 4_000_000  # per-incident draws held at once by one chunk
_RUN_DAYS_PER_CHUNK = 2_000_000  # campaign days per chunk of replications


@dataclass(frozen=True)
class Source:
    """A source of the defender's picture: who, the chance it catches an incident, when it delivers."""

    name: str
    detection_probability: float
    delivery_hours: float


def picture_sources(params: Mapping[str, float], sharing: bool) -> tuple[Source, ...]:
    """The defender's own ISR and analysts, then (with sharing) the partner over the link."""
    own = Source("own analysts", params["own_detection_probability"], params["own_attribution_hours"])
    if not sharing:
        return (own,)
    partner = Source(
        "partner",
        params["partner_detection_probability"] * params["link_fidelity"],
        params["link_latency_hours"] + params["partner_attribution_hours"],
    )
    return own, partner


@dataclass(frozen=True)
class AttributionProfile:
    """What a picture makes of one incident, in closed form.

    Attributes:
        first: P(source s is the first to deliver), in the order of :func:`picture_sources`.
        known: P(some source attributes the incident at all).
        timely: P(it is attributed within the deadline), of all incidents.
        delay_given_known: Expected hours to attribution, given that it is attributed.
    """

    first: tuple[float, ...]
    known: float
    timely: float
    delay_given_known: float


def attribution_profile(params: Mapping[str, float], sharing: bool) -> AttributionProfile:
    """The closed forms above for one regime (ties in delivery time go to the earlier source)."""
    sources = picture_sources(params, sharing)
    first = [0.0] * len(sources)
    all_missed = 1.0
    for index in sorted(range(len(sources)), key=lambda s: (sources[s].delivery_hours, s)):
        first[index] = sources[index].detection_probability * all_missed
        all_missed *= 1 - sources[index].detection_probability
    known = 1 - all_missed
    deadline = params["response_deadline_hours"]
    timely = sum(p for p, source in zip(first, sources, strict=True) if source.delivery_hours <= deadline)
    delay = sum(p * source.delivery_hours for p, source in zip(first, sources, strict=True))
    return AttributionProfile(tuple(first), known, timely, delay / known if known > 0 else 0.0)


def probability_timely(params: Mapping[str, float], sharing: bool) -> float:
    """P(an incident is attributed within the deadline)."""
    return attribution_profile(params, sharing).timely


def expected_erosion(params: Mapping[str, float], sharing: bool) -> float:
    """E[cumulative erosion] = rate * days * epsilon * (1 - mitigation * P(timely))."""
    return (
        params["incident_rate_per_day"]
        * params["days"]
        * params["resolve_loss_per_incident"]
        * (1 - params["mitigation"] * probability_timely(params, sharing))
    )


def simulate_campaigns(random: EnsembleRandom, params: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Simulate one campaign per replication, attributed under both regimes (the same incidents).

    Day ``d`` of a replication draws its incident count from :attr:`Stream.INCIDENT_COUNT`; incident ``k``
    of that day draws, from :attr:`Stream.DETECTION` slots ``2k`` and ``2k + 1``, whether the defender's
    own ISR and the partner's link caught it.

    Returns:
        Per replication: ``incidents``, and for each regime ``known_R``, ``answered_R`` (in time),
        ``delay_hours_R`` (summed over attributed incidents), ``erosion_R``; ``sample_paths_R`` (cumulative
        erosion of the chunk's first five campaigns); ``sum_erosion_path_R`` (cumulative erosion summed
        over the chunk, per day).
    """
    days, runs = int(params["days"]), random.runs
    rate = np.full((runs, days, 1), params["incident_rate_per_day"])
    incidents = random.poisson_days(rate, Stream.INCIDENT_COUNT, 0)[:, :, 0]
    sources = picture_sources(params, sharing=True)
    catch = np.array([source.detection_probability for source in sources])
    hours = np.array([source.delivery_hours for source in sources])
    deadline = params["response_deadline_hours"]
    answered = {regime: np.zeros((runs, days)) for regime in REGIMES}
    known = {regime: np.zeros(runs, dtype=np.int64) for regime in REGIMES}
    delay = {regime: np.zeros(runs) for regime in REGIMES}
    most = max(int(incidents.max(initial=0)), 1)
    block = max(1, _ELEMENTS_PER_BLOCK // (runs * 2 * most))
    for start in range(0, days, block):
        counts = incidents[:, start : start + block]
        slots = int(counts.max(initial=0))
        if slots == 0:
            continue
        uniforms = random.uniform_days(Stream.DETECTION, start, counts.shape[1], 2 * slots)
        present = np.arange(slots) < counts[:, :, None]
        caught = (uniforms.reshape(runs, counts.shape[1], slots, 2) < catch) & present[..., None]
        for regime, sharing in REGIMES.items():
            used = len(picture_sources(params, sharing))
            delivered = np.where(caught[..., :used], hours[:used], np.inf).min(axis=-1)
            attributed = np.isfinite(delivered)
            answered[regime][:, start : start + block] = (delivered <= deadline).sum(axis=-1)
            known[regime] += attributed.sum(axis=(1, 2))
            delay[regime] += np.where(attributed, delivered, 0.0).sum(axis=(1, 2))
    draws = {"incidents": incidents.sum(axis=1)}
    for regime in REGIMES:
        unanswered = incidents - params["mitigation"] * answered[regime]
        paths = np.cumsum(params["resolve_loss_per_incident"] * unanswered, axis=1)
        draws |= {
            f"known_{regime}": known[regime],
            f"answered_{regime}": answered[regime].sum(axis=1).round().astype(np.int64),
            f"delay_hours_{regime}": delay[regime],
            f"erosion_{regime}": paths[:, -1],
            f"sample_paths_{regime}": paths[:5],
            f"sum_erosion_path_{regime}": paths.sum(axis=0),
        }
    return draws


def _triple(estimate: Estimate) -> tuple[float, float, float]:
    return estimate.value, estimate.low, estimate.high


@dataclass(frozen=True)
class RegimeOutcome:
    """Many simulated campaigns under one attribution regime.

    Attributes:
        erosion: Cumulative resolve lost in each campaign, shape ``(runs,)``.
        incidents: Incidents in each campaign.
        known: Incidents some source attributed, in each campaign.
        answered: Incidents attributed in time in each campaign.
        delay_hours: Hours to attribution summed over the attributed incidents of each campaign.
        mean_erosion_path: Mean cumulative erosion at the end of each day, shape ``(days,)``.
        sample_paths: Cumulative erosion of the first few campaigns, shape ``(k, days)``.
    """

    erosion: np.ndarray
    incidents: np.ndarray
    known: np.ndarray
    answered: np.ndarray
    delay_hours: np.ndarray
    mean_erosion_path: np.ndarray
    sample_paths: np.ndarray

    def mean_erosion_ci99(self) -> tuple[float, float, float]:
        """Mean erosion and its 99% confidence interval."""
        return _triple(mean_interval(self.erosion, CONFIDENCE))

    def known_fraction_ci99(self) -> tuple[float, float, float]:
        """Fraction of all incidents attributed at all, and its 99% interval."""
        return _triple(ratio_interval(self.known, self.incidents))

    def answered_fraction_ci99(self) -> tuple[float, float, float]:
        """Fraction of all incidents attributed in time, and its 99% interval."""
        return _triple(ratio_interval(self.answered, self.incidents))

    def mean_delay_ci99(self) -> tuple[float, float, float]:
        """Mean hours to attribution of the attributed incidents, and its 99% interval."""
        return _triple(ratio_interval(self.delay_hours, self.known))


@dataclass(frozen=True)
class GrayZoneResult:
    """The same campaigns attributed with the defender's own picture and with a partner's link."""

    alone: RegimeOutcome
    shared: RegimeOutcome
    params: dict[str, float]


class GrayZoneModel(StochasticModel):
    """Compare erosion and incidents answered with the defender's own picture and with shared attribution."""

    name = "grayzone"

    def simulate(self, params: Parameters, root_seed: int, executor: Executor | None) -> GrayZoneResult:
        """Simulate ``runs`` campaigns, one run key each; both regimes see the same incidents."""
        p = scalar_parameters(params)
        runs = int(p["runs"])
        chunk_runs = max(1, min(CHUNK_RUNS, _RUN_DAYS_PER_CHUNK // int(p["days"])))
        draws = replicate(partial(simulate_campaigns, params=p), runs, root_seed, executor, chunk_runs)
        outcomes = {
            regime: RegimeOutcome(
                erosion=draws[f"erosion_{regime}"],
                incidents=draws["incidents"],
                known=draws[f"known_{regime}"],
                answered=draws[f"answered_{regime}"],
                delay_hours=draws[f"delay_hours_{regime}"],
                mean_erosion_path=draws[f"sum_erosion_path_{regime}"] / runs,
                sample_paths=draws[f"sample_paths_{regime}"][:5],
            )
            for regime in REGIMES
        }
        return GrayZoneResult(alone=outcomes["alone"], shared=outcomes["shared"], params=p)

    def case_heading(self, result: GrayZoneResult, shown: Mapping[str, str]) -> str:
        """The campaign: incidents, their cost, the deadline and the number of campaigns."""
        p = result.params
        return (
            f"{shown['incident_rate_per_day']} incidents/day for {shown['days']} days"
            f" (expected {p['incident_rate_per_day'] * p['days']:.1f}), each costing"
            f" {shown['resolve_loss_per_incident']} resolve unless answered within"
            f" {shown['response_deadline_hours']} h; {shown['runs']} campaigns, each under both regimes"
        )

    def case_details(self, result: GrayZoneResult, shown: Mapping[str, str]) -> list[str]:
        """Attribution, delay and erosion for both regimes next to their closed forms."""
        p = result.params
        lines: list[str] = []
        for label, outcome, sharing in (
            (
                f"own picture alone (own ISR catches {shown['own_detection_probability']},"
                f" analysts attribute after {shown['own_attribution_hours']} h)",
                result.alone,
                False,
            ),
            (
                f"with sharing (the partner catches {shown['partner_detection_probability']},"
                f" passes on {shown['link_fidelity']} over a {shown['link_latency_hours']} h link,"
                f" attributes after {shown['partner_attribution_hours']} h)",
                result.shared,
                True,
            ),
        ):
            profile = attribution_profile(p, sharing)
            lines.append(f"  {label}:")
            if sharing:
                first = ", ".join(
                    f"{source.name} {share:.4f}"
                    for source, share in zip(picture_sources(p, sharing), profile.first, strict=True)
                )
                lines.append(f"    first to deliver (closed form): {first}")
            for what, (value, low, high), closed in (
                ("attributed at all ", outcome.known_fraction_ci99(), profile.known),
                ("attributed in time", outcome.answered_fraction_ci99(), profile.timely),
            ):
                lines.append(
                    f"    {what} {value:.4f} (99% CI {low:.4f} to {high:.4f}); closed form {closed:.4f}"
                )
            value, low, high = outcome.mean_delay_ci99()
            lines.append(
                f"    mean delay         {value:.2f} h (99% CI {low:.2f} to {high:.2f});"
                f" closed form {profile.delay_given_known:.2f} h"
            )
            mean, low, high = outcome.mean_erosion_ci99()
            lines.append(
                f"    resolve eroded     {mean:.4f} (99% CI {low:.4f} to {high:.4f});"
                f" closed form {expected_erosion(p, sharing):.4f};"
                f" resolve {shown['initial_resolve']} -> {p['initial_resolve'] - mean:.3f}"
            )
        alone_mean = result.alone.erosion.mean()
        saved = 1 - result.shared.erosion.mean() / alone_mean if alone_mean else 0
        lines.append(f"  sharing cuts the erosion by {saved:.0%}")
        return lines

    def figures(self, results: Mapping[str, GrayZoneResult]) -> dict[str, Figure]:
        """One figure per case: resolve over the campaign in both regimes, and the share of incidents
        answered."""
        stems = case_stems("grayzone_resolve", results)
        return {stem: _resolve_figure(result) for stem, result in zip(stems, results.values(), strict=True)}


def _resolve_figure(result: GrayZoneResult) -> Figure:
    """Resolve over one case's campaign in both regimes, and the share of its incidents answered."""
    p = result.params
    shown = format_values(p)
    days = np.arange(1, int(p["days"]) + 1)
    figure, axes = new_figure(columns=2, size=(11.0, 4.3))
    for outcome, sharing, colour, label in (
        (result.alone, False, "C3", "own picture alone"),
        (result.shared, True, "C0", "with sharing"),
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
            label=f"{label}: mean of {shown['runs']} campaigns",
        )
        axes[0].plot(
            days,
            p["initial_resolve"] - days * expected_erosion({**p, "days": 1.0}, sharing),
            "k:",
            linewidth=1,
        )
    axes[0].plot([], [], "k:", label="closed form")
    label_axis(
        axes[0],
        "Resolve under salami slicing (thin lines: single campaigns)",
        xlabel="day of the campaign (days)",
        ylabel="resolve (0 to 1)",
    )

    labels = ["own picture alone", "with sharing"]
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
    label_axis(
        axes[1],
        f"Attributed within {shown['response_deadline_hours']} h (99% CI)",
        xlabel="attribution regime",
        ylabel="fraction of incidents attributed in time",
    )
    return figure
