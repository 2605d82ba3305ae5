"""The package version (read by ``pyproject.toml`` too), in a module of its own so that any layer can record
it without importing the facade."""

__version__ = "0.1.0"
