"""The web console of a facilitated session: each seat plays from its own browser.

``wargame session serve SESSION_DIR`` (or ``python -m wargame.web SESSION_DIR``) prints one link per
seat and one for the white cell. Pages: a seat's view (its picture, a timeline, a schematic of actors and
links, an escalation gauge, its action menu with effects), the white cell's dashboard (ground truth, every
seat's move and queue, injects, overrides, rolls, pause, rewind, the turn clock) and the after-action
report; they update live (server-sent events). The console drives the session through the session
package's seat front-end interface, so a session moves freely between the terminal and the web: both
write the same journal. See ``docs/web.md``.
"""

from typing import TYPE_CHECKING

from wargame._lazy import lazy_exports

# Loaded on first use, so that ``wargame.web.cli`` (imported by every ``wargame`` command to register
# ``session serve``) does not import FastAPI and the session stack.
if TYPE_CHECKING:
    from wargame.web._app import create_app, render_report
    from wargame.web._console import ConsoleError, Submission, WebConsole, WebFrontEnd
    from wargame.web._server import links, serve
    from wargame.web._tokens import SeatTokens, redact

__getattr__, __dir__, __all__ = lazy_exports(__name__, __file__)
