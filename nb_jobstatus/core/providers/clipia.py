"""Clipia: images, video, speech and music; a fal.ai-style queue.
``GET {base}/v1/requests/{id}/status``.

- Auth: ``Authorization: Bearer <key>`` (``Key <key>`` and ``X-Api-Key`` are accepted too).
  A ``clipia_test_...`` key is Clipia's own sandbox: every request completes at once.
- Status: ``IN_QUEUE`` (with ``queue_position``), ``IN_PROGRESS`` (with ``progress``),
  ``COMPLETED``, ``FAILED``, ``CANCELED``; body ``{request_id, status, queue_position,
  progress, logs}``. Log items are not documented: strings as they are, objects by ``message``.
- Result: ``GET {base}/v1/requests/{id}`` answers 202 until terminal, then ``{request_id,
  status, model, output, error, cost, warnings, created_at, completed_at}``. ``output`` holds
  ``images[]`` (``url`` an optimized copy, usually WebP; ``original_url`` the full-quality file;
  ``width``, ``height``), ``video`` (one object: ``url``, ``original_url``, ``width``,
  ``height``, ``duration``), ``audio`` (the first track: ``url``, ``format`` such as ``mp3``)
  and ``audios[]`` (every track; the first equals ``audio``), plus model-specific keys. No
  content type is given: it comes from ``format`` or the URL's extension. Media live on
  another origin: no key there. ``error`` is ``{code, message}``; ``cost`` whole credits;
  ``warnings`` ``[{code, parameter, message}]`` for input keys the model ignored.
- Errors: ``{"error": {"type", "code", "message"}}``; 429 and 503 are retried after
  ``Retry-After``.
- Pasted URLs: the status URL and the result URL (the SDK's ``status_url``, ``response_url``).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..model import Asset, State, Status
from ._base import UUID_RE, Provider, as_list, match_path, path_id, require_dict, state_of
from ._formats import file_name_of, media_type_of_format, media_type_of_url
from ._values import (
    MAX_TEXT,
    as_str,
    as_url,
    bounded_json,
    cap,
    credits_of,
    last_lines,
    pixels_of,
    position_of,
    progress_of,
    seconds_of,
    status_word,
    text_of,
)

STATES = {
    "IN_QUEUE": State.QUEUED,
    "IN_PROGRESS": State.RUNNING,
    "COMPLETED": State.COMPLETED,
    "FAILED": State.FAILED,
    "CANCELED": State.CANCELED,
}

URL_PATH = re.compile(rf"(?P<base>.*)/v1/requests/(?P<id>{UUID_RE.pattern})(?:/status)?/?")
MEDIA_KEYS = ("images", "video", "audio", "audios")  # the rest of ``output`` is shown as JSON


def status_url(base_url: str, request_id: str) -> str:
    return f"{base_url}/v1/requests/{path_id(request_id)}/status"


def result_url(base_url: str, request_id: str) -> str:
    return f"{base_url}/v1/requests/{path_id(request_id)}"


def auth_headers(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def match_url(url: str) -> tuple[str, str] | None:
    """(API base, request id) of a status URL or a result URL."""
    found = match_path(url, URL_PATH)
    return (found[0], found[1]["id"]) if found else None


def error_detail(data: Any) -> tuple[str | None, str | None]:
    """(code, message) of ``{"error": {type, code, message}}``; the type stands in for a
    missing code (``rate_limit_error``)."""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict):
        code = as_str(error.get("code")) or as_str(error.get("type"))
        return code, as_str(error.get("message"))
    return None, as_str(error)


def log_line(item: Any) -> str:
    if isinstance(item, dict) and "message" in item:
        return text_of(item["message"])
    return text_of(item)


def parse(request_id: str, data: Any) -> Status:
    body = require_dict(data, "the Clipia status")
    return Status(
        provider="clipia",
        request_id=request_id,
        state=state_of(body.get("status"), STATES),
        provider_status=status_word(body.get("status")),
        progress=progress_of(body.get("progress")),
        queue_position=position_of(body.get("queue_position")),
        logs=last_lines(log_line(item) for item in as_list(body.get("logs"))),
        raw=data,
    )


# -- the result -----------------------------------------------------------------------------


def media_asset(item: Any, kind: str) -> Asset | None:
    """An image, video or audio track of ``output``; None without a usable ``url``."""
    url = as_url(item.get("url")) if isinstance(item, dict) else None
    if url is None:
        return None
    original = as_url(item.get("original_url"))
    return Asset(
        url=url,
        kind=kind,
        width=pixels_of(item.get("width")),
        height=pixels_of(item.get("height")),
        id=file_name_of(url),
        media_type=media_type_of_format(item.get("format")) or media_type_of_url(url),
        original_url=original,
        original_media_type=media_type_of_url(original) if original else None,
        duration=seconds_of(item.get("duration")),
    )


def output_assets(output: dict[str, Any]) -> list[Asset | None]:
    """Images, then the video, then every audio track (``audio`` is ``audios[0]``: once)."""
    found = [media_asset(item, "image") for item in as_list(output.get("images"))]
    found.append(media_asset(output.get("video"), "video"))
    tracks = [media_asset(item, "audio") for item in as_list(output.get("audios"))]
    first = media_asset(output.get("audio"), "audio")
    if first is not None and first.url not in {t.url for t in tracks if t is not None}:
        tracks.insert(0, first)
    return found + tracks


def other_output(output: Any) -> Any:
    """What ``output`` holds besides its files (and media keys of an unexpected shape), as
    bounded JSON; None when nothing is left."""
    if not isinstance(output, dict):
        return bounded_json(output)
    shapes = {"images": list, "video": dict, "audio": dict, "audios": list}
    rest = {
        key: value
        for key, value in output.items()
        if value is not None and not (key in shapes and isinstance(value, shapes[key]))
    }
    return bounded_json(rest) if rest else None


def warning_text(item: Any) -> str:
    """``{code, parameter, message}`` as one line: ``unknown_parameter 'seed': message``."""
    if not isinstance(item, dict):
        return text_of(item)
    head = " ".join(
        text_of(value) if key == "code" else repr(text_of(value))
        for key, value in (("code", item.get("code")), ("parameter", item.get("parameter")))
        if value is not None
    )
    message = item.get("message")
    text = ": ".join(part for part in (head, None if message is None else text_of(message)) if part)
    return cap(text or "warning", MAX_TEXT)


def parse_result(status: Status, data: Any) -> Status:
    """The status once terminal, completed with the result's files, other output, error,
    warnings and cost."""
    body = require_dict(data, "the Clipia result")
    output = body.get("output")
    found = output_assets(output) if isinstance(output, dict) else []
    code, message = error_detail(body)
    return dataclasses.replace(
        status,
        assets=tuple(asset for asset in found if asset is not None),
        output=other_output(output),
        reason=message or status.reason,
        error_code=code,
        warnings=last_lines(warning_text(item) for item in as_list(body.get("warnings"))),
        cost=credits_of(body.get("cost")),
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
    match_url=match_url,
    reports_progress=True,
    reports_queue=True,  # queue_position
)
