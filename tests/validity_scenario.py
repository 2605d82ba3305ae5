"""A small scenario for the validity tests: two allies, one link, two programs, a short horizon."""

from __future__ import annotations

from pathlib import Path

TINY_SCENARIO = """\
name: Tiny validity theatre
horizon_days: 60
decision_interval_days: 7
turn_length_days: 7
defender: blu
adversary: red
actors:
  - id: blu
    name: Blue
    side: allied
    capability: {air: 0.5, maritime: 0.4, land: 0.5, cyber: 0.5, information: 0.5}
    readiness: 0.6
    resolve: 0.6
    risk_tolerance: 0.2
    isr_detection_probability: 0.6
    attribution_time_hours: 60
    cognitive_resilience: 0.3
    resolve_recovery_per_day: 0.02
    responses:
      - id: alert
        name: Raise alert
        escalation_category: posturing
        effects:
          - {quantity: actors.blu.readiness, add: 0.05}
        cooldown_days: 14
        when: {rung_at_least: coercion}
  - id: grn
    name: Green
    side: allied
    capability: {air: 0.8, maritime: 0.8, land: 0.6, cyber: 0.8, information: 0.8}
    readiness: 0.7
    resolve: 0.5
    risk_tolerance: 0.3
    isr_detection_probability: 0.8
    attribution_time_hours: 24
    forward_presence: 0.4
    reinforcement_days: 14
  - id: red
    name: Red
    side: adversary
    capability: {air: 0.8, maritime: 0.8, land: 0.8, cyber: 0.8, information: 0.8}
    readiness: 0.7
    resolve: 0.9
    isr_detection_probability: 0.7
    risk_tolerance: 0.5
    policy:
      kind: expected_utility
      perception_noise_sigma: 0.3
      perception_bias_sigma: 0.5
      decision_temperature: 0.3
commitments:
  - {from: grn, to: blu, credibility: 0.5}
links:
  - {from: grn, to: blu, latency_hours: 12, fidelity: 0.8}
programs:
  - id: sharing
    objective: intelligence_sharing
    partners: [grn, blu]
    intensity_per_year: 30
    effects:
      - {quantity: links.grn-blu.latency_hours, target: 2, gain_per_exchange: 0.02}
  - id: drills
    objective: combat_readiness
    partners: [grn, blu]
    intensity_per_year: 30
    effects:
      - {quantity: actors.blu.readiness, target: 0.9, gain_per_exchange: 0.02}
gray_zone:
  attribution_deadline_hours: 48
  attribution_mitigation: 0.7
  activities:
    - id: patrols
      name: Patrols
      domain: maritime
      base_rate_per_day: 4
      detectability: 0.9
      resolve_erosion_per_incident: 0.002
    - id: close_patrols
      name: Close patrols
      domain: maritime
      subset_of: patrols
      share: 0.25
      readiness_cost_per_incident: 0.001
escalation:
  war_starts_at: strike
  max_rungs_up_per_decision: 1
  rungs:
    - {id: calm, name: Calm, gain: 0, cost: 0, risk: 0, gray_zone_multiplier: 1,
       escalation_category: status_quo}
    - {id: coercion, name: Coercion, gain: 1.5, cost: 0.5, risk: 1.0, gray_zone_multiplier: 1.5,
       escalation_category: posturing}
    - id: strike
      name: Strike
      gain: 5.0
      cost: 1.5
      risk: 3.0
      gray_zone_multiplier: 1
      escalation_category: violent_escalation
      campaign:
        {weights: {air: 0.5, maritime: 0.5}, force_ratio_needed: 1.0, decisive_days: 7, failure_cost: 1.0}
"""


def write_tiny_scenario(folder: Path, name: str = "tiny.yaml") -> Path:
    """Write the tiny scenario into ``folder`` and return its path."""
    path = folder / name
    path.write_text(TINY_SCENARIO, encoding="utf-8")
    return path
