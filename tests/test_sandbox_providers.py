"""Each provider's API as the sandbox plays it over real HTTP (plain ``requests``): Sivi,
Napkin and Clipia lifecycles, files, formats, failures and documented errors."""

from __future__ import annotations

import io
import json
import time

import pytest
import requests
from _sandbox_http import NAPKIN_AUTH, at, clipia, napkin, picture, sivi
from PIL import Image

from nb_jobstatus import sandbox

# --- Sivi ------------------------------------------------------------------------------------


def test_sivi_lifecycle(sb: sandbox.Sandbox, http: requests.Session) -> None:
    # phases of 0.6 s and more: each check has a few hundred ms of room on a loaded machine
    rid = sb.add_job("sivi", queue=0.6, duration=1.2, images=2, size=(320, 200))
    start = time.monotonic()
    pending = sivi(sb, http, rid).json()
    assert pending["status"] == 200
    body = pending["body"]
    assert body["status"] == "pending" and body["result"] is None
    assert "progress" not in body and "reason" not in body
    assert isinstance(body["queueWaitTime"], int) and body["requestId"] == rid
    assert len(rid) == 11 and rid.isalnum()
    at(start, 1.2)
    body = sivi(sb, http, rid).json()["body"]
    assert body["status"] == "processing"
    assert isinstance(body["progress"], int) and 20 <= body["progress"] <= 80
    at(start, 2.0)
    body = sivi(sb, http, rid).json()["body"]
    assert body["status"] == "completed" and "progress" not in body
    assert 600 <= body["queueWaitTime"] <= 700
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
    rid = sb.add_job("napkin", duration=0.8, images=2, size=(300, 180))
    start = time.monotonic()
    pending = napkin(sb, http, rid).json()
    assert pending["status"] == "pending" and pending["id"] == rid
    assert "generated_files" not in pending and "progress" not in pending
    assert pending["request"]["format"] == "png" and pending["request"]["number_of_visuals"] == 2
    at(start, 1.2)
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
    # 1.5 s: the status and the file must both be fetched before then, on a loaded machine too
    rid = sb.add_job("napkin", duration=0, expire_after=1.5, size=(50, 50))
    start = time.monotonic()
    url = napkin(sb, http, rid).json()["generated_files"][0]["url"]
    assert http.get(url, headers=NAPKIN_AUTH, timeout=5).status_code == 200
    at(start, 1.6)
    assert napkin(sb, http, rid).status_code == 410
    assert http.get(url, headers=NAPKIN_AUTH, timeout=5).status_code == 410


def test_napkin_10000_px_png(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("napkin", duration=0, size=(10000, 6086))
    (item,) = napkin(sb, http, rid).json()["generated_files"]
    download = http.get(item["url"], headers=NAPKIN_AUTH, timeout=30)
    assert Image.open(io.BytesIO(download.content)).size == (10000, 6086)  # header only


# --- Clipia ----------------------------------------------------------------------------------


def test_clipia_lifecycle_202_then_200(sb: sandbox.Sandbox, http: requests.Session) -> None:
    rid = sb.add_job("clipia", queue=2.0, duration=1.0, images=2, size=(160, 90), video=True)
    start = time.monotonic()
    first = clipia(sb, http, rid).json()
    assert set(first) == {"request_id", "status", "queue_position", "progress", "logs"}
    assert first["status"] == "IN_QUEUE" and first["logs"] == []
    assert clipia(sb, http, rid, result=True).status_code == 202
    at(start, 1.4)
    later = clipia(sb, http, rid).json()
    assert 0 <= later["queue_position"] < first["queue_position"]
    at(start, 2.6)
    running = clipia(sb, http, rid).json()
    assert running["status"] == "IN_PROGRESS" and running["queue_position"] is None
    assert 30 <= running["progress"] <= 80
    assert {"message", "level", "source", "timestamp"} <= set(running["logs"][0])
    assert clipia(sb, http, rid, result=True).status_code == 202
    at(start, 3.2)
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
    video = http.get(body["output"]["video"]["url"], timeout=30)  # made on first ask
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
