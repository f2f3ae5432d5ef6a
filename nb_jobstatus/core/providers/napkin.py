"""Napkin: visuals. ``GET {base}/v1/visual/{request-id}/status``; the id is a UUID.

- Auth: ``Authorization: Bearer <token>``.
- Status: ``pending`` (queued), ``completed``, ``failed``; one unofficial client also knows
  ``processing``. No progress is reported.
- Body: ``id``, ``status``, ``request`` (the submitted parameters, ``format`` svg|png|ppt among
  them), ``generated_files[]`` when completed: ``url``, ``visual_id``, ``visual_query``,
  ``style_id``, ``width``, ``height``. Newer versions add ``error {code, message}`` and
  ``warnings``.
- Files: ``generated_files[].url`` on the API's own origin; the Bearer header is required.
  Status and file URLs expire about 30 minutes after generation (then 410).
- Errors: 400 ``{"error", "message"}``, 401, 403 (another user's request), 404, 410, 500;
  a 429 body carries ``limit``, ``window``, ``reset_time``, ``retry_after``.
"""

from __future__ import annotations

from typing import Any

from ..model import Asset, State, Status
from ._base import UUID_RE, Provider, as_int, as_list, as_str, path_id, require_dict, state_of

STATES = {
    "pending": State.QUEUED,
    "processing": State.RUNNING,
    "completed": State.COMPLETED,
    "failed": State.FAILED,
}

MEDIA_TYPES = {
    "svg": ("image", "image/svg+xml"),
    "png": ("image", "image/png"),
    "ppt": ("file", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


def status_url(base_url: str, request_id: str) -> str:
    return f"{base_url}/v1/visual/{path_id(request_id)}/status"


def auth_headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def error_detail(data: Any) -> tuple[str | None, str | None]:
    if not isinstance(data, dict):
        return None, None
    error = data.get("error")
    if isinstance(error, dict):
        return as_str(error.get("code")), as_str(error.get("message"))
    return as_str(error), as_str(data.get("message"))


def file_asset(item: Any, request: dict[str, Any]) -> Asset | None:
    if not isinstance(item, dict) or not as_str(item.get("url")):
        return None
    kind, media_type = MEDIA_TYPES.get(str(request.get("format", "")).lower(), ("image", None))
    extra = {k: item.get(k) for k in ("visual_id", "visual_query", "style_id") if k in item}
    return Asset(
        url=item["url"],
        kind=kind,
        width=as_int(item.get("width")),
        height=as_int(item.get("height")),
        id=item["url"].rsplit("/", 1)[-1] or None,
        media_type=media_type,
        extra=extra,
    )


def parse(request_id: str, data: Any) -> Status:
    body = require_dict(data, "the Napkin status")
    request = body["request"] if isinstance(body.get("request"), dict) else {}
    files = (file_asset(item, request) for item in as_list(body.get("generated_files")))
    code, message = error_detail(body) if body.get("error") else (None, None)
    warnings = tuple(str(w) for w in as_list(body.get("warnings")))
    return Status(
        provider="napkin",
        request_id=request_id,
        state=state_of(body.get("status"), STATES),
        provider_status=None if body.get("status") is None else str(body.get("status")),
        reason=message,
        error_code=code,
        assets=tuple(asset for asset in files if asset is not None),
        warnings=warnings,
        raw=data,
    )


NAPKIN = Provider(
    name="napkin",
    title="Napkin",
    base_url="https://api.napkin.ai",
    key_env=("NAPKIN_API_TOKEN", "NAPKIN_API_KEY"),
    base_env="NAPKIN_BASE_URL",
    id_re=UUID_RE,
    id_hint="a UUID (e.g. 123e4567-e89b-12d3-a456-426614174000)",
    status_url=status_url,
    auth_headers=auth_headers,
    curl_header="Authorization: Bearer {env}",
    parse=parse,
    error_detail=error_detail,
    docs_url="https://api.napkin.ai/api/get-visual-request-status",
)
