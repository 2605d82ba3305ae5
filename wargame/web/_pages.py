"""The HTML shells of the pages: server-rendered frames that ``static/console.js`` fills in and keeps live.

The page carries its first state as JSON (so it shows at once, and after a reload, with no extra
round trip); the script renders it and every later state the same way.
"""

from __future__ import annotations

import html
import json
from typing import Any

__all__ = ["landing_page", "message_page", "seat_page", "white_cell_page"]


def _json(data: Any) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    text = json.dumps(data, allow_nan=False, default=str)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _frame(title: str, body: str, *, kind: str = "", state: Any = None) -> str:
    data = ""
    if state is not None:
        data = f'<script type="application/json" id="initial-state">{_json(state)}</script>'
    script = '<script src="/static/console.js" defer></script>' if kind else ""
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta name='referrer' content='no-referrer'>"
        f"<title>{html.escape(title)}</title>"
        "<link rel='stylesheet' href='/static/console.css'>"
        f"{script}</head><body data-page='{html.escape(kind)}'>{body}{data}</body></html>\n"
    )


def landing_page() -> str:
    return _frame(
        "wargame session",
        "<main class='narrow'><h1>wargame session</h1><p>Open the link you were given for your seat. "
        "Ask the white cell for it if you do not have one.</p></main>",
    )


def message_page(message: str) -> str:
    return _frame(
        "wargame session",
        f"<main class='narrow'><h1>wargame session</h1><p class='error'>{html.escape(message)}</p></main>",
    )


_HEADER = """
<header>
  <div class="title"><span id="who"></span> <span class="muted" id="scenario"></span></div>
  <div class="clock"><span id="turn"></span> <span id="day"></span> <span id="branch" class="muted"></span>
    <span id="turn-clock" class="muted"></span></div>
  <div id="phase" class="phase"></div>
  <div id="live" class="live" title="live updates">offline</div>
</header>
"""


def _main(grid: str, move_id: str, move_title: str, *, controls: str, panels: str) -> str:
    """A page below the header: its move panel (a status line and the feedback on the last command above
    ``controls``), then the other ``panels``."""
    return f"""{_HEADER}
<main class="{grid}">
  <section class="panel move" id="{move_id}">
    <h2>{move_title}</h2>
    <p id="move-status" class="status"></p>
    <p id="feedback" class="feedback" role="status"></p>
{controls}
  </section>
{panels}
</main>"""


_SEAT_CONTROLS = """\
    <div id="menu"></div>
    <div id="programs"></div>
    <div id="arguments"></div>"""

_SEAT_PANELS = """\
  <section class="panel"><h2>Escalation</h2><div id="gauge"></div><p id="warning"></p></section>
  <section class="panel"><h2>Your picture</h2><p id="view-age" class="muted"></p><div id="map"></div>
    <div id="picture"></div></section>
  <section class="panel"><h2>Your state</h2><div id="own"></div></section>
  <section class="panel"><h2>Timeline</h2><div id="timeline"></div></section>
  <section class="panel"><h2>News</h2><div id="news"></div><div id="notices"></div>
    <p class="muted"><a id="report-link" hidden>After-action report</a></p></section>"""

_WHITE_CELL_CONTROLS = """\
    <div class="buttons">
      <button id="wc-continue" type="button">Continue: the seats move</button>
      <button id="wc-pause" type="button">Pause</button>
      <button id="wc-resume" type="button">Resume</button>
      <label>Rewind to turn <select id="wc-rewind-turn"></select></label>
      <button id="wc-rewind" type="button">Rewind</button>
    </div>
    <fieldset><legend>Prepared injects of the scenario</legend>
      <select id="wc-library"></select>
      <button id="wc-fire" type="button">Fire</button>
      <p id="wc-library-text" class="muted"></p>
    </fieldset>
    <fieldset><legend>Inject (public) or override (reason recorded)</legend>
      <label>Text or reason <input id="wc-text" size="40" maxlength="2000"></label>
      <div class="effect"><select id="wc-quantity"></select>
        <select id="wc-op"><option>add</option><option>multiply</option><option>set</option></select>
        <input id="wc-value" type="number" step="any" size="6" placeholder="value"></div>
      <button id="wc-inject" type="button">Inject</button>
      <button id="wc-override" type="button">Override</button>
    </fieldset>
    <fieldset><legend>Matrix-game roll: 2d6 + strength, 7 or more succeeds (effect above on success)</legend>
      <label>Argument <input id="wc-argument" size="40" maxlength="2000"></label>
      <label>Strength <select id="wc-strength"></select></label>
      <label>On a seat's argument <select id="wc-on-argument"></select></label>
      <label><input id="wc-roll-effect" type="checkbox"> apply the effect above on success</label>
      <button id="wc-roll" type="button">Roll</button>
    </fieldset>"""

_WHITE_CELL_PANELS = """\
  <section class="panel"><h2>Seats this turn</h2><div id="seats"></div></section>
  <section class="panel"><h2>Ground truth</h2><div id="gauge"></div><div id="truth"></div>
    <div id="activities"></div></section>
  <section class="panel"><h2>Actors and links</h2><div id="map"></div><div id="map-legend"></div></section>
  <section class="panel"><h2>Trajectory</h2><div id="trajectory"></div></section>
  <section class="panel"><h2>Quantities</h2><div id="quantities"></div></section>
  <section class="panel"><h2>White-cell log</h2><div id="log"></div><div id="notices"></div>
    <p><a id="report-link">After-action report</a></p></section>"""


def seat_page(seat: str, state: dict[str, Any]) -> str:
    body = _main("grid", "move-panel", "Your move", controls=_SEAT_CONTROLS, panels=_SEAT_PANELS)
    return _frame(f"{seat} · wargame session", body, kind="seat", state=state)


def white_cell_page(state: dict[str, Any]) -> str:
    body = _main(
        "grid wide", "controls", "White cell", controls=_WHITE_CELL_CONTROLS, panels=_WHITE_CELL_PANELS
    )
    return _frame("White cell · wargame session", body, kind="white_cell", state=state)
