"""The one place that imports Mesa: a thin layer so a future Mesa 4 touches a single module.

Uses the Mesa 3.5 API only: ``Model(rng=...)``, ``Agent(model)``, ``model.agents`` AgentSets.
"""

from __future__ import annotations

import mesa

__all__ = ["Agent", "AgentSet", "Model"]

Agent = mesa.Agent
AgentSet = mesa.agent.AgentSet
Model = mesa.Model
