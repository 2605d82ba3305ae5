"""Validity of the model: does every lever of a scenario move its outputs the way theory predicts?

``wargame validity`` (and ``make validity``, which writes ``docs/validity.md``) derives the levers of each
scenario (:func:`levers_of`), runs each over its levels on common random numbers, checks every response
(:func:`check_lever`: no effect, effect where none expected, wrong sign, jump), computes the total Sobol
indices of P(war) (:func:`run_sobol`) and renders one Markdown report (:func:`render_report`)::

    from wargame.runner.executors import SerialExecutor
    from wargame.scenario import load_scenario
    from wargame.validity import validate_scenario

    scenario = load_scenario("scenarios/taiwan_strait_baseline.yaml")
    result = validate_scenario(scenario, "baseline", runs=500, levels=5, seed=0, executor=SerialExecutor(),
                               sobol_base=16, sobol_runs=16)
    print(result.passed, result.failures())

Names are imported on first use, so ``wargame --help`` does not load SciPy or SALib.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

if TYPE_CHECKING:
    from wargame.validity._api import validate_scenario
    from wargame.validity._checks import Flag, check_lever, jump, no_effect, unexpected_effect, wrong_sign
    from wargame.validity._ensemble import LeverResponse, run_levers
    from wargame.validity._levers import Lever, levers_of
    from wargame.validity._report import ValidityReport, render_report, write_report
    from wargame.validity._sobol import (
        SobolInput,
        SobolResult,
        analyse_sobol,
        inputs_from_distributions,
        inputs_from_levers,
        run_sobol,
    )
    from wargame.validity._summary import LeverResult, ScenarioResult, summarise_lever
    from wargame.validity._theory import OUTPUTS, Prediction

_HOMES = {
    "OUTPUTS": "._theory",
    "Flag": "._checks",
    "Lever": "._levers",
    "LeverResponse": "._ensemble",
    "LeverResult": "._summary",
    "Prediction": "._theory",
    "ScenarioResult": "._summary",
    "SobolInput": "._sobol",
    "SobolResult": "._sobol",
    "ValidityReport": "._report",
    "analyse_sobol": "._sobol",
    "check_lever": "._checks",
    "inputs_from_distributions": "._sobol",
    "inputs_from_levers": "._sobol",
    "jump": "._checks",
    "levers_of": "._levers",
    "no_effect": "._checks",
    "render_report": "._report",
    "run_levers": "._ensemble",
    "run_sobol": "._sobol",
    "summarise_lever": "._summary",
    "unexpected_effect": "._checks",
    "validate_scenario": "._api",
    "write_report": "._report",
    "wrong_sign": "._checks",
}

__all__ = [
    "OUTPUTS",
    "Flag",
    "Lever",
    "LeverResponse",
    "LeverResult",
    "Prediction",
    "ScenarioResult",
    "SobolInput",
    "SobolResult",
    "ValidityReport",
    "analyse_sobol",
    "check_lever",
    "inputs_from_distributions",
    "inputs_from_levers",
    "jump",
    "levers_of",
    "no_effect",
    "render_report",
    "run_levers",
    "run_sobol",
    "summarise_lever",
    "unexpected_effect",
    "validate_scenario",
    "write_report",
    "wrong_sign",
]

__getattr__, __dir__ = lazy_exports(__name__, _HOMES)
