"""The ``wargame session serve`` sub-command (registered by ``wargame.cli``), also run as
``python -m wargame.web SESSION_DIR``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_serve_arguments", "add_serve_parser"]


def _bounded(
    convert: Callable[[str], float], low: float, high: float, what: str, bounds: str
) -> Callable[[str], Any]:
    """An argparse ``type``: ``convert(text)`` from ``low`` to ``high``; errors say ``what`` was expected
    and the ``bounds``."""

    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{bounds}, got {text}")
        return value

    return parse


_port = _bounded(int, 0, 65535, "a port number", "a port is from 0 to 65535")
_seconds = _bounded(float, 0.1, 3600, "a number of seconds", "from 0.1 to 3600 seconds")


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``serve`` to ``parser`` and set its handler."""
    parser.add_argument("session_dir", type=Path, help="the session directory (from `wargame session new`)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 opens it to the network)",
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=None,
        help="port (default: the one this session was last served on, so links stay the same; 0: any)",
    )
    parser.add_argument(
        "--new-links", action="store_true", help="make new tokens for every seat (old links stop working)"
    )
    parser.add_argument(
        "--idle-timeout",
        type=_seconds,
        default=None,
        help="seconds a connection may take to send a request (default 10)",
    )
    parser.set_defaults(handler=_serve)


def add_serve_parser(session_subparsers: argparse._SubParsersAction) -> None:
    """Register ``serve`` among the ``wargame session`` sub-commands."""
    serve = session_subparsers.add_parser(
        "serve", help="serve a session to browsers: one link per seat and one for the white cell"
    )
    add_serve_arguments(serve)


def _serve(args: argparse.Namespace) -> int:
    from wargame.web._server import IDLE_TIMEOUT_SECONDS, serve

    return serve(
        args.session_dir,
        host=args.host,
        port=args.port,
        new_links=args.new_links,
        idle_timeout_seconds=args.idle_timeout or IDLE_TIMEOUT_SECONDS,
    )
