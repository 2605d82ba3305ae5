"""What a counterfactual fan conditions on, and how its continuations are weighed.

The continuations of a fan replay the session's public history up to the branch (its run key for everything
the allies could see, the recorded inputs of every seat) and the adversary's recorded moves, but draw afresh
what that history does not reveal: the adversary's misjudgment of each ally, its observation noise and its
own uncertain inputs. Hidden states differ in how well they explain the moves the adversary was seen to
make, so each continuation is weighed by the likelihood of those moves under the adversary's policy given
its hidden state (self-normalised importance sampling, the hidden state's prior as the proposal). The fan's
statistics are then estimates under the posterior of the hidden state given the session's history.

An adversary played by a person carries no such evidence: its moves are replayed as recorded inputs and
every continuation weighs the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from wargame.core.policy import NO_ACTION
from wargame.errors import InputError
from wargame.model import DeterrenceModel
from wargame.model.simulation import AdversaryHistory
from wargame.stats import Estimate, proportion_intervals

__all__ = [
    "LOW_EFFECTIVE_SAMPLE_SIZE",
    "Conditioning",
    "Weighted",
    "adversary_history",
    "continuation_keys",
]

LOW_EFFECTIVE_SAMPLE_SIZE = 30.0
"""Below this effective sample size the fan's weighted estimates rest on too few continuations to trust."""

SAMPLED_AFRESH = (
    "the adversary's misjudgment of each ally's deterrent",
    "the adversary's observation noise",
    "the adversary's own uncertain inputs (its actor's fields and its escalation ladder)",
)


def continuation_keys(seed: int, runs: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(branch_keys, hidden_keys)``: one key per continuation for its future and one for its hidden
    state, both spawned from ``numpy.random.SeedSequence(seed)`` (continuation ``i`` gets child ``i``; its
    hidden key comes from that child's own first child, so the two families are independent)."""
    children = np.random.SeedSequence(seed).spawn(runs)
    branch = np.array([child.generate_state(1, dtype=np.uint64)[0] for child in children], dtype=np.uint64)
    hidden = np.array(
        [child.spawn(1)[0].generate_state(1, dtype=np.uint64)[0] for child in children], dtype=np.uint64
    )
    return branch, hidden


def adversary_history(model: DeterrenceModel, through_day: int) -> AdversaryHistory:
    """Return the adversary's moves of a session's run up to and including ``through_day``.

    Args:
        model: The session's model (one run, decisions recorded), stepped at least to ``through_day``.
        through_day: The branch's decision day: the adversary's move that day is part of the history.
    """
    if model.runs != 1 or not model.record_decisions:
        raise ValueError("the adversary's history is read from a session's own run, with decisions recorded")
    moves: dict[int, int] = {}
    go: dict[int, bool] = {}
    for entry in model.decision_log:
        day = int(entry["day"])
        if entry["actor"] != "adversary" or day > through_day:
            continue
        taken = bool(entry["runs"][0])
        if entry["action"] == "rung":
            moves[day] = int(entry["values"][0]) if taken else NO_ACTION
        elif entry["action"] in ("go", "stand_down") and taken:
            go[day] = entry["action"] == "go"
    return AdversaryHistory(moves=moves, go=go)


@dataclass(frozen=True)
class Weighted:
    """Statistics of continuations under self-normalised importance weights.

    Attributes:
        weights: The normalised weights (sum 1), one per continuation.
    """

    weights: np.ndarray

    @classmethod
    def from_log_likelihood(cls, log_likelihood: np.ndarray) -> Weighted:
        """Weigh each continuation by its likelihood of the adversary's recorded moves.

        Raises:
            InputError: If no continuation can make the recorded moves (too few continuations).
        """
        log_likelihood = np.asarray(log_likelihood, dtype=np.float64)
        peak = log_likelihood.max()
        if not np.isfinite(peak):
            raise InputError(
                f"none of the {log_likelihood.size} continuations can make the adversary's recorded moves; "
                "run more continuations",
                source="--runs",
            )
        weights = np.exp(log_likelihood - peak)
        return cls(weights / weights.sum())

    @property
    def effective_sample_size(self) -> float:
        """Kish's effective sample size ``(sum w)^2 / sum w^2``: the number of equally weighted
        continuations that would estimate as precisely."""
        weights = self.weights
        return float(weights.sum() ** 2 / np.square(weights).sum())

    def proportion(self, outcome: np.ndarray, confidence: float = 0.95) -> Estimate:
        """Return the weighted share of continuations where ``outcome`` holds, with a Clopper-Pearson
        interval on the effective sample size (Korn and Graubard 1998)."""
        share = float(np.dot(self.weights, np.asarray(outcome, dtype=np.float64)))
        size = self.effective_sample_size
        low, high = proportion_intervals(min(share * size, size), size, confidence)
        return Estimate(share, float(low), float(high))

    def mean(self, values: np.ndarray) -> float:
        """Return the weighted mean of ``values``."""
        return float(np.dot(self.weights, np.asarray(values, dtype=np.float64)))

    def quantiles(self, values: np.ndarray, probabilities: Sequence[float]) -> np.ndarray:
        """Return weighted quantiles of ``values`` along its first axis (the smallest value whose weighted
        cumulative share reaches each probability)."""
        return np.quantile(
            np.asarray(values, dtype=np.float64),
            list(probabilities),
            axis=0,
            weights=self.weights,
            method="inverted_cdf",
        )

    def shares(self, values: np.ndarray) -> dict[int, float]:
        """Return the weighted share of each distinct integer value, in order of the values."""
        values = np.asarray(values)
        weights = self.weights
        return {int(v): float(weights[values == v].sum()) for v in np.unique(values)}

    def percentile_of_score(self, values: np.ndarray, score: float) -> float:
        """Return the weighted percentile rank of ``score`` among ``values`` (0-100), ties counted half."""
        values = np.asarray(values, dtype=np.float64)
        weights = self.weights
        return float(100.0 * (weights[values < score].sum() + 0.5 * weights[values == score].sum()))


@dataclass(frozen=True)
class Conditioning:
    """What a fan's continuations share with the session and what they draw afresh.

    Attributes:
        turn: The branch turn: the session's history is kept up to and including its decisions.
        through_day: The branch's decision day.
        adversary_moves: How many of the adversary's recorded moves (decisions and go/stand-down calls up
            to ``through_day``) the continuations are weighed by; 0 when a person plays the adversary.
        adversary_seat: Who made the adversary's moves: ``policy`` or ``person``.
        effective_sample_size: Kish's effective sample size of the weights.
        runs: Number of continuations.
    """

    turn: int
    through_day: int
    adversary_moves: int
    adversary_seat: str
    effective_sample_size: float
    runs: int

    @property
    def low_effective_sample_size(self) -> bool:
        """Whether the weighted estimates rest on too few effective continuations."""
        return self.effective_sample_size < LOW_EFFECTIVE_SAMPLE_SIZE

    def conditions_on(self) -> list[str]:
        """What every continuation shares with the session up to the branch."""
        kept = [
            "every seat's recorded decisions and the white cell's inputs",
            "the allies' own uncertain inputs as the session drew them",
            "the session's random numbers for public events",
        ]
        if self.adversary_seat == "policy" and self.adversary_moves:
            kept.append(
                f"the adversary's {self.adversary_moves} recorded "
                f"{'move' if self.adversary_moves == 1 else 'moves'} (decisions and go/stand-down calls), "
                "each continuation weighed by how likely its hidden state makes them"
            )
        elif self.adversary_seat == "person":
            kept.append(
                "the adversary's moves, a person's: no evidence about the policy's hidden state, so every "
                "continuation weighs the same"
            )
        else:
            kept.append("no move of the adversary yet, so every continuation weighs the same")
        return kept

    def lines(self) -> list[str]:
        """Return the plain-language statement the fan's text, JSON, plot and report carry."""
        lines = [
            f"Conditioned on the session's history up to turn {self.turn} (day {self.through_day}): "
            + "; ".join(self.conditions_on())
            + ".",
            "Sampled afresh in each continuation: "
            + "; ".join(SAMPLED_AFRESH)
            + " (so before the branch, incidents whose rates those inputs set vary around the session's).",
            f"Effective sample size {self.effective_sample_size:.1f} of {self.runs} continuations.",
        ]
        if self.low_effective_sample_size:
            lines.append(
                f"Warning: the effective sample size is below {LOW_EFFECTIVE_SAMPLE_SIZE:.0f}: the weighted "
                "estimates rest on few continuations and are rough; run more continuations."
            )
        return lines

    def to_json(self) -> dict[str, Any]:
        """Return the JSON-ready form saved in the fan's summary."""
        return {
            "history_through_turn": self.turn,
            "history_through_day": self.through_day,
            "conditions_on": self.conditions_on(),
            "adversary_seat": self.adversary_seat,
            "adversary_moves": self.adversary_moves,
            "sampled_afresh": list(SAMPLED_AFRESH),
            "effective_sample_size": self.effective_sample_size,
            "low_effective_sample_size": self.low_effective_sample_size,
            "statement": self.lines(),
        }
