"""Campaigns: whether a coercive move succeeds by force, by Lanchester's square law with a battle noise.

In each domain ``d`` the adversary fields ``X_d = capability_d * readiness`` and the allies
``Y_d = sum_a w_a capability_{a,d} readiness_a arrival_a``, where ``w_a`` is the probability that ally
``a`` fights (1 for the coerced actor itself) and ``arrival_a = presence_a + (1 - presence_a) *
min(1, T / reinforcement_days_a)`` the share of its capability in the theatre within the campaign's
decisive ``T`` days. Under Lanchester's square law (aimed fire) the side with the larger fighting strength
``alpha X^2`` against ``beta Y^2`` wins; an attacker that needs a force ratio ``rho_d`` for even odds in
domain ``d`` (each domain is its own exchange) has ``alpha / beta = exp(sigma Z) / rho_d^2`` with a standard
normal battle shock ``Z``. The adversary wins the domain when ``2 ln(X_d / Y_d) - 2 ln rho_d + sigma Z > 0``,
with probability

    p_d = Phi((2 ln(X_d / Y_d) - 2 ln rho_d) / sigma)

and the move succeeds when the domains it wins weigh more than half; its expected success, used in the
adversary's calculus, is ``P(success) ~ sum_d w_d p_d`` (the weighted share of domains it expects to win).

A war is adjudicated with the same law: each domain's shock is drawn, the winner is the side with the larger
fighting strength, and the square law's closed form gives how long the loser lasts until it is reduced to
the breakpoint ``b`` of its force and what the winner loses meanwhile (Washburn & Kress 2009, ch. 2)::

    X(t) = X0 cosh(w t) - sqrt(beta / alpha) Y0 sinh(w t),   w = sqrt(alpha beta)
    t*   = ln(u) / w,  u = (sqrt(b^2 + mu^2 - 1) - b) / (mu - 1),  mu = sqrt(F) > 1 for the winner's
           fighting-strength ratio F = alpha X0^2 / (beta Y0^2) (or its inverse when the defender wins)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special

__all__ = ["CampaignOutcome", "adjudicate", "arrival_share", "domain_success_probability"]

_TINY = 1e-12


def arrival_share(presence: np.ndarray, reinforcement_days: np.ndarray, decisive_days: float) -> np.ndarray:
    """Return the share of an ally's capability in the theatre within ``decisive_days``."""
    if decisive_days <= 0.0:
        return np.asarray(presence, dtype=np.float64)
    arriving = np.minimum(1.0, decisive_days / np.maximum(reinforcement_days, _TINY))
    return presence + (1.0 - presence) * arriving


def domain_success_probability(
    adversary_force: np.ndarray,
    allied_force: np.ndarray,
    force_ratio_needed: float | np.ndarray,
    sigma: float | np.ndarray,
) -> np.ndarray:
    """Return ``Phi((2 ln(X / Y) - 2 ln rho) / sigma)`` elementwise (1 where ``Y`` is zero)."""
    x = np.maximum(adversary_force, _TINY)
    y = np.maximum(allied_force, _TINY)
    return special.ndtr((2.0 * (np.log(x) - np.log(y) - np.log(force_ratio_needed))) / sigma)


@dataclass(frozen=True)
class CampaignOutcome:
    """A war's adjudicated result per run.

    Attributes:
        adversary_wins: Whether the domains the adversary won weigh more than half.
        duration_days: Days until every domain with weight was decided.
        adversary_losses: Share of the adversary's committed force lost (weighted over domains).
        allied_losses: Share of the allies' committed force lost (weighted over domains).
    """

    adversary_wins: np.ndarray
    duration_days: np.ndarray
    adversary_losses: np.ndarray
    allied_losses: np.ndarray


def adjudicate(
    adversary_force: np.ndarray,
    allied_force: np.ndarray,
    weights: np.ndarray,
    *,
    force_ratio_needed: float | np.ndarray,
    sigma: float | np.ndarray,
    attrition_per_day: float | np.ndarray,
    breakpoint: float | np.ndarray,
    shocks: np.ndarray,
) -> CampaignOutcome:
    """Fight a campaign in every domain and return its outcome per run.

    Args:
        adversary_force: ``X``, shape ``(domains, runs)``.
        allied_force: ``Y`` of the allies that fight, shape ``(domains, runs)``.
        weights: Each domain's weight, ``(domains,)`` or ``(domains, runs)``, summing to 1.
        force_ratio_needed: ``rho``, the attacker's force ratio for even odds (a number, one per run, or
            one per domain and run, ``(domains, runs)``).
        sigma: Sigma of the log-normal battle shock (a number or one per run).
        attrition_per_day: ``beta``, the defender's attrition coefficient per day (a number or one per run).
        breakpoint: Share of its force at which a side stops fighting in a domain (a number or one per run).
        shocks: Standard normal battle shocks ``Z``, shape ``(domains, runs)``.
    """
    x = np.maximum(adversary_force, _TINY)
    y = np.maximum(allied_force, _TINY)
    beta = np.asarray(attrition_per_day, dtype=np.float64)
    alpha = beta * np.exp(sigma * shocks) / np.asarray(force_ratio_needed, dtype=np.float64) ** 2
    log_ratio = np.log(alpha) + 2.0 * np.log(x) - np.log(beta) - 2.0 * np.log(y)  # ln F
    adversary_wins_domain = log_ratio > 0.0
    # The winner's mu = sqrt(F) (or sqrt(1 / F)), kept away from 1 where the closed form is 0 / 0.
    mu = np.exp(np.maximum(np.abs(log_ratio) / 2.0, 1e-9))
    b = np.asarray(breakpoint, dtype=np.float64)
    u = (np.sqrt(b**2 + mu**2 - 1.0) - b) / (mu - 1.0)
    omega = np.sqrt(alpha * beta)
    days = np.log(u) / omega
    # The winner keeps cosh(w t) - sinh(w t) / mu of its force when the loser breaks.
    winner_left = np.cosh(omega * days) - np.sinh(omega * days) / mu
    winner_losses = 1.0 - winner_left
    loser_losses = np.broadcast_to(1.0 - b, winner_losses.shape)
    adversary_losses = np.where(adversary_wins_domain, winner_losses, loser_losses)
    allied_losses = np.where(adversary_wins_domain, loser_losses, winner_losses)
    weighted = np.asarray(weights, dtype=np.float64)
    weighted = weighted if weighted.ndim == 2 else weighted[:, None]
    decided = np.where(weighted > 0.0, days, 0.0)
    return CampaignOutcome(
        adversary_wins=(weighted * adversary_wins_domain).sum(axis=0) > 0.5,
        duration_days=decided.max(axis=0),
        adversary_losses=(weighted * adversary_losses).sum(axis=0),
        allied_losses=(weighted * allied_losses).sum(axis=0),
    )
