"""A scripted job and its timeline. Pure: no I/O, no clock of its own (callers pass ``now``).

A job is queued for ``queue`` seconds, runs for ``duration`` seconds, then ends with its
``outcome``. :func:`phase_at` says where a job stands at a given ``time.monotonic()``.
"""

from __future__ import annotations

import math
import random
import re
import string
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

PROVIDERS = ("sivi", "napkin", "clipia")
OUTCOMES = ("completed", "complete", "failed", "canceled", "expired")
PROGRESS_CURVES = ("linear", "ease", "none")
NAPKIN_FORMATS = ("png", "svg", "ppt")
MEDIA_FAULTS = ("404", "not-image", "truncated", "bomb", "huge", "svg-script")

State = Literal["queued", "running", "completed", "failed", "canceled", "gone"]

DEFAULT_REASONS = {
    "sivi": "Image url invalid",
    "napkin": "Visual generation failed: the content could not be laid out",
    "clipia": "Content policy violation: the prompt was flagged by the safety checker",
}

_TERMINAL: dict[str, State] = {
    "completed": "completed",
    "complete": "completed",
    "failed": "failed",
    "canceled": "canceled",
}
_ALNUM = string.ascii_letters + string.digits
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
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


@dataclass
class Job:
    """One scripted request. ``faults`` is consumed (popped) by the server, under its lock."""

    provider: str
    request_id: str
    created: float  # time.monotonic() at time 0
    created_wall: float  # time.time() at time 0, for the timestamps providers report
    duration: float = 5.0
    queue: float = 0.0
    outcome: str = "completed"
    images: int = 1
    size: tuple[int, int] = (1080, 1080)
    progress: str = "linear"
    format: str = "png"
    video: bool = False
    sub_variants: int = 0
    reason: str | None = None
    faults: list[str] = field(default_factory=list)
    media_faults: dict[int, str] = field(default_factory=dict)
    expire_after: float | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    design_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    asset_ids: list[str] = field(default_factory=list)  # Sivi variant ids / Napkin file ids

    @property
    def ends(self) -> float:
        """Seconds after time 0 when the job reaches its outcome."""
        return self.queue + self.duration

    @property
    def failure_reason(self) -> str:
        return self.reason if self.reason is not None else DEFAULT_REASONS[self.provider]


@dataclass(frozen=True)
class Phase:
    """Where a job stands: ``gone`` means the provider now answers 410."""

    state: State
    elapsed: float  # seconds since time 0
    progress: float | None = None  # 0..1 while running, None when the curve is "none"
    queue_left: float = 0.0  # seconds of queue left while queued


def phase_at(job: Job, now: float) -> Phase:
    t = max(0.0, now - job.created)
    if t < job.queue:
        return Phase("queued", t, queue_left=job.queue - t)
    if t < job.ends:
        return Phase("running", t, progress=_curve(job.progress, (t - job.queue) / job.duration))
    if job.outcome == "expired" or _past_expiry(job, t):
        return Phase("gone", t)
    return Phase(_TERMINAL[job.outcome], t, progress=None if job.progress == "none" else 1.0)


def _past_expiry(job: Job, t: float) -> bool:
    return job.expire_after is not None and t >= job.ends + job.expire_after


def _curve(kind: str, fraction: float) -> float | None:
    if kind == "none":
        return None
    if kind == "ease":
        return 1.0 - (1.0 - fraction) ** 3
    return fraction


def queue_position(phase: Phase) -> int:
    """Decreases toward 0 while queued: two places per second of queue left."""
    return max(0, math.ceil(phase.queue_left * 2) - 1)


def new_request_id(provider: str) -> str:
    if provider == "sivi":
        return "".join(random.choices(_ALNUM, k=11))
    return str(uuid.uuid4())


def is_uuid(text: str) -> bool:
    return bool(_UUID.match(text))


def new_job(provider: str, request_id: str | None = None, **options: Any) -> Job:
    """A validated job starting now (its ``faults`` are checked by faults.check_fault).
    Raises ValueError on a bad option."""
    check_provider(provider)
    options = {k: v for k, v in options.items() if v is not None}
    options["faults"] = list(options.get("faults", ()))
    options["media_faults"] = dict(options.get("media_faults", {}))
    options["overrides"] = dict(options.get("overrides", {}))
    options.setdefault("format", "png")
    options["size"] = tuple(options.get("size", (1080, 1080)))
    job = Job(
        provider=provider,
        request_id=request_id or new_request_id(provider),
        created=time.monotonic(),
        created_wall=time.time(),
        **options,
    )
    _validate(job)
    job.asset_ids = [_asset_id(job, i) for i in range(job.images)]
    return job


def _asset_id(job: Job, index: int) -> str:
    if job.provider == "napkin":
        return f"{uuid.uuid4()}_{string.ascii_lowercase[index % 26]}"
    return "".join(random.choices(_ALNUM, k=11))


def check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; expected one of {PROVIDERS}")


def _validate(job: Job) -> None:
    _check_choice("outcome", job.outcome, OUTCOMES)
    _check_choice("progress", job.progress, PROGRESS_CURVES)
    _check_choice("format", job.format, NAPKIN_FORMATS)
    if job.provider != "sivi" and not is_uuid(job.request_id):
        raise ValueError(f"{job.provider} request ids are UUIDs, not {job.request_id!r}")
    if job.outcome == "canceled" and job.provider != "clipia":
        raise ValueError("outcome 'canceled' exists only on Clipia")
    if job.duration < 0 or job.queue < 0 or job.images < 0:
        raise ValueError("duration, queue and images must not be negative")
    if min(job.size) < 1 or len(job.size) != 2:
        raise ValueError(f"size must be (width, height) in pixels, not {job.size!r}")
    for fault in job.media_faults.values():
        _check_choice("media fault", fault, MEDIA_FAULTS)


def _check_choice(what: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {allowed}")


def typed_job(provider: str, request_id: str) -> Job | None:
    """The job a typed demo id stands for (starting now), or None if it follows no convention."""
    found = _parse_typed(provider, request_id)
    if found is None:
        return None
    outcome, seconds, images = found
    queue = seconds / 5
    return new_job(
        provider, request_id, outcome=outcome, queue=queue, duration=seconds - queue, images=images
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
