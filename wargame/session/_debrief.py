"""The debrief at the end of a session: key moments, where the session falls among the sessions its
scenario could have produced, and which of the people's decisions mattered most (what if they had passed).

Everything comes from the journal and from counterfactual continuations on the same engine
(:func:`~wargame.session._fan.counterfactual_fan`, common random numbers): the place in the ensemble is the
fan from turn 0 (every decision left to the default policies); each what-if re-runs the continuations from
a decision's turn with that decision replaced by a pass.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wargame._text import ordinal
from wargame.errors import InputError
from wargame.session._fan import counterfactual_fan
from wargame.session._files import write_private
from wargame.session._report import Names, read_record
from wargame.session._saved import DEBRIEF_FILE
from wargame.session._session import Session

__all__ = ["DEBRIEF_FILE", "Debrief", "WhatIf", "debrief"]

MAX_WHAT_IFS = 6
"""Decisions re-run at most (the latest ones people made), so a debrief takes bounded time."""


@dataclass(frozen=True)
class WhatIf:
    """One decision people made, and what the continuations say had they passed instead."""

    turn: int
    seat: str
    action: str
    war_probability: float
    war_probability_if_passed: float
    escalation_score_mean: float
    escalation_score_mean_if_passed: float

    @property
    def weight(self) -> float:
        """How much the decision moved the outcome: the change of mean escalation score it made."""
        return abs(self.escalation_score_mean - self.escalation_score_mean_if_passed)


@dataclass(frozen=True)
class Debrief:
    """A session's debrief (see the module).

    The session's place is at the horizon for a finished session; for an unfinished one, its outcome so far
    against the ensemble's on ``compared_at_day`` (the day of its latest adjudicated turn), like with like.
    """

    finished: bool
    moments: list[tuple[int, str]]
    runs: int
    ensemble_war_probability: float
    ensemble_escalation_score_mean: float
    session_escalation_score: float
    session_war: bool
    escalation_score_percentile: float
    what_ifs: list[WhatIf]
    compared_at_day: int | None = None

    def lines(self) -> list[str]:
        """The debrief as text, one line each."""
        state = "" if self.finished else " (so far: the session is not finished)"
        lines = [f"Debrief{state}", "Key moments:"]
        lines += [f"  day {day:>3}: {text}" for day, text in self.moments[-12:]] or ["  none"]
        day = self.compared_at_day
        by_day = "" if day is None else f" by day {day}"
        percentile = ordinal(round(self.escalation_score_percentile))
        compared = "" if day is None else f", compared on day {day} where this session stands"
        lines.append(
            f"This session among {self.runs} sessions of its scenario played by the default policies "
            f"from day 0 (same seed, common random numbers{compared}): escalation score "
            f"{self.session_escalation_score:.0f}{by_day}, at the {percentile} "
            f"percentile (mean {self.ensemble_escalation_score_mean:.1f}); war "
            f"{'yes' if self.session_war else 'no'}{by_day} against P(war{by_day}) "
            f"{self.ensemble_war_probability:.1%}."
        )
        if self.what_ifs:
            lines.append("The decisions that mattered most (what if the seat had passed):")
            for item in self.what_ifs:
                lines.append(
                    f"  turn {item.turn}, {item.seat}: {item.action}: mean escalation score "
                    f"{item.escalation_score_mean:.1f} (passing: {item.escalation_score_mean_if_passed:.1f}),"
                    f" P(war) {item.war_probability:.1%} (passing: {item.war_probability_if_passed:.1%})"
                )
        else:
            lines.append("No decision by people to weigh (every seat passed or engines decided).")
        return lines

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["what_ifs"] = [asdict(item) for item in self.what_ifs]
        data["lines"] = self.lines()
        return data


def debrief(session: Session, *, runs: int = 200, jobs: int = 1, seed: int | None = None) -> Debrief:
    """Build the debrief of the session's active branch and save it as ``SESSION_DIR/debrief.json``
    (the report then includes it).

    Raises:
        InputError: For fewer than 20 runs (too few to say where the session falls), or where the debrief
            cannot be saved.
    """
    if runs < 20:
        raise InputError(f"a debrief needs at least 20 runs, got {runs}", source="--runs")
    path = session.directory / DEBRIEF_FILE
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise InputError("not a regular file: the debrief is saved there", source=str(path))
    names = Names(session.scenario)
    record = read_record(session)
    with tempfile.TemporaryDirectory(prefix="wargame-debrief-") as scratch:
        place = counterfactual_fan(
            session, turn=0, runs=runs, jobs=jobs, seed=seed, out_dir=Path(scratch), plot=False
        )
        what_ifs = []
        made = [d for d in record.decisions if d["by"] == "person"][-MAX_WHAT_IFS:]
        for decision in made:
            turn = decision["day"] // session.scenario.turn_length_days
            fan = counterfactual_fan(
                session,
                turn=turn,
                runs=runs,
                jobs=jobs,
                seed=seed,
                swap=(decision["seat"], None),
                out_dir=Path(scratch),
                plot=False,
            )
            summary = fan.summary()
            what_ifs.append(
                WhatIf(
                    turn=turn,
                    seat=names.actor(decision["seat"]),
                    action=decision["name"],
                    war_probability=summary["actual"]["war_probability"],
                    war_probability_if_passed=summary["swapped"]["war_probability"],
                    escalation_score_mean=summary["actual"]["escalation_score_mean"],
                    escalation_score_mean_if_passed=summary["swapped"]["escalation_score_mean"],
                )
            )
    outcome = place.session_outcome
    ensemble = place.summary()["actual"]
    if place.compared_at_day is not None:
        ensemble = ensemble["so_far"]  # like with like: the ensemble where the unfinished session stands
    result = Debrief(
        finished=session.finished,
        moments=record.moments,
        runs=runs,
        ensemble_war_probability=float(ensemble["war_probability"]),
        ensemble_escalation_score_mean=float(ensemble["escalation_score_mean"]),
        session_escalation_score=float(outcome["escalation_score"]),
        session_war=bool(outcome["war"]),
        escalation_score_percentile=place.escalation_score_percentile,
        what_ifs=sorted(what_ifs, key=lambda item: item.weight, reverse=True)[:3],
        compared_at_day=place.compared_at_day,
    )
    try:
        write_private(path, json.dumps(result.to_json(), indent=2) + "\n")
    except OSError as error:
        raise InputError(f"cannot write the debrief ({error.strerror or error})", source=str(path)) from None
    return result
