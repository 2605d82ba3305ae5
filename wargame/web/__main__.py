"""``python -m wargame.web SESSION_DIR [--host HOST] [--port PORT]``: as ``wargame session serve``."""

from __future__ import annotations

import sys

from wargame._flags import EXIT_BAD_INPUT, OneLineErrorParser, run_handler
from wargame.errors import WargameError
from wargame.web.cli import add_serve_arguments


def main(argv: list[str] | None = None) -> int:
    parser = OneLineErrorParser(prog="python -m wargame.web", description="Serve a session to browsers.")
    add_serve_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_handler(args, (WargameError,))
    except OSError as error:
        print(f"wargame: error: cannot serve: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
