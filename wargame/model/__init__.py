"""The deterrence model: actors (Mesa agents), gray zone, information sharing, cooperation programs,
escalation ladder and injects (SimPy), with state held as arrays over an ensemble of runs.

The model knows nothing of runners, sessions, files or screens.
"""

from wargame.core.deterrence import allied_deterrent_terms, deterrence_inputs, rung_utilities
from wargame.core.random_streams import EnsembleRandom, Stream, run_keys_from_seed
from wargame.model.agents import ActorAgent
from wargame.model.simulation import DeterrenceModel

__all__ = [
    "ActorAgent",
    "DeterrenceModel",
    "EnsembleRandom",
    "Stream",
    "allied_deterrent_terms",
    "deterrence_inputs",
    "run_keys_from_seed",
    "rung_utilities",
]
