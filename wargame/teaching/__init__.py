"""Teaching models validated against analytic results, with ready lessons (``wargame teach``).

Each model is described by ``scenarios/teaching/NAME.yaml`` and provides ``run(params, seed, executor)``,
``report(results)`` and ``figures(results)`` (matplotlib ``Figure`` objects, saved by ``plot``);
``docs/lessons/NAME.md`` is its lesson and ``docs/lessons/notebooks/NAME.py`` its notebook. The escalation
and gray-zone models are one-screen versions of the engine's adversary calculus and attribution mechanics;
stochastic models seed and run their replications the way the engine's runner does.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.teaching._base import TeachingModel, integrate_rk4, parse_parameter_overrides
    from wargame.teaching._registry import MODEL_CLASSES, get_model, model_names
    from wargame.teaching._scenario import TeachingScenario, load_teaching_scenario
    from wargame.teaching._session import TeachingRun, run_teaching_model

__all__ = [
    "MODEL_CLASSES",
    "TeachingModel",
    "TeachingRun",
    "TeachingScenario",
    "get_model",
    "integrate_rk4",
    "load_teaching_scenario",
    "model_names",
    "parse_parameter_overrides",
    "run_teaching_model",
]

_HOMES = {
    "MODEL_CLASSES": "._registry",
    "TeachingModel": "._base",
    "TeachingRun": "._session",
    "TeachingScenario": "._scenario",
    "get_model": "._registry",
    "integrate_rk4": "._base",
    "load_teaching_scenario": "._scenario",
    "model_names": "._registry",
    "parse_parameter_overrides": "._base",
    "run_teaching_model": "._session",
}

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
