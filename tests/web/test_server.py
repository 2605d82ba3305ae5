"""The real server process: links, live updates over server-sent events, logs, and a clean stop."""

from __future__ import annotations

import queue
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from web_helpers import new_session, served

from wargame.session import Session


def _events(url: str, token: str, out: queue.Queue, stop: threading.Event) -> None:
    """Put each server-sent event's name on ``out`` until ``stop`` is set or the stream ends."""
    try:
        with httpx.stream("GET", url, headers={"Authorization": f"Bearer {token}"}, timeout=20) as response:
            out.put(("status", response.status_code))
            for line in response.iter_lines():
                if line.startswith("event: "):
                    out.put(("event", line.removeprefix("event: ")))
                if stop.is_set():
                    return
    except httpx.HTTPError as error:
        out.put(("error", repr(error)))


@pytest.mark.slow
def test_the_server_prints_links_pushes_changes_logs_no_token_and_stops_cleanly(tmp_path: Path) -> None:
    directory = new_session(tmp_path)
    with served(directory) as server:
        assert set(server.links) == {"twn", "usa", "white_cell"}
        assert server.links["twn"].startswith(f"{server.base_url}/seats/twn?token=")
        assert server.base_url.startswith("http://127.0.0.1:")
        received: queue.Queue = queue.Queue()
        stop = threading.Event()
        listener = threading.Thread(
            target=_events,
            args=(f"{server.base_url}/api/seats/usa/events", server.token("usa"), received, stop),
            daemon=True,
        )
        listener.start()
        assert received.get(timeout=10) == ("status", 200)
        assert received.get(timeout=10) == ("event", "changed")  # the first event comes at once
        page = httpx.get(server.links["twn"])
        assert page.status_code == 200 and "initial-state" in page.text
        response = httpx.post(
            f"{server.base_url}/api/white-cell/commands",
            json={"kind": "continue", "turn": 1},
            headers={"Authorization": f"Bearer {server.token('white_cell')}"},
        )
        assert response.status_code == 200, response.text
        assert received.get(timeout=10) == ("event", "changed")  # pushed: no polling, no reload
        state = httpx.get(
            f"{server.base_url}/api/seats/usa/state",
            headers={"Authorization": f"Bearer {server.token('usa')}"},
        ).json()
        assert state["session"]["waiting_for"] == "twn"
        stop.set()
    assert server.process.returncode == 0
    log = server.stderr()
    assert "GET /seats/twn?token=" in log and "POST /api/white-cell/commands 200" in log
    for token in (server.token(seat) for seat in server.links):
        assert token not in log
    with Session.open(directory) as session:  # the lock is released: the terminal can take over
        assert session.status().waiting_for == "twn"


@pytest.mark.slow
def test_a_second_server_on_a_session_in_play_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from wargame.web import __main__ as web_main
    from wargame.web import _server

    directory = new_session(tmp_path)
    monkeypatch.setattr(_server, "_configure_logging", lambda: None)  # leave this process's loggers be
    with served(directory) as first:
        capsys.readouterr()
        # The second server runs in this process. On the first one's port: were the session not refused, it
        # could not listen there either, and would fail with another message instead of serving on.
        code = web_main.main([str(directory), "--port", str(urlsplit(first.base_url).port)])
    assert code == 2
    assert "open for play in another process" in capsys.readouterr().err


def test_wargame_session_serve_is_registered(tmp_path: Path, capsys) -> None:
    from wargame.cli import build_parser, main

    args = build_parser().parse_args(
        ["session", "serve", str(tmp_path), "--host", "0.0.0.0", "--port", "8001"]
    )
    assert (args.host, args.port, args.new_links) == ("0.0.0.0", 8001, False)
    assert main(["session", "serve", str(tmp_path / "missing")]) == 2
    assert "no such session directory" in capsys.readouterr().err


@pytest.mark.slow
def test_serve_keeps_its_port_across_restarts(tmp_path: Path) -> None:
    """The links printed at start say they stay the same across restarts: so does the port."""
    directory = new_session(tmp_path)
    with served(directory, port=None) as first:
        first_links = first.links
    with served(directory, port=None) as second:
        assert second.links == first_links
        port = urlsplit(second.base_url).port
    with socket.socket() as taken:  # someone else took the port meanwhile: another one, and say so
        taken.bind(("127.0.0.1", port))
        taken.listen()
        with served(directory, port=None) as third:
            assert urlsplit(third.base_url).port != port
            assert f"Port {port} is taken now" in third.printed
