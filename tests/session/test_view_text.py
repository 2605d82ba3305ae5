"""A seat's view as terminal text."""

from __future__ import annotations

import re
from pathlib import Path

from session_helpers import REFERENCE

from wargame.session import WHITE_CELL, Continue, Session
from wargame.session._view_text import render_view


def test_hours_of_the_sources_are_shown_to_one_decimal(tmp_path: Path) -> None:
    with Session.create(REFERENCE, tmp_path / "s", seats=("twn", "usa"), white_cell=True, seed=12) as session:
        session.submit(Continue(WHITE_CELL))
        prompt = session.pending
        assert prompt.seat == "twn"
        text = render_view(prompt)
    sources = prompt.view["picture"]["sources"]
    own = next(source for source in sources if source["kind"] == "own ISR")
    assert own["analysis_hours"] != round(own["analysis_hours"], 1)  # drawn per run: not a round number
    hours = re.findall(r"(?:analysis|latency) (\S+) h", text)
    assert len(hours) == len(sources)
    assert all(re.fullmatch(r"\d+\.\d", shown) for shown in hours), hours
    assert f"analysis {own['analysis_hours']:.1f} h" in text
