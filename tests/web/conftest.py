"""Fixtures of the web console tests: a session served in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_helpers import Web, close_web, new_session, open_web


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    """Two seats (twn, usa) and the white cell on a five-turn session, served in-process."""
    served = open_web(new_session(tmp_path))
    try:
        yield served
    finally:
        close_web(served)
