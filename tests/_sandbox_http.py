"""Requests to the sandbox over real HTTP with plain ``requests`` (tests/test_sandbox*.py):
each provider's status endpoint, waiting until a moment, a downloaded picture."""

from __future__ import annotations

import io
import json
import time

import requests
from PIL import Image

from nb_jobstatus import sandbox

NAPKIN_AUTH = {"Authorization": "Bearer any-token"}
UUID = "0b5e55ed-0000-4000-8000-000000000001"
CLIPIA_AUTH = {"Authorization": "Bearer clipia_live_x"}


def sivi(
    sb: sandbox.Sandbox, http: requests.Session, rid: str, key: str = "k"
) -> requests.Response:
    url = sb.base_url("sivi") + "/general/get-request-status"
    params = {"queryParams": json.dumps({"requestId": rid})}
    return http.get(url, params=params, headers={"sivi-api-key": key}, timeout=5)


def napkin(sb: sandbox.Sandbox, http: requests.Session, rid: str) -> requests.Response:
    return http.get(
        f"{sb.base_url('napkin')}/v1/visual/{rid}/status", headers=NAPKIN_AUTH, timeout=5
    )


def clipia(
    sb: sandbox.Sandbox,
    http: requests.Session,
    rid: str,
    result: bool = False,
    headers: dict[str, str] | None = None,
) -> requests.Response:
    url = f"{sb.base_url('clipia')}/v1/requests/{rid}" + ("" if result else "/status")
    return http.get(url, headers=headers or CLIPIA_AUTH, timeout=5)


def at(start: float, seconds: float) -> None:
    """Sleep until ``seconds`` after ``start`` (a time.monotonic())."""
    time.sleep(max(0.0, start + seconds - time.monotonic()))


def picture(response: requests.Response) -> Image.Image:
    image = Image.open(io.BytesIO(response.content))
    image.load()
    return image
