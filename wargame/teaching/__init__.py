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

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
