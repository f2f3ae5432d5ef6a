"""The sandbox's scripted faults over real HTTP (plain ``requests``): consumed in order, 429
styles, transport and body faults, a dropped connection, media faults, a hostile SVG."""

from __future__ import annotations

import io
import time
from email.utils import parsedate_to_datetime

import pytest
import requests
from _sandbox_http import NAPKIN_AUTH, clipia, napkin, picture, sivi
from PIL import Image

from nb_jobstatus import sandbox

# --- faults ----------------------------------------------------------------------------------


def scripted(sb: sandbox.Sandbox, provider: str, *faults: str) -> str:
    return sb.add_job(provider, duration=0, size=(40, 40), faults=faults)


def get(sb: sandbox.Sandbox, http: requests.Session, provider: str, rid: str) -> requests.Response:
    return {"sivi": sivi, "napkin": napkin, "clipia": clipia}[provider](sb, http, rid)


@pytest.mark.parametrize("provider", ["sivi", "napkin", "clipia"])
def test_faults_are_consumed_in_order_then_normal(
    sb: sandbox.Sandbox, http: requests.Session, provider: str
) -> None:
    rid = scripted(sb, provider, *sandbox_errors(), "slow:0.2")
    for code in sandbox_errors():
        answer = get(sb, http, provider, rid)
        assert answer.status_code == int(code)
        error = answer.json()
        if provider == "sivi":
            assert error["status"] == int(code) and set(error["body"]) == {"message"}
        elif provider == "napkin":
            assert {"error", "message"} <= set(error)
        else:
            assert set(error["error"]) == {"type", "code", "message"}
    began = time.perf_counter()
    assert get(sb, http, provider, rid).status_code == 200
    assert time.perf_counter() - began >= 0.2
    assert get(sb, http, provider, rid).status_code == 200


def sandbox_errors() -> tuple[str, ...]:
    return ("401", "403", "404", "410", "500", "502", "503", "504")


@pytest.mark.parametrize("provider", ["sivi", "napkin", "clipia"])
def test_429_fault_styles(sb: sandbox.Sandbox, http: requests.Session, provider: str) -> None:
    rid = scripted(sb, provider, "429", "429:2.5", "429-date:3", "429-bare", "429-body:4")
    assert get(sb, http, provider, rid).headers["Retry-After"] == "1"
    assert get(sb, http, provider, rid).headers["Retry-After"] == "2.5"
    dated = get(sb, http, provider, rid)
    ahead = parsedate_to_datetime(dated.headers["Retry-After"]).timestamp() - time.time()
    assert 2 <= ahead <= 4
    bare, body_only = get(sb, http, provider, rid), get(sb, http, provider, rid)
    assert "Retry-After" not in bare.headers and "Retry-After" not in body_only.headers
    assert {bare.status_code, body_only.status_code} == {429}
    if provider == "napkin":
        assert "retry_after" not in bare.json() and {"limit", "window"} <= set(bare.json())
        assert body_only.json()["retry_after"] == 4


@pytest.mark.parametrize("provider", ["sivi", "napkin", "clipia"])
def test_transport_and_body_faults(
    sb: sandbox.Sandbox, http: requests.Session, provider: str
) -> None:
    rid = scripted(sb, provider, "malformed", "html", "html-200", "wrong-shape", "truncated")
    malformed = get(sb, http, provider, rid)
    assert malformed.status_code == 200 and malformed.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        malformed.json()
    html = get(sb, http, provider, rid)
    assert html.status_code == 502 and html.headers["Content-Type"].startswith("text/html")
    html_200 = get(sb, http, provider, rid)
    assert html_200.status_code == 200 and html_200.text.lstrip().startswith("<!doctype html>")
    assert isinstance(get(sb, http, provider, rid).json(), list)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(sb, http, provider, rid)
    assert get(sb, http, provider, rid).status_code == 200


def test_drop_closes_without_answer_and_is_recorded(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    rid = scripted(sb, "napkin", "drop")
    with pytest.raises(requests.ConnectionError):
        napkin(sb, http, rid)
    assert [r.status for r in sb.requests if r.request_id == rid] == [None]
    assert napkin(sb, http, rid).status_code == 200


def test_body_faults(sb: sandbox.Sandbox, http: requests.Session) -> None:
    faults = ("envelope-500", "unknown-status", "null-lists")
    sivi_id = scripted(sb, "sivi", *faults)
    assert sivi(sb, http, sivi_id).json() == {"status": 500, "body": {"message": "Internal error"}}
    assert sivi(sb, http, sivi_id).json()["body"]["status"] == "paused_by_operator"
    assert sivi(sb, http, sivi_id).json()["body"]["result"] == {"variations": None}
    napkin_id = scripted(sb, "napkin", "null-lists")
    assert napkin(sb, http, napkin_id).json()["generated_files"] is None
    clipia_id = scripted(sb, "clipia", "null-lists", "null-lists", "unknown-status")
    assert clipia(sb, http, clipia_id).json()["logs"] is None
    assert clipia(sb, http, clipia_id, result=True).json()["output"]["images"] is None
    assert clipia(sb, http, clipia_id, result=True).json()["status"] == "paused_by_operator"
    running = sb.add_job("sivi", duration=5, faults=["missing-progress"])
    assert "progress" not in sivi(sb, http, running).json()["body"]
    assert "progress" in sivi(sb, http, running).json()["body"]
    with pytest.raises(ValueError):
        sb.add_job("napkin", faults=["envelope-500"])
    with pytest.raises(ValueError):
        sb.add_job("napkin", faults=["teapot"])


# --- media faults ------------------------------------------------------------------------------


def test_media_faults(sb: sandbox.Sandbox, http: requests.Session) -> None:
    broken = {0: "404", 1: "not-image", 2: "truncated", 3: "bomb", 4: "huge"}
    rid = sb.add_job("clipia", duration=0, images=6, size=(80, 60), media_faults=broken)
    images = clipia(sb, http, rid, result=True).json()["output"]["images"]
    assert http.get(images[0]["url"], timeout=5).status_code == 404
    not_image = http.get(images[1]["original_url"], timeout=5)
    assert not_image.headers["Content-Type"] == "image/png"
    with pytest.raises(OSError):
        picture(not_image)
    with pytest.raises(OSError):
        picture(http.get(images[2]["url"], timeout=5))
    bomb = http.get(images[3]["url"], timeout=5)
    assert len(bomb.content) < 1000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(bomb.content))
    with http.get(images[4]["url"], stream=True, timeout=5) as huge:
        assert int(huge.headers["Content-Length"]) == 64 * 1024 * 1024
        assert huge.headers["Content-Type"] == "image/png"
        assert next(huge.iter_content(65536)).startswith(b"\x89PNG")
    assert picture(http.get(images[5]["url"], timeout=5)).size == (80, 60)


def test_napkin_hostile_svg(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("napkin", duration=0, format="svg", media_faults={0: "svg-script"})
    (item,) = napkin(sb, http, rid).json()["generated_files"]
    svg = http.get(item["url"], headers=NAPKIN_AUTH, timeout=5).text
    assert "<script>alert(1)</script>" in svg and "onload=" in svg
