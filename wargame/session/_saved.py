"""The files of a session folder besides the journal, read back: the fans ``wargame session branch`` saves
(each summary and plot under ``fans/``) and ``debrief.json`` ``wargame session debrief`` saves, which the
report shows, and the journal's head anchor (``head.json``).

Whoever can write the folder can put anything there, so each file is read as exactly what is written
there: a regular file (not a symbolic link, a folder or a FIFO) of bounded size; a PNG for a plot; JSON
validated by a pydantic model of what is written (every key, its type, finite numbers, one value per
continuation). Anything else is one :class:`~wargame.errors.InputError` naming the file and the field.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from wargame.errors import InputError
from wargame.session._errors import shown
from wargame.session._files import FileTooLargeError, read_regular_file

__all__ = [
    "DEBRIEF_FILE",
    "FANS_FOLDER",
    "MAX_FAN_RUNS",
    "FanSummary",
    "HeadAnchor",
    "SavedDebrief",
    "SavedFan",
    "read_debrief",
    "read_fans",
    "read_head_anchor",
    "saved_files_stamp",
]

FANS_FOLDER = "fans"
DEBRIEF_FILE = "debrief.json"
MAX_FAN_RUNS = 20_000
"""The most continuations one fan runs: its summary then stays under :data:`FAN_SUMMARY_BYTES`."""
MAX_FANS = 200
"""The most fans a report shows."""
FAN_SUMMARY_BYTES = 8 << 20
"""The largest fan summary read (:data:`MAX_FAN_RUNS` continuations and a swap, from an unfinished session on
a 100-year horizon, write 6 MB)."""
FAN_PLOTS_BYTES = 32 << 20
"""The most bytes of fan plots a report holds, all fans together (a plot is about 80 kB)."""
DEBRIEF_BYTES = 4 << 20
"""The largest debrief read."""
_ANCHOR_BYTES = 4096
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]{1,64}")
_ROUNDING = 1e-9
"""How far a probability or a percentile summed from weights may stray past its bound."""


class _Saved(BaseModel):
    """A saved JSON object: exactly the keys written, strict types, finite numbers."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


type _Whole = Annotated[int, Field(ge=0)]
type _Probability = Annotated[float, Field(ge=0.0, le=1.0 + _ROUNDING)]
type _Percentile = Annotated[float, Field(ge=0.0, le=100.0 + _ROUNDING)]
type _Rung = Annotated[str, Field(pattern=r"^\d{1,6}$")]
type _Quantiles = Annotated[list[float], Field(max_length=64, fail_fast=True)]
type _Sentences = Annotated[list[str], Field(max_length=64, fail_fast=True)]
# A value per continuation: as many as the fan ran (checked by FanSummary), and no more than its file holds.
type _PerRun[T] = Annotated[list[T], Field(fail_fast=True)]


class _Outcomes(_Saved):
    """The continuations' outcomes (at the horizon, or so far)."""

    war_probability: _Probability
    war_probability_interval: Annotated[list[_Probability], Field(min_length=2, max_length=2)] | None = None
    escalation_score_mean: float
    escalation_score_quantiles: _Quantiles
    max_rung_shares: Annotated[dict[_Rung, _Probability], Field(max_length=1000)] | None = None
    max_rung_distribution: Annotated[dict[_Rung, _Whole], Field(max_length=1000)] | None = None
    """Counts of the highest rung: what fans saved before the continuations were weighted hold instead
    of ``max_rung_shares``."""
    escalation_scores: _PerRun[int]
    war: _PerRun[bool]


class _SoFar(_Outcomes):
    """The continuations' outcomes on the day an unfinished session stands."""

    day: _Whole


class FanSide(_Outcomes):
    """One set of continuations: with the session's decisions, or with one swapped."""

    label: str
    rung_quantiles_by_day: Annotated[
        list[Annotated[list[float], Field(fail_fast=True)]], Field(max_length=64)
    ]
    effective_sample_size: Annotated[float, Field(ge=0.0)] | None = None
    weights: _PerRun[float] | None = None
    so_far: _SoFar | None = None

    def per_run(self) -> dict[str, int]:
        """The length of each list that holds a value per continuation, by its field path."""
        lengths = {"escalation_scores": len(self.escalation_scores), "war": len(self.war)}
        if self.weights is not None:
            lengths["weights"] = len(self.weights)
        if self.so_far is not None:
            lengths["so_far.escalation_scores"] = len(self.so_far.escalation_scores)
            lengths["so_far.war"] = len(self.so_far.war)
        return lengths


class _Conditioning(_Saved):
    """What the continuations share with the session and what they draw afresh."""

    history_through_turn: _Whole
    history_through_day: _Whole
    conditions_on: _Sentences
    adversary_seat: Literal["policy", "person"]
    adversary_moves: _Whole
    sampled_afresh: _Sentences
    effective_sample_size: Annotated[float, Field(ge=0.0)]
    low_effective_sample_size: bool
    statement: _Sentences


class _SessionOutcome(_Saved):
    war: bool
    war_day: float | None
    max_rung: float | None
    escalation_score: float | None


class FanSummary(_Saved):
    """The summary ``wargame session branch`` saves beside a fan's plot (``fans/turn-N[-swap-...].json``).

    ``conditioning`` and ``compared_at_day`` are absent, and each side holds ``max_rung_distribution``
    without weights, in fans saved before the continuations were weighted by the adversary's moves.
    """

    turn: _Whole
    branch_day: _Whole
    runs: Annotated[int, Field(ge=1)]
    seed: _Whole
    jobs: Annotated[int, Field(ge=1)]
    quantiles: _Quantiles
    session_finished: bool
    compared_at_day: _Whole | None = None
    session_outcome: _SessionOutcome
    session_rung_by_day: Annotated[list[int], Field(fail_fast=True)]
    escalation_score_percentile: _Percentile
    seconds: Annotated[float, Field(ge=0.0)]
    conditioning: _Conditioning | None = None
    actual: FanSide
    swapped: FanSide | None = None

    @model_validator(mode="after")
    def _one_value_per_run(self) -> Self:
        for name, side in (("actual", self.actual), ("swapped", self.swapped)):
            for field, length in ({} if side is None else side.per_run()).items():
                if length != self.runs:
                    raise _MismatchError(f"{name}.{field}", f"{length} values for {self.runs} continuations")
        return self


class HeadAnchor(_Saved):
    """The journal's head, as the journal writes it to ``head.json`` after every commit (and beside the key of
    a signed session): its entry count, the last entry's hash, and for a signed session their HMAC."""

    entries: _Whole
    head_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    mac: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class _WhatIf(_Saved):
    turn: _Whole
    seat: str
    action: str
    war_probability: _Probability
    war_probability_if_passed: _Probability
    escalation_score_mean: float
    escalation_score_mean_if_passed: float


class SavedDebrief(_Saved):
    """What ``wargame session debrief`` saves as ``debrief.json`` (``compared_at_day`` is absent in debriefs
    saved before unfinished sessions were compared on their day). The report shows ``lines`` as saved."""

    finished: bool
    moments: Annotated[
        list[Annotated[tuple[StrictInt, StrictStr], Field(strict=False)]], Field(fail_fast=True)
    ]
    runs: Annotated[int, Field(ge=1)]
    ensemble_war_probability: _Probability
    ensemble_escalation_score_mean: float
    session_escalation_score: float
    session_war: bool
    escalation_score_percentile: _Percentile
    what_ifs: Annotated[list[_WhatIf], Field(fail_fast=True)]
    compared_at_day: _Whole | None = None
    lines: Annotated[list[str], Field(fail_fast=True)]


class _MismatchError(ValueError):
    """Values that disagree with each other, at ``field``."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SavedFan:
    """A fan the report shows: its summary and its plot's bytes."""

    plot_name: str
    plot: bytes
    summary: FanSummary


def read_fans(directory: Path) -> Iterator[SavedFan]:
    """Read the fans saved under ``directory/fans`` one at a time, in the order of their names (a summary
    without its plot beside it is left out).

    Raises:
        InputError: For a fans folder that is a link or holds more than :data:`MAX_FANS` fans, and for any
            fan whose summary or plot is not what ``branch`` writes.
    """
    folder = directory / FANS_FOLDER
    if folder.is_symlink():
        raise InputError(
            "is a symbolic link; only files in the session folder are read", source=_where(folder)
        )
    if not folder.is_dir():
        return
    pairs = [
        (summary, summary.with_suffix(".png"))
        for summary in sorted(folder.glob("*.json"))
        if os.path.lexists(summary.with_suffix(".png"))
    ]
    if len(pairs) > MAX_FANS:
        raise InputError(
            f"holds {len(pairs)} fans; a report shows at most {MAX_FANS}: move some elsewhere",
            source=_where(folder),
        )
    plots_left = FAN_PLOTS_BYTES
    for summary_path, plot_path in pairs:
        summary = _validated(FanSummary, _json(summary_path, FAN_SUMMARY_BYTES), summary_path)
        plot = _regular_file(
            plot_path, plots_left, f"the fans' plots add up to over {_megabytes(FAN_PLOTS_BYTES)}"
        )
        if not plot.startswith(_PNG_SIGNATURE):
            raise InputError("not a PNG image", source=_where(plot_path))
        plots_left -= len(plot)
        yield SavedFan(plot_path.name, plot, summary)


def read_debrief(directory: Path) -> SavedDebrief | None:
    """Read ``directory/debrief.json``, if there is one.

    Raises:
        InputError: If it is not what ``debrief`` writes.
    """
    path = directory / DEBRIEF_FILE
    if not os.path.lexists(path):
        return None
    return _validated(SavedDebrief, _json(path, DEBRIEF_BYTES), path)


def saved_files_stamp(directory: Path) -> tuple[tuple[str, int, int, int, int], ...]:
    """What changes whenever ``debrief`` or ``branch`` saves, replaces or removes a file the report reads:
    the name, inode, size and modification and change times (ns) of ``debrief.json``, of the fans folder
    and of each entry in it (links not followed; an entry that cannot be looked at is left out, and the
    report says why when it reads it)."""
    folder = directory / FANS_FOLDER
    paths = [directory / DEBRIEF_FILE, folder]
    with contextlib.suppress(OSError):  # no fans folder (or not one the report reads): no fans to stamp
        if not folder.is_symlink():
            paths += sorted(folder.iterdir())
    stamp = []
    for path in paths:
        try:
            info = path.lstat()
        except OSError:
            continue
        name = path.relative_to(directory).as_posix()
        stamp.append((name, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns))
    return tuple(stamp)


def read_head_anchor(path: Path) -> HeadAnchor | None:
    """Read the journal's head anchor at ``path``, if there is one.

    Raises:
        InputError: If it is not what the journal writes ("the journal's head anchor is unreadable").
    """
    if not os.path.lexists(path):
        return None
    unreadable = "the journal's head anchor is unreadable"
    try:
        data = read_regular_file(path, _ANCHOR_BYTES)  # a link is followed, as the journal always did
    except (OSError, ValueError) as error:
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise InputError(f"{unreadable} ({reason or error})", source=_where(path)) from None
    return _validated(HeadAnchor, _parsed(data, path, unreadable), path, unreadable)


def _regular_file(path: Path, limit: int, too_big: str) -> bytes:
    """Return the bytes of ``path``, a regular file (a link is not followed) of at most ``limit`` bytes;
    ``too_big`` says what is wrong if it is larger."""
    try:
        return read_regular_file(path, limit, follow_links=False)
    except FileTooLargeError:
        raise InputError(too_big, source=_where(path)) from None
    except ValueError as error:
        raise InputError(str(error), source=_where(path)) from None
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror or error})", source=_where(path)) from None


def _json(path: Path, limit: int) -> Any:
    return _parsed(_regular_file(path, limit, f"over {_megabytes(limit)}"), path, "not JSON the report reads")


def _parsed(data: bytes, path: Path, unreadable: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{unreadable}: not UTF-8 text", source=_where(path)) from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{unreadable}: {error.msg} (line {error.lineno}, column {error.colno})", source=_where(path)
        ) from None
    except ValueError:  # an integer too long to convert
        raise InputError(
            f"{unreadable}: a number of over {sys.get_int_max_str_digits()} digits", source=_where(path)
        ) from None
    except RecursionError:
        raise InputError(f"{unreadable}: nested too deep", source=_where(path)) from None


def _validated[M: BaseModel](model: type[M], data: Any, path: Path, unreadable: str | None = None) -> M:
    """``data`` validated by ``model``; an error names the field, after ``unreadable`` if given."""
    prefix = "" if unreadable is None else f"{unreadable}: "
    if not isinstance(data, dict):
        raise InputError(f"{prefix}not a JSON object but {type(data).__name__}", source=_where(path))
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
    cause = first.get("ctx", {}).get("error")
    if isinstance(cause, _MismatchError):
        raise InputError(f"{prefix}{cause}", source=_where(path), field=cause.field)
    message = "missing" if first["type"] == "missing" else first["msg"]
    raise InputError(f"{prefix}{message}", source=_where(path), field=_location(first["loc"]) or None)


def _location(loc: tuple[str | int, ...]) -> str:
    """``actual.weights[3]`` for pydantic's ``('actual', 'weights', 3)`` (a dict key's ``[key]`` tag left
    out; a key that is not a plain name is shown quoted and cut short)."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part != "[key]":
            name = part if _PLAIN_NAME.fullmatch(part) else shown(part)
            text += f".{name}" if text else name
    return text


def _where(path: Path) -> str:
    """The path as an error names it: its name quoted (and cut short) if it holds a line break or another
    control character."""
    return str(path) if path.name.isprintable() else f"{path.parent}/{shown(path.name)}"


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):g} MB"
