"""Scripted faults: one is consumed per status request of a job (see the package docstring).
The hostile ones (raw Retry-After values, drips, huge and deep bodies, echoed keys) are in
:mod:`.hostile`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

from . import hostile
from .reply import HTML, Reply, error_reply, html_reply
from .responses import iso

ERRORS = ("401", "403", "404", "410", "500", "502", "503", "504")
RETRY_AFTER = ("429", "429-date", "429-bare", "429-body")
BODY_FAULTS = ("unknown-status", "null-lists", "missing-progress")
OTHERS = ("slow", "malformed", "truncated", "html", "html-200", "drop", "wrong-shape")
_NEEDS_SECONDS = ("429-date", "429-body", "slow")
_OPTIONAL_SECONDS = ("429",)


def parse(fault: str) -> tuple[str, float]:
    """``"429:2.5"`` -> ("429", 2.5); the number defaults to 1."""
    name, _, arg = fault.partition(":")
    return name, float(arg) if arg else 1.0


def check_fault(provider: str, fault: str) -> None:
    """Raise ValueError for a fault the sandbox does not know."""
    name, _, arg = fault.partition(":")
    if name in hostile.FAULTS:
        hostile.check(provider, name, arg)
        return
    known = (*ERRORS, *RETRY_AFTER, *BODY_FAULTS, *OTHERS, "envelope-500")
    if name not in known or (arg and name not in (*_NEEDS_SECONDS, *_OPTIONAL_SECONDS)):
        raise ValueError(f"unknown fault {fault!r}; see nb_jobstatus.sandbox's docstring")
    if name == "envelope-500" and provider != "sivi":
        raise ValueError("fault 'envelope-500' exists only on Sivi")
    if arg:
        try:
            seconds = float(arg)
        except ValueError:
            raise ValueError(f"fault {fault!r}: {arg!r} is not a number of seconds") from None
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"fault {fault!r}: seconds must be >= 0")


def apply(
    provider: str, fault: str | None, normal: Callable[[], Reply], key: str | None = None
) -> Reply:
    """The answer to a status request under ``fault`` (None: the normal answer). ``key``: the
    credential the request presented (echoed by the echo-key faults)."""
    if fault is None:
        return normal()
    name, _, arg = fault.partition(":")
    if name in hostile.FAULTS:
        return hostile.apply(provider, name, arg, normal, key or "")
    name, seconds = parse(fault)
    if name == "slow":
        return Reply(0, wait=seconds, later=normal)  # the sender waits, then asks for the answer
    if name in BODY_FAULTS:
        reply = normal()
        _change_body(provider, name, reply.payload)
        return reply
    if name == "truncated":
        return _truncated(normal())
    if name in RETRY_AFTER:
        return too_many(provider, seconds, style=name)
    if name in ERRORS:
        return error_reply(provider, int(name))
    return _REPLACEMENTS[name]()


def too_many(provider: str, seconds: float, *, style: str = "429", limit: int = 60) -> Reply:
    """A 429. style: "429" (Retry-After in seconds), "429-date" (as an HTTP date), "429-body"
    (only Napkin's body field), "429-bare" (no hint at all)."""
    headers = {}
    if style == "429":
        headers["Retry-After"] = f"{seconds:g}"  # fractions too, so that tests stay fast
    elif style == "429-date":
        headers["Retry-After"] = formatdate(math.ceil(time.time() + seconds), usegmt=True)
    extra: dict[str, Any] = {}
    if provider == "napkin":
        extra = {"limit": limit, "window": 60, "reset_time": iso(time.time() + seconds)}
        if style != "429-bare":
            extra["retry_after"] = int(seconds) if float(seconds).is_integer() else seconds
    reply = error_reply(provider, 429, **extra)
    reply.headers.update(headers)
    return reply


def _truncated(reply: Reply) -> Reply:
    data = reply.content()
    assert isinstance(data, bytes)
    half = data[: len(data) // 2]
    return Reply(reply.status, body=half, headers=reply.headers, length=len(data), close=True)


def _change_body(provider: str, name: str, payload: Any) -> None:
    body = payload.get("body") if provider == "sivi" and isinstance(payload, dict) else payload
    if not isinstance(body, dict):
        return
    if name == "unknown-status":
        body["status"] = "paused_by_operator"
    elif name == "missing-progress":
        body.pop("progress", None)
    else:
        _null_lists(body)


def _null_lists(body: dict[str, Any]) -> None:
    """Set every documented list to null: variations, generated_files, images, logs."""
    for key in ("generated_files", "logs"):
        if key in body:
            body[key] = None
    for key, inner in (("result", "variations"), ("output", "images")):
        if isinstance(body.get(key), dict):
            body[key][inner] = None
    if "generated_files" not in body and "id" in body:  # Napkin, before completion
        body["generated_files"] = None


_PROXY_PAGE = (
    b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
    b"</h1></center><hr><center>nginx</center></body></html>"
)

_REPLACEMENTS: dict[str, Callable[[], Reply]] = {
    "malformed": lambda: Reply(200, body=b'{"status": 200, "body": {"status": "proc'),
    "html": lambda: Reply(502, body=_PROXY_PAGE, content_type=HTML),
    "html-200": lambda: html_reply(200, "Sign in", "Your session has expired. Please sign in."),
    "drop": lambda: Reply(0, drop=True),
    "wrong-shape": lambda: Reply(200, [{"unexpected": "a list instead of an object"}]),
    "envelope-500": lambda: Reply(200, {"status": 500, "body": {"message": "Internal error"}}),
}
