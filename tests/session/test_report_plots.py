"""The after-action report's plots: a legend that names the seats, a colour per seat that stays the same
across plots, sessions and scenarios, and a lane of markers per seat."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import to_rgba
from session_helpers import REFERENCE

from wargame.scenario import load_scenario
from wargame.session._plots import knowledge_figure, seat_colour, trajectory_figure

SCENARIO = load_scenario(REFERENCE)
VARIANT = load_scenario(REFERENCE.parent / "no_information_sharing.yaml")
DECISIONS = [
    {"day": 7, "seat": "usa", "action": "signal", "name": "Carrier transit"},
    {"day": 14, "seat": "twn", "action": "publicize", "name": "Publicize incidents"},
    {"day": 21, "seat": "usa", "action": "reinforce", "name": "Reinforce"},
]
RUNGS = [0] * 7 + [1] * 14 + [2] * 7


def _legend(figure) -> list[str]:
    return [text.get_text() for ax in figure.axes if ax.get_legend() for text in ax.get_legend().get_texts()]


def _seat_markers(figure) -> dict[str, tuple[np.ndarray, tuple]]:
    """The markers of each seat's lane: label → (offsets, face colour)."""
    lanes = figure.axes[1]
    return {
        collection.get_label(): (collection.get_offsets(), tuple(collection.get_facecolor()[0]))
        for collection in lanes.collections
    }


def test_the_trajectory_legend_names_the_seats_and_each_has_its_lane_of_markers() -> None:
    figure = trajectory_figure(SCENARIO, RUNGS, DECISIONS, [{"day": 10, "label": "inject"}])
    legend = _legend(figure)
    assert "Taiwan's actions" in legend and "United States's actions" in legend
    assert "adversary rung" in legend and "inject / override / roll" in legend
    assert any(label.startswith("war (") for label in legend)
    assert not any(label in ("twn", "usa") for label in legend)  # names, not ids
    markers = _seat_markers(figure)
    assert set(markers) == {"Taiwan's actions", "United States's actions"}
    taiwan, usa = markers["Taiwan's actions"][0], markers["United States's actions"][0]
    assert taiwan[:, 0].tolist() == [14] and usa[:, 0].tolist() == [7, 21]
    # One lane per seat: the markers sit on different rows, off the rung axis.
    assert len(set(taiwan[:, 1]) | set(usa[:, 1])) == 2
    assert [label.get_text() for label in figure.axes[1].get_yticklabels()] == ["Taiwan", "United States"]


def test_a_seat_keeps_its_colour_across_plots_sessions_and_scenarios() -> None:
    usa, twn, jpn = (seat_colour(SCENARIO, seat) for seat in ("usa", "twn", "jpn"))
    assert len({usa, twn, jpn, seat_colour(SCENARIO, "prc")}) == 4
    assert seat_colour(VARIANT, "usa") == usa and seat_colour(VARIANT, "twn") == twn
    # A session where only the US acted draws it in the same colour as one where Taiwan acted too.
    alone = _seat_markers(trajectory_figure(SCENARIO, RUNGS, DECISIONS[:1], []))
    both = _seat_markers(trajectory_figure(SCENARIO, RUNGS, DECISIONS, []))
    assert alone["United States's actions"][1] == both["United States's actions"][1] == to_rgba(usa)
    assert both["Taiwan's actions"][1] == to_rgba(twn)
    # The knowledge plot draws each seat's picture in the seat's colour, whatever the order given.
    knowledge = knowledge_figure(SCENARIO, [1, 2], [30, 40], {"jpn": [20, 25], "usa": [28, None]})
    lines = {line.get_label(): to_rgba(line.get_color()) for line in knowledge.axes[0].get_lines()}
    assert lines == {"Japan's picture": to_rgba(jpn), "United States's picture": to_rgba(usa)}
    assert "true incidents (ground truth)" in _legend(knowledge)
