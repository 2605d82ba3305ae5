"""teaching package."""
