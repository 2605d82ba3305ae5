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
    from wargame.validity._inputs import SobolInput, inputs_from_distributions, inputs_from_levers
    from wargame.validity._levers import Lever, levers_of
    from wargame.validity._report import ValidityReport, render_report, write_report
    from wargame.validity._sobol import SobolResult, analyse_sobol, run_sobol
    from wargame.validity._summary import LeverResult, ScenarioResult, summarise_lever
    from wargame.validity._theory import OUTPUTS, Prediction

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
