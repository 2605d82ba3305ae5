"""The web console of a facilitated session: each seat plays from its own browser.

``wargame session serve SESSION_DIR`` (or ``python -m wargame.web SESSION_DIR``) prints one link per
seat and one for the white cell. Pages: a seat's view (its picture, a timeline, a schematic of actors and
links, an escalation gauge, its action menu with effects), the white cell's dashboard (ground truth, every
seat's move and queue, injects, overrides, rolls, pause, rewind, the turn clock) and the after-action
report; they update live (server-sent events). The console drives the session through the session
package's seat front-end interface, so a session moves freely between the terminal and the web: both
write the same journal. See ``docs/web.md``.
"""

from importlib import import_module
from typing import Any

__all__ = [
    "ConsoleError",
    "SeatTokens",
    "Submission",
    "WebConsole",
    "WebFrontEnd",
    "create_app",
    "links",
    "redact",
    "render_report",
    "serve",
]

# Loaded on first use, so that ``wargame.web.cli`` (imported by every ``wargame`` command to register
# ``session serve``) does not import FastAPI and the session stack.
_HOMES = {
    "ConsoleError": "_console",
    "SeatTokens": "_tokens",
    "Submission": "_console",
    "WebConsole": "_console",
    "WebFrontEnd": "_console",
    "create_app": "_app",
    "links": "_server",
    "redact": "_tokens",
    "render_report": "_app",
    "serve": "_server",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'wargame.web' has no attribute {name!r}")
    value = getattr(import_module(f"wargame.web.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
