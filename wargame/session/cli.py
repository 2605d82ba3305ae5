"""The ``wargame session`` command: new, play, status, replay, report, branch.

What the commands print comes partly from the session's journal, which an older version may have written
or anyone may have crafted: every line is printed with its control characters escaped."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from wargame._flags import add_jobs_flag, add_out_flag, add_runs_flag, add_seed_flag, whole_number
from wargame._text import terminal_text
from wargame.scenario import add_scenario_flags

if TYPE_CHECKING:
    from wargame.session import Session, SessionStatus

__all__ = ["add_parser"]


def _show(text: str) -> None:
    """Print a line of output, control characters escaped (:func:`~wargame._text.terminal_text`)."""
    print(terminal_text(text))


def _seat_list(text: str) -> list[str]:
    return [seat.strip() for seat in text.split(",") if seat.strip()]


def _swap(text: str) -> tuple[str, str | None]:
    seat, separator, action = text.partition("=")
    if not separator or not seat:
        raise argparse.ArgumentTypeError(f"expected SEAT=ACTION (ACTION may be 'pass'), got {text!r}")
    return seat, None if action in ("", "pass") else action


def add_parser(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Register ``session`` and its sub-commands; return its sub-parsers, where the CLI adds ``serve``."""
    session = subparsers.add_parser(
        "session", help="facilitated sessions: human seats, fog of war, white cell, journal, report"
    )
    commands = session.add_subparsers(dest="session_command", required=True, parser_class=type(session))

    new = commands.add_parser("new", help="create a session of a scenario")
    new.add_argument("scenario", type=Path, help="scenario YAML file")
    new.add_argument("--seats", type=_seat_list, default=[], help="actors played by people, e.g. twn,usa,jpn")
    new.add_argument("--white-cell", action="store_true", help="facilitators sit as the white cell")
    add_out_flag(new, required=True, help="the session directory to create")
    add_seed_flag(new, default=None, help="root seed (default: random, journaled)")
    add_scenario_flags(new)
    new.add_argument(
        "--secret",
        action="store_true",
        help="sign the journal with a new session key kept outside the session folder (see docs/security.md)",
    )
    new.set_defaults(handler=_new)

    play = commands.add_parser("play", help="play (or resume) a session at this terminal: a hot seat")
    _add_opening(play)
    play.set_defaults(handler=_play)

    status = commands.add_parser("status", help="show where a session stands (writes nothing)")
    _add_opening(status)
    status.set_defaults(handler=_status)

    replay = commands.add_parser(
        "replay", help="rebuild every turn from the journal and check it equals the record (writes nothing)"
    )
    _add_opening(replay)
    replay.set_defaults(handler=_replay)

    report = commands.add_parser("report", help="write the after-action report (HTML and Markdown)")
    _add_opening(report)
    add_out_flag(report, help="report folder (default SESSION_DIR/report)")
    report.set_defaults(handler=_report)

    branch = commands.add_parser("branch", help="counterfactual fan: Monte Carlo continuations from a turn")
    _add_opening(branch)
    branch.add_argument(
        "--turn", type=whole_number(0), required=True, help="branch after this turn's decisions"
    )
    add_runs_flag(branch, default=1000, help="continuations")
    _add_continuation_flags(branch)
    branch.add_argument(
        "--swap", type=_swap, help="SEAT=ACTION: also run with that seat's decision at --turn swapped"
    )
    branch.set_defaults(handler=_branch)

    debrief = commands.add_parser(
        "debrief",
        help="key moments, the session's place among its scenario's sessions, the decisions that mattered",
    )
    _add_opening(debrief)
    add_runs_flag(debrief, default=200, minimum=20, help="continuations per fan")
    _add_continuation_flags(debrief)
    debrief.set_defaults(handler=_debrief)
    return commands


def _add_continuation_flags(parser: argparse.ArgumentParser) -> None:
    """Add ``--jobs`` and ``--seed`` of the Monte Carlo continuations (``branch`` and ``debrief``)."""
    add_jobs_flag(parser, default=1)
    add_seed_flag(parser, default=None, help="seed of the continuations")


def _add_opening(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("session_dir", type=Path)
    parser.add_argument(
        "--key", type=Path, default=None, help="the session key of a signed session, if not in the key folder"
    )
    parser.add_argument(
        "--scenario",
        type=Path,
        default=None,
        help="the scenario file, if it moved since the session started (it must be the same scenario)",
    )


def _open(args: argparse.Namespace, *, read_only: bool) -> Session:
    from wargame.session import Session

    return Session.open(args.session_dir, read_only=read_only, key_file=args.key, scenario_path=args.scenario)


def _players(status: SessionStatus) -> tuple[str, str]:
    """Who plays: the seats people take (and the white cell), and the engine's seats with their policies."""
    people = (", ".join(status.human_seats) or "none") + (" + white cell" if status.white_cell else "")
    engines = ", ".join(f"{seat} ({kind})" for seat, kind in status.engine_seats.items()) or "none"
    return people, engines


_AUTHENTICATION = {
    "signed": "signed with the session key: every entry and the head verify",
    "unsigned": "not signed (no session key): the chain shows accidents, not who wrote it",
    "key missing": "signed, but its key is not here: NOT authenticated (pass --key)",
}


def _new(args: argparse.Namespace) -> int:
    from wargame.scenario import set_overrides
    from wargame.session import Session
    from wargame.session._keys import key_folder

    with Session.create(
        args.scenario,
        args.out,
        seats=args.seats,
        white_cell=args.white_cell,
        seed=args.seed,
        overrides=set_overrides(args.set_flags),
        allow_dirs=args.allow_dirs,
        secret=args.secret,
    ) as session:
        status = session.status()
    people, engines = _players(status)
    _show(f"Created session {args.out} of {status.scenario_name!r} (seed {status.seed}).")
    _show(f"  people: {people}; engine: {engines}")
    if args.secret:
        _show(f"  journal signed; its key is in {key_folder()} (keep it there, away from the session folder)")
    _show(f"  {status.turns_total} turns of {session.scenario.turn_length_days} days. Start with:")
    _show(f"  wargame session play {args.out}")
    return 0


def _play(args: argparse.Namespace) -> int:
    from wargame.errors import InputError
    from wargame.session._frontend import play
    from wargame.session._terminal import TerminalFrontEnd

    with _open(args, read_only=False) as session:
        status = session.status()
        if status.finished:
            # Whatever is typed at a finished session (a move, an argument) cannot be played: say so.
            raise InputError(
                "the session is finished; nothing more can be played (write the report with "
                "`wargame session report`)",
                source=str(args.session_dir),
            )
        saved = session.last_saved_command()
        if saved is not None:
            _show(
                f"Resuming {args.session_dir} at turn {status.turn}, day {status.day} "
                f"(journal entry #{status.entries})."
            )
            seq, time_utc, text = saved
            _show(
                f"  saved before the last stop: {text} (journal entry #{seq}, {time_utc[:19]} UTC); "
                "it is applied: do not type it again."
            )
        play(session, TerminalFrontEnd())
    return 0


def _status(args: argparse.Namespace) -> int:
    with _open(args, read_only=True) as session:
        status = session.status()
        authentication = session.authentication
    people, engines = _players(status)
    if status.finished:
        outcome = status.outcome or {}
        war = f"war on day {outcome.get('war_day'):.0f}" if outcome.get("war") else "no war"
        state = f"finished at turn {status.turn}: {war}, highest rung {outcome.get('max_rung_id')}"
    else:
        waiting = "PAUSED by the white cell" if status.paused else f"waiting for {status.waiting_for}"
        state = f"turn {status.turn} of {status.turns_total}, day {status.day}: {waiting}"
    rows = {
        "scenario": status.scenario_path,
        "people": people,
        "engine": engines,
        "branch": f"{status.branch} of {status.branches}",
        "state": state,
        "journal": f"{status.entries} entries, last at {status.last_entry_utc}",
        "integrity": _AUTHENTICATION[authentication],
    }
    _show(f"Session {status.directory}: {status.scenario_name} (seed {status.seed})")
    for label, value in rows.items():
        _show(f"  {label:<10} {value}")
    return 0


def _replay(args: argparse.Namespace) -> int:
    with _open(args, read_only=True) as session:
        report = session.replay()
        authentication = session.authentication
    for branch in report.branches:
        _show(
            f"branch {branch.branch}: {branch.turns_checked} turns, {branch.views_checked} views, "
            f"{branch.entries_checked} entries re-simulated: all equal to the journal ({branch.ended})"
        )
    _show(f"replay OK: {report.entries_checked} entries checked, journal hash chain and head anchor intact")
    _show(f"journal {_AUTHENTICATION[authentication]}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from wargame.session._report import write_report

    with _open(args, read_only=True) as session:
        paths = write_report(session, args.out)
    for path in paths:
        _show(f"wrote {path}")
    return 0


def _debrief(args: argparse.Namespace) -> int:
    from wargame.session._debrief import DEBRIEF_FILE, debrief

    with _open(args, read_only=True) as session:
        result = debrief(session, runs=args.runs, jobs=args.jobs, seed=args.seed)
    for line in result.lines():
        _show(line)
    _show(f"wrote {args.session_dir / DEBRIEF_FILE} (the report includes it)")
    return 0


def _branch(args: argparse.Namespace) -> int:
    from wargame.session._fan import counterfactual_fan

    with _open(args, read_only=True) as session:
        fan = counterfactual_fan(
            session, turn=args.turn, runs=args.runs, jobs=args.jobs, seed=args.seed, swap=args.swap
        )
    summary = fan.summary()
    actual = summary["actual"]
    state = "" if fan.compared_at_day is None else f" so far (day {fan.compared_at_day})"
    at_day = "" if fan.compared_at_day is None else f" among the continuations at day {fan.compared_at_day}"
    _show(f"{fan.runs} continuations from turn {fan.turn} in {fan.seconds:.1f} s ({fan.jobs} jobs):")
    for line in fan.conditioning.lines():
        _show(f"  {line}")
    low, high = actual["war_probability_interval"]
    _show(
        f"  with the session's decisions: P(war) {actual['war_probability']:.1%} "
        f"(95% interval {low:.1%} to {high:.1%}), mean escalation score {actual['escalation_score_mean']:.1f}"
    )
    if "so_far" in actual:
        so_far = actual["so_far"]
        _show(
            f"  by day {so_far['day']}, where the session stands: P(war) {so_far['war_probability']:.1%}, "
            f"mean escalation score {so_far['escalation_score_mean']:.1f}"
        )
    _show(
        f"  this session{state}: escalation score {fan.session_outcome['escalation_score']:.0f}, "
        f"percentile {fan.escalation_score_percentile:.0f}{at_day}, "
        f"war {'yes' if fan.session_outcome['war'] else 'no'}"
    )
    if "swapped" in summary:
        swapped = summary["swapped"]
        low, high = swapped["war_probability_interval"]
        _show(
            f"  if {swapped['label']}: P(war) {swapped['war_probability']:.1%} "
            f"(95% interval {low:.1%} to {high:.1%}), "
            f"mean escalation score {swapped['escalation_score_mean']:.1f}"
        )
    for path in fan.files:
        _show(f"wrote {path}")
    return 0
