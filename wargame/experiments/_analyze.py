"""``wargame analyze``: tables, sensitivity indices, scenario discovery and plots of a finished sweep.

Writes into ``DIR/analysis/`` (or another folder): ``point_summary.csv`` and ``.parquet`` (every
outcome's rate or mean per design point with a 95% CI), ``sampling_noise.*`` (how much of the variation
between points is replication noise, with a warning where it is too much), ``sobol_indices.*`` or
``morris_indices.*`` for those designs, ``discovery.json`` and ``discovery_box.csv`` when a discovery
outcome and threshold are given, and PNG figures under ``figures/``.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wargame.errors import InputError
from wargame.experiments._decide import Decisions, decide, plot_decisions
from wargame.experiments._discovery import NoCaseOfInterestError, PrimBox, discover
from wargame.experiments._labels import parameter_label
from wargame.experiments._noise import (
    NOISE_WARNING_SHARE,
    NoisyOutcomeWarning,
    noise_warnings,
    sampling_noise,
)
from wargame.experiments._results import SweepResults, load_results
from wargame.experiments._sensitivity import index_warnings, morris_indices, sobol_indices
from wargame.experiments._summary import summarize_groups
from wargame.stats import Estimate

__all__ = ["AnalysisReport", "analyze"]


@dataclass
class AnalysisReport:
    """What :func:`analyze` computed and wrote.

    Attributes:
        results: The loaded sweep results.
        point_summary: Long table, one row per design point and outcome, with parameter values,
            ``estimate``, ``ci_low``, ``ci_high``, ``n``, ``n_missing``.
        noise: Per outcome, the sampling noise of the per-point means against their variance between
            points (see :func:`wargame.experiments.sampling_noise`); ``None`` for a single point.
        warnings: Messages about what should not be trusted: outcomes too noisy for their indices,
            indices clipped into their range or from too small a sample, outcomes without indices.
        sobol: Sobol indices (sobol designs), else ``None``.
        morris: Morris statistics (morris designs), else ``None``.
        discovery: The PRIM box, when requested.
        decisions: Robustness of policies across futures (levers-and-uncertainties sweeps), CART boxes
            beside the PRIM box, and feature scores.
        files: Every table and figure written.
    """

    results: SweepResults
    point_summary: pd.DataFrame
    noise: pd.DataFrame | None = None
    warnings: list[str] = field(default_factory=list)
    sobol: pd.DataFrame | None = None
    morris: pd.DataFrame | None = None
    discovery: PrimBox | None = None
    decisions: Decisions = field(default_factory=Decisions)
    files: list[Path] = field(default_factory=list)
    folder: Path | None = None

    def format(self, max_points: int = 20) -> str:
        """Return the report as plain text for a terminal."""
        results = self.results
        lines = [
            f"sweep {results.info['experiment_name']!r}: {results.design_kind} design, "
            f"{len(results.design)} points x {results.info['replications']} replications = "
            f"{results.total_runs} runs; "
            f"{len(results.runs)} finished, {len(results.failures)} failed"
            + ("" if results.complete else " (INCOMPLETE: resume the sweep for the rest)"),
            "",
            "Per design point (estimate [95% CI]):",
        ]
        table = self.point_summary.copy()
        table["value"] = [
            Estimate(e, lo, hi).format()
            for e, lo, hi in zip(table["estimate"], table["ci_low"], table["ci_high"], strict=True)
        ]
        wide = table.pivot(index="point", columns="outcome", values="value")
        wide = results.design.join(wide, how="right")
        with pd.option_context("display.width", 200, "display.max_columns", 30, "display.max_colwidth", 40):
            lines.append(wide.head(max_points).to_string())
        if len(wide) > max_points:
            lines.append(f"... {len(wide) - max_points} more points in point_summary.csv")
        if self.noise is not None:
            lines += ["", "Sampling noise of the per-point means (share of their variance between points):"]
            for row in self.noise.itertuples(index=False):
                flag = "  <- too noisy" if row.outcome in self._noisy() else ""
                if row.noise_exceeds_variance:
                    flag += " (the estimated noise exceeds the variance: the points do not differ beyond it)"
                share = (
                    "    n/a (no variation between points)"
                    if pd.isna(row.noise_share)
                    else f"{row.noise_share:7.1%}"
                )
                lines.append(f"  {row.outcome:<32} {share}{flag}")
        if self.sobol is not None:
            lines += ["", "Sobol indices (95% CI):", _indices_text(self.sobol, ("S1", "ST"))]
        if self.morris is not None:
            lines += [
                "",
                "Morris elementary effects (95% CI on mu*):",
                _indices_text(self.morris, ("mu_star",), ("mu", "sigma")),
            ]
        if self.discovery is not None:
            box = self.discovery
            lines += [
                "",
                f"Scenario discovery: {box.outcome} > {box.threshold:g} in {box.cases} of "
                f"{len(results.design)} points; box covers {box.coverage:.0%} of them "
                f"with density {box.density:.0%}:",
            ]
            for name in box.restricted or list(box.limits):
                low, high = box.limits[name]
                lines.append(f"  {low:.4g} <= {name} <= {high:.4g}")
        lines += self.decisions.format(results)
        if self.warnings:
            lines.append("")
            lines += [f"WARNING: {message}" for message in self.warnings]
        if self.files:
            lines += ["", f"Wrote {len(self.files)} tables and figures under {self.folder}"]
        return "\n".join(lines)

    def _noisy(self) -> set[str]:
        """The outcomes whose per-point means are too noisy (the ones warned about)."""
        if self.noise is None:
            return set()
        return set(self.noise.loc[self.noise["noise_share"] >= NOISE_WARNING_SHARE, "outcome"])


def _indices_text(table: pd.DataFrame, with_ci: Sequence[str], plain: Sequence[str] = ()) -> str:
    shown = pd.DataFrame({"outcome": table["outcome"], "parameter": table["parameter"]})
    for key in with_ci:
        shown[key] = [
            f"{e:.3f} [{lo:.3f}, {hi:.3f}]"
            for e, lo, hi in zip(table[key], table[f"{key}_ci_low"], table[f"{key}_ci_high"], strict=True)
        ]
    for key in plain:
        shown[key] = table[key].map(lambda value: f"{value:.3f}")
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        return shown.to_string(index=False)


def _outcomes_valued_at_every_point(
    results: SweepResults, names: Sequence[str], messages: list[str]
) -> list[str]:
    """The outcomes with a value at every design point (what sensitivity indices need); a message for
    each of the others."""
    valued = results.runs[list(names)].notna().groupby(results.runs["point"]).any()
    kept = []
    for name in names:
        missing = len(results.design) - int(valued[name].sum())
        if missing:
            messages.append(
                f"{name}: no sensitivity indices: {missing} of {len(results.design)} design points have no "
                f"value of it in any run (e.g. a day of war where no run went to war)"
            )
        else:
            kept.append(name)
    return kept


def _is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column)


def _write_table(table: pd.DataFrame, folder: Path, stem: str, files: list[Path]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / f"{stem}.csv", index=False)
    table.to_parquet(folder / f"{stem}.parquet", index=False)
    files += [folder / f"{stem}.csv", folder / f"{stem}.parquet"]


def _most_influential_pair(results: SweepResults, outcome: str) -> list[str]:
    """The two parameters whose pooled response to the outcome spans the widest range."""
    from wargame.experiments._plots import binned

    spreads = {}
    runs = results.runs
    for name in results.parameter_names:
        means = runs[outcome].astype(float).groupby(binned(runs[name])).mean()
        spreads[name] = float(means.max() - means.min()) if len(means) else 0.0
    return sorted(spreads, key=lambda name: -spreads[name])[:2]


def analyze(
    out_dir: str | Path,
    *,
    report_dir: str | Path | None = None,
    outcomes: Sequence[str] | None = None,
    discovery_outcome: str | None = None,
    discovery_threshold: float | None = None,
    robustness_outcome: str | None = None,
    robustness_threshold: float | None = None,
    robustness_direction: str = "minimize",
    plots: bool = True,
) -> AnalysisReport:
    """Analyse a sweep: per-point estimates with CIs, sensitivity indices, scenario discovery, plots.

    Args:
        out_dir: The sweep's results folder.
        report_dir: Where tables and figures go; ``out_dir/analysis`` when ``None``.
        outcomes: Outcomes to analyse; every yes/no and numeric outcome when ``None``.
        discovery_outcome: Outcome for scenario discovery, e.g. ``war``; when ``None``, the experiment
            file's ``discovery`` setting if it has one.
        discovery_threshold: A design point is a case of interest when its mean outcome exceeds this.
        robustness_outcome: For a levers-and-uncertainties sweep, the outcome policies are judged by;
            when ``None``, the experiment file's ``robustness`` setting.
        robustness_threshold: The satisficing threshold of that outcome.
        robustness_direction: ``minimize`` (lower is better) or ``maximize``.
        plots: Write PNG figures.

    Raises:
        InputError: If the folder is not a sweep's, a part is damaged, or an outcome is unknown.
    """
    results = load_results(out_dir)
    if results.runs.empty:
        raise InputError("the sweep has no finished runs to analyse", source=str(out_dir))
    numeric = [name for name in results.outcome_names if _is_numeric(results.runs[name])]
    names = list(outcomes) if outcomes is not None else numeric
    for name in names:
        if name not in results.outcome_names:
            raise InputError(f"no outcome {name!r} in the results; there are {numeric}", source="--outcome")
        if name not in numeric:
            raise InputError(f"outcome {name!r} is neither yes/no nor a number", source="--outcome")
    stored = (results.info.get("metadata") or {}).get("discovery")
    if discovery_outcome is None and discovery_threshold is None and stored:
        discovery_outcome, discovery_threshold = stored["outcome"], stored["threshold"]
    if (discovery_outcome is None) != (discovery_threshold is None):
        raise InputError("give both a discovery outcome and a threshold, or neither")
    folder = Path(report_dir) if report_dir is not None else results.root / "analysis"
    files: list[Path] = []
    summary = summarize_groups(results.runs, ["point"], names, bounds=results.outcome_bounds)
    summary = results.design.reset_index().merge(summary, on="point", how="right")
    _write_table(summary, folder, "point_summary", files)
    report = AnalysisReport(results=results, point_summary=summary, files=files, folder=folder)
    if results.runs["point"].nunique() > 1:
        report.noise = sampling_noise(results, names)
        report.warnings = noise_warnings(report.noise)
        _write_table(report.noise, folder, "sampling_noise", files)
        for message in report.warnings:
            warnings.warn(message, NoisyOutcomeWarning, stacklevel=2)
    if results.design_kind in ("sobol", "morris") and results.complete:
        with_values = _outcomes_valued_at_every_point(results, names, report.warnings)
        if results.design_kind == "sobol" and with_values:
            report.sobol = sobol_indices(results, with_values)
            report.warnings += index_warnings(report.sobol, "sobol", results.design_settings["base_samples"])
            _write_table(report.sobol, folder, "sobol_indices", files)
        if results.design_kind == "morris" and with_values:
            report.morris = morris_indices(results, with_values)
            report.warnings += index_warnings(
                report.morris, "morris", results.design_settings["trajectories"]
            )
            _write_table(report.morris, folder, "morris_indices", files)
    if discovery_outcome is not None and discovery_threshold is not None:
        try:
            report.discovery = discover(results, discovery_outcome, discovery_threshold)
        except NoCaseOfInterestError as nothing:
            report.warnings.append(f"no scenario discovery: {nothing.message}")
            for stale in ("discovery.json", "discovery_box.csv", "figures/discovery.png"):
                (folder / stale).unlink(missing_ok=True)  # an earlier analysis's box is not this one's
        else:
            (folder / "discovery.json").write_text(json.dumps(report.discovery.to_dict(), indent=2) + "\n")
            report.discovery.limits_table().to_csv(folder / "discovery_box.csv", index=False)
            files += [folder / "discovery.json", folder / "discovery_box.csv"]
    stored_robustness = (results.info.get("metadata") or {}).get("robustness")
    if robustness_outcome is None and robustness_threshold is None and stored_robustness:
        robustness_outcome, robustness_threshold = (
            stored_robustness["outcome"],
            stored_robustness["threshold"],
        )
        robustness_direction = stored_robustness.get("direction", "minimize")
    if (robustness_outcome is None) != (robustness_threshold is None):
        raise InputError("give both a robustness outcome and a threshold, or neither")
    report.decisions = decide(
        results,
        names,
        discovery=(discovery_outcome, discovery_threshold)
        if discovery_outcome is not None and discovery_threshold is not None
        else None,
        robustness_settings=(robustness_outcome, robustness_threshold, robustness_direction)
        if robustness_outcome is not None and robustness_threshold is not None
        else None,
        write=lambda table, stem: _write_table(table, folder, stem, files),
        messages=report.warnings,
    )
    if plots:
        files += _plot_all(results, report, names, folder / "figures")
        labels = {p.path: parameter_label(p.path, p.label) for p in results.parameters}
        files += plot_decisions(report.decisions, results, labels, folder / "figures")
    return report


def _plot_all(
    results: SweepResults, report: AnalysisReport, names: Sequence[str], figures: Path
) -> list[Path]:
    from wargame.experiments import _plots

    labels = {p.path: parameter_label(p.path, p.label) for p in results.parameters}
    written: list[Path] = []
    for outcome in names:
        if results.runs[outcome].notna().sum() == 0:
            continue
        written.append(_plots.plot_response_curves(results, outcome, figures / f"response_{outcome}.png"))
        if len(results.parameter_names) >= 2:
            x_name, y_name = _most_influential_pair(results, outcome)
            written.append(
                _plots.plot_heatmap(results, outcome, x_name, y_name, figures / f"heatmap_{outcome}.png")
            )
        note = _noise_note(report, outcome)
        if report.sobol is not None and report.sobol[report.sobol["outcome"] == outcome]["ST"].notna().any():
            written.append(
                _plots.plot_indices(
                    "sobol", report.sobol, outcome, figures / f"sobol_{outcome}.png", labels, note=note
                )
            )
        if report.morris is not None:
            written.append(
                _plots.plot_indices(
                    "morris", report.morris, outcome, figures / f"morris_{outcome}.png", labels, note=note
                )
            )
    if report.discovery is not None:
        written.append(_plots.plot_discovery(results, report.discovery, figures / "discovery.png"))
    return written


def _noise_note(report: AnalysisReport, outcome: str) -> str | None:
    """A line for a sensitivity plot whose outcome is too noisy for its indices to be trusted."""
    if report.noise is None or outcome not in report._noisy():
        return None
    share = float(report.noise.set_index("outcome").loc[outcome, "noise_share"])
    return f"NOT TRUSTWORTHY: sampling noise is {share:.0%} of the variance between points"
