"""Ids a person can type (see the package docstring): the job an id stands for, and fresh ones."""

from __future__ import annotations

import random
import re
import string
import uuid

from .scripted import ScriptedJob, check_provider, is_uuid, new_job

_SIVI_TYPED = re.compile(r"^demo-(ok|complete|fail|expire)-(\d{1,4})s(?:-(\d{1,3})img)?(?:-\w+)?$")
_UUID_TYPED = re.compile(r"^(600d0000|fa11ed00|ca9ce1ed|dead0000)-(\d{4})-4(\d{3})-[0-9a-f]{4}-")
_SIVI_WORDS = {"ok": "completed", "complete": "complete", "fail": "failed", "expire": "expired"}
_HEX_WORDS = {
    "600d0000": "completed",
    "fa11ed00": "failed",
    "ca9ce1ed": "canceled",
    "dead0000": "expired",
}
_WORD_HEX = {v: k for k, v in _HEX_WORDS.items()}
_WORD_SIVI = {"completed": "ok", "complete": "complete", "failed": "fail", "expired": "expire"}


def typed_job(provider: str, request_id: str, now: float, wall: float) -> ScriptedJob | None:
    """The job a typed demo id stands for (starting now), or None if it follows no convention."""
    found = _parse_typed(provider, request_id)
    if found is None:
        return None
    outcome, seconds, images = found
    queue = seconds / 5
    return new_job(
        provider,
        request_id,
        now=now,
        wall=wall,
        outcome=outcome,
        queue=queue,
        duration=seconds - queue,
        images=images,
    )


def _parse_typed(provider: str, request_id: str) -> tuple[str, int, int] | None:
    if provider == "sivi":
        m = _SIVI_TYPED.match(request_id)
        if m is None:
            return None
        return _SIVI_WORDS[m[1]], int(m[2]), int(m[3] or 1)
    m = _UUID_TYPED.match(request_id)
    if m is None or not is_uuid(request_id):
        return None
    outcome = _HEX_WORDS[m[1]]
    if outcome == "canceled" and provider != "clipia":
        return None
    return outcome, int(m[2]), int(m[3])


def demo_id(provider: str, outcome: str = "completed", seconds: int = 5, images: int = 1) -> str:
    """A fresh typed id: each call gives a distinct job that starts at its first request."""
    check_provider(provider)
    if provider == "sivi":
        if outcome not in _WORD_SIVI:
            raise ValueError(f"Sivi has no typed outcome {outcome!r}")
        suffix = "" if images == 1 else f"-{images}img"
        tag = "".join(random.choices(string.ascii_lowercase + string.digits, k=4))
        return f"demo-{_WORD_SIVI[outcome]}-{int(seconds)}s{suffix}-{tag}"
    if outcome not in _WORD_HEX or (outcome == "canceled" and provider != "clipia"):
        raise ValueError(f"{provider} has no typed outcome {outcome!r}")
    if not (0 <= seconds <= 9999 and 0 <= images <= 999):
        raise ValueError("typed ids hold 0-9999 seconds and 0-999 images")
    return f"{_WORD_HEX[outcome]}-{int(seconds):04d}-4{images:03d}-8000-{uuid.uuid4().hex[:12]}"
