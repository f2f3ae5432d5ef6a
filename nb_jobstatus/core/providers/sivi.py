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
- Pasted URLs: a status URL (the request id is inside ``queryParams``), and the app's design
  links (``#/design/<designId>``, ``#/results/<designId>``), which name a design, not a request.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, quote

from ..errors import ConfigurationError, ResponseError
from ..jsonbody import decode
from ..model import Asset, State, Status
from ._base import Provider, as_list, match_path, require_dict, split_url, state_of
from ._formats import media_type_of_url
from ._values import (
    MAX_QUEUE_WAIT,
    as_int,
    as_str,
    as_url,
    pixels_of,
    progress_of,
    seconds_of,
    status_word,
)

STATES = {
    "pending": State.QUEUED,
    "processing": State.RUNNING,
    "complete": State.COMPLETED,
    "completed": State.COMPLETED,
    "failed": State.FAILED,
    "error": State.FAILED,
}

STATUS_PATH = re.compile(r"(?P<base>.*)/general/get-request-status/?")
DESIGN_LINK = re.compile(r"/?(?:design|results)/(?P<design>[^/?&]+)")  # an app URL's #fragment


def status_url(base_url: str, request_id: str) -> str:
    query = json.dumps({"requestId": request_id}, separators=(",", ":"))
    return f"{base_url}/general/get-request-status?queryParams={quote(query, safe='')}"


def auth_headers(key: str) -> dict[str, str]:
    return {"sivi-api-key": key}


def envelope_status(data: Any) -> int | None:
    return as_int(data.get("status"), 0, 999) if isinstance(data, dict) else None


def error_detail(data: Any) -> tuple[str | None, str | None]:
    body = data.get("body") if isinstance(data, dict) else None
    message = body.get("message") if isinstance(body, dict) else None
    return None, as_str(message)


# -- URLs a user pastes ---------------------------------------------------------------------


def match_url(url: str) -> tuple[str, str] | None:
    """(API base, request id) of a status URL; ConfigurationError when it has no requestId."""
    found = match_path(url, STATUS_PATH)
    if found is None:
        return None
    base, _ = found
    parts = split_url(url)
    query = parse_qs(parts.query if parts else "").get("queryParams", [""])[0]
    try:
        params = decode(query.encode(), what="queryParams")
    except ResponseError:
        params = None
    request_id = params.get("requestId") if isinstance(params, dict) else None
    if not isinstance(request_id, str):
        raise ConfigurationError(
            'this Sivi status URL has no queryParams={"requestId": ...}', provider="sivi"
        )
    return base, request_id


def design_id_of(url: str) -> str | None:
    """The design id of an app link (``https://instant.sivi.ai/#/design/<designId>``)."""
    parts = split_url(url)
    link = DESIGN_LINK.fullmatch(parts.fragment) if parts else None
    return link["design"] if link else None


def design_id_in(status: Status) -> str | None:
    """The design id a status names (``body.designId``, else its view link)."""
    raw = status.raw if status.provider == "sivi" else None
    body = raw.get("body") if isinstance(raw, dict) else None
    found = as_str(body.get("designId")) if isinstance(body, dict) else None
    return found or (design_id_of(status.view_url) if status.view_url else None)


# -- the status body ------------------------------------------------------------------------


def variant_asset(variation: Any) -> Asset | None:
    url = as_url(variation.get("variantImageUrl")) if isinstance(variation, dict) else None
    if url is None:
        return None
    return Asset(
        url=url,
        kind="image",
        width=pixels_of(variation.get("variantWidth")),
        height=pixels_of(variation.get("variantHeight")),
        id=as_str(variation.get("variantId")),
        edit_url=as_url(variation.get("variantEditLink")),
        media_type=media_type_of_url(url),
        variant_type=as_str(variation.get("variantType")),
    )


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
    return Status(
        provider="sivi",
        request_id=request_id,
        state=state_of(body.get("status"), STATES),
        provider_status=status_word(body.get("status")),
        progress=progress_of(body.get("progress")),
        queue_wait_seconds=seconds_of(body.get("queueWaitTime"), 1e-3, MAX_QUEUE_WAIT),
        reason=as_str(body.get("reason")),
        assets=assets_of(body.get("result")),
        view_url=as_url(body.get("link")),
        share_url=as_url(body.get("shareLink")),
        raw=data,
    )


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
    match_url=match_url,
    design_id_of=design_id_of,
    design_id_in=design_id_in,
    reports_progress=True,
    reports_queue=True,  # queueWaitTime (ms)
)
