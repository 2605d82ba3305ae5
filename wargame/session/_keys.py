"""Session keys: an optional per-session secret, kept outside the session folder, that signs the journal.

A signed session's journal carries an HMAC-SHA256 of every entry's hash, and its head (entry count and
last hash) is anchored twice: in the session folder and beside the key. Whoever can write the session
folder but not read the key cannot rewrite the journal, cut its end or re-hash a forgery without
:meth:`Journal.authenticate` noticing. ``docs/security.md`` says what is proven with and without a key.

Keys live in ``$WARGAME_SESSION_KEYS`` if set, else ``$XDG_DATA_HOME/wargame/session-keys`` (by default
``~/.local/share/wargame/session-keys``), one ``SESSION_ID.key`` file (mode 0600, folder 0700) per session.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from wargame.errors import InputError
from wargame.session._files import private_folder, read_regular_file, write_private

__all__ = ["KEYS_ENV", "create_key", "external_head_path", "key_folder", "load_key", "sign"]

KEYS_ENV = "WARGAME_SESSION_KEYS"
_KEY_BYTES = 32
_KEY_FILE_BYTES = 4096
"""The largest key file read (a key is 64 hexadecimal digits and a line break)."""


def key_folder() -> Path:
    """Return the folder session keys are kept in (not created)."""
    explicit = os.environ.get(KEYS_ENV)
    if explicit:
        return Path(explicit)
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "wargame" / "session-keys"


def _key_path(session_id: str) -> Path:
    if not session_id.isalnum():
        raise InputError(f"malformed session id {session_id[:40]!r} in the journal header")
    return key_folder() / f"{session_id}.key"


def external_head_path(session_id: str) -> Path:
    """Where a signed session's head anchor is copied, beside its key."""
    return _key_path(session_id).with_suffix(".head.json")


def create_key(session_id: str) -> tuple[Path, bytes]:
    """Make a new random key for ``session_id``; return where it is and the key.

    Raises:
        InputError: If a key for that id exists already or the key folder cannot be written.
    """
    path = _key_path(session_id)
    if path.exists():
        raise InputError("a key for this session id exists already", source=str(path))
    key = secrets.token_bytes(_KEY_BYTES)
    try:
        private_folder(path.parent)
        write_private(path, key.hex() + "\n")
    except OSError as error:
        raise InputError(
            f"cannot write the session key ({error.strerror or error})", source=str(path)
        ) from None
    return path, key


def load_key(session_id: str, explicit: Path | None = None) -> bytes | None:
    """Return the session's key from ``explicit`` or the key folder, or ``None`` if there is none.

    Raises:
        InputError: If the key file exists but cannot be read or is malformed.
    """
    path = explicit if explicit is not None else _key_path(session_id)
    if explicit is None and not path.exists():
        return None
    try:
        data = read_regular_file(path, _KEY_FILE_BYTES)
    except (OSError, ValueError) as error:  # not a regular file (a FIFO, /dev/zero), too big, missing
        reason = error.strerror if isinstance(error, OSError) else str(error)
        raise InputError(f"cannot read the session key ({reason or error})", source=str(path)) from None
    try:
        key = bytes.fromhex(data.decode("ascii").strip())
    except ValueError:
        raise InputError("cannot read the session key (not a hexadecimal key)", source=str(path)) from None
    if len(key) != _KEY_BYTES:
        raise InputError(f"a session key is {_KEY_BYTES} bytes, this one {len(key)}", source=str(path))
    return key


def sign(key: bytes, text: str) -> str:
    """Return the HMAC-SHA256 of ``text`` under ``key`` (hexadecimal)."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
