"""Provider-shaped JSON bodies for a job at one moment, as each provider's documentation shows
them (see shared/PROVIDERS.md and the seed pages). Pure: the caller gives the phase and origins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .scripted import ScriptedJob
from .timeline import Phase, percent


@dataclass(frozen=True)
class Origins:
    api: str  # "http://127.0.0.1:P": the providers' API hosts
    media: str  # "http://127.0.0.1:Q": the media hosts (another origin, no key)


SIVI_USER = "e5ef6aa0-8d6c-11ec-bd33-8d2f1bec7c21"  # the user folder of the sandbox account
NAPKIN_STYLE = "CSQQ4VB1DGPPRTB7D1T0"


def iso(wall: float) -> str:
    return datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="milliseconds")


# --- Sivi: GET {base}/general/get-request-status?queryParams={"requestId": ...} -------------

_SIVI_WORDS = {"queued": "pending", "running": "processing", "failed": "failed"}


def sivi_status(job: ScriptedJob, phase: Phase, origins: Origins) -> dict[str, Any]:
    body: dict[str, Any] = {
        "queueWaitTime": int(1000 * min(phase.elapsed, job.queue)),
        "status": _SIVI_WORDS.get(phase.state, job.outcome),  # "completed" or "complete"
        "requestId": job.request_id,
        "designId": job.design_id,
        "link": f"{origins.api}/sivi-app/#/design/{job.design_id}",
        "shareLink": f"{origins.api}/sivi-app/#/results/{job.design_id}",
    }
    if phase.state == "running" and phase.progress is not None:
        body["progress"] = percent(phase.progress)
    if phase.state == "failed":
        body["reason"] = job.failure_reason
    body["result"] = _sivi_result(job, origins) if phase.state == "completed" else None
    return {"status": 200, "body": body | job.overrides}


def _sivi_result(job: ScriptedJob, origins: Origins) -> dict[str, Any]:
    variations = []
    for variant_id in job.asset_ids:
        variation = sivi_variation(job, origins, variant_id)
        if job.sub_variants:
            subs = range(1, job.sub_variants + 1)
            variation["options"] = [sivi_variation(job, origins, f"{variant_id}_{k}") for k in subs]
        variations.append(variation)
    return {"variations": variations}


def sivi_variation(job: ScriptedJob, origins: Origins, variant_id: str) -> dict[str, Any]:
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


def napkin_status(job: ScriptedJob, phase: Phase, origins: Origins) -> dict[str, Any]:
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


def _napkin_request(job: ScriptedJob) -> dict[str, Any]:
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


def napkin_file_path(job: ScriptedJob, file_id: str) -> str:
    return f"/napkin/v1/visual/{job.request_id}/file/{file_id}"


def _napkin_file(job: ScriptedJob, origins: Origins, file_id: str) -> dict[str, Any]:
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
