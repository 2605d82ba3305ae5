"""Serving a session: bind the socket, print one link per seat and one for the white cell, run uvicorn."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import TextIO

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from wargame.errors import InputError
from wargame.session import WHITE_CELL, Session, private_folder, read_small_json, write_private
from wargame.web._app import create_app
from wargame.web._console import WebConsole
from wargame.web._guard import MAX_HEADER_BYTES
from wargame.web._tokens import SeatTokens

__all__ = ["IDLE_TIMEOUT_SECONDS", "MAX_CONNECTIONS", "links", "serve"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_PORT_FILE = Path("web") / "server.json"

IDLE_TIMEOUT_SECONDS = 10.0
"""A connection that has not sent a full request head this long after opening (or after its last
response) is closed: a slow client cannot hold a connection open by trickling its headers."""

MAX_CONNECTIONS = 64
"""Connections and requests served at once (every seat's page holds one event stream); more get 503."""


def _timed_protocol(idle_timeout_seconds: float) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, closing connections that take too long to send a request head."""

    class TimedProtocol(H11Protocol):
        _head_timer: asyncio.TimerHandle | None = None

        def _arm(self) -> None:
            self._disarm()
            self._head_timer = self.loop.call_later(idle_timeout_seconds, self._idle)

        def _disarm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None

        def _idle(self) -> None:
            self._head_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before and self.cycle is not None:
                self._disarm()  # a request head arrived in full: the guard times its body

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

    return TimedProtocol


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InputError(
            f"cannot listen on {host} port {port}: {error.strerror or error}", source="--host"
        ) from None
    sock.set_inheritable(True)
    return sock


def _remembered_port(path: Path) -> int | None:
    try:
        port = read_small_json(path, limit=4096)["port"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return port if isinstance(port, int) and 1024 <= port <= 65535 else None


def _bind_remembered(host: str, port: int | None, previous: int | None) -> tuple[socket.socket, bool]:
    """Bind ``port``; without one, the session's previous port if it is free, else a free one.

    Returns the socket and whether the previous port had to be given up.
    """
    if port is not None or previous is None:
        return _bind(host, port or 0), False
    try:
        return _bind(host, previous), False
    except InputError:
        return _bind(host, 0), True


def _base_url(host: str, port: int) -> str:
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def links(base_url: str, tokens: SeatTokens, seats: tuple[str, ...]) -> dict[str, str]:
    """Return each seat's link (and the white cell's) with its token."""
    result = {}
    for seat in seats:
        path = "/white-cell" if seat == WHITE_CELL else f"/seats/{seat}"
        result[seat] = f"{base_url}{path}?token={tokens.by_seat[seat]}"
    return result


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class _Server(uvicorn.Server):
    """uvicorn's server, ending the event streams as soon as a shutdown starts (not after a timeout)."""

    def __init__(self, config: uvicorn.Config, console: WebConsole) -> None:
        super().__init__(config)
        self.console = console

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.console.close_streams()
        super().handle_exit(sig, frame)


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root.addHandler(handler)
    for name in ("wargame.web", "wargame.web.access", "uvicorn", "uvicorn.error"):
        logging.getLogger(name).setLevel(logging.INFO)


def serve(
    session_dir: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int | None = None,
    new_links: bool = False,
    out: TextIO | None = None,
    idle_timeout_seconds: float = IDLE_TIMEOUT_SECONDS,
) -> int:
    """Serve a session until interrupted; print the links first. Returns an exit code.

    Args:
        session_dir: The session directory (``wargame session new`` made it).
        host: Address to listen on: loopback by default; ``0.0.0.0`` opens it to the network.
        port: Port (0 picks a free one; ``None``: the port this session was last served on, if it is
            free, so the links stay the same; else a free one).
        new_links: Make new tokens (old links stop working).
        out: Where the links go (standard output by default).
        idle_timeout_seconds: How long a connection may take to send a request head.

    Raises:
        InputError: If the session cannot be opened (missing, locked by another player, tampered with) or
            the address cannot be listened on.
    """
    out = out or sys.stdout
    _configure_logging()
    session = Session.open(session_dir)
    console = None
    try:
        console = WebConsole(session)
        tokens = SeatTokens.load_or_create(Path(session_dir), console.seats, rotate=new_links)
        private_folder(Path(session_dir) / _PORT_FILE.parent)
        app = create_app(console, tokens)
        remembered = Path(session_dir) / _PORT_FILE
        last_port = _remembered_port(remembered)
        sock, moved = _bind_remembered(host, port, last_port)
        actual_port = sock.getsockname()[1]
        if actual_port != last_port:
            write_private(remembered, json.dumps({"port": actual_port}) + "\n")
        base = _base_url(host, actual_port)
        status = session.status()
        print(f"Serving session {session_dir} ({status.scenario_name}) at {base}", file=out)
        if moved:
            print(
                f"Port {last_port} is taken now: the links below changed (the port, not the tokens).",
                file=out,
            )
        print("Give each person their own link (anyone with a link plays that seat):", file=out)
        for seat, link in links(base, tokens, console.seats).items():
            label = "white cell" if seat == WHITE_CELL else seat
            print(f"  {label:<12} {link}", file=out)
        if host not in _LOOPBACK:
            print("Open to the network over plain HTTP: share links only on a network you trust.", file=out)
        print("Links stay the same across restarts (--new-links replaces them). Ctrl-C stops.", file=out)
        out.flush()
        console.start()
        config = uvicorn.Config(
            app,
            log_level="info",
            access_log=False,
            log_config=None,
            lifespan="off",
            ws="none",
            http=_timed_protocol(idle_timeout_seconds),
            timeout_keep_alive=int(max(idle_timeout_seconds, 1)),
            limit_concurrency=MAX_CONNECTIONS,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            timeout_graceful_shutdown=2,
        )
        server = _Server(config, console)
        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
        print(
            "Stopped. Everything acknowledged is in the journal: serve or play the session to go on.",
            file=out,
        )
        return 0
    finally:
        if console is not None:
            console.stop()
        session.close()
