"""The counterfactual fan: Monte Carlo continuations of a session from one of its turns.

Every continuation shares the session's history up to and including the chosen turn's decisions (same run
key for what the allies could see, the session's recorded inputs, the adversary's recorded moves, the same
engine) and draws afresh what that history does not reveal (the adversary's misjudgments, observation noise
and hidden inputs); each is weighed by how likely its hidden state makes the adversary's recorded moves
(see :mod:`wargame.session._conditioning`). It then draws its own future and is played by the default
policies. Where the session's actual outcome falls in that weighted distribution says how much its result
owed to the decisions made after the branch and how much to chance. Swapping one decision a person made
at that turn and running the same continuations (common random numbers: the same hidden states and
futures) shows what that decision changed.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from wargame.errors import InputError
from wargame.model.simulation import AdversaryHistory
from wargame.policies import menu_of
from wargame.runner.chunks import Chunks, map_chunks
from wargame.runner.executors import make_executor
from wargame.scenario import Scenario
from wargame.session._commands import INPUT_KINDS, Command, Rewind, SeatAction, command_from_payload
from wargame.session._conditioning import (
    Conditioning,
    Weighted,
    adversary_history,
    continuation_keys,
)
from wargame.session._continuation import Continuation, ContinuationEngine
from wargame.session._engine import SessionEngine
from wargame.session._journal import JournalEntry
from wargame.session._saved import FANS_FOLDER, MAX_FAN_RUNS
from wargame.session._session import Session
from wargame.session._turns import SessionSetup
from wargame.session._validation import validate_command

__all__ = ["FanReport", "FanSide", "counterfactual_fan"]

_CHUNK_RUNS = 250
_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_OUTCOME_COLUMNS = ("war", "war_day", "max_rung", "escalation_score")


@dataclass(frozen=True)
class FanSide:
    """One set of continuations.

    Attributes:
        label: What the continuations follow (the session's decisions, or the swap).
        outcomes: One row per continuation.
        rung_quantiles: ``(len(_QUANTILES), days)`` weighted quantiles of the rung index by day.
        weighted: The continuations' weights (their likelihood of the adversary's recorded moves).
    """

    label: str
    outcomes: pd.DataFrame
    rung_quantiles: np.ndarray
    weighted: Weighted


@dataclass(frozen=True)
class FanReport:
    """A counterfactual fan and where the session falls in it.

    A finished session's outcome is compared with the continuations' outcomes at the horizon; an unfinished
    session's outcome so far (as its latest turn was adjudicated, at ``compared_at_day``) with each
    continuation's outcome so far at that same day.
    """

    turn: int
    branch_day: int
    runs: int
    seed: int
    jobs: int
    actual: FanSide
    swapped: FanSide | None
    conditioning: Conditioning
    session_outcome: dict[str, Any]
    session_finished: bool
    session_rung_by_day: list[int]
    escalation_score_percentile: float
    seconds: float
    compared_at_day: int | None = None
    files: tuple[Path, ...] = ()

    def summary(self) -> dict[str, Any]:
        """Return the JSON-ready summary that is saved beside the fan's plot."""

        def outcome(fan: FanSide, suffix: str) -> dict[str, Any]:
            outcomes, weighted = fan.outcomes, fan.weighted
            war = weighted.proportion(outcomes[f"war{suffix}"].to_numpy())
            scores = outcomes[f"escalation_score{suffix}"].to_numpy()
            return {
                "war_probability": war.value,
                "war_probability_interval": [war.low, war.high],
                "escalation_score_mean": weighted.mean(scores),
                "escalation_score_quantiles": weighted.quantiles(scores, _QUANTILES).tolist(),
                "max_rung_shares": weighted.shares(outcomes[f"max_rung{suffix}"].to_numpy()),
                "escalation_scores": outcomes[f"escalation_score{suffix}"].astype(int).tolist(),
                "war": outcomes[f"war{suffix}"].astype(bool).tolist(),
            }

        def side(fan: FanSide) -> dict[str, Any]:
            data = {"label": fan.label, **outcome(fan, "")}
            data["rung_quantiles_by_day"] = fan.rung_quantiles.tolist()
            data["effective_sample_size"] = fan.weighted.effective_sample_size
            data["weights"] = fan.weighted.weights.tolist()
            if self.compared_at_day is not None:
                data["so_far"] = {"day": self.compared_at_day, **outcome(fan, "_so_far")}
            return data

        result = {
            "turn": self.turn,
            "branch_day": self.branch_day,
            "runs": self.runs,
            "seed": self.seed,
            "jobs": self.jobs,
            "quantiles": list(_QUANTILES),
            "session_finished": self.session_finished,
            "compared_at_day": self.compared_at_day,
            "session_outcome": {
                k: self.session_outcome[k] for k in _OUTCOME_COLUMNS if k in self.session_outcome
            },
            "session_rung_by_day": self.session_rung_by_day,
            "escalation_score_percentile": self.escalation_score_percentile,
            "seconds": self.seconds,
            "conditioning": self.conditioning.to_json(),
            "actual": side(self.actual),
        }
        if self.swapped is not None:
            result["swapped"] = side(self.swapped)
        return result


def _inputs_up_to(timeline: Sequence[JournalEntry], turn: int) -> dict[tuple[int, str], list[Command]]:
    inputs: dict[tuple[int, str], list[Command]] = defaultdict(list)
    for entry in timeline:
        if entry.kind in INPUT_KINDS and entry.kind != Rewind.kind and entry.turn <= turn:
            command = command_from_payload(entry.kind, entry.payload)
            inputs[(entry.turn, command.seat)].append(command)
    return dict(inputs)


def _continuations(
    scenario: Scenario,
    setup: SessionSetup,
    scenario_dir: Path,
    after_turn: int,
    inputs: dict[tuple[int, str], list[Command]],
    branch_keys: np.ndarray,
    hidden_keys: np.ndarray,
    history: AdversaryHistory | None,
    measure_day: int | None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Simulate a chunk of continuations (runs in a worker process); return their outcomes (with their
    outcome so far at ``measure_day`` as ``*_so_far`` columns), rungs by day and log-likelihoods of the
    adversary's recorded moves."""
    engine = ContinuationEngine(
        scenario,
        setup,
        Continuation(after_turn, branch_keys, inputs, hidden_keys, history, measure_day),
        scenario_dir=scenario_dir,
    )
    if engine.advance() is not None:
        raise RuntimeError("a continuation asked for a person")
    model = engine.model
    outcomes = model.outcomes()
    frame = pd.DataFrame({name: outcomes[name] for name in _OUTCOME_COLUMNS})
    if measure_day is not None:
        assert engine.measured is not None  # the horizon is at or after any day a session reached
        for name, values in engine.measured.items():
            frame[f"{name}_so_far"] = values
    return frame, model.rung_by_day.copy(), model.history_log_likelihood.copy()


def _run_side(
    session: Session,
    after_turn: int,
    inputs: dict[tuple[int, str], list[Command]],
    keys: tuple[np.ndarray, np.ndarray],
    history: AdversaryHistory | None,
    measure_day: int | None,
    executor: Any,
    label: str,
) -> FanSide:
    branch_keys, hidden_keys = keys
    results = list(
        map_chunks(
            executor,
            _continuations,
            Chunks(branch_keys.size, _CHUNK_RUNS),
            lambda chunk: (
                session.scenario,
                session.setup,
                session.scenario_dir,
                after_turn,
                inputs,
                branch_keys[chunk.start : chunk.stop],
                hidden_keys[chunk.start : chunk.stop],
                history,
                measure_day,
            ),
        )
    )
    outcomes = pd.concat([frame for frame, _, _ in results], ignore_index=True)
    rungs = np.concatenate([rung for _, rung, _ in results], axis=0)
    weighted = Weighted.from_log_likelihood(np.concatenate([ll for _, _, ll in results]))
    return FanSide(label, outcomes, weighted.quantiles(rungs, _QUANTILES), weighted)


def _check_swap(
    session: Session, timeline: list[JournalEntry], turn: int, seat: str, action: str | None
) -> int:
    """Return the journal position of the decision to swap, after checking the swap is a legal move."""
    if seat not in session.setup.human_seats:
        raise InputError(
            f"only decisions people made can be swapped; {seat} is played by its policy", source="--swap"
        )
    position = next(
        (
            index
            for index, entry in enumerate(timeline)
            if entry.kind == SeatAction.kind and entry.turn == turn and entry.payload["seat"] == seat
        ),
        None,
    )
    if position is None:
        raise InputError(f"{seat} made no decision at turn {turn} to swap", source="--swap")
    menu = menu_of(session.scenario, seat)
    if action is not None and action not in menu:
        raise InputError(f"{action!r} is not on {seat}'s menu ({', '.join(menu)})", source="--swap")
    engine = SessionEngine(
        session.scenario, session.setup, timeline=timeline[:position], scenario_dir=session.scenario_dir
    )
    prompt = engine.advance()
    assert prompt is not None and prompt.seat == seat
    try:
        validate_command(SeatAction(seat, action), engine.context(), engine.model)
    except InputError as error:
        raise InputError(
            f"cannot swap in {action!r} at turn {turn}: {error.message}", source="--swap"
        ) from None
    return position


def counterfactual_fan(
    session: Session,
    *,
    turn: int,
    runs: int = 1000,
    jobs: int = 1,
    seed: int | None = None,
    swap: tuple[str, str | None] | None = None,
    out_dir: Path | None = None,
    plot: bool = True,
) -> FanReport:
    """Run ``runs`` continuations of the session's active branch from ``turn``.

    Each continuation draws the adversary's hidden state afresh and is weighed by its likelihood of the
    adversary's recorded moves up to the branch; the fan's statistics are weighted accordingly.

    Args:
        session: An open session (read-only is enough).
        turn: Continuations keep the session's history up to and including this turn's decisions
            (0: from the start, before any decision).
        runs: Number of continuations.
        jobs: Worker processes (results do not depend on it).
        seed: Root seed of the continuations' own keys, for their futures and hidden states (default: the
            session's seed).
        swap: ``(seat, action)``: also run the same continuations with that seat's decision at ``turn``
            replaced (``None`` for pass).
        out_dir: Where to write the summary JSON and the plot (default ``SESSION_DIR/fans``).
        plot: Also draw the plot (``False``: save the summary JSON alone, for callers that only read the
            numbers; ``files`` then holds the summary alone).

    Raises:
        InputError: For a turn the session has not reached, a bad run or job count (at most
            :data:`~wargame.session._saved.MAX_FAN_RUNS` runs, so the report can read the fan back), an
            illegal swap, or where the fan cannot be saved (``out_dir`` a file or a link).
    """
    import time

    started = time.perf_counter()
    if not 1 <= runs <= MAX_FAN_RUNS:
        raise InputError(f"runs must be from 1 to {MAX_FAN_RUNS:,}, got {runs}", source="--runs")
    if jobs < 1:
        raise InputError(f"jobs must be at least 1, got {jobs}", source="--jobs")
    out_dir = out_dir or session.directory / FANS_FOLDER
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise InputError("not a folder: a fan is saved in a folder of the session", source=str(out_dir))
    timeline = session.timeline()
    reached = session.engine.turn
    if not 0 <= turn <= reached:
        raise InputError(
            f"the session has reached turn {reached}; choose a turn from 0 to {reached}", source="--turn"
        )
    seed = int(session.header["seed"]) if seed is None else seed
    so_far = None if session.finished else _session_so_far(timeline)
    measure_day = None if so_far is None else int(so_far["day"])
    keys = continuation_keys(seed, runs)
    through_day = turn * session.scenario.turn_length_days
    adversary_seat = "person" if session.scenario.adversary in session.setup.human_seats else "policy"
    # A person's moves are replayed as recorded inputs: they are no evidence about the policy's hidden state.
    history = None if adversary_seat == "person" else adversary_history(session.engine.model, through_day)
    inputs = _inputs_up_to(timeline, turn)
    swapped_side = None  # (inputs, label) of the continuations with the swapped decision
    if swap is not None:
        seat, action = swap
        _check_swap(session, timeline, turn, seat, action)
        swapped_inputs = dict(inputs)
        swapped_inputs[(turn, seat)] = [
            SeatAction(seat, action) if isinstance(command, SeatAction) else command
            for command in inputs[(turn, seat)]
        ]
        swapped_side = (swapped_inputs, f"{seat} takes {action or 'no action'} at turn {turn}")
    with make_executor(jobs, preload=("wargame.session._fan",)) as executor:
        actual = _run_side(
            session, turn, inputs, keys, history, measure_day, executor, "the session's decisions"
        )
        swapped = None
        if swapped_side is not None:
            swapped_inputs, label = swapped_side
            swapped = _run_side(session, turn, swapped_inputs, keys, history, measure_day, executor, label)

    session_outcome = _session_outcome(session) if so_far is None else so_far
    # Like with like: an unfinished session's score so far against the continuations' scores that same day.
    scores = actual.outcomes["escalation_score" if so_far is None else "escalation_score_so_far"].to_numpy()
    percentile = actual.weighted.percentile_of_score(scores, session_outcome["escalation_score"])
    branch_day = through_day + 1 if turn else 0
    conditioning = Conditioning(
        turn=turn,
        through_day=through_day,
        adversary_moves=0 if history is None else len(history.moves) + len(history.go),
        adversary_seat=adversary_seat,
        effective_sample_size=actual.weighted.effective_sample_size,
        runs=runs,
    )
    report = FanReport(
        turn=turn,
        branch_day=branch_day,
        runs=runs,
        seed=seed,
        jobs=jobs,
        actual=actual,
        swapped=swapped,
        conditioning=conditioning,
        session_outcome=session_outcome,
        session_finished=session.finished,
        session_rung_by_day=_session_rungs(timeline),
        escalation_score_percentile=percentile,
        seconds=time.perf_counter() - started,
        compared_at_day=measure_day,
    )
    return _save(report, out_dir, session.scenario, swap, plot)


def _session_outcome(session: Session) -> dict[str, Any]:
    outcomes = session.engine.model.outcomes()
    return {
        name: (
            bool(values[0])
            if values.dtype == bool
            else float(values[0])
            if math.isfinite(values[0])
            else None
        )
        for name, values in outcomes.items()
        if name in _OUTCOME_COLUMNS
    }


def _session_so_far(timeline: Sequence[JournalEntry]) -> dict[str, Any]:
    """Return an unfinished session's outcome so far, as its latest turn was adjudicated (the day of that
    turn's decision point, before its decisions): what :meth:`ContinuationEngine.outcome_so_far` measures."""
    digest = next((e.payload for e in reversed(timeline) if e.kind == "turn_adjudicated"), None)
    if digest is None:
        return {"day": 0, "war": False, "war_day": None, "max_rung": 0, "escalation_score": 0}
    day = int(digest["day"])
    return {
        "day": day,
        "war": digest["war_day"] is not None,
        "war_day": digest["war_day"],
        "max_rung": max(_session_rungs(timeline)[:day], default=0),
        "escalation_score": int(digest["escalation_score"]),
    }


def _session_rungs(timeline: Sequence[JournalEntry]) -> list[int]:
    rungs: list[int] = []
    for entry in timeline:
        if entry.kind == "turn_adjudicated":
            rungs += entry.payload["rung_by_day"]
    return rungs


def fan_name(turn: int, swap: tuple[str, str | None] | None) -> str:
    """Return the file stem a fan is saved under."""
    name = f"turn-{turn}"
    if swap is not None:
        name += f"-swap-{swap[0]}-{swap[1] or 'pass'}"
    return name


def _save(
    report: FanReport,
    out_dir: Path,
    scenario: Scenario,
    swap: tuple[str, str | None] | None,
    plot: bool,
) -> FanReport:
    from wargame.session._plots import plot_fan

    stem = fan_name(report.turn, swap)
    summary_path = out_dir / f"{stem}.json"
    files = [summary_path]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        summary = report.summary()
        summary_path.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
        if plot:
            files.append(plot_fan(summary, scenario, out_dir / f"{stem}.png"))
    except OSError as error:
        raise InputError(f"cannot save the fan ({error.strerror or error})", source=str(out_dir)) from None
    return FanReport(**{**report.__dict__, "files": tuple(files)})
