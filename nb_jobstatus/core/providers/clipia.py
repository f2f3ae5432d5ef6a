"""Clipia: images and video, a fal.ai-style queue. ``GET {base}/v1/requests/{id}/status``.

- Auth: ``Authorization: Bearer <key>`` (``Key <key>`` and ``X-Api-Key`` are accepted too).
  A ``clipia_test_...`` key is Clipia's own sandbox: every request completes at once.
- Status: ``IN_QUEUE`` (with ``queue_position``), ``IN_PROGRESS`` (with ``progress``),
  ``COMPLETED``, ``FAILED``, ``CANCELED``; body ``{request_id, status, queue_position,
  progress, logs}``. Log items are not documented: strings as they are, objects by ``message``.
- Result: ``GET {base}/v1/requests/{id}`` answers 202 until terminal, then ``{request_id,
  status, model, output, error, cost, created_at, completed_at}``; ``output.images[]`` (``url``
  an optimized copy, ``original_url`` the full-quality file, ``width``, ``height``) and
  ``output.video`` (one object: ``url``, ``width``, ``height``, ``duration``). Media live on
  another origin: no key there. ``error`` is ``{code, message}``.
- Errors: ``{"error": {"type", "code", "message"}}``; 429 and 503 are retried after
  ``Retry-After``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..model import Asset, State, Status
from ._base import (
    UUID_RE,
    Provider,
    as_float,
    as_int,
    as_list,
    as_str,
    clamp_progress,
    path_id,
    require_dict,
    state_of,
)

STATES = {
    "IN_QUEUE": State.QUEUED,
    "IN_PROGRESS": State.RUNNING,
    "COMPLETED": State.COMPLETED,
    "FAILED": State.FAILED,
    "CANCELED": State.CANCELED,
}


def status_url(base_url: str, request_id: str) -> str:
    return f"{base_url}/v1/requests/{path_id(request_id)}/status"


def result_url(base_url: str, request_id: str) -> str:
    return f"{base_url}/v1/requests/{path_id(request_id)}"


def auth_headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def error_detail(data: Any) -> tuple[str | None, str | None]:
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        return as_str(error.get("code")), as_str(error.get("message"))
    return None, as_str(error)


def log_line(item: Any) -> str:
    if isinstance(item, dict) and "message" in item:
        return str(item["message"])
    return item if isinstance(item, str) else str(item)


def parse(request_id: str, data: Any) -> Status:
    body = require_dict(data, "the Clipia status")
    return Status(
        provider="clipia",
        request_id=request_id,
        state=state_of(body.get("status"), STATES),
        provider_status=None if body.get("status") is None else str(body.get("status")),
        progress=clamp_progress(body.get("progress")),
        queue_position=as_int(body.get("queue_position")),
        logs=tuple(log_line(item) for item in as_list(body.get("logs"))),
        raw=data,
    )


def media_asset(item: Any, kind: str) -> Asset | None:
    if not isinstance(item, dict) or not as_str(item.get("url")):
        return None
    return Asset(
        url=item["url"],
        kind=kind,
        width=as_int(item.get("width")),
        height=as_int(item.get("height")),
        id=item["url"].rsplit("/", 1)[-1].split("?")[0] or None,
        original_url=as_str(item.get("original_url")),
        duration=as_float(item.get("duration")),
    )


def parse_result(status: Status, data: Any) -> Status:
    """The status once terminal, completed with ``output`` and ``error`` from the result."""
    body = require_dict(data, "the Clipia result")
    output = body["output"] if isinstance(body.get("output"), dict) else {}
    found = [media_asset(item, "image") for item in as_list(output.get("images"))]
    found.append(media_asset(output.get("video"), "video"))
    code, message = error_detail(body)
    return dataclasses.replace(
        status,
        assets=tuple(asset for asset in found if asset is not None),
        reason=message or status.reason,
        error_code=code,
        raw=data,
    )


CLIPIA = Provider(
    name="clipia",
    title="Clipia",
    base_url="https://api.clipia.ai",
    key_env=("CLIPIA_API_KEY", "CLIPIA_KEY"),
    base_env="CLIPIA_BASE_URL",
    id_re=UUID_RE,
    id_hint="a UUID (e.g. 764cabcf-b745-4b3e-ae38-1200304cf45b)",
    status_url=status_url,
    auth_headers=auth_headers,
    curl_header="Authorization: Bearer {env}",
    parse=parse,
    error_detail=error_detail,
    result_url=result_url,
    parse_result=parse_result,
    test_key_prefix="clipia_test_",
    docs_url="https://docs.clipia.ai/api/requests/status",
)
