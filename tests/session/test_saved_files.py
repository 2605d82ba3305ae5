"""The fans and the debrief saved in a session folder, read back by the report: every file `branch` and
`debrief` write is read; anything else (a missing key, a wrong type, NaN, not JSON, too big, not a regular
file, a symbolic link) is one InputError naming the file and the field, and no part of the report is
written."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from session_helpers import play_out, write_short_scenario

from wargame.errors import InputError
from wargame.session import SeatAction, Session
from wargame.session._conditioning import Conditioning, Weighted
from wargame.session._debrief import debrief
from wargame.session._fan import FanReport, FanSide, counterfactual_fan
from wargame.session._report import write_report
from wargame.session._saved import MAX_FAN_RUNS, read_fans

FAN = "turn-1-swap-usa-pass"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished five-turn session with a fan (and its swap) and a debrief, as `branch` and `debrief`
    save them."""
    folder = tmp_path_factory.mktemp("saved")
    scenario = write_short_scenario(folder)
    with Session.create(scenario, folder / "s", seats=("usa",), seed=4) as session:
        session.submit(SeatAction("usa", "signal"))
        play_out(session)
        counterfactual_fan(session, turn=1, runs=20, swap=("usa", None))
        debrief(session, runs=20)
    return folder / "s"


@pytest.fixture
def session_dir(saved: Path, tmp_path: Path) -> Path:
    """A copy of the saved session to spoil."""
    return shutil.copytree(saved, tmp_path / "s")


def _report(session_dir: Path) -> Path:
    with Session.open(session_dir, read_only=True) as session:
        write_report(session)
    return session_dir / "report"


def _refused(session_dir: Path) -> InputError:
    """The report's refusal; it wrote nothing."""
    with pytest.raises(InputError) as caught:
        _report(session_dir)
    assert not (session_dir / "report").exists()
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 1000
    return caught.value


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=1))  # json writes nan and inf as NaN and Infinity


@pytest.mark.slow
def test_the_saved_fan_and_debrief_are_in_the_report(session_dir: Path) -> None:
    markdown = (_report(session_dir) / "report.md").read_text()
    assert "20 continuations from turn 1 under the default policies: P\\(war\\)" in markdown
    assert "If usa takes no action at turn 1: P\\(war\\)" in markdown
    assert f"![counterfactual fan](figures/fan-{FAN}.png)" in markdown
    assert "Effective sample size" in markdown
    assert "Debrief" in markdown and "Key moments:" in markdown


def _set(path: tuple[str, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for key in path[:-1]:
            data = data[key]
        data[path[-1]] = value

    return change


def _drop(*path: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        for key in path[:-1]:
            data = data[key]
        del data[path[-1]]

    return change


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (_drop("runs"), "runs", "missing"),
        (_drop("actual", "escalation_score_mean"), "actual.escalation_score_mean", "missing"),
        (_set(("runs",), "many"), "runs", "integer"),
        (_set(("turn",), 1.5), "turn", "integer"),
        (_set(("escalation_score_percentile",), float("nan")), "escalation_score_percentile", "finite"),
        (_set(("actual", "war_probability"), float("inf")), "actual.war_probability", "finite"),
        (_set(("actual", "war_probability"), 3.0), "actual.war_probability", "less than or equal"),
        (_set(("escalation_score_percentile",), -5), "escalation_score_percentile", "greater than"),
        (_set(("swapped", "label"), 7), "swapped.label", "string"),
        (_set(("conditioning", "statement"), "a sentence"), "conditioning.statement", "list"),
        (_set(("conditioning", "statement"), [None]), "conditioning.statement[0]", "string"),
        (_set(("actual", "weights"), [0.05] * 100_000), "actual.weights", "100000 values for 20"),
        (_set(("actual", "max_rung_shares"), {"high": 1.0}), "actual.max_rung_shares.high", "pattern"),
        (_set(("surprise",), 1), "surprise", "not permitted"),
    ],
)
def test_a_malformed_fan_is_one_line_naming_its_field(
    session_dir: Path, change: Callable[[dict[str, Any]], None], field: str, message: str
) -> None:
    path = session_dir / "fans" / f"{FAN}.json"
    _edit(path, change)
    error = _refused(session_dir)
    assert error.source == str(path) and error.field == field
    assert message in error.message


def test_what_an_error_echoes_of_a_crafted_fan_is_one_short_line(session_dir: Path) -> None:
    fans = session_dir / "fans"
    crafted = fans / "turn-1\nforged.json"
    shutil.copyfile(fans / f"{FAN}.json", crafted)
    shutil.copyfile(fans / f"{FAN}.png", crafted.with_suffix(".png"))
    _edit(crafted, _set(("\n" + "x" * 5000,), 1))
    error = _refused(session_dir)  # one line, under 1,000 characters
    assert "forged.json" in error.source and "xxx" in error.field


def test_a_fan_that_is_not_an_object(session_dir: Path) -> None:
    path = session_dir / "fans" / f"{FAN}.json"
    path.write_text("[1, 2, 3]")
    error = _refused(session_dir)
    assert error.source == str(path) and "object" in error.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"turn": 1, "runs":', "not JSON"),
        (b'{"turn": 1, "runs": 5,,}', "line 1"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"[" * 100_000, "nested too deep"),
        (b'{"turn": ' + b"1" * 5000 + b"}", "digits"),
    ],
)
def test_a_fan_that_is_not_json(session_dir: Path, content: bytes, message: str) -> None:
    path = session_dir / "fans" / f"{FAN}.json"
    path.write_bytes(content)
    error = _refused(session_dir)
    assert error.source == str(path) and message in error.message


def test_a_50_megabyte_fan_is_refused_unread(session_dir: Path) -> None:
    path = session_dir / "fans" / f"{FAN}.json"
    with path.open("wb") as handle:
        handle.truncate(50 << 20)
    error = _refused(session_dir)
    assert error.source == str(path) and "over" in error.message and "MB" in error.message


def test_a_fan_that_is_a_folder(session_dir: Path) -> None:
    path = session_dir / "fans" / "turn-2.json"
    path.mkdir()
    shutil.copyfile(session_dir / "fans" / f"{FAN}.png", session_dir / "fans" / "turn-2.png")
    error = _refused(session_dir)
    assert error.source == str(path) and "not a regular file" in error.message


@pytest.mark.parametrize("suffix", [".json", ".png"])
def test_a_fan_file_that_is_a_link_out_of_the_folder(session_dir: Path, tmp_path: Path, suffix: str) -> None:
    path = session_dir / "fans" / f"{FAN}{suffix}"
    outside = tmp_path / f"elsewhere{suffix}"
    shutil.move(path, outside)  # a well-formed file, only elsewhere
    path.symlink_to(outside)
    error = _refused(session_dir)
    assert error.source == str(path) and "symbolic link" in error.message


def test_a_fans_folder_that_is_a_link(session_dir: Path, tmp_path: Path) -> None:
    shutil.move(session_dir / "fans", tmp_path / "fans")
    (session_dir / "fans").symlink_to(tmp_path / "fans")
    error = _refused(session_dir)
    assert error.source == str(session_dir / "fans") and "symbolic link" in error.message


def test_a_fan_plot_that_is_not_a_png(session_dir: Path) -> None:
    path = session_dir / "fans" / f"{FAN}.png"
    path.write_text("<svg></svg>")
    error = _refused(session_dir)
    assert error.source == str(path) and "not a PNG" in error.message


def test_a_fifo_in_place_of_a_fan(session_dir: Path) -> None:
    path = session_dir / "fans" / f"{FAN}.json"
    path.unlink()
    os.mkfifo(path)  # opening it for reading would wait for a writer
    error = _refused(session_dir)
    assert error.source == str(path) and "not a regular file" in error.message


def test_a_fan_without_its_plot_is_left_out(session_dir: Path) -> None:
    (session_dir / "fans" / f"{FAN}.png").unlink()
    (session_dir / "fans" / "notes.json").write_text("not a fan, and no plot beside it")
    markdown = (_report(session_dir) / "report.md").read_text()
    assert "continuations from turn" not in markdown


def test_a_fan_saved_before_conditioning_and_weights_is_still_read(session_dir: Path) -> None:
    """The first fans had unweighted statistics: counts of the highest rung, no conditioning, no weights,
    no comparison day."""

    def first_format(data: dict[str, Any]) -> None:
        for key in ("conditioning", "compared_at_day"):
            del data[key]
        for side in (data["actual"], data["swapped"]):
            for key in ("war_probability_interval", "effective_sample_size", "weights"):
                del side[key]
            shares = side.pop("max_rung_shares")
            side["max_rung_distribution"] = {rung: round(share * 20) for rung, share in shares.items()}

    _edit(session_dir / "fans" / f"{FAN}.json", first_format)
    markdown = (_report(session_dir) / "report.md").read_text()
    assert "20 continuations from turn 1 under the default policies" in markdown
    assert "Effective sample size" not in markdown


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (_drop("lines"), "lines"),
        (_set(("lines",), "Debrief"), "lines"),
        (_set(("lines",), ["Debrief", 3]), "lines[1]"),
        (_set(("escalation_score_percentile",), float("nan")), "escalation_score_percentile"),
        (_set(("what_ifs",), [{"turn": 1}]), "what_ifs[0].seat"),
        (_set(("moments",), [[7, "x", "y"]]), "moments[0]"),
    ],
)
def test_a_malformed_debrief_is_one_line_naming_its_field(
    session_dir: Path, change: Callable[[dict[str, Any]], None], field: str
) -> None:
    path = session_dir / "debrief.json"
    _edit(path, change)
    error = _refused(session_dir)
    assert error.source == str(path) and error.field == field


@pytest.mark.parametrize("content", [b"Debrief: fine", b"\x00" * 100])
def test_a_debrief_that_is_not_json(session_dir: Path, content: bytes) -> None:
    path = session_dir / "debrief.json"
    path.write_bytes(content)
    assert _refused(session_dir).source == str(path)


def test_a_debrief_that_is_a_link_or_too_big(session_dir: Path, tmp_path: Path) -> None:
    path = session_dir / "debrief.json"
    shutil.move(path, tmp_path / "debrief.json")
    path.symlink_to(tmp_path / "debrief.json")
    assert "symbolic link" in _refused(session_dir).message
    path.unlink()
    with path.open("wb") as handle:
        handle.truncate(50 << 20)
    assert "over" in _refused(session_dir).message


def test_a_debrief_with_older_text_is_shown_as_saved(session_dir: Path) -> None:
    """A debrief saved before percentiles were ordinals, and before unfinished sessions were compared on
    their day (no ``compared_at_day``): its lines are shown as they were saved."""
    old_line = "This session among 20 sessions ...: escalation score 9, at the 61th percentile (mean 7.5)"

    def older(data: dict[str, Any]) -> None:
        del data["compared_at_day"]
        data["lines"][-1] = old_line

    _edit(session_dir / "debrief.json", older)
    markdown = (_report(session_dir) / "report.md").read_text()
    assert "at the 61th percentile \\(mean 7.5\\)" in markdown


def test_too_many_fans_are_refused(session_dir: Path) -> None:
    fans = session_dir / "fans"
    for turn in range(300):
        (fans / f"turn-{turn}-copy.json").symlink_to(fans / f"{FAN}.json")  # never opened
        (fans / f"turn-{turn}-copy.png").touch()
    error = _refused(session_dir)
    assert error.source == str(fans) and "fans" in error.message


def _largest_side(label: str, runs: int, days: int, rng: np.random.Generator) -> FanSide:
    """Continuations whose summary is as long as it gets: 17-digit weights, four-digit scores, so-far
    columns, a rung quantile for every day."""
    outcomes = {}
    for suffix in ("", "_so_far"):
        outcomes[f"war{suffix}"] = rng.random(runs) < 0.5
        outcomes[f"war_day{suffix}"] = rng.integers(0, days, runs).astype(float)
        outcomes[f"max_rung{suffix}"] = rng.integers(0, 9, runs)
        outcomes[f"escalation_score{suffix}"] = rng.integers(-999, 9999, runs)
    weights = rng.random(runs) + 1.0
    weighted = Weighted(weights / weights.sum())
    quantiles = rng.integers(0, 9, (5, days)).astype(float)
    return FanSide(label, pd.DataFrame(outcomes), quantiles, weighted)


def test_the_largest_fan_branch_writes_is_read(saved: Path, tmp_path: Path) -> None:
    """The most continuations `branch` runs, with a swap, of an unfinished session on the longest horizon
    a scenario may have: its summary (written as `branch` writes it) is under the size limit and valid."""
    rng = np.random.default_rng(5)
    runs, days = MAX_FAN_RUNS, 36_500
    actual = _largest_side("the session's decisions", runs, days, rng)
    report = FanReport(
        turn=5_000,
        branch_day=35_001,
        runs=runs,
        seed=2**32 - 1,
        jobs=64,
        actual=actual,
        swapped=_largest_side("usa takes signal_resolve at turn 5000", runs, days, rng),
        conditioning=Conditioning(
            5_000, 35_000, 5_000, "policy", actual.weighted.effective_sample_size, runs
        ),
        session_outcome={"war": True, "war_day": 35_000, "max_rung": 8, "escalation_score": 9_999},
        session_finished=False,
        session_rung_by_day=rng.integers(0, 9, 35_000).tolist(),
        escalation_score_percentile=99.99999999999999,
        seconds=86_400.123456789,
        compared_at_day=35_000,
    )
    fans = tmp_path / "s" / "fans"
    fans.mkdir(parents=True)
    (fans / "turn-5000.json").write_text(json.dumps(report.summary(), indent=1) + "\n")  # as _fan._save
    shutil.copyfile(saved / "fans" / f"{FAN}.png", fans / "turn-5000.png")
    [fan] = read_fans(tmp_path / "s")
    assert fan.summary.runs == runs and fan.summary.swapped is not None
    assert len(fan.summary.swapped.so_far.escalation_scores) == runs


def test_a_fan_of_more_continuations_is_not_run(saved: Path) -> None:
    with (
        Session.open(saved, read_only=True) as session,
        pytest.raises(InputError, match="--runs: runs must be from 1 to 20,000"),
    ):
        counterfactual_fan(session, turn=1, runs=MAX_FAN_RUNS + 1)
