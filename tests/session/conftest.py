"""Fixtures of the session tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from session_helpers import write_short_scenario


@pytest.fixture
def short_scenario(tmp_path: Path) -> Path:
    """The reference scenario cut to five weekly turns (35 days)."""
    return write_short_scenario(tmp_path)
