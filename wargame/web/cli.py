"""The ``wargame session serve`` sub-command (registered by ``wargame.cli``), also run as
``python -m wargame.web SESSION_DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_serve_arguments", "add_serve_parser"]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is from 0 to 65535, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"from 0.1 to 3600 seconds, got {text}")
    return value


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
