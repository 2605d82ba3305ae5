"""The engine's core: what the model and the policies both build on.

Run-keyed random streams (:mod:`wargame.core.random_streams`), the policy interface
(:mod:`wargame.core.policy`) and the deterrence calculus (:mod:`wargame.core.deterrence`). Nothing here
imports the model or the policies, so each of them can be imported on its own.
"""

from wargame.core.policy import NO_ACTION, Observation, Policy, PolicyDraws
from wargame.core.random_streams import EnsembleRandom, Stream, run_keys_from_seed

__all__ = [
    "NO_ACTION",
    "EnsembleRandom",
    "Observation",
    "Policy",
    "PolicyDraws",
    "Stream",
    "run_keys_from_seed",
]
