"""Provider-shaped JSON bodies for a job at one moment, as each provider's documentation shows
them (see shared/PROVIDERS.md and the seed pages). Pure: the caller gives the phase and origins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .jobs import Job, Phase, queue_position


@dataclass(frozen=True)
class Origins:
    api: str  # "http://127.0.0.1:P": the providers' API hosts
    media: str  # "http://127.0.0.1:Q": the media hosts (another origin, no key)


SIVI_USER = "e5ef6aa0-8d6c-11ec-bd33-8d2f1bec7c21"  # the user folder of the sandbox account
NAPKIN_STYLE = "CSQQ4VB1DGPPRTB7D1T0"
CLIPIA_MOCK_SIZE = (1024, 1024)


def iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="milliseconds")


def _percent(phase: Phase) -> int | None:
    return None if phase.progress is None else min(100, int(phase.progress * 100))


# --- Sivi: GET {base}/general/get-request-status?queryParams={"requestId": ...} -------------

_SIVI_WORDS = {"queued": "pending", "running": "processing", "failed": "failed"}


def sivi_status(job: Job, phase: Phase, origins: Origins) -> dict[str, Any]:
    body: dict[str, Any] = {
        "queueWaitTime": int(1000 * min(phase.elapsed, job.queue)),
        "status": _SIVI_WORDS.get(phase.state, job.outcome),  # "completed" or "complete"
        "requestId": job.request_id,
        "designId": job.design_id,
        "link": f"{origins.api}/sivi-app/#/design/{job.design_id}",
        "shareLink": f"{origins.api}/sivi-app/#/results/{job.design_id}",
    }
    if phase.state == "running" and phase.progress is not None:
        body["progress"] = _percent(phase)
    if phase.state == "failed":
        body["reason"] = job.failure_reason
    body["result"] = _sivi_result(job, origins) if phase.state == "completed" else None
    return {"status": 200, "body": body | job.overrides}


def _sivi_result(job: Job, origins: Origins) -> dict[str, Any]:
    variations = []
    for variant_id in job.asset_ids:
        variation = sivi_variation(job, origins, variant_id)
        if job.sub_variants:
            subs = range(1, job.sub_variants + 1)
            variation["options"] = [sivi_variation(job, origins, f"{variant_id}_{k}") for k in subs]
        variations.append(variation)
    return {"variations": variations}


def sivi_variation(job: Job, origins: Origins, variant_id: str) -> dict[str, Any]:
    name = f"{job.design_id[:8]}--{job.design_id}--{variant_id}"
    return {
        "variantImageUrl": f"{origins.media}/sivi/user-data/{SIVI_USER}/generated/{name}.jpg",
        "variantEditLink": (
            f"{origins.api}/sivi-app/#/variant/{variant_id}/independent-design-editor?type=edited"
        ),
        "variantId": variant_id,
        "variantWidth": job.size[0],
        "variantHeight": job.size[1],
        "variantType": "GENERATED",
    }


def sivi_error(status: int, message: str) -> dict[str, Any]:
    return {"status": status, "body": {"message": message}}


# --- Napkin: GET {base}/v1/visual/{request-id}/status, Authorization: Bearer ---------------

_NAPKIN_WORDS = {"queued": "pending", "running": "pending", "completed": "completed"}


def napkin_status(job: Job, phase: Phase, origins: Origins) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": job.request_id,
        "status": _NAPKIN_WORDS.get(phase.state, "failed"),
        "request": _napkin_request(job),
    }
    if phase.state == "completed":
        body["generated_files"] = [_napkin_file(job, origins, fid) for fid in job.asset_ids]
    if phase.state == "failed":
        body["error"] = {"code": "generation_failed", "message": job.failure_reason}
    return body | job.overrides


def _napkin_request(job: Job) -> dict[str, Any]:
    request: dict[str, Any] = {
        "format": job.format,
        "language": "en-US",
        "content": "Three steps to a sandbox: queue, run, deliver.",
        "style_id": NAPKIN_STYLE,
        "visual_query": "mindmap",
        "transparent_background": False,
        "inverted_color": False,
        "number_of_visuals": job.images,
    }
    if job.format == "png":
        request |= {"width": job.size[0], "height": job.size[1]}
    return request


def napkin_file_path(job: Job, file_id: str) -> str:
    return f"/napkin/v1/visual/{job.request_id}/file/{file_id}"


def _napkin_file(job: Job, origins: Origins, file_id: str) -> dict[str, Any]:
    return {
        "url": origins.api + napkin_file_path(job, file_id),
        "visual_id": file_id.replace("-", "")[:32].upper(),
        "visual_query": "mindmap",
        "style_id": NAPKIN_STYLE,
        "width": job.size[0],
        "height": job.size[1],
    }


_NAPKIN_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    410: "expired",
    429: "rate_limit_exceeded",
}


def napkin_error(status: int, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": _NAPKIN_CODES.get(status, "server_error"), "message": message} | extra


# --- Clipia: GET {base}/v1/requests/{id}/status and GET {base}/v1/requests/{id} -----------

_CLIPIA_WORDS = {
    "queued": "IN_QUEUE",
    "running": "IN_PROGRESS",
    "completed": "COMPLETED",
    "failed": "FAILED",
    "canceled": "CANCELED",
}
_CLIPIA_LOGS = (  # (fraction of the running time, level, message), fal style
    (0.0, "INFO", "Loading model weights"),
    (0.1, "INFO", "Starting inference: 28 steps"),
    (0.4, "INFO", "Step 10/28"),
    (0.75, "INFO", "Step 21/28"),
    (0.95, "INFO", "Uploading result to media storage"),
)
_CLIPIA_LAST_LOG = {
    "completed": ("INFO", "Done"),
    "failed": ("ERROR", None),  # the failure reason
    "canceled": ("WARNING", "Request canceled outside the API"),
}


def clipia_status(job: Job, phase: Phase) -> dict[str, Any]:
    progress = _percent(phase) if phase.state in ("running", "completed") else None
    body = {
        "request_id": job.request_id,
        "status": _CLIPIA_WORDS[phase.state],
        "queue_position": queue_position(phase) if phase.state == "queued" else None,
        "progress": progress,
        "logs": clipia_logs(job, phase),
    }
    return body | job.overrides


def clipia_logs(job: Job, phase: Phase) -> list[dict[str, Any]]:
    logs = [
        _clipia_log(job, job.queue + at * job.duration, level, message)
        for at, level, message in _CLIPIA_LOGS
        if phase.state != "queued" and phase.elapsed >= job.queue + at * job.duration
    ]
    if phase.state in _CLIPIA_LAST_LOG:
        level, message = _CLIPIA_LAST_LOG[phase.state]
        logs.append(_clipia_log(job, job.ends, level, message or job.failure_reason))
    return logs


def _clipia_log(job: Job, offset: float, level: str, message: str) -> dict[str, Any]:
    stamp = iso(job.created_wall + offset)
    return {"message": message, "level": level, "source": "worker", "timestamp": stamp}


def clipia_result(job: Job, phase: Phase, origins: Origins) -> tuple[int, dict[str, Any]]:
    """(202, a short body) while queued or running; (200, the result) once terminal."""
    status = _CLIPIA_WORDS[phase.state]
    if phase.state in ("queued", "running"):
        waiting = {"request_id": job.request_id, "status": status, "message": "Request in progress"}
        return 202, waiting | job.overrides
    failed = phase.state == "failed"
    body: dict[str, Any] = {
        "request_id": job.request_id,
        "status": status,
        "model": "clipia/video-pro" if job.video else "clipia/image-pro",
        "output": _clipia_output(job, origins) if phase.state == "completed" else None,
        "error": {"code": "generation_failed", "message": job.failure_reason} if failed else None,
        "cost": round(0.04 * job.images + (0.5 if job.video else 0.0), 4),
        "created_at": iso(job.created_wall),
        "completed_at": iso(job.created_wall + job.ends),
    }
    return 200, body | job.overrides


def clipia_media_path(request_id: str, name: str) -> str:
    return f"/clipia/files/{request_id}/{name}"


def _clipia_output(job: Job, origins: Origins) -> dict[str, Any]:
    width, height = job.size
    base = origins.media + clipia_media_path(job.request_id, "")
    output: dict[str, Any] = {
        "images": [
            {"url": f"{base}{i}.webp", "original_url": f"{base}{i}.png"}
            | {"width": width, "height": height}
            for i in range(job.images)
        ]
    }
    if job.video:
        output["video"] = {"url": f"{base}video.mp4", "width": width, "height": height}
        output["video"]["duration"] = 5.0
    return output


def clipia_mock(request_id: str, origins: Origins, now_wall: float) -> dict[str, dict[str, Any]]:
    """What a ``clipia_test_`` key sees for any request: done at once, one fixed mock image."""
    base = origins.media + clipia_media_path("mock", "sample")
    width, height = CLIPIA_MOCK_SIZE
    image = {"url": f"{base}.webp", "original_url": f"{base}.png", "width": width, "height": height}
    status = {"request_id": request_id, "status": "COMPLETED", "queue_position": 0}
    result = {
        "request_id": request_id,
        "status": "COMPLETED",
        "model": "clipia/image-pro",
        "output": {"images": [image]},
        "error": None,
        "cost": 0.04,
        "created_at": iso(now_wall),
        "completed_at": iso(now_wall),
    }
    return {"status": status | {"progress": 100, "logs": []}, "result": result}


_CLIPIA_ERRORS = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("authentication_error", "invalid_api_key"),
    403: ("permission_error", "insufficient_scope"),
    404: ("not_found_error", "not_found"),
    410: ("invalid_request_error", "expired"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("api_error", "internal_error"),
    502: ("api_error", "bad_gateway"),
    503: ("api_error", "service_unavailable"),
    504: ("api_error", "gateway_timeout"),
}


def clipia_error(status: int, message: str) -> dict[str, Any]:
    kind, code = _CLIPIA_ERRORS.get(status, ("api_error", "internal_error"))
    return {"error": {"type": kind, "code": code, "message": message}}
