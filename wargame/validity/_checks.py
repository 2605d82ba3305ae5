"""The checks of a lever's response: no effect, an effect where none is expected, wrong sign, jump.

Each check reads one response per output: an array ``(levels, runs)`` of per-run values, the same run keys
at every level (common random numbers), so differences between levels are paired and their intervals are
paired t intervals (:func:`wargame.stats.paired_difference`).

A change *counts* when its paired interval excludes zero and it is material: at least
:data:`MATERIAL_SHARE` of the output's mean level over the lever. Common random numbers make differences
precise enough that a shift of a tenth of a percent of allied resolve is beyond noise; a check that fired on
it would say nothing about the model's logic.

* **no effect**: no output changes between the lowest and the highest level (no change counts).
* **effect where none expected** (outputs predicted invariant, such as anything under the decision
  cadence): the output's change between the extreme levels counts.
* **wrong sign**: some step between adjacent levels goes against the predicted sign, its paired interval
  excluding zero. The intervals of the ``K - 1`` steps are Bonferroni-adjusted (each at
  ``1 - 0.05 / (K - 1)``), so a response that truly follows the predicted sign is flagged with probability
  at most 5% per lever and output. Adjacent steps catch a response that rises and then falls, which a rank
  correlation over all levels can miss, and pairing makes each step precise.
* **jump**: a step between adjacent levels is larger than a quarter of the whole range of that output over
  the levels, beyond noise (the step's adjusted interval lies beyond a quarter of the range), checked only
  where the range itself counts (between the highest and the lowest level).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from wargame.stats import Estimate
from wargame.validity._statistics import excludes_zero, paired
from wargame.validity._theory import OUTPUT_LABELS, Prediction

__all__ = [
    "Flag",
    "check_lever",
    "jump",
    "large_steps",
    "no_effect",
    "unexpected_effect",
    "wrong_sign",
]

_PROBABILITIES = ("war", "war_per_year")
MATERIAL_SHARE = 0.02
"""The smallest change that counts, as a share of the output's mean level over the lever's levels."""


@dataclass(frozen=True)
class Flag:
    """A check that fired.

    Attributes:
        check: ``no effect``, ``effect where none expected``, ``wrong sign`` or ``jump``.
        output: The output at fault (``None`` for ``no effect``, which concerns them all).
        message: One line saying what was found, with the numbers.
    """

    check: str
    output: str | None
    message: str


def _label(output: str) -> str:
    return OUTPUT_LABELS.get(output, output)


def _amount(output: str, interval: Estimate) -> str:
    if output in _PROBABILITIES:
        return f"{100 * interval.value:+.1f} points [{100 * interval.low:+.1f}, {100 * interval.high:+.1f}]"
    return f"{interval.value:+.3g} [{interval.low:+.3g}, {interval.high:+.3g}]"


def _steps(response: np.ndarray, confidence: float) -> list[Estimate]:
    """Paired intervals of every step between adjacent levels, Bonferroni-adjusted over the steps."""
    steps = response.shape[0] - 1
    adjusted = 1.0 - (1.0 - confidence) / steps
    return [paired(response[k + 1], response[k], adjusted) for k in range(steps)]


def counts(response: np.ndarray, high: int, low: int, confidence: float = 0.95) -> Estimate | None:
    """Return the paired difference between levels ``high`` and ``low`` where it counts (beyond noise and
    material, see the module docstring), else None."""
    difference = paired(response[high], response[low], confidence)
    material = abs(difference.value) >= MATERIAL_SHARE * abs(float(np.mean(response)))
    return difference if excludes_zero(difference) and material else None


def no_effect(
    responses: Mapping[str, np.ndarray], levels: Sequence[float], unit: str, confidence: float = 0.95
) -> Flag | None:
    """Return a flag when no output differs between the extreme levels beyond its paired interval."""
    if not responses or any(counts(r, -1, 0, confidence) is not None for r in responses.values()):
        return None
    differences = {
        output: paired(response[-1], response[0], confidence) for output, response in responses.items()
    }
    shown = ", ".join(f"{_label(o)} {_amount(o, d)}" for o, d in differences.items())
    return Flag(
        "no effect",
        None,
        f"no effect: from {levels[0]:g} to {levels[-1]:g} {unit} no output moves beyond its "
        f"{confidence:.0%} paired interval by {MATERIAL_SHARE:.0%} of its level or more ({shown})",
    )


def unexpected_effect(
    response: np.ndarray, output: str, levels: Sequence[float], unit: str, confidence: float = 0.95
) -> Flag | None:
    """Return a flag when an output predicted invariant changes between the extreme levels (and it counts)."""
    difference = counts(response, -1, 0, confidence)
    if difference is None:
        return None
    return Flag(
        "effect where none expected",
        output,
        f"effect where none expected: {_label(output)} moves by {_amount(output, difference)} from "
        f"{levels[0]:g} to {levels[-1]:g} {unit}",
    )


def wrong_sign(
    response: np.ndarray,
    sign: int,
    output: str,
    levels: Sequence[float],
    unit: str,
    confidence: float = 0.95,
) -> Flag | None:
    """Return a flag when a step between adjacent levels goes against ``sign`` beyond its adjusted interval.

    Names the largest such step.
    """
    if sign == 0:
        return None
    wrong = [
        (k, step)
        for k, step in enumerate(_steps(response, confidence))
        if (sign > 0 and step.high < 0.0) or (sign < 0 and step.low > 0.0)
    ]
    if not wrong:
        return None
    k, step = max(wrong, key=lambda item: abs(item[1].value))
    moves, predicted = ("rises", "falls") if sign < 0 else ("falls", "rises")
    return Flag(
        "wrong sign",
        output,
        f"wrong sign: {_label(output)} {moves} from {levels[k]:g} to {levels[k + 1]:g} {unit} by "
        f"{_amount(output, step)} where theory predicts it {predicted}",
    )


def large_steps(response: np.ndarray, confidence: float = 0.95) -> list[tuple[int, Estimate]]:
    """Return the steps (index of the lower level, paired interval) larger than a quarter of the output's
    range beyond noise; none where the range itself is within noise."""
    means = response.mean(axis=1)
    top, bottom = int(np.argmax(means)), int(np.argmin(means))
    if counts(response, top, bottom, confidence) is None:
        return []
    quarter = float(means[top] - means[bottom]) / 4.0
    return [
        (k, step)
        for k, step in enumerate(_steps(response, confidence))
        if step.low > quarter or step.high < -quarter
    ]


def jump(
    response: np.ndarray, output: str, levels: Sequence[float], unit: str, confidence: float = 0.95
) -> Flag | None:
    """Return a flag when a step is larger than a quarter of the output's range beyond noise.

    Checked only where the range itself is beyond noise. Names the largest such step.
    """
    large = large_steps(response, confidence)
    if not large:
        return None
    means = response.mean(axis=1)
    quarter = float(means.max() - means.min()) / 4.0
    k, step = max(large, key=lambda item: abs(item[1].value))
    scale = 100.0 if output in _PROBABILITIES else 1.0
    unit_of_range = " points" if output in _PROBABILITIES else ""
    return Flag(
        "jump",
        output,
        f"jump: {_label(output)} moves by {_amount(output, step)} from {levels[k]:g} to {levels[k + 1]:g} "
        f"{unit}, more than a quarter of its range over the levels "
        f"({scale * 4 * quarter:.3g}{unit_of_range})",
    )


def check_lever(
    responses: Mapping[str, np.ndarray],
    predictions: Mapping[str, Prediction],
    levels: Sequence[float],
    unit: str,
    confidence: float = 0.95,
) -> list[Flag]:
    """Run every check on a lever's responses; return the flags that fired (none: the lever passes).

    Args:
        responses: Output -> per-run values ``(levels, runs)``, paired across levels.
        predictions: Output -> what theory predicts; outputs not listed are not checked.
        levels: The lever's levels (for the messages).
        unit: Their unit (for the messages).
        confidence: Confidence level of the intervals.
    """
    checked = {output: responses[output] for output in predictions}
    flags: list[Flag] = []
    expected = {o: r for o, r in checked.items() if predictions[o] is not Prediction.INVARIANT}
    if expected:
        flag = no_effect(expected, levels, unit, confidence)
        if flag is not None:
            flags.append(flag)
    for output, response in checked.items():
        prediction = predictions[output]
        found = [
            unexpected_effect(response, output, levels, unit, confidence)
            if prediction is Prediction.INVARIANT
            else wrong_sign(response, prediction.sign, output, levels, unit, confidence),
            jump(response, output, levels, unit, confidence),
        ]
        flags.extend(flag for flag in found if flag is not None)
    return flags
