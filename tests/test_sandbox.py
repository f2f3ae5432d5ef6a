"""The sandbox over real HTTP (a server on 127.0.0.1, plain ``requests``, no mocks): start
and stop, origins, keep-alive, the record of requests, the environment, bad options.
Each provider's API is in test_sandbox_providers.py, ids, keys and limits in
test_sandbox_ids_keys.py, faults in test_sandbox_faults.py."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
import requests
from _sandbox_http import UUID, napkin, sivi

from nb_jobstatus import sandbox

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
