"""Sivi: design generation. ``GET {base}/general/get-request-status``.

- Auth: header ``sivi-api-key: <key>``.
- Query: ``queryParams`` = URL-encoded JSON ``{"requestId": "..."}``.
- Every answer is an envelope ``{"status": <int>, "body": {...}}``; an envelope status other
  than 200 is an error even under HTTP 200 (the official sample app checks both).
- ``body``: ``queueWaitTime`` (ms), ``status``, ``requestId``, ``designId``, ``link``,
  ``shareLink``, ``progress`` (while processing), ``reason`` (on failure), ``result``.
- ``result.variations[]``: ``variantImageUrl``, ``variantEditLink``, ``variantId``,
  ``variantWidth``, ``variantHeight``, ``variantType``; since mid-2026 also ``options[]``
  sub-variants with the same fields.
- Status words disagree across Sivi's own pages: ``complete`` and ``completed`` both mean
  success, ``failed`` and ``error`` both mean failure.
- Images live on another host and need no key. Rate limit: 50 requests/minute (general plan).
- Errors: ``{"status": N, "body": {"message": "..."}}``.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from ..model import Asset, State, Status
from ._base import (
    Provider,
    as_float,
    as_int,
    as_list,
    as_str,
    clamp_progress,
    require_dict,
    state_of,
)

STATES = {
    "pending": State.QUEUED,
    "processing": State.RUNNING,
    "complete": State.COMPLETED,
    "completed": State.COMPLETED,
    "failed": State.FAILED,
    "error": State.FAILED,
}


def status_url(base_url: str, request_id: str) -> str:
    query = json.dumps({"requestId": request_id}, separators=(",", ":"))
    return f"{base_url}/general/get-request-status?queryParams={quote(query, safe='')}"


def auth_headers(key: str) -> dict[str, str]:
    return {"sivi-api-key": key}


def envelope_status(data: Any) -> int | None:
    return as_int(data.get("status")) if isinstance(data, dict) else None


def error_detail(data: Any) -> tuple[str | None, str | None]:
    body = data.get("body") if isinstance(data, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    return None, as_str(message)


def variant_asset(variation: Any) -> Asset | None:
    if not isinstance(variation, dict) or not as_str(variation.get("variantImageUrl")):
        return None
    return Asset(
        url=variation["variantImageUrl"],
        kind="image",
        width=as_int(variation.get("variantWidth")),
        height=as_int(variation.get("variantHeight")),
        id=as_str(variation.get("variantId")),
        edit_url=as_str(variation.get("variantEditLink")),
        media_type=media_type_of(variation["variantImageUrl"]),
        variant_type=as_str(variation.get("variantType")),
    )


def media_type_of(url: str) -> str | None:
    match = re.search(r"\.(jpe?g|png|webp|gif|svg)(?:$|\?)", url.lower())
    if not match:
        return None
    ext = match.group(1)
    return {"jpg": "image/jpeg", "svg": "image/svg+xml"}.get(ext, f"image/{ext}")


def assets_of(result: Any) -> tuple[Asset, ...]:
    variations = as_list(result.get("variations")) if isinstance(result, dict) else []
    found = []
    for variation in variations:
        found.append(variant_asset(variation))
        options = variation.get("options") if isinstance(variation, dict) else None
        found.extend(variant_asset(option) for option in as_list(options))
    return tuple(asset for asset in found if asset is not None)


def parse(request_id: str, data: Any) -> Status:
    body = require_dict(require_dict(data, "the Sivi envelope").get("body"), "the Sivi body")
    wait_ms = as_float(body.get("queueWaitTime"))
    return Status(
        provider="sivi",
        request_id=request_id,
        state=state_of(body.get("status"), STATES),
        provider_status=_raw_status(body.get("status")),
        progress=clamp_progress(body.get("progress")),
        queue_wait_seconds=None if wait_ms is None else wait_ms / 1000.0,
        reason=as_str(body.get("reason")),
        assets=assets_of(body.get("result")),
        view_url=as_str(body.get("link")),
        share_url=as_str(body.get("shareLink")),
        raw=data,
    )


def _raw_status(value: Any) -> str | None:
    return None if value is None else str(value)


SIVI = Provider(
    name="sivi",
    title="Sivi",
    base_url="https://connect.sivi.ai/api/prod/v2",
    key_env=("SIVI_API_KEY",),
    base_env="SIVI_BASE_URL",
    id_re=re.compile(r"[A-Za-z0-9_-]{1,128}"),
    id_hint="1-128 characters of A-Z a-z 0-9 _ - (e.g. sbhMkIZKCPp)",
    status_url=status_url,
    auth_headers=auth_headers,
    curl_header="sivi-api-key: {env}",
    parse=parse,
    error_detail=error_detail,
    envelope_status=envelope_status,
    rate_limit=(50, 60.0),
    docs_url="https://docs.sivi.ai/api-reference/get-request-status",
)
