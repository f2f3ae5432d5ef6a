"""The sandbox over real HTTP: a server on 127.0.0.1, plain ``requests``, no mocks."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests
from PIL import Image

from nb_jobstatus import sandbox

NAPKIN_AUTH = {"Authorization": "Bearer any-token"}
UUID = "0b5e55ed-0000-4000-8000-000000000001"
CLIPIA_AUTH = {"Authorization": "Bearer clipia_live_x"}


@pytest.fixture(scope="module")
def sb() -> Iterator[sandbox.Sandbox]:
    with sandbox.start() as running:
        yield running


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


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


# --- start, stop, origins ------------------------------------------------------------------


def test_start_is_fast_and_stop_closes_keep_alive_connections(http: requests.Session) -> None:
    began = time.perf_counter()
    running = sandbox.start()
    started = time.perf_counter() - began
    assert started < 0.5, f"start() took {started:.3f} s"
    assert http.get(running.api_origin + "/", timeout=5).status_code == 200
    running.stop()
    with pytest.raises(requests.ConnectionError):
        http.get(running.api_origin + "/", timeout=5)  # the same keep-alive session


def test_origins_and_base_urls(sb: sandbox.Sandbox) -> None:
    assert sb.api_origin.startswith("http://127.0.0.1:")
    assert sb.media_origin.startswith("http://127.0.0.1:")
    assert sb.api_origin != sb.media_origin
    assert sb.base_url("sivi") == sb.api_origin + "/sivi/api/prod/v2"
    assert sb.base_url("napkin") == sb.api_origin + "/napkin"
    assert sb.base_url("clipia") == sb.api_origin + "/clipia"
    with pytest.raises(ValueError):
        sb.base_url("midjourney")


def test_keep_alive_status_requests_take_milliseconds(sb: sandbox.Sandbox) -> None:
    rid = sb.add_job("napkin", duration=0)
    with requests.Session() as http:
        napkin(sb, http, rid)
        began = time.perf_counter()
        for _ in range(30):
            assert napkin(sb, http, rid).status_code == 200
    per_request = (time.perf_counter() - began) / 30
    assert per_request < 0.02, f"{per_request * 1000:.1f} ms per request: TCP_NODELAY lost?"


# --- Sivi ------------------------------------------------------------------------------------


def test_sivi_lifecycle(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("sivi", queue=0.3, duration=0.6, images=2, size=(320, 200))
    start = time.monotonic()
    pending = sivi(sb, http, rid).json()
    assert pending["status"] == 200
    body = pending["body"]
    assert body["status"] == "pending" and body["result"] is None
    assert "progress" not in body and "reason" not in body
    assert isinstance(body["queueWaitTime"], int) and body["requestId"] == rid
    assert len(rid) == 11 and rid.isalnum()
    at(start, 0.6)
    body = sivi(sb, http, rid).json()["body"]
    assert body["status"] == "processing"
    assert isinstance(body["progress"], int) and 20 <= body["progress"] <= 80
    at(start, 1.0)
    body = sivi(sb, http, rid).json()["body"]
    assert body["status"] == "completed" and "progress" not in body
    assert 300 <= body["queueWaitTime"] <= 400
    variations = body["result"]["variations"]
    assert len(variations) == 2
    for variation in variations:
        assert set(variation) == {
            "variantImageUrl",
            "variantEditLink",
            "variantId",
            "variantWidth",
            "variantHeight",
            "variantType",
        }
        assert variation["variantType"] == "GENERATED"
        assert variation["variantImageUrl"].startswith(sb.media_origin + "/sivi/user-data/")
        assert f"--{body['designId']}--{variation['variantId']}.jpg" in variation["variantImageUrl"]
        image = http.get(variation["variantImageUrl"], timeout=5)
        assert image.headers["Content-Type"] == "image/jpeg"
        assert int(image.headers["Content-Length"]) == len(image.content)
        assert picture(image).size == (320, 200) == (variation["variantWidth"], 200)


def test_sivi_links_open_a_page(sb: sandbox.Sandbox, http: requests.Session) -> None:
    body = sivi(sb, http, sb.add_job("sivi", duration=0)).json()["body"]
    for url in (
        body["link"],
        body["shareLink"],
        body["result"]["variations"][0]["variantEditLink"],
    ):
        assert url.startswith(sb.api_origin + "/sivi-app/#/")
        page = http.get(url, timeout=5)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")


def test_sivi_failed_complete_word_and_sub_variants(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    failed = sivi(sb, http, sb.add_job("sivi", duration=0, outcome="failed")).json()["body"]
    assert failed["status"] == "failed" and failed["reason"] == "Image url invalid"
    assert failed["result"] is None
    rid = sb.add_job("sivi", duration=0, outcome="complete", sub_variants=2, size=(64, 64))
    body = sivi(sb, http, rid).json()["body"]
    assert body["status"] == "complete"
    (variation,) = body["result"]["variations"]
    options = variation["options"]
    assert [o["variantId"] for o in options] == [variation["variantId"] + s for s in ("_1", "_2")]
    assert picture(http.get(options[1]["variantImageUrl"], timeout=5)).size == (64, 64)


def test_sivi_accepts_abstract_user_id_and_answers_its_documented_errors(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    rid = sb.add_job("sivi", duration=0)
    url = sb.base_url("sivi") + "/general/get-request-status"
    query = {"queryParams": json.dumps({"requestId": rid, "abstractUserId": "u-1"})}
    assert http.get(url, params=query, timeout=5).json()["body"]["requestId"] == rid
    missing = sivi(sb, http, "zzzzzzzzzzz")
    assert missing.status_code == 404 and missing.json() == {
        "status": 404,
        "body": {"message": "Request not found"},
    }
    assert http.get(url, params={"queryParams": "{oops"}, timeout=5).status_code == 422


# --- Napkin ----------------------------------------------------------------------------------


def test_napkin_lifecycle_and_png_files(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("napkin", duration=0.4, images=2, size=(300, 180))
    start = time.monotonic()
    pending = napkin(sb, http, rid).json()
    assert pending["status"] == "pending" and pending["id"] == rid
    assert "generated_files" not in pending and "progress" not in pending
    assert pending["request"]["format"] == "png" and pending["request"]["number_of_visuals"] == 2
    at(start, 0.6)
    done = napkin(sb, http, rid).json()
    assert done["status"] == "completed"
    files = done["generated_files"]
    assert len(files) == 2
    for item in files:
        assert set(item) == {"url", "visual_id", "visual_query", "style_id", "width", "height"}
        assert item["url"].startswith(f"{sb.api_origin}/napkin/v1/visual/{rid}/file/")
        assert http.get(item["url"], timeout=5).status_code == 401  # the Bearer is required
        download = http.get(item["url"], headers=NAPKIN_AUTH, timeout=5)
        assert download.headers["Content-Type"] == "image/png"
        assert picture(download).size == (300, 180) == (item["width"], item["height"])


def test_napkin_svg_and_ppt_formats(sb: sandbox.Sandbox, http: requests.Session) -> None:
    svg_id = sb.add_job("napkin", duration=0, format="svg", size=(400, 250))
    (svg_file,) = napkin(sb, http, svg_id).json()["generated_files"]
    svg = http.get(svg_file["url"], headers=NAPKIN_AUTH, timeout=5)
    assert svg.headers["Content-Type"] == "image/svg+xml"
    assert svg.text.startswith("<svg") and 'width="400"' in svg.text and "<script" not in svg.text
    ppt_id = sb.add_job("napkin", duration=0, format="ppt")
    (ppt_file,) = napkin(sb, http, ppt_id).json()["generated_files"]
    ppt = http.get(ppt_file["url"], headers=NAPKIN_AUTH, timeout=5)
    assert ppt.content.startswith(b"PK")
    assert ppt.headers["Content-Type"].endswith("presentationml.presentation")


def test_napkin_failure_bad_id_and_unknown_id(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("napkin", duration=0, outcome="failed", reason="<b>no</b>")
    failed = napkin(sb, http, rid).json()
    assert failed["status"] == "failed"
    assert failed["error"] == {"code": "generation_failed", "message": "<b>no</b>"}
    bad = napkin(sb, http, "not-a-uuid")
    assert bad.status_code == 400 and set(bad.json()) == {"error", "message"}
    assert napkin(sb, http, "00000000-0000-4000-8000-000000000000").status_code == 404


def test_napkin_files_expire_with_the_request(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("napkin", duration=0, expire_after=0.3, size=(50, 50))
    start = time.monotonic()
    url = napkin(sb, http, rid).json()["generated_files"][0]["url"]
    assert http.get(url, headers=NAPKIN_AUTH, timeout=5).status_code == 200
    at(start, 0.4)
    assert napkin(sb, http, rid).status_code == 410
    assert http.get(url, headers=NAPKIN_AUTH, timeout=5).status_code == 410


def test_napkin_10000_px_png(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("napkin", duration=0, size=(10000, 6086))
    (item,) = napkin(sb, http, rid).json()["generated_files"]
    download = http.get(item["url"], headers=NAPKIN_AUTH, timeout=30)
    assert Image.open(io.BytesIO(download.content)).size == (10000, 6086)  # header only


# --- Clipia ----------------------------------------------------------------------------------


def test_clipia_lifecycle_202_then_200(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("clipia", queue=1.0, duration=0.5, images=2, size=(160, 90), video=True)
    start = time.monotonic()
    first = clipia(sb, http, rid).json()
    assert set(first) == {"request_id", "status", "queue_position", "progress", "logs"}
    assert first["status"] == "IN_QUEUE" and first["logs"] == []
    assert clipia(sb, http, rid, result=True).status_code == 202
    at(start, 0.7)
    later = clipia(sb, http, rid).json()
    assert 0 <= later["queue_position"] < first["queue_position"]
    at(start, 1.3)
    running = clipia(sb, http, rid).json()
    assert running["status"] == "IN_PROGRESS" and running["queue_position"] is None
    assert 30 <= running["progress"] <= 80
    assert {"message", "level", "source", "timestamp"} <= set(running["logs"][0])
    assert clipia(sb, http, rid, result=True).status_code == 202
    at(start, 1.6)
    assert clipia(sb, http, rid).json()["status"] == "COMPLETED"
    result = clipia(sb, http, rid, result=True)
    body = result.json()
    assert result.status_code == 200 and body["error"] is None
    assert {"request_id", "status", "model", "output", "cost", "created_at", "completed_at"} <= set(
        body
    )
    for image in body["output"]["images"]:
        assert image["url"].startswith(sb.media_origin) and image["url"].endswith(".webp")
        webp, png = (http.get(image[k], timeout=5) for k in ("url", "original_url"))
        assert (webp.headers["Content-Type"], png.headers["Content-Type"]) == (
            "image/webp",
            "image/png",
        )
        assert picture(webp).size == picture(png).size == (160, 90) == (image["width"], 90)
    video = http.get(body["output"]["video"]["url"], timeout=5)
    assert video.headers["Content-Type"] == "video/mp4" and video.content


def test_clipia_failed_and_canceled(sb: sandbox.Sandbox, http: requests.Session) -> None:
    failed = sb.add_job("clipia", duration=0, outcome="failed", reason="out of memory")
    body = clipia(sb, http, failed, result=True).json()
    assert body["status"] == "FAILED" and body["output"] is None
    assert body["error"] == {"code": "generation_failed", "message": "out of memory"}
    assert clipia(sb, http, failed).json()["logs"][-1]["level"] == "ERROR"
    canceled = sb.add_job("clipia", duration=0, outcome="canceled")
    assert clipia(sb, http, canceled).json()["status"] == "CANCELED"
    with pytest.raises(ValueError):
        sb.add_job("napkin", outcome="canceled")


def test_clipia_test_key_completes_at_once(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("clipia", queue=60, duration=60)
    test_key = {"Authorization": "Key clipia_test_abc"}
    status = clipia(sb, http, rid, headers=test_key).json()
    assert status["status"] == "COMPLETED" and status["queue_position"] == 0
    body = clipia(sb, http, rid, result=True, headers=test_key).json()
    (image,) = body["output"]["images"]
    assert picture(http.get(image["url"], timeout=5)).size == (image["width"], image["height"])
    assert clipia(sb, http, rid).json()["status"] == "IN_QUEUE"  # a live key sees the real job


def test_clipia_rate_limit_headers_and_errors(sb: sandbox.Sandbox, http: requests.Session) -> None:
    answer = clipia(sb, http, "00000000-0000-4000-8000-000000000000")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert set(answer.json()["error"]) == {"type", "code", "message"}
    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(answer.headers)


# --- typed ids -------------------------------------------------------------------------------


def test_typed_ids_start_at_their_first_request(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    sivi_id = "demo-ok-1s-3img"
    napkin_id = "fa11ed00-0001-4001-8000-000000000007"
    clipia_id = sb.demo_id("clipia", "canceled", seconds=1, images=2)
    assert clipia_id.startswith("ca9ce1ed-0001-4002-")
    time.sleep(0.3)  # the jobs do not exist yet: this does not count
    start = time.monotonic()
    assert sivi(sb, http, sivi_id).json()["body"]["status"] == "pending"
    assert napkin(sb, http, napkin_id).json()["status"] == "pending"
    assert clipia(sb, http, clipia_id).json()["status"] == "IN_QUEUE"
    at(start, 1.1)
    body = sivi(sb, http, sivi_id).json()["body"]
    assert body["status"] == "completed" and len(body["result"]["variations"]) == 3
    assert napkin(sb, http, napkin_id).json()["status"] == "failed"
    assert clipia(sb, http, clipia_id).json()["status"] == "CANCELED"


def test_typed_expired_and_ids_outside_the_convention(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    assert sivi(sb, http, "demo-expire-0s").status_code == 410
    assert napkin(sb, http, "dead0000-0000-4001-8000-000000000000").status_code == 410
    assert napkin(sb, http, "ca9ce1ed-0000-4001-8000-000000000000").status_code == 404
    assert sivi(sb, http, "demo-maybe-3s").status_code == 404
    assert sivi(sb, http, sb.demo_id("sivi", "failed", 0)).json()["body"]["status"] == "failed"
    assert sb.demo_id("napkin") != sb.demo_id("napkin")
    with pytest.raises(ValueError):
        sb.demo_id("sivi", "canceled")


def test_expired_outcome_answers_410_on_every_provider(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    ids = {p: sb.add_job(p, duration=0.2, outcome="expired") for p in ("sivi", "napkin", "clipia")}
    assert sivi(sb, http, ids["sivi"]).json()["body"]["status"] == "processing"
    time.sleep(0.3)
    assert sivi(sb, http, ids["sivi"]).json() == {
        "status": 410,
        "body": {"message": "Request has expired and is no longer available"},
    }
    assert napkin(sb, http, ids["napkin"]).status_code == 410
    assert clipia(sb, http, ids["clipia"]).json()["error"]["code"] == "expired"


# --- progress curves and overrides --------------------------------------------------------------


def test_progress_curves_and_overrides(sb: sandbox.Sandbox, http: requests.Session) -> None:
    ease = sb.add_job("clipia", duration=1.0, progress="ease")
    none = sb.add_job("clipia", duration=1.0, progress="none")
    hostile = {"shareLink": "javascript:alert(1)", "reason": "<script>x</script>"}
    sivi_id = sb.add_job("sivi", duration=0, outcome="failed", overrides=hostile)
    time.sleep(0.4)
    assert clipia(sb, http, ease).json()["progress"] >= 70  # 1 - 0.6 ** 3 = 0.78
    assert clipia(sb, http, none).json()["progress"] is None
    body = sivi(sb, http, sivi_id).json()["body"]
    assert body["shareLink"] == hostile["shareLink"] and body["reason"] == hostile["reason"]


# --- keys ------------------------------------------------------------------------------------


def test_keys_are_checked_when_configured(http: requests.Session) -> None:
    keys = {"sivi": "s-key", "napkin": "n-key", "clipia": "clipia_live_c"}
    with sandbox.start(keys=keys) as keyed:
        rid = keyed.add_job("sivi", duration=0)
        assert sivi(keyed, http, rid).json() == {
            "status": 401,
            "body": {"message": "Authentication required or invalid API key"},
        }
        assert sivi(keyed, http, rid, key="s-key").status_code == 200
        nid = keyed.add_job("napkin", duration=0)
        assert napkin(keyed, http, nid).status_code == 401
        good = {"Authorization": "Bearer n-key"}
        status = http.get(f"{keyed.base_url('napkin')}/v1/visual/{nid}/status", headers=good)
        url = status.json()["generated_files"][0]["url"]
        assert http.get(url, headers=NAPKIN_AUTH).status_code == 401
        assert http.get(url, headers=good).status_code == 200
        cid = keyed.add_job("clipia", duration=0)
        wrong = clipia(keyed, http, cid)
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
        for header in ("Bearer clipia_live_c", "Key clipia_live_c"):
            assert clipia(keyed, http, cid, headers={"Authorization": header}).status_code == 200
        assert clipia(keyed, http, cid, headers={"X-Api-Key": "clipia_live_c"}).status_code == 200


# --- rate limits -------------------------------------------------------------------------------


def test_rate_limits_per_provider_and_key(http: requests.Session) -> None:
    limits = {"sivi": (2, 0.5), "napkin": (1, 0.5), "clipia": (1, 0.5)}
    with sandbox.start(rate_limits=limits) as limited:
        rid = limited.add_job("sivi", duration=0)
        assert [sivi(limited, http, rid).status_code for _ in range(3)] == [200, 200, 429]
        over = sivi(limited, http, rid)
        assert over.json() == {
            "status": 429,
            "body": {"message": "Rate limit exceeded. Please try again later."},
        }
        assert "Retry-After" not in over.headers
        assert sivi(limited, http, rid, key="other").status_code == 200
        nid = limited.add_job("napkin", duration=0)
        napkin(limited, http, nid)
        body = napkin(limited, http, nid).json()
        assert {"limit", "window", "reset_time", "retry_after"} <= set(body)
        cid = limited.add_job("clipia", duration=0)
        clipia(limited, http, cid)
        refused = clipia(limited, http, cid)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
        assert refused.headers["RateLimit-Remaining"] == "0"
        time.sleep(0.55)
        assert sivi(limited, http, rid).status_code == 200


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


# --- recording and environment --------------------------------------------------------------


def test_requests_are_recorded_and_no_key_reaches_the_media_origin(
    http: requests.Session,
) -> None:
    with sandbox.start() as fresh:
        rid = fresh.add_job("sivi", duration=0, size=(32, 32))
        before = time.monotonic()
        body = sivi(fresh, http, rid, key="secret-sivi").json()["body"]
        http.get(body["result"]["variations"][0]["variantImageUrl"], timeout=5)
        status, image = fresh.requests
        assert (status.origin, status.method, status.status) == ("api", "GET", 200)
        assert status.request_id == rid and "queryParams=" in status.path
        assert status.headers["sivi-api-key"] == "secret-sivi"
        assert (image.origin, image.request_id, image.status) == ("media", rid, 200)
        assert before <= status.time <= image.time <= time.monotonic()
        assert all(
            "secret-sivi" not in str(r.headers) for r in fresh.requests if r.origin == "media"
        )
        fresh.requests.clear()  # a copy: the record stays
        assert len(fresh.requests) == 2
        fresh.clear_requests()
        assert fresh.requests == []


def test_use_sets_and_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIVI_API_KEY", "user-key")
    monkeypatch.delenv("CLIPIA_BASE_URL", raising=False)
    with sandbox.start(keys={"clipia": "clipia_test_k"}) as running:
        with running.use():
            assert os.environ["SIVI_BASE_URL"] == running.base_url("sivi")
            assert os.environ["SIVI_API_KEY"] == "sandbox-sivi-key"
            assert os.environ["NAPKIN_API_TOKEN"] == "sandbox-napkin-token"
            assert os.environ["CLIPIA_API_KEY"] == "clipia_test_k"
        assert os.environ["SIVI_API_KEY"] == "user-key"
        assert "CLIPIA_BASE_URL" not in os.environ
        patch = running.use()
        assert os.environ["CLIPIA_BASE_URL"] == running.base_url("clipia")
        patch.restore()
        assert "CLIPIA_BASE_URL" not in os.environ


def test_add_job_rejects_bad_options(sb: sandbox.Sandbox) -> None:
    bad_options: list[dict[str, Any]] = [
        {"outcome": "exploded"},
        {"progress": "wobbly"},
        {"format": "gif"},
        {"size": (0, 10)},
        {"media_faults": {0: "gremlins"}},
    ]
    for bad in bad_options:
        with pytest.raises(ValueError):
            sb.add_job("napkin", **bad)
    rid = sb.add_job("sivi")
    with pytest.raises(ValueError):
        sb.add_job("sivi", request_id=rid)
    with pytest.raises(ValueError):
        sb.add_job("midjourney")
    with pytest.raises(ValueError):
        sb.add_job("clipia", request_id="not-a-uuid")
    assert sb.add_job("clipia", request_id=UUID) == UUID
