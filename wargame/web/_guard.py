"""The console's outermost layer (ASGI middleware): limits, the token before the body, a safe access log.

Before the application sees a request that carries a body (anything but GET and HEAD), the guard checks
its ``Authorization: Bearer`` token and its declared size, and only then reads the body, at most
:data:`MAX_BODY_BYTES` of it, within :data:`BODY_TIMEOUT_SECONDS`. An unauthenticated or oversized
request is answered (403, 413, 408) without its body ever being read, so it costs the server nothing.

Every response gets protective headers, and every request one access-log line in which the path and the
query are decoded, any token is cut to a short prefix (whatever the parameter is called and however its
name was encoded), and control characters are escaped, so a request cannot forge log lines or send
escape codes to a terminal. A request head over :data:`MAX_HEADER_BYTES` gets 431.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

from wargame.web._tokens import SeatTokens, redact

__all__ = ["BODY_TIMEOUT_SECONDS", "MAX_BODY_BYTES", "MAX_HEADER_BYTES", "Guard", "log_safe", "safe_query"]

MAX_BODY_BYTES = 64 * 1024
"""The largest request body the console reads (a command with 2,000-character text is under 3 KiB)."""

MAX_HEADER_BYTES = 16 * 1024
"""The largest request head (names and values of all headers) the console accepts."""

BODY_TIMEOUT_SECONDS = 10.0
"""How long the console waits for a request body to arrive in full (slow clients get 408)."""

access_log = logging.getLogger("wargame.web.access")
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{22,}")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_HEADERS = (
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
)


def log_safe(text: str, limit: int = 300) -> str:
    """Return ``text`` with control characters escaped (``\\n`` → ``\\x0a``), cut to ``limit`` characters."""
    shown = "".join(
        f"\\x{ord(ch):02x}" if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch == "\\" else ch for ch in text
    )
    return shown if len(shown) <= limit else shown[:limit] + "…"


def safe_query(raw: bytes) -> str:
    """Return a query string for the log: decoded, then re-encoded with every value redacted whose
    name holds ``token`` (however it was encoded) or which looks like a token."""
    pairs = parse_qsl(raw.decode("latin-1"), keep_blank_values=True)
    shown = []
    for name, value in pairs:
        secret = "token" in name.lower() or _TOKEN_LIKE.fullmatch(value)
        shown_value = redact(quote(value, safe="")) if secret else quote(value, safe="")
        shown.append(f"{quote(name, safe='')}={shown_value}")
    return "&".join(shown)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None


class Guard:
    """Limits, token-before-body and the access log around the console's application.

    Args:
        app: The ASGI application.
        tokens: The session's tokens (a body is read only from a request bearing one of them).
        page_csp: The ``Content-Security-Policy`` of responses that set none.
        max_body_bytes: The largest body read.
        body_timeout_seconds: How long a body may take to arrive.
    """

    def __init__(
        self,
        app: Callable[[Scope, Receive, Send], Awaitable[None]],
        *,
        tokens: SeatTokens,
        page_csp: str,
        max_body_bytes: int = MAX_BODY_BYTES,
        body_timeout_seconds: float = BODY_TIMEOUT_SECONDS,
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.page_csp = page_csp.encode()
        self.max_body_bytes = max_body_bytes
        self.body_timeout_seconds = body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 0}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in (*_HEADERS, (b"content-security-policy", self.page_csp)):
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is not None:
                await _json(send_with_headers, *refusal)
                return
            if scope.get("method") not in ("GET", "HEAD"):
                body = await self._read_body(receive)
                if isinstance(body, tuple):
                    await _json(send_with_headers, *body)
                    return
                receive = _replay(body, receive)
            await self.app(scope, receive, send_with_headers)
        finally:
            self._log(scope, status["code"], started)

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        """Refuse what can be refused from the headers alone: a body without a token, a declared size."""
        header_bytes = sum(len(name) + len(value) for name, value in scope.get("headers", []))
        if header_bytes > MAX_HEADER_BYTES:
            return 431, f"request headers of {header_bytes} bytes; the limit is {MAX_HEADER_BYTES}"
        if scope.get("method") in ("GET", "HEAD"):
            length = _header(scope, b"content-length")
            if length not in (None, b"0") or _header(scope, b"transfer-encoding") is not None:
                return 400, "a GET request carries no body"
            return None
        authorization = (_header(scope, b"authorization") or b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or self.tokens.seat_of(token.strip()) is None:
            return 403, "forbidden: a valid token is needed (Authorization: Bearer TOKEN from your link)"
        length = _header(scope, b"content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                return 400, "malformed Content-Length"
            if declared > self.max_body_bytes:
                return 413, f"request body of {declared} bytes; the limit is {self.max_body_bytes}"
        return None

    async def _read_body(self, receive: Receive) -> bytes | tuple[int, str]:
        chunks: list[bytes] = []
        size = 0
        deadline = time.monotonic() + self.body_timeout_seconds
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=max(deadline - time.monotonic(), 0.0))
            except TimeoutError:
                return 408, f"the request body did not arrive within {self.body_timeout_seconds:g} s"
            if message["type"] == "http.disconnect":
                return 400, "the client went away"
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return 413, f"request body over {self.max_body_bytes} bytes"
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _log(self, scope: Scope, code: int, started: float) -> None:
        path = unquote(scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0]) or scope.get("path", "")
        query = safe_query(scope.get("query_string", b""))
        client = scope.get("client") or ("-", 0)
        access_log.info(
            "%s %s %s%s %d %.1fms",
            log_safe(str(client[0]), 60),
            log_safe(str(scope.get("method", "-")), 20),
            log_safe(path),
            log_safe(f"?{query}") if query else "",
            code,
            (time.perf_counter() - started) * 1000,
        )


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the application the body already read, then waits for a disconnect."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _json(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
