"""wargame: an engine for tabletop war-games and exercises about deterrence."""

__version__ = "0.1.0"
