"""Regenerate ``data/axelrod_reference.json`` from the Axelrod library (an independent implementation).

Run: ``python tests/teaching/make_axelrod_reference.py`` in an environment with ``axelrod`` installed.
The Axelrod library depends on PyTorch (several hundred megabytes, for strategies this file does not use),
so it is not a dev dependency; this file records its output (match scores per turn, mean and standard
deviation over seeded repetitions) so that ``make test`` compares our exact Markov-chain expectations with
it. Every match is seeded, so a rerun with the same library version writes the same bytes (checked with
axelrod 4.14.0).
"""

from __future__ import annotations

import json
import statistics
from itertools import combinations_with_replacement
from pathlib import Path

import axelrod as axl

TURNS = 200
NOISE = 0.05
REPETITIONS = 400

PLAYERS = {
    "ALLC": axl.Cooperator,
    "ALLD": axl.Defector,
    "TFT": axl.TitForTat,
    "GTFT": axl.GTFT,
    "GRIM": axl.Grudger,
    "WSLS": axl.WinStayLoseShift,
    "RANDOM": lambda: axl.Random(0.5),
}


def _scores(first: str, second: str, noise: float, seed: int) -> tuple[float, float]:
    match = axl.Match((PLAYERS[first](), PLAYERS[second]()), turns=TURNS, noise=noise, seed=seed)
    match.play()
    score_first, score_second = match.final_score_per_turn()
    return float(score_first), float(score_second)


def main() -> None:
    pairs = []
    for index, (first, second) in enumerate(combinations_with_replacement(PLAYERS, 2)):
        noisy = [_scores(first, second, NOISE, 1000 * index + rep) for rep in range(REPETITIONS)]
        entry = {"first": first, "second": second}
        if not {"RANDOM", "GTFT"} & {first, second}:  # deterministic pairings only
            entry["noise_free"] = list(_scores(first, second, 0.0, index))
        for side, key in ((0, "first"), (1, "second")):
            values = [scores[side] for scores in noisy]
            entry[f"noisy_{key}_mean"] = statistics.fmean(values)
            entry[f"noisy_{key}_sd"] = statistics.stdev(values)
        pairs.append(entry)
    reference = {
        "generator": f"axelrod {axl.__version__}",
        "turns": TURNS,
        "noise": NOISE,
        "repetitions": REPETITIONS,
        "payoffs": {"T": 5, "R": 3, "P": 1, "S": 0},
        "gtft_generosity": "axelrod default: min(1 - (T-R)/(R-S), (R-P)/(T-P)) = 1/3",
        "pairs": pairs,
    }
    path = Path(__file__).parent / "data" / "axelrod_reference.json"
    path.write_text(json.dumps(reference, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
