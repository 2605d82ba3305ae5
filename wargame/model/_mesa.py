"""The one place that imports Mesa: a thin layer so a future Mesa 4 touches a single module.

Uses the Mesa 3.5 API: ``Model(rng=...)``, ``Agent(model)``, ``model.agents`` AgentSets, and the model's
``steps`` and ``time`` counters. Mesa 3.5 steps a model by scheduling ``step`` on its own event list; this
engine's day is split in parts that a facilitated session drives one by one (``begin_day``, decisions,
``end_day``), so the model keeps Mesa's counters itself (:func:`tick`) and its timed events on SimPy
(:mod:`wargame.model.events`): one clock, ``model.day == model.steps == model.time`` between days.
"""

from __future__ import annotations

import mesa

__all__ = ["Agent", "AgentSet", "Model", "own_the_clock", "tick"]

Agent = mesa.Agent
AgentSet = mesa.agent.AgentSet
Model = mesa.Model


def own_the_clock(model: mesa.Model) -> None:
    """Stop Mesa's default step schedule and restore the model's own ``step``: the model counts its days."""
    model._default_schedule.stop()
    model.step = model._user_step


def tick(model: mesa.Model) -> None:
    """Count one day on Mesa's clock: ``steps`` and ``time`` move together."""
    model.steps += 1
    model.time = float(model.steps)
