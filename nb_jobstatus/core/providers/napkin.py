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
- Pasted URLs: ``{base}/v1/visual/{id}``, ``.../status`` and a file URL ``.../file/{file-id}``.
"""

from __future__ import annotations

import re
from typing import Any

from ..model import Asset, State, Status
from ._base import UUID_RE, Provider, as_list, match_path, path_id, require_dict, state_of
from ._formats import file_name_of
from ._values import MAX_TEXT, as_str, as_url, cap, last_lines, pixels_of, status_word, text_of

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

URL_PATH = re.compile(
    rf"(?P<base>.*)/v1/visual/(?P<id>{UUID_RE.pattern})(?:/status|/file/[^/]+)?/?"
)


def status_url(base_url: str, request_id: str) -> str:
    return f"{base_url}/v1/visual/{path_id(request_id)}/status"


def auth_headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def match_url(url: str) -> tuple[str, str] | None:
    """(API base, request id) of a status, visual or file URL."""
    found = match_path(url, URL_PATH)
    return (found[0], found[1]["id"]) if found else None


def error_detail(data: Any) -> tuple[str | None, str | None]:
    if not isinstance(data, dict):
        return None, None
    error = data.get("error")
    if isinstance(error, dict):
        return as_str(error.get("code")), as_str(error.get("message"))
    return as_str(error), as_str(data.get("message"))


def file_asset(item: Any, request: dict[str, Any]) -> Asset | None:
    url = as_url(item.get("url")) if isinstance(item, dict) else None
    if url is None:
        return None
    fmt = request.get("format")
    kind, media_type = MEDIA_TYPES.get(fmt.lower() if isinstance(fmt, str) else "", ("image", None))
    extra = {k: as_str(item.get(k)) for k in ("visual_id", "visual_query", "style_id")}
    return Asset(
        url=url,
        kind=kind,
        width=pixels_of(item.get("width")),
        height=pixels_of(item.get("height")),
        id=file_name_of(url),
        media_type=media_type,
        extra={k: v for k, v in extra.items() if v is not None},
    )


def warning_text(item: Any) -> str:
    """A warning as one line: a string as it is, an object by its code and message."""
    if isinstance(item, dict) and ("message" in item or "code" in item):
        words = (text_of(item[k]) for k in ("code", "message") if item.get(k) is not None)
        return cap(": ".join(words), MAX_TEXT)
    return text_of(item)


def parse(request_id: str, data: Any) -> Status:
    body = require_dict(data, "the Napkin status")
    request = body["request"] if isinstance(body.get("request"), dict) else {}
    files = (file_asset(item, request) for item in as_list(body.get("generated_files")))
    code, message = error_detail(body) if body.get("error") else (None, None)
    return Status(
        provider="napkin",
        request_id=request_id,
        state=state_of(body.get("status"), STATES),
        provider_status=status_word(body.get("status")),
        reason=message,
        error_code=code,
        assets=tuple(asset for asset in files if asset is not None),
        warnings=last_lines(warning_text(w) for w in as_list(body.get("warnings"))),
        raw=data,
    )


def kind_of(status: Status | None) -> str:
    """The format asked for (svg, png, ppt; a PNG with its size): what its time depends on."""
    raw = status.raw if status is not None else None
    request = raw.get("request") if isinstance(raw, dict) else None
    if not isinstance(request, dict):
        return "any"
    fmt = str(request.get("format") or "svg").lower()[:8]
    if fmt == "png" and isinstance(request.get("width"), int):
        return f"png-{min(10000, max(0, request['width'])) // 1000}k"
    return fmt


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
    match_url=match_url,
    reports_progress=False,
    reports_queue=False,  # "pending" covers the queue and the work alike
    expires_after=30 * 60.0,  # status and file URLs answer 410 after about 30 minutes
    kind_of=kind_of,
)
