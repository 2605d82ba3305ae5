"""Iterated deterrence game (prisoner's dilemma form) with noisy moves and a small round-robin tournament.

Each strategy is a finite automaton: a state, a probability of restraint (C) in that state, and a
transition on the pair of moves actually played. That makes every match a Markov chain, so the exact
expected score of any pairing is computable and the simulation can be checked against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from itertools import combinations_with_replacement
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from wargame.core.random_streams import EnsembleRandom, Stream
from wargame.stats import Estimate, mean_interval
from wargame.teaching._base import (
    CONFIDENCE,
    Parameters,
    StochasticModel,
    format_value,
    scalar_parameters,
)
from wargame.teaching._figures import case_stems, label_axis, new_figure
from wargame.teaching._replicate import replicate

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "COOPERATE",
    "DEFECT",
    "DeterrenceGameModel",
    "Strategy",
    "TournamentResult",
    "exact_match_scores",
    "make_strategies",
    "payoff_matrix",
    "play_round_robin",
    "simulate_match",
]

COOPERATE, DEFECT = 0, 1


@dataclass(frozen=True)
class Strategy:
    """A strategy as an automaton.

    Attributes:
        name: Full name, for example ``"tit-for-tat"``.
        label: Short label for tables, for example ``"TFT"``.
        cooperate_probability: Probability of intending restraint in each state.
        next_state: ``next_state[state, my_move, their_move]`` after the moves actually played.
        initial_state: The state on the first turn.
    """

    name: str
    label: str
    cooperate_probability: tuple[float, ...]
    next_state: np.ndarray
    initial_state: int = 0


def _transitions(rule: str) -> np.ndarray:
    table = np.zeros((2, 2, 2), dtype=np.int64)
    for state in range(2):
        for mine in (COOPERATE, DEFECT):
            for theirs in (COOPERATE, DEFECT):
                table[state, mine, theirs] = {
                    "copy_theirs": theirs,
                    "grudge": int(state == 1 or theirs == DEFECT),
                    "win_stay_lose_shift": int(mine != theirs),
                    "stay": 0,
                }[rule]
    return table


def make_strategies(generosity: float) -> dict[str, Strategy]:
    """The tournament's strategies, keyed by short label."""
    roster = [
        Strategy("always cooperate", "ALLC", (1.0, 1.0), _transitions("stay")),
        Strategy("always defect", "ALLD", (0.0, 0.0), _transitions("stay")),
        Strategy("tit-for-tat", "TFT", (1.0, 0.0), _transitions("copy_theirs")),
        Strategy("generous tit-for-tat", "GTFT", (1.0, generosity), _transitions("copy_theirs")),
        Strategy("grim trigger", "GRIM", (1.0, 0.0), _transitions("grudge")),
        Strategy("win-stay lose-shift", "WSLS", (1.0, 0.0), _transitions("win_stay_lose_shift")),
        Strategy("random", "RANDOM", (0.5, 0.5), _transitions("stay")),
    ]
    return {strategy.label: strategy for strategy in roster}


def payoff_matrix(params: Parameters) -> np.ndarray:
    """``payoff[my_move, their_move]`` for the row player."""
    return np.array(
        [
            [params["payoff_reward"], params["payoff_sucker"]],
            [params["payoff_temptation"], params["payoff_punishment"]],
        ],
        dtype=float,
    )


def _move_probabilities(strategy: Strategy, noise: float) -> np.ndarray:
    """``[move, state]``: probability of each move actually played, after a tremble with prob ``noise``."""
    intended = np.array(strategy.cooperate_probability)
    cooperate = intended * (1 - noise) + (1 - intended) * noise
    return np.stack([cooperate, 1 - cooperate])


def exact_match_scores(
    first: Strategy, second: Strategy, payoff: np.ndarray, turns: int, noise: float
) -> tuple[float, float]:
    """Exact expected mean score per turn of both players, from the Markov chain of joint states."""
    distribution = np.zeros((2, 2))
    distribution[first.initial_state, second.initial_state] = 1.0
    totals = np.zeros(2)
    move_first, move_second = (_move_probabilities(player, noise) for player in (first, second))
    for _ in range(turns):
        joint = distribution[None, None, :, :] * move_first[:, None, :, None] * move_second[None, :, None, :]
        outcome = joint.sum(axis=(2, 3))  # [move_first, move_second]
        totals += (outcome * payoff).sum(), (outcome * payoff.T).sum()
        updated = np.zeros((2, 2))
        for a in range(2):
            for b in range(2):
                for s in range(2):
                    for t in range(2):
                        weight = joint[a, b, s, t]
                        if weight:
                            updated[first.next_state[s, a, b], second.next_state[t, b, a]] += weight
        distribution = updated
    return float(totals[0] / turns), float(totals[1] / turns)


def simulate_match(
    first: Strategy,
    second: Strategy,
    payoff: np.ndarray,
    turns: int,
    noise: float,
    random: EnsembleRandom,
    first_slot: int = 0,
) -> np.ndarray:
    """Play one match per replication of ``random``; return mean score per turn, shape ``(runs, 2)``.

    Turn ``t`` of a replication draws four uniforms from its :attr:`Stream.POLICY` stream (day ``t``,
    slots ``first_slot`` to ``first_slot + 3``): each player's intended move, then each player's tremble.
    """
    runs = random.runs
    state_first = np.full(runs, first.initial_state)
    state_second = np.full(runs, second.initial_state)
    cooperate_first = np.array(first.cooperate_probability)
    cooperate_second = np.array(second.cooperate_probability)
    totals = np.zeros((runs, 2))
    for turn in range(turns):
        draws = random.uniform(Stream.POLICY, turn, 4, first_slot).T
        move_first = (draws[0] >= cooperate_first[state_first]).astype(np.int64)
        move_second = (draws[1] >= cooperate_second[state_second]).astype(np.int64)
        move_first ^= draws[2] < noise
        move_second ^= draws[3] < noise
        totals[:, 0] += payoff[move_first, move_second]
        totals[:, 1] += payoff[move_second, move_first]
        state_first = first.next_state[state_first, move_first, move_second]
        state_second = second.next_state[state_second, move_second, move_first]
    return totals / turns


def _pairings(count: int) -> list[tuple[int, int]]:
    return list(combinations_with_replacement(range(count), 2))


def play_round_robin(random: EnsembleRandom, params: Mapping[str, float]) -> dict[str, np.ndarray]:
    """One round robin per replication: every pairing plays one match, from its own four slots.

    Returns:
        ``{"scores": (runs, pairings, 2)}``, pairings in :func:`itertools.combinations_with_replacement`
        order of the strategies.
    """
    strategies = list(make_strategies(params["generosity"]).values())
    payoff = payoff_matrix(params)
    turns, noise = int(params["turns"]), params["noise"]
    scores = [
        simulate_match(strategies[i], strategies[j], payoff, turns, noise, random, first_slot=4 * index)
        for index, (i, j) in enumerate(_pairings(len(strategies)))
    ]
    return {"scores": np.stack(scores, axis=1)}


@dataclass(frozen=True)
class TournamentResult:
    """A round robin (every pairing, self-play included).

    Attributes:
        labels: Strategy labels in table order.
        mean_score: ``mean_score[i, j]``: i's simulated mean score per turn against j.
        standard_error: Standard error of each ``mean_score`` entry (:func:`scipy.stats.sem`).
        exact_score: The exact expected score per turn from the Markov chain.
        tournament_by_run: Each strategy's average score over all opponents in each round robin,
            shape ``(runs, strategies)``.
        params: The parameters used.
    """

    labels: tuple[str, ...]
    mean_score: np.ndarray
    standard_error: np.ndarray
    exact_score: np.ndarray
    tournament_by_run: np.ndarray
    params: dict[str, float]

    def tournament_score(self) -> tuple[tuple[Estimate, ...], np.ndarray]:
        """Each strategy's average over all opponents: simulated with its 99% interval, and exact."""
        simulated = tuple(mean_interval(column, CONFIDENCE) for column in self.tournament_by_run.T)
        return simulated, self.exact_score.mean(axis=1)


class DeterrenceGameModel(StochasticModel):
    """A noisy iterated prisoner's dilemma tournament between seven classic strategies."""

    name = "deterrence_game"

    def simulate(self, params: Parameters, root_seed: int, executor: Executor | None) -> TournamentResult:
        """Play the round robin ``runs`` times, one run key per round robin."""
        p = scalar_parameters(params)
        strategies = make_strategies(p["generosity"])
        labels = tuple(strategies)
        payoff = payoff_matrix(p)
        turns, runs, noise = int(p["turns"]), int(p["runs"]), p["noise"]
        count = len(labels)
        exact = np.zeros((count, count))
        played = replicate(partial(play_round_robin, params=p), runs, root_seed, executor)["scores"]
        by_run = np.zeros((runs, count, count))  # by_run[r, i, j]: i's mean score against j in run r
        for index, (i, j) in enumerate(_pairings(count)):
            first, second = strategies[labels[i]], strategies[labels[j]]
            exact_i, exact_j = exact_match_scores(first, second, payoff, turns, noise)
            by_run[:, j, i], exact[j, i] = played[:, index, 1], exact_j
            by_run[:, i, j], exact[i, j] = played[:, index, 0], exact_i
        mean, error = by_run.mean(axis=0), stats.sem(by_run, axis=0)
        return TournamentResult(labels, mean, error, exact, by_run.mean(axis=2), p)

    def case_heading(self, result: TournamentResult, shown: Mapping[str, str]) -> str:
        """The payoffs, the match length, the noise and the matches per pairing."""
        p = result.params
        return (
            f"T,R,P,S = {shown['payoff_temptation']},{shown['payoff_reward']},"
            f"{shown['payoff_punishment']},{shown['payoff_sucker']}; {int(p['turns'])} turns,"
            f" noise {shown['noise']},"
            f" {int(p['runs'])} matches per pairing"
        )

    def case_details(self, result: TournamentResult, shown: Mapping[str, str]) -> list[str]:
        """The payoff table and the ranking with exact values and 99% intervals."""
        lines = ["  mean score per turn of row against column:"]
        lines.append("  " + " " * 8 + "".join(f"{label:>8}" for label in result.labels))
        for i, label in enumerate(result.labels):
            lines.append(f"  {label:<8}" + "".join(f"{value:8.3f}" for value in result.mean_score[i]))
        simulated, exact = result.tournament_score()
        lines.append("  tournament ranking (average over all opponents, self included):")
        order = np.argsort([-estimate.value for estimate in simulated], kind="stable")
        for rank, i in enumerate(order, start=1):
            score = simulated[i]
            lines.append(
                f"  {rank}. {result.labels[i]:<7} {score.value:.3f}"
                f" [{score.low:.3f}, {score.high:.3f}] (99% CI); exact {exact[i]:.3f}"
            )
        return lines

    def figures(self, results: Mapping[str, TournamentResult]) -> dict[str, Figure]:
        """Payoff-table heat map of each case, and the ranking in every case."""
        stems = case_stems("deterrence_game_payoffs", results)
        drawn = {stem: _payoffs_figure(result) for stem, result in zip(stems, results.values(), strict=True)}

        result = next(iter(results.values()))
        figure, axis = new_figure(size=(8.0, 4.2))
        width = 0.8 / len(results)
        for index, (case, case_result) in enumerate(results.items()):
            simulated, _ = case_result.tournament_score()
            values = np.array([score.value for score in simulated])
            bounds = np.array([[score.low, score.high] for score in simulated])
            positions = np.arange(len(case_result.labels)) + (index - (len(results) - 1) / 2) * width
            axis.bar(
                positions,
                values,
                width,
                yerr=np.abs(bounds - values[:, None]).T,
                capsize=2,
                label=f"{case} (noise {format_value(case_result.params['noise'])})",
            )
        axis.set_xticks(range(len(result.labels)), result.labels)
        label_axis(
            axis,
            "Round-robin tournament: average score against all opponents",
            xlabel="strategy",
            ylabel="tournament score (points per turn)",
        )
        drawn["deterrence_game_tournament"] = figure
        return drawn


def _payoffs_figure(result: TournamentResult) -> Figure:
    """Heat map of one case's mean score per turn, each strategy (row) against each opponent (column)."""
    figure, axis = new_figure(size=(7.0, 5.6))
    image = axis.imshow(result.mean_score, cmap="RdYlGn", vmin=0, vmax=result.params["payoff_temptation"])
    for i in range(len(result.labels)):
        for j in range(len(result.labels)):
            axis.text(j, i, f"{result.mean_score[i, j]:.2f}", ha="center", va="center", fontsize=8)
    axis.set_xticks(range(len(result.labels)), result.labels)
    axis.set_yticks(range(len(result.labels)), result.labels)
    axis.grid(False)
    axis.set_xlabel("opponent (column)")
    axis.set_ylabel("strategy (row)")
    axis.set_title(f"Mean score per turn, row against column (noise {format_value(result.params['noise'])})")
    figure.colorbar(image, ax=axis, label="points per turn")
    return figure
