"""Shared fixtures of the teaching-model tests."""

from __future__ import annotations

import pytest

from wargame.teaching import TeachingModel, get_model


@pytest.fixture(scope="module")
def model(request: pytest.FixtureRequest) -> TeachingModel:
    """The teaching model a test file is about, named by the file: ``test_bargaining.py`` tests bargaining."""
    return get_model(request.path.stem.removeprefix("test_"))
