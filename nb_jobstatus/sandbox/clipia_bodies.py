"""Clipia's JSON bodies for a job at one moment: ``GET {base}/v1/requests/{id}/status`` and
``GET {base}/v1/requests/{id}``, as Clipia's documentation and its official SDK show them.

Costs are whole credits: the reserve while queued or running, the amount charged once
completed, 0 for FAILED and CANCELED. Results carry ``warnings`` (input keys the model ignored).
"""

from __future__ import annotations

from typing import Any

from . import video
from .responses import Origins, iso
from .scripted import ScriptedJob
from .timeline import Phase, percent, queue_position

MOCK_SIZE = (1024, 1024)
CREDITS = {"image": 4, "video": 50, "speech": 3, "music": 6}  # per image / video / track
MODELS = {
    "speech": "clipia/speech-1",
    "music": "clipia/music-1",
    "video": "clipia/video-pro",
    "image": "clipia/image-pro",
}
_WORDS = {
    "queued": "IN_QUEUE",
    "running": "IN_PROGRESS",
    "completed": "COMPLETED",
    "failed": "FAILED",
    "canceled": "CANCELED",
}
_LAST_LOG = {
    "completed": ("INFO", "Done"),
    "failed": ("ERROR", None),  # the failure reason
    "canceled": ("WARNING", "Request canceled outside the API"),
}


def kind_of(job: ScriptedJob) -> str:
    return job.audio or ("video" if job.video else "image")


def credits(job: ScriptedJob) -> int:
    """What the job reserves, and is charged when it completes."""
    media = CREDITS["image"] * job.images + (CREDITS["video"] if job.video else 0)
    return media + (CREDITS[job.audio] * job.tracks if job.audio else 0)


def status(job: ScriptedJob, phase: Phase) -> dict[str, Any]:
    progress = percent(phase.progress) if phase.stage in ("running", "completed") else None
    body = {
        "request_id": job.request_id,
        "status": _WORDS[phase.stage],
        "queue_position": queue_position(phase) if phase.stage == "queued" else None,
        "progress": progress,
        "logs": logs(job, phase),
    }
    return body | job.overrides


def log_script(job: ScriptedJob) -> list[tuple[float, str]]:
    """(seconds into the running time, message) of every running log line, fal style."""
    timeline, script = job.timeline, job.timeline.script
    lines = [(0.0, "Loading model weights")]
    if script.curve == "stepped":
        lines.append((script.load, f"Starting inference: {script.steps} steps"))
        steps = timeline.step_times()
        lines += [(at, f"Step {k}/{script.steps}") for k, at in enumerate(steps, 1)]
    else:
        lines.append((script.load, "Starting inference"))
    upload = job.duration - script.finalize if script.finalize else 0.95 * job.duration
    lines.append((upload, "Uploading result to media storage"))
    return lines


def logs(job: ScriptedJob, phase: Phase) -> list[dict[str, Any]]:
    if phase.stage == "queued":
        return []
    items = [
        _log(job, job.queue + at, "INFO", message)
        for at, message in log_script(job)
        if phase.running >= at
    ]
    if phase.stage in _LAST_LOG:
        level, message = _LAST_LOG[phase.stage]
        items.append(_log(job, job.ends, level, message or job.failure_reason))
    return items


def _log(job: ScriptedJob, offset: float, level: str, message: str) -> dict[str, Any]:
    stamp = iso(job.created_wall + offset)
    return {"message": message, "level": level, "source": "worker", "timestamp": stamp}


def result(job: ScriptedJob, phase: Phase, origins: Origins) -> tuple[int, dict[str, Any]]:
    """(202, a short body) while queued or running; (200, the result) once terminal."""
    word = _WORDS[phase.stage]
    if phase.stage in ("queued", "running"):
        waiting = {"request_id": job.request_id, "status": word, "message": "Request in progress"}
        return 202, waiting | {"cost": credits(job)} | job.overrides
    completed = phase.stage == "completed"
    failed = phase.stage == "failed"
    body: dict[str, Any] = {
        "request_id": job.request_id,
        "status": word,
        "model": MODELS[kind_of(job)],
        "output": output(job, origins) if completed else None,
        "error": {"code": "generation_failed", "message": job.failure_reason} if failed else None,
        "cost": credits(job) if completed else 0,
        "warnings": [warning(name, MODELS[kind_of(job)]) for name in job.warnings],
        "created_at": iso(job.created_wall),
        "completed_at": iso(job.created_wall + job.ends),
    }
    return 200, body | job.overrides


def warning(parameter: str, model: str) -> dict[str, str]:
    message = f"'{parameter}' is not a parameter of {model}; it was ignored"
    return {"code": "unknown_parameter", "parameter": parameter, "message": message}


def media_path(request_id: str, name: str) -> str:
    return f"/clipia/files/{request_id}/{name}"


def output(job: ScriptedJob, origins: Origins) -> dict[str, Any]:
    width, height = job.size
    base = origins.media + media_path(job.request_id, "")
    result: dict[str, Any] = {}
    if job.images or not (job.video or job.audio):
        result["images"] = [
            {"url": f"{base}{i}.webp", "original_url": f"{base}{i}.png"}
            | {"width": width, "height": height}
            for i in range(job.images)
        ]
    if job.video:
        width, height = video.SIZE  # the real file's, whatever the job's size
        clip = {"url": f"{base}video.mp4", "width": width, "height": height}
        result["video"] = clip | {"duration": float(video.SECONDS)}
    if job.audio:
        tracks = [{"url": f"{base}audio-{i}.wav", "format": "wav"} for i in range(job.tracks)]
        result["audio"], result["audios"] = dict(tracks[0]), tracks
    return result | job.extra_output


def mock(request_id: str, origins: Origins, now_wall: float) -> dict[str, dict[str, Any]]:
    """What a ``clipia_test_`` key sees for any request: done at once, one fixed mock image,
    no credits spent."""
    base = origins.media + media_path("mock", "sample")
    width, height = MOCK_SIZE
    image = {"url": f"{base}.webp", "original_url": f"{base}.png", "width": width, "height": height}
    status = {"request_id": request_id, "status": "COMPLETED", "queue_position": 0}
    result: dict[str, Any] = {
        "request_id": request_id,
        "status": "COMPLETED",
        "model": MODELS["image"],
        "output": {"images": [image]},
        "error": None,
        "cost": 0,
        "warnings": [],
        "created_at": iso(now_wall),
        "completed_at": iso(now_wall),
    }
    return {"status": status | {"progress": 100, "logs": []}, "result": result}


_ERRORS = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("authentication_error", "invalid_api_key"),
    402: ("billing_error", "insufficient_credits"),
    403: ("permission_error", "insufficient_scope"),
    404: ("invalid_request_error", "not_found"),
    405: ("invalid_request_error", "method_not_allowed"),
    409: ("invalid_request_error", "idempotency_key_reuse"),
    410: ("invalid_request_error", "expired"),
    422: ("invalid_request_error", "unprocessable_entity"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("api_error", "internal_error"),
    502: ("api_error", "bad_gateway"),
    503: ("api_error", "service_unavailable"),
    504: ("api_error", "gateway_timeout"),
}


def error(status: int, message: str) -> dict[str, Any]:
    """Clipia's error envelope; the ``type`` groups the codes as the official SDK documents."""
    kind, code = _ERRORS.get(status, ("api_error", "internal_error"))
    return {"error": {"type": kind, "code": code, "message": message}}
