"""Human-readable axis labels, with units, from parameter paths and outcome names.

Units live in names (``latency_hours``, ``intensity_per_year``), so ``links.usa-twn.latency_hours``
becomes ``usa-twn latency (hours)`` and a yes/no outcome ``war`` becomes ``P(war) (share of runs)``.
"""

from __future__ import annotations

__all__ = ["outcome_label", "outcome_title", "parameter_label", "short_label", "split_units"]

_UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("_per_year", "per year"),
    ("_per_day", "per day"),
    ("_per_hour", "per hour"),
    ("_hours", "hours"),
    ("_days", "days"),
    ("_day", "day"),
    ("_seconds", "s"),
    ("_fraction", "fraction"),
    ("_usd", "USD"),
    ("_km", "km"),
)


def split_units(name: str) -> tuple[str, str | None]:
    """Split ``latency_hours`` into ``("latency", "hours")``; ``("resolve", None)`` when there is none."""
    for suffix, unit in _UNIT_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name.removesuffix(suffix).replace("_", " "), unit
    return name.replace("_", " "), None


def parameter_label(path: str, label: str | None = None) -> str:
    """Return an axis label for a parameter: its own ``label`` if given, else one made from the path."""
    if label:
        return label
    segments = path.split(".")
    words, unit = split_units(segments[-1])
    context = " ".join(segment.replace("_", " ") for segment in segments[1:-1])
    text = f"{context} {words}".strip()
    return f"{text} ({unit})" if unit else text


def short_label(label: str) -> str:
    """Drop a trailing parenthesis (the units) from a label: ``latency (hours)`` -> ``latency``."""
    head, separator, _ = label.rstrip().rpartition(" (")
    return head if separator and label.rstrip().endswith(")") else label


def outcome_title(name: str, statistic: str) -> str:
    """Return a plot title for an outcome: ``P(war)`` for a rate, ``mean escalation score`` for a mean."""
    words, _ = split_units(name)
    return f"P({words})" if statistic == "rate" else f"mean {words}"


def outcome_label(name: str, statistic: str) -> str:
    """Return an axis label for an outcome: ``P(war) (share of runs)`` for a rate, else its mean."""
    if statistic == "rate":
        return f"P({name.replace('_', ' ')}) (share of runs)"
    words, unit = split_units(name)
    return f"{words} ({unit})" if unit else words
