"""The teaching models by name."""

from __future__ import annotations

from wargame.errors import InputError
from wargame.teaching._base import TeachingModel
from wargame.teaching.bargaining import BargainingModel
from wargame.teaching.deterrence_game import DeterrenceGameModel
from wargame.teaching.escalation import EscalationModel
from wargame.teaching.grayzone import GrayZoneModel
from wargame.teaching.lanchester import LanchesterModel
from wargame.teaching.richardson import RichardsonModel

__all__ = ["MODEL_CLASSES", "get_model", "model_names"]

MODEL_CLASSES: dict[str, type[TeachingModel]] = {
    model.name: model
    for model in (
        RichardsonModel,
        LanchesterModel,
        BargainingModel,
        DeterrenceGameModel,
        EscalationModel,
        GrayZoneModel,
    )
}


def model_names() -> list[str]:
    """Names accepted by ``wargame teach``, in lesson order."""
    return list(MODEL_CLASSES)


def get_model(name: str) -> TeachingModel:
    """Load a teaching model and its scenario file.

    Raises:
        InputError: The name is not a teaching model.
    """
    if name not in MODEL_CLASSES:
        raise InputError(
            f"unknown teaching model {name!r}; valid: {', '.join(MODEL_CLASSES)}", source="wargame teach"
        )
    return MODEL_CLASSES[name]()
