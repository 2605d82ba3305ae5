"""Totals of gray-zone incidents that count each incident once.

Activities nest: a subset activity's incidents are within its parent's (in the reference scenario, ADIZ
entries within the aircraft detected around Taiwan, median-line crossings within ADIZ entries), and every
per-activity count a session records (true, detected, attributed in time) includes its subsets'. Adding up
every activity would count one incident once per level it is in; a total adds the root activities only, as
the model's ``incidents_total`` does.
"""

from __future__ import annotations

from collections.abc import Sequence

from wargame.scenario import GrayZone

__all__ = ["incidents_once", "nesting_sentence"]


def incidents_once(gray_zone: GrayZone, by_activity: Sequence[int]) -> int:
    """Return the total of counts by activity (in the scenario's order), each incident counted once.

    Args:
        gray_zone: The scenario's gray zone, whose activities ``by_activity`` follows.
        by_activity: One count per activity, a subset's incidents also in its parent's count.
    """
    return sum(
        int(count)
        for activity, count in zip(gray_zone.activities, by_activity, strict=True)
        if activity.subset_of is None
    )


def nesting_sentence(gray_zone: GrayZone) -> str | None:
    """Return the sentence that says which activities are within which (``None`` if none nest)."""
    within = [
        f"{activity.name} within {gray_zone.activity(activity.subset_of).name}"
        for activity in gray_zone.activities
        if activity.subset_of is not None
    ]
    if not within:
        return None
    pairs = "; ".join(within)
    return f"Totals count each incident once: a subset's incidents are within its parent's ({pairs})."
