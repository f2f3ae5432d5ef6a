"""Hostile answers, as scripted faults (see the package docstring's table): untrusted numbers,
slow and oversized bodies, and the key echoed back in every form it can take in text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

from .reply import Reply, error_reply

FAULTS = (
    "retry-after",
    "retry-after-body",
    "drip",
    "huge",
    "deep",
    "raw",
    "echo-key",
    "echo-key-json",
    "echo-key-percent",
    "echo-key-header",
    "echo-key-at",
)
_NO_ARG = ("echo-key", "echo-key-json", "echo-key-percent", "echo-key-header")
_SPOT = "\u0000sandbox-raw\u0000"  # stands where raw JSON text goes, until serialized
MIB = 1024 * 1024
MAX_HUGE_MB = 4096


def check(provider: str, name: str, arg: str) -> None:
    """Raise ValueError for a bad argument of a hostile fault."""
    if (name in _NO_ARG) != (arg == ""):
        raise ValueError(f"fault {name!r} takes {'no' if name in _NO_ARG else 'an'} argument")
    if name in ("retry-after", "retry-after-body") and any(c in arg for c in "\r\n"):
        raise ValueError("a Retry-After value cannot hold a line break")
    if name == "retry-after-body" and provider != "napkin":
        raise ValueError("fault 'retry-after-body' exists only on Napkin (its 429 body)")
    if name == "raw" and not arg.partition("=")[0]:
        raise ValueError("fault 'raw' is raw:FIELD=JSON-TEXT")
    bounds = {"drip": (0.0, 3600.0), "huge": (1e-6, MAX_HUGE_MB), "deep": (1, 10_000_000)}
    bounds["echo-key-at"] = (0, 1_000_000)
    if name in bounds:
        low, high = bounds[name]
        try:
            number = float(arg) if name in ("drip", "huge") else int(arg)
        except ValueError:
            raise ValueError(f"fault {name}:{arg!r}: not a number") from None
        if not (math.isfinite(number) and low <= number <= high):
            raise ValueError(f"fault {name}:{arg}: must be {low:g}-{high:g}")


def apply(provider: str, name: str, arg: str, normal: Callable[[], Reply], key: str) -> Reply:
    if name.startswith("echo-key"):
        return echo_key(provider, name, arg, key)
    if name == "retry-after":
        reply = error_reply(provider, 429)
        reply.headers["Retry-After"] = arg
        return reply
    if name == "retry-after-body":
        return _with_raw(error_reply(provider, 429), "retry_after", arg, top=True)
    reply = normal()
    if name == "drip":
        reply.pacing = (1, float(arg))
        return reply
    if name == "huge":
        return _huge(reply, int(float(arg) * MIB))
    if name == "deep":
        depth = int(arg)
        return _with_raw(reply, "deep", "[" * depth + "]" * depth, top=True)
    field, _, text = arg.partition("=")
    return _with_raw(reply, field, text)


def _body_of(payload: Any, top: bool) -> dict[str, Any] | None:
    """The dict the status fields live in (Sivi's ``body`` inside the envelope)."""
    if not isinstance(payload, dict):
        return None
    inner = payload.get("body")
    return inner if not top and isinstance(inner, dict) and "status" in payload else payload


def _with_raw(reply: Reply, field: str, text: str, *, top: bool = False) -> Reply:
    """``reply`` with ``field`` set to the raw JSON ``text`` (which may be invalid JSON)."""
    body = _body_of(reply.payload, top)
    if body is None:
        return reply
    body[field] = _SPOT
    serialized = json.dumps(reply.payload)
    reply.body = serialized.replace(json.dumps(_SPOT), text).encode()
    reply.payload = None
    return reply


def _huge(reply: Reply, size: int) -> Reply:
    """The normal body padded (a ``padding`` string) to ``size`` bytes, streamed."""
    body = _body_of(reply.payload, top=True)
    if body is None:
        return reply
    body["padding"] = _SPOT
    head, _, tail = json.dumps(reply.payload).partition(json.dumps(_SPOT))
    head, tail = head + '"', '"' + tail
    fill = max(0, size - len(head) - len(tail))
    reply.payload = None
    reply.body = _stream(head.encode(), fill, tail.encode())
    reply.length = len(head) + fill + len(tail)
    return reply


def _stream(head: bytes, fill: int, tail: bytes) -> Iterator[bytes]:
    yield head
    block = b"x" * MIB
    while fill > 0:
        yield block[: min(fill, MIB)]
        fill -= MIB
    yield tail


def json_escaped(text: str) -> str:
    """Every character as a ``\\uXXXX`` escape, ``/`` as ``\\/``: valid JSON, no raw letter."""
    return "".join("\\/" if c == "/" else f"\\u{ord(c):04x}" for c in text)


def percent_encoded(text: str) -> str:
    """Every byte as ``%XX``."""
    return "".join(f"%{b:02X}" for b in text.encode())


def echo_key(provider: str, name: str, arg: str, key: str) -> Reply:
    """A 401 / 502 / 500 that carries the presented key (raw, JSON-escaped, percent-encoded,
    in a header, or at a given character offset of a plain-text body)."""
    if name == "echo-key-header":
        reply = Reply(502, body=b"Bad gateway", content_type=f"text/plain; charset={key}")
        return reply
    if name == "echo-key-at":
        text = "x" * int(arg) + key + " was rejected by the upstream gateway"
        return Reply(500, body=text.encode(), content_type="text/plain; charset=utf-8")
    reply = error_reply(provider, 401, f"Invalid API key {_SPOT}")
    shown = {
        "echo-key": json.dumps(key)[1:-1],
        "echo-key-json": json_escaped(key),
        "echo-key-percent": percent_encoded(key),
    }[name]
    serialized = json.dumps(reply.payload).replace(json.dumps(_SPOT)[1:-1], shown)
    reply.payload, reply.body = None, serialized.encode()
    return reply
