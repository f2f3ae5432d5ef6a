"""What the server sends back: a plain description the socket layer writes out."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from . import clipia_bodies, responses

JSON = "application/json"
HTML = "text/html; charset=utf-8"

MESSAGES = {
    400: "Invalid request ID format",
    401: "Authentication required or invalid API key",
    403: "Access denied: the request belongs to another user",
    404: "Request not found",
    405: "Method not allowed",
    410: "Request has expired and is no longer available",
    422: "queryParams must be URL-encoded JSON with a requestId",
    429: "Rate limit exceeded. Please try again later.",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service temporarily unavailable",
    504: "Gateway timeout",
}


@dataclass
class Reply:
    """``payload`` (JSON, serialized when sent) wins over ``body``. ``length`` overrides the
    Content-Length (a truncated answer); ``drop`` closes the connection without an answer.

    ``later``: the real answer is made by calling it after waiting ``wait`` seconds (a slow
    server; the one who sends the answer does the waiting, with a thread's sleep or an await).
    ``pacing``: (bytes per chunk, seconds between chunks) for the body (a slow link, a drip)."""

    status: int
    payload: Any = None
    body: bytes | Iterable[bytes] = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    length: int | None = None
    drop: bool = False
    close: bool = False
    wait: float = 0.0
    later: Callable[[], Reply] | None = None
    pacing: tuple[int, float] | None = None

    def content(self) -> bytes | Iterable[bytes]:
        if self.payload is not None:
            return json.dumps(self.payload).encode()
        return self.body


def error_reply(provider: str, status: int, message: str | None = None, **extra: Any) -> Reply:
    """The provider's documented error body for ``status``."""
    message = message or MESSAGES.get(status, "Error")
    if provider == "sivi":
        return Reply(status, responses.sivi_error(status, message))
    if provider == "napkin":
        return Reply(status, responses.napkin_error(status, message, **extra))
    return Reply(status, clipia_bodies.error(status, message))


def html_reply(status: int, title: str, text: str) -> Reply:
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body style='font-family:sans-serif;margin:3em'><h1>{title}</h1><p>{text}</p>"
        "</body></html>"
    )
    return Reply(status, body=page.encode(), content_type=HTML)
