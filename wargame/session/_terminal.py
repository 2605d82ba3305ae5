"""The terminal front end: a hot seat, where the people at a table share one screen.

Before each private view the screen is handed over ("pass the screen to ...") so that a seat sees only its
own picture. Commands are typed one per line; see ``help`` at any prompt or ``docs/sessions.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

from pydantic import ValidationError

from wargame.errors import InputError
from wargame.scenario import Effect
from wargame.session._commands import (
    WHITE_CELL,
    Argument,
    Command,
    Continue,
    CounterArgument,
    Inject,
    MatrixRoll,
    Override,
    Pause,
    ProgramChange,
    Rewind,
    SeatAction,
    validation_message,
)
from wargame.session._engine import Prompt
from wargame.session._errors import shown
from wargame.session._session import Ack

__all__ = ["TerminalFrontEnd", "parse_seat_command", "parse_white_cell_command", "render_view"]

_RULE = "=" * 78

SEAT_HELP = """\
Commands:
  NUMBER or ACTION_ID           take that action (ends your move); 0 or `pass` takes none
  program PROGRAM_ID INTENSITY  set a cooperation program's exchanges per year (does not end your move)
  argue ACTION... because REASONS...
                                matrix game: state an action and why it works (does not end your move)
  counter ID REASONS...         why another seat's argument (A1, A2...) should fail
  view                          show your view again
  help                          this text"""

WHITE_CELL_HELP = """\
Commands (the white cell moves first at every decision point):
  continue (or an empty line)   done: the seats move
  news TEXT...                  a narrative inject: public text, no effect on any quantity
  fire ID                       fire one of the scenario's prepared injects (listed with your view)
  inject QUANTITY OP VALUE TEXT...       add an event now (OP: add, multiply or set); TEXT is public
  override QUANTITY OP VALUE REASON...   override an adjudication, with the reason recorded
  adjudicate ID MODIFIER [=> QUANTITY OP VALUE]
                                matrix game: rule on a seat's argument (A1...): 2d6 + MODIFIER (-3..+3)
  roll STRENGTH ARGUMENT... [=> QUANTITY OP VALUE]
                                matrix game: 2d6 + STRENGTH (-3..+3), 7 or more succeeds;
                                the effect after => applies on success
  rewind TURN                   go back to the decision point of TURN (a new branch; nothing is deleted)
  pause                         stop here; `wargame session play` resumes
  view                          show the ground truth again
  help                          this text"""


def _text(words: str) -> str:
    """Free text as typed: quotes are part of it (``Japan's``), one pair around all of it is dropped."""
    text = words.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()
    return text


def _effect(text: str, usage: str) -> tuple[Effect, str]:
    """Parse ``QUANTITY OP VALUE [REST...]``; return the effect and the rest of the line as typed."""
    words = text.split(maxsplit=3)
    if len(words) < 3:
        raise InputError(f"usage: {usage}")
    quantity, operation, value_text = words[:3]
    rest = words[3] if len(words) > 3 else ""
    if operation not in ("add", "multiply", "set"):
        raise InputError(f"the operation must be add, multiply or set, not {shown(operation)}")
    try:
        value = float(value_text)
    except ValueError:
        raise InputError(f"expected a number, got {shown(value_text)}") from None
    try:
        effect = Effect.model_validate({"quantity": quantity, operation: value})
    except ValidationError as error:
        raise InputError(f"bad effect: {error.errors()[0]['msg']}") from None
    return effect, rest


def parse_seat_command(seat: str, line: str, menu: list[dict[str, Any]]) -> Command | str:
    """Parse a seat's line into a command, or return ``"view"``/``"help"`` for those requests.

    Raises:
        InputError: If the line is not a command, or a value is out of a command's range.
    """
    try:
        return _parse_seat_command(seat, line, menu)
    except ValidationError as error:
        where, message = validation_message(error)
        raise InputError(message, field=where or None) from None


def _parse_seat_command(seat: str, line: str, menu: list[dict[str, Any]]) -> Command | str:
    words = line.split()
    if not words:
        raise InputError("type an action (a number or id), `pass`, or `help`")
    head = words[0].lower()
    if head in ("view", "help"):
        return head
    if head == "argue":
        action, found, reasons = line.strip()[len(words[0]) :].partition(" because ")
        if not found or not action.strip() or not reasons.strip():
            raise InputError("usage: argue ACTION... because REASONS...")
        return Argument(seat=seat, action=_text(action), reasons=_text(reasons))
    if head == "counter":
        if len(words) < 3:
            raise InputError("usage: counter ID REASONS... (ID: A1, A2... as listed with your view)")
        reasons = line.strip()[len(words[0]) :].strip()[len(words[1]) :]
        return CounterArgument(seat=seat, argument=words[1].upper(), reasons=_text(reasons))
    if head == "program":
        if len(words) != 3:
            raise InputError("usage: program PROGRAM_ID INTENSITY")
        try:
            intensity = float(words[2])
        except ValueError:
            raise InputError(f"expected a number of exchanges a year, got {shown(words[2])}") from None
        return ProgramChange(seat=seat, program=words[1], intensity_per_year=intensity)
    if len(words) != 1:
        raise InputError("one action at a time: a number or an action id")
    if head in ("pass", "0"):
        return SeatAction(seat=seat, action=None)
    if head.isdigit():
        number = int(head)
        if not 1 <= number <= len(menu):
            raise InputError(f"no action number {number}: choose 0 to {len(menu)}")
        return SeatAction(seat=seat, action=menu[number - 1]["id"])
    return SeatAction(seat=seat, action=words[0])


def parse_white_cell_command(line: str) -> Command | str:
    """Parse a white-cell line into a command, or return ``"view"``/``"help"``.

    Raises:
        InputError: If the line is not a command, or a value is out of a command's range.
    """
    try:
        return _parse_white_cell_command(line)
    except ValidationError as error:
        where, message = validation_message(error)
        raise InputError(message, field=where or None) from None


def _parse_white_cell_command(line: str) -> Command | str:
    words = line.split()
    if not words or (words[0].lower() == "continue" and len(words) == 1):
        return Continue(seat=WHITE_CELL)
    head, rest = words[0].lower(), words[1:]
    tail = line.strip()[len(words[0]) :].strip()
    if head in ("view", "help"):
        return head
    if head == "pause":
        return Pause(seat=WHITE_CELL)
    if head == "rewind":
        if len(rest) != 1 or not rest[0].isdigit():
            raise InputError("usage: rewind TURN")
        return Rewind(seat=WHITE_CELL, to_turn=int(rest[0]))
    if head == "fire":
        if len(rest) != 1:
            raise InputError("usage: fire ID (one of the prepared injects listed with your view)")
        return Inject(seat=WHITE_CELL, library=rest[0])
    if head == "news":
        if not tail:
            raise InputError("usage: news TEXT...")
        return Inject(seat=WHITE_CELL, text=_text(tail))
    if head in ("inject", "override"):
        effect, text = _effect(tail, f"{head} QUANTITY OP VALUE TEXT...")
        if head == "inject":
            return Inject(seat=WHITE_CELL, text=_text(text), effects=(effect,))
        return Override(seat=WHITE_CELL, reason=_text(text), effects=(effect,))
    if head == "adjudicate":
        if len(rest) < 2:
            raise InputError("usage: adjudicate ID MODIFIER [=> QUANTITY OP VALUE]")
        try:
            modifier = int(rest[1])
        except ValueError:
            raise InputError(f"the modifier is a whole number from -3 to +3, got {shown(rest[1])}") from None
        adjudicated: tuple[Effect, ...] = ()
        if "=>" in tail:
            effect, extra = _effect(tail.partition("=>")[2], "adjudicate ID MODIFIER => QUANTITY OP VALUE")
            if extra:
                raise InputError("only the effect goes after =>")
            adjudicated = (effect,)
        return MatrixRoll(
            seat=WHITE_CELL, strength=modifier, effects=adjudicated, on_argument=rest[0].upper()
        )
    if head == "roll":
        if not rest:
            raise InputError("usage: roll STRENGTH ARGUMENT... [=> QUANTITY OP VALUE]")
        try:
            strength = int(rest[0])
        except ValueError:
            raise InputError(f"the strength is a whole number from -3 to +3, got {shown(rest[0])}") from None
        argument = tail[len(rest[0]) :].strip()
        effects: tuple[Effect, ...] = ()
        if "=>" in argument:
            argument, _, effect_text = argument.partition("=>")
            effect, extra = _effect(effect_text, "roll STRENGTH ARGUMENT... => QUANTITY OP VALUE")
            if extra:
                raise InputError("put the argument before => and only the effect after it")
            effects = (effect,)
        return MatrixRoll(seat=WHITE_CELL, argument=_text(argument), strength=strength, effects=effects)
    raise InputError(f"unknown command {shown(words[0])}; type `help`")


# ---------------------------------------------------------------------- rendering
def _effects_text(effects: list[dict[str, Any]]) -> str:
    parts = []
    for effect in effects:
        for operation, sign in (("add", ""), ("multiply", "×"), ("set", "=")):
            if operation in effect:
                value = effect[operation]
                shown = f"{value:+g}" if operation == "add" else f"{sign}{value:g}"
                parts.append(f"{effect['quantity']} {shown}")
    return "; ".join(parts) or "none"


def _news_lines(view: dict[str, Any]) -> list[str]:
    if not view.get("news"):
        return []
    lines = ["News since your last look:"]
    lines += [f"  day {item['day']:>3} [{item['source']}] {item['text']}" for item in view["news"]]
    return lines


def _posture_line(view: dict[str, Any]) -> str:
    posture = view["adversary_posture"]
    war = "  WAR HAS STARTED" if view["war"] else ""
    return (
        f"Adversary posture: {posture['rung_name']} (rung {posture['rung_index']} of "
        f"{posture['rungs'] - 1}){war}"
    )


def _render_seat(view: dict[str, Any]) -> list[str]:
    lines = [_posture_line(view)]
    if "mobilization_warning" in view:
        warned = view["mobilization_warning"]
        lines.append(
            "Mobilization warning: "
            + ("YES: your picture shows the adversary mobilizing" if warned else "none")
        )
    lines += _news_lines(view)
    if "picture" in view:
        picture = view["picture"]
        lines.append(
            f"Your picture this turn (attribution deadline {picture['deadline_hours']:g} h). Sources:"
        )
        for source in picture["sources"]:
            if source["kind"] == "own ISR":
                lines.append(
                    f"  own ISR: detection {source['isr_detection_probability']:.2f}, "
                    f"analysis {source['analysis_hours']:g} h"
                )
            else:
                lines.append(
                    f"  link from {source['from']}: latency {source['latency_hours']:.1f} h, fidelity "
                    f"{source['fidelity']:.2f}, their ISR {source['isr_detection_probability']:.2f}, "
                    f"domains {', '.join(source['domains'])}"
                )
        lines.append(f"  {'activity':<44}{'detected':>9}{'in time':>9}{'mean h':>8}{'to date':>9}")
        for activity in picture["activities"]:
            hours = activity["mean_delivery_hours"]
            lines.append(
                f"  {activity['name'][:43]:<44}{activity['detected']:>9}{activity['attributed_in_time']:>9}"
                f"{'' if hours is None else f'{hours:.0f}':>8}{activity['detected_to_date']:>9}"
            )
    if "operations" in view:
        lines.append("Your operations this turn:")
        lines += [f"  {op['name'][:50]:<52}{op['conducted']:>6}" for op in view["operations"]]
    lines.append("Your state:")
    own = view["own"]
    lines += [f"  {path:<44}{value:>9.3f}" for path, value in own.items()]
    if view.get("programs"):
        lines.append("Cooperation programs you are a partner in (exchanges a year):")
        lines += [f"  {p['id']:<44}{p['intensity_per_year']:>9.1f}" for p in view["programs"]]
    if view.get("own_actions"):
        recent = ", ".join(f"t{a['turn']} {a['action'] or 'pass'}" for a in view["own_actions"])
        lines.append(f"Your recent decisions: {recent}")
    lines.append("Actions:")
    lines.append("   0  pass")
    for number, item in enumerate(view["menu"], start=1):
        if "effects" in item:
            detail = f"effects: {_effects_text(item['effects'])}"
            if item["delay_days"]:
                detail += f" after {item['delay_days']:g} d"
            if item["cooldown_days"]:
                detail += f"; cooldown {item['cooldown_days']:g} d"
        else:
            expected = item["expected"]
            detail = (
                f"gain {expected['gain']:g}, cost {expected['cost']:g}, risk {expected['risk']:g}, "
                f"gray zone ×{expected['gray_zone_multiplier']:g}"
            )
        status = "" if item["allowed"] else "   (not available now"
        if not item["allowed"] and item.get("available_in_days"):
            status += f"; in {item['available_in_days']:g} d"
        status += ")" if status else ""
        lines.append(f"  {number:>2}  {item['id']:<20}{item['name'][:34]:<35}[{item['category']}]{status}")
        lines.append(f"      {detail}")
    return lines


def _render_white_cell(view: dict[str, Any]) -> list[str]:
    lines = [_posture_line(view) + "   (GROUND TRUTH)"]
    pending = view["pending_mobilization"]
    lines.append(f"Pending mobilization: {pending or 'none'}    escalation score: {view['escalation_score']}")
    lines += _news_lines(view)
    seats = list(view["pictures"])
    header = f"  {'activity':<40}{'true':>6}" + "".join(f"{seat:>8}" for seat in seats)
    lines.append("Incidents since your last look: truth against each seat's picture (detected)")
    lines.append(header)
    for j, activity in enumerate(view["activities"]):
        known = "".join(f"{view['pictures'][seat]['detected'][j]:>8}" for seat in seats)
        lines.append(f"  {activity['name'][:39]:<40}{activity['incidents']:>6}{known}")
    warnings = ", ".join(
        f"{seat}: {'yes' if p['mobilization_warning'] else 'no'}" for seat, p in view["pictures"].items()
    )
    if warnings:
        lines.append(f"Mobilization warning by seat: {warnings}")
    lines.append("Quantities:")
    quantities = list(view["quantities"].items())
    for start in range(0, len(quantities), 2):
        pair = quantities[start : start + 2]
        lines.append("  " + "".join(f"{path[:36]:<37}{value:>7.3f}   " for path, value in pair))
    return lines


def render_view(prompt: Prompt) -> str:
    """Return a prompt's view as text for a terminal."""
    view = prompt.view or {}
    who = (
        "WHITE CELL"
        if prompt.seat == WHITE_CELL
        else f"{view.get('actor_name', prompt.seat)} ({prompt.seat})"
    )
    lines = [_RULE, f" Turn {prompt.turn} · day {prompt.day} · {who}", _RULE]
    lines += _render_white_cell(view) if prompt.seat == WHITE_CELL else _render_seat(view)
    arguments = view.get("arguments") or []
    if arguments:
        lines.append("Arguments (matrix game):")
        for item in arguments:
            result = item["result"]
            state = (
                f"adjudicated: 2d6 {result['dice']} {result['modifier']:+d} = {result['total']}, "
                f"{'succeeded' if result['success'] else 'failed'}"
                if result
                else "open"
            )
            lines.append(f"  {item['id']} t{item['turn']} {item['seat']}: {item['action']} [{state}]")
            lines.append(f"      because {item['reasons']}")
            lines += [f"      {c['seat']} counters: {c['reasons']}" for c in item["counters"]]
    if prompt.injects:
        lines.append("Prepared injects (fire ID):")
        lines += [f"  {inject_id:<28}{name}" for inject_id, name in prompt.injects]
    return "\n".join(lines)


class TerminalFrontEnd:
    """Hot-seat play at one terminal.

    Args:
        read_line: Reads one line after printing a prompt (``input`` by default); raises ``EOFError`` at
            the end of input.
        out: Where text goes.
        clear_screen: Clear the screen at each hand-over (default: when ``out`` is a terminal).
    """

    def __init__(
        self,
        read_line: Callable[[str], str] = input,
        out: TextIO | None = None,
        clear_screen: bool | None = None,
    ) -> None:
        self.read_line = read_line
        self.out = out or sys.stdout
        self.clear_screen = self.out.isatty() if clear_screen is None else clear_screen
        self._shown: tuple[int, int, str, str] | None = None

    def _print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def _hand_over(self, prompt: Prompt) -> None:
        who = (
            "the white cell"
            if prompt.seat == WHITE_CELL
            else (prompt.view or {}).get("actor_name", prompt.seat)
        )
        if self.clear_screen:
            self.out.write("\033[2J\033[H")
        self._print(
            f"\n--- Turn {prompt.turn}, day {prompt.day}: pass the screen to {who} ({prompt.seat}) ---"
        )
        self.read_line("Press Enter when only they are looking: ")

    def choose(self, prompt: Prompt) -> Command | None:
        identity = (prompt.turn, prompt.day, prompt.seat, prompt.kind)
        try:
            if identity != self._shown:
                self._hand_over(prompt)
                self._print(render_view(prompt))
                self._print("Type `help` for commands.")
                self._shown = identity
            while True:
                line = self.read_line(f"{prompt.seat}> ")
                try:
                    if prompt.seat == WHITE_CELL:
                        parsed = parse_white_cell_command(line)
                    else:
                        parsed = parse_seat_command(prompt.seat, line, (prompt.view or {}).get("menu", []))
                except InputError as error:
                    self._print(f"  not understood: {error}")
                    continue
                if parsed == "help":
                    self._print(WHITE_CELL_HELP if prompt.seat == WHITE_CELL else SEAT_HELP)
                elif parsed == "view":
                    self._print(render_view(prompt))
                else:
                    assert isinstance(parsed, Command)
                    return parsed
        except EOFError:
            self._print()
            return None

    def acknowledge(self, prompt: Prompt, command: Command, ack: Ack) -> None:
        self._print(f"  recorded: {ack.describe or command.describe()} (journal entry #{ack.seq})")
        if ack.result is not None:
            result = ack.result
            outcome = "SUCCESS" if result["success"] else "failure"
            self._print(
                f"  2d6 rolled {result['dice'][0]} + {result['dice'][1]}, modifier {result['modifier']:+d}: "
                f"{result['total']} against {result['needed']}: {outcome}"
            )

    def reject(self, prompt: Prompt, command: Command, error: InputError) -> None:
        self._print(f"  not accepted: {error}")

    def notify(self, message: str) -> None:
        self._print(message)
