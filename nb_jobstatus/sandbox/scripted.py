"""A scripted job: what was asked, how it will go, and where it stands at a given moment.

A job is queued for ``queue`` seconds, runs for ``duration`` seconds (its progress moved by a
:class:`~.timeline.ProgressScript`), then ends with its ``outcome``. :func:`phase_at` says
where a job stands at a moment of the app's clock. Pure: no I/O, no clock of its own.
"""

from __future__ import annotations

import random
import re
import string
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

from .timeline import Phase, ProgressScript, Stage, Timeline, for_provider

PROVIDERS = ("sivi", "napkin", "clipia")
OUTCOMES = ("completed", "complete", "failed", "canceled", "expired")
NAPKIN_FORMATS = ("png", "svg", "ppt")
AUDIO_KINDS = ("speech", "music")
MEDIA_FAULTS = ("404", "not-image", "truncated", "bomb", "huge", "svg-script")

DEFAULT_REASONS = {
    "sivi": "Image url invalid",
    "napkin": "Visual generation failed: the content could not be laid out",
    "clipia": "Content policy violation: the prompt was flagged by the safety checker",
}

_TERMINAL: dict[str, Stage] = {
    "completed": "completed",
    "complete": "completed",
    "failed": "failed",
    "canceled": "canceled",
}
_ALNUM = string.ascii_letters + string.digits
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


@dataclass
class ScriptedJob:
    """One scripted request. ``faults`` is consumed (popped) by the app, under its lock."""

    provider: str
    request_id: str
    created: float  # the app's clock (time.monotonic() by default) at time 0
    created_wall: float  # time.time() at time 0, for the timestamps providers report
    duration: float
    timeline: Timeline
    seed: int
    queue: float = 0.0
    outcome: str = "completed"
    images: int = 1
    size: tuple[int, int] = (1080, 1080)
    format: str = "png"
    video: bool = False
    audio: str | None = None  # Clipia: "speech" or "music"
    tracks: int = 1  # audio tracks (music)
    extra_output: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # Clipia: input keys the model ignored
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
    def finishes_at(self) -> float:
        """The app-clock moment of the outcome (the truth a detection lag is measured from)."""
        return self.created + self.ends

    @property
    def progress(self) -> str:
        return self.timeline.script.curve

    @property
    def failure_reason(self) -> str:
        return self.reason if self.reason is not None else DEFAULT_REASONS[self.provider]


def phase_at(job: ScriptedJob, now: float) -> Phase:
    t = max(0.0, now - job.created)
    if t < job.queue:
        return Phase("queued", t, queue_left=job.queue - t)
    running = t - job.queue
    if t < job.ends:
        return Phase("running", t, job.timeline.progress(running), running=running)
    if job.outcome == "expired" or _past_expiry(job, t):
        return Phase("gone", t, running=running)
    done = None if job.progress == "none" else 1.0
    return Phase(_TERMINAL[job.outcome], t, done, running=running)


def _past_expiry(job: ScriptedJob, t: float) -> bool:
    return job.expire_after is not None and t >= job.ends + job.expire_after


def new_request_id(provider: str) -> str:
    if provider == "sivi":
        return "".join(random.choices(_ALNUM, k=11))
    return str(uuid.uuid4())


def is_uuid(text: str) -> bool:
    return bool(_UUID.match(text))


def napkin_duration(format: str, size: tuple[int, int], visuals: int, seed: int) -> float:
    """What a Napkin request takes when no duration is given: 4 s for an SVG, 4 s plus 1 s per
    megapixel for a PNG, 9 s for a deck; 40 % more per extra visual; ±10 % per job."""
    base = {"svg": 4.0, "png": 4.0 + size[0] * size[1] / 1e6, "ppt": 9.0}[format]
    base *= 1 + 0.4 * max(0, visuals - 1)
    return round(base * random.Random(seed).uniform(0.9, 1.1), 3)


def new_job(
    provider: str, request_id: str | None = None, *, now: float, wall: float, **options: Any
) -> ScriptedJob:
    """A validated job starting at ``now`` (its ``faults`` are checked by faults.check_fault).
    Raises ValueError on a bad option."""
    check_provider(provider)
    options = {k: v for k, v in options.items() if v is not None}
    request_id = request_id or new_request_id(provider)
    seed = int(options.pop("seed", zlib.crc32(request_id.encode())))
    for name, kind in (("faults", list), ("media_faults", dict), ("overrides", dict)):
        options[name] = kind(options.get(name, kind()))
    options["extra_output"] = dict(options.get("extra_output", {}))
    options["warnings"] = list(options.get("warnings", ()))
    options.setdefault("format", "png")
    options.setdefault("images", 0 if options.get("audio") else 1)
    options["size"] = tuple(options.get("size", (1080, 1080)))
    _check_choice("format", options["format"], NAPKIN_FORMATS)
    if "duration" not in options:
        fmt, size, images = options["format"], options["size"], options["images"]
        options["duration"] = (
            napkin_duration(fmt, size, images, seed) if provider == "napkin" else 5.0
        )
    if options.get("audio") == "music":
        options.setdefault("tracks", 2)
    curve = options.pop("progress", None)
    if options["duration"] < 0:
        raise ValueError("duration must not be negative")
    script = for_provider(provider, curve, options["duration"])
    timeline = Timeline.of(script, options["duration"], seed)
    job = ScriptedJob(provider, request_id, now, wall, timeline=timeline, seed=seed, **options)
    _validate(job)
    job.asset_ids = [_asset_id(job, i) for i in range(job.images)]
    return job


def _asset_id(job: ScriptedJob, index: int) -> str:
    if job.provider == "napkin":
        return f"{uuid.uuid4()}_{string.ascii_lowercase[index % 26]}"
    return "".join(random.choices(_ALNUM, k=11))


def check_provider(provider: str) -> None:
    if provider not in PROVIDERS:
        raise ValueError(f"unknown provider {provider!r}; expected one of {PROVIDERS}")


def _validate(job: ScriptedJob) -> None:
    _check_choice("outcome", job.outcome, OUTCOMES)
    if job.provider != "sivi" and not is_uuid(job.request_id):
        raise ValueError(f"{job.provider} request ids are UUIDs, not {job.request_id!r}")
    if job.outcome == "canceled" and job.provider != "clipia":
        raise ValueError("outcome 'canceled' exists only on Clipia")
    if job.queue < 0 or job.images < 0:
        raise ValueError("queue and images must not be negative")
    if len(job.size) != 2 or min(job.size) < 1:
        raise ValueError(f"size must be (width, height) in pixels, not {job.size!r}")
    if job.audio is not None:
        _check_choice("audio", job.audio, AUDIO_KINDS)
    if (job.audio or job.extra_output or job.warnings) and job.provider != "clipia":
        raise ValueError("audio, extra_output and warnings exist only on Clipia")
    if not 1 <= job.tracks <= 16:
        raise ValueError("tracks must be 1-16")
    for fault in job.media_faults.values():
        _check_choice("media fault", fault, MEDIA_FAULTS)


def _check_choice(what: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; expected one of {allowed}")


def as_script(progress: str | ProgressScript | None) -> str | ProgressScript | None:
    """Check a ``progress=`` option early (a curve name or a ProgressScript)."""
    if progress is None or isinstance(progress, ProgressScript):
        return progress
    return ProgressScript(progress).curve
