"""The validity report: one Jinja2 template rendered to Markdown, with a small multiple per scenario.

Files appear only when everything is ready: the page and the figures are written under temporary names
next to their targets, then renamed, so a failed or interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import functools
import math
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from wargame.errors import InputError
from wargame.stats import Estimate
from wargame.validity._sobol import MAX_TOTAL_INDEX, SobolResult
from wargame.validity._summary import ScenarioResult
from wargame.validity._theory import Prediction

__all__ = ["FIGURES_DIR", "ValidityReport", "check_writable", "render_report", "write_report"]

FIGURES_DIR = Path("figures") / "validity"
"""Where the figures go, relative to the report's folder."""

_WIDE_INTERVAL = 0.2  # half-width of a total index's interval above which the report says it is wide


@dataclass(frozen=True)
class ValidityReport:
    """The results of ``wargame validity`` and how they were made."""

    scenarios: tuple[ScenarioResult, ...]
    command: str
    version: str
    seed: int
    runs: int
    levels: int
    jobs: int
    elapsed_seconds: float

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.scenarios)

    @property
    def simulated_runs(self) -> int:
        return sum(s.simulated_runs for s in self.scenarios)

    @property
    def elapsed(self) -> str:
        minutes, seconds = divmod(round(self.elapsed_seconds), 60)
        return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _interval(interval: Estimate, spec: str, *, scale: float = 1.0, change: bool = False) -> str:
    """Write ``value [low, high]`` times ``scale`` in the format ``spec``; a change is signed, and ``0`` when
    its interval is exactly zero."""
    if change:
        if interval.low == interval.high == 0.0:
            return "0"
        spec = "+" + spec
    value, low, high = (scale * x for x in (interval.value, interval.low, interval.high))
    return f"{value:{spec}} [{low:{spec}}, {high:{spec}}]"


def _index(value: float, half_width: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.2f} [{value - half_width:.2f}, {value + half_width:.2f}]"


def _sign_of(predictions: Mapping[str, Prediction], output: str) -> str:
    prediction = predictions.get(output)
    return "not checked" if prediction is None else {"-": "−"}.get(prediction.value, prediction.value)


def _signs(predictions: Mapping[str, Prediction]) -> str:
    return " / ".join(_sign_of(predictions, output) for output in ("war", "escalation", "resolve"))


def _largest_index(sobol: SobolResult | None) -> str:
    if sobol is None or sobol.passed is None:
        return "n/a"
    k = sobol.largest
    return f"{sobol.checked_total[k]:.3f} ({sobol.names[k]})"


def _bounds(value: float, low: float, high: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("wargame.validity", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, not HTML
    )
    environment.filters.update(
        pct=functools.partial(_interval, spec=".1f", scale=100.0),
        pct_change=functools.partial(_interval, spec=".1f", scale=100.0, change=True),
        num=functools.partial(_interval, spec=".3g"),
        change=functools.partial(_interval, spec=".3g", change=True),
        index=_index,
        bounds=_bounds,
        g=lambda x: f"{x:g}",
        code=lambda text: f"`{text}`",
        thousands=lambda n: f"{n:,}",
        sign_of=_sign_of,
        signs=_signs,
        largest_index=_largest_index,
    )
    return environment


def render_report(report: ValidityReport) -> str:
    """Return the report as Markdown."""
    template = _environment().get_template("validity.md.j2")
    return template.render(report=report, max_total=MAX_TOTAL_INDEX, wide=_WIDE_INTERVAL)


def check_writable(out: Path) -> None:
    """Check, before any run, that the report and its figures folder can be written.

    Raises:
        InputError: Naming ``--out`` and what is wrong.
    """
    if out.is_dir():
        raise InputError(f"{out} is a folder; give the report's file name", source="--out")
    folder = out.parent
    if not folder.is_dir():
        raise InputError(f"folder {folder} does not exist", source="--out")
    figures = folder / FIGURES_DIR
    existing = next(p for p in (figures, figures.parent, folder) if p.exists())
    if not existing.is_dir():
        raise InputError(f"{existing} is not a folder, so figures cannot go under it", source="--out")
    for target in (folder, existing):
        try:
            with tempfile.NamedTemporaryFile(dir=target, prefix=".validity-check-"):
                pass
        except OSError as error:
            raise InputError(f"cannot write in {target}: {error.strerror}", source="--out") from None


def write_report(report: ValidityReport, out: Path) -> list[Path]:
    """Write the report to ``out`` and its figures under ``out``'s folder; return the files written."""
    from wargame.validity._plots import draw_small_multiple

    figures = out.parent / FIGURES_DIR
    figures.mkdir(parents=True, exist_ok=True)
    staged: list[tuple[Path, Path]] = []
    try:
        for scenario in report.scenarios:
            target = figures / f"{scenario.slug}.png"
            temporary = _temporary(target)
            staged.append((temporary, target))
            draw_small_multiple(scenario, temporary)
        temporary = _temporary(out)
        staged.append((temporary, out))
        temporary.write_text(render_report(report), encoding="utf-8")
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, target in staged:
        os.replace(temporary, target)
    return [target for _, target in staged]


def _temporary(target: Path) -> Path:
    """Create an empty file next to ``target`` under a fresh name (permissions from the umask)."""
    while True:
        path = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            with path.open("xb"):
                return path
        except FileExistsError:
            continue
