"""The sandbox speaks Clipia to a client nobody here wrote: the official Clipia Python SDK
(``clipia`` 1.5.0, from the test extra) drives it through ``status()`` and ``result()``."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from nb_jobstatus import sandbox

clipia = pytest.importorskip("clipia", minversion="1.5.0")

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def client(sb: sandbox.Sandbox) -> Iterator[clipia.Clipia]:
    with clipia.Clipia(api_key="clipia_live_sdk", base_url=sb.base_url("clipia")) as made:
        yield made


def test_completed_request(sb: sandbox.Sandbox, client: clipia.Clipia) -> None:
    rid = sb.add_job("clipia", duration=1.0, images=2, size=(64, 48), warnings=["seeed"])
    running = client.result(rid)
    assert running.pending and not running.is_terminal
    assert isinstance(running.cost, int) and running.cost > 0  # the reserve
    time.sleep(1.1)
    status = client.status(rid)
    assert status.is_terminal and status.status == "COMPLETED" and status.progress == 100
    assert all(isinstance(line, dict) and "message" in line for line in status.logs)
    result = client.result(rid)
    assert not result.pending and result.status == "COMPLETED" and result.error is None
    assert result.cost == running.cost and isinstance(result.cost, int)
    assert result.output is not None and len(result.output["images"]) == 2
    assert result.data["warnings"][0]["code"] == "unknown_parameter"
    assert result.data["warnings"][0]["parameter"] == "seeed"


def test_in_progress_status(sb: sandbox.Sandbox, client: clipia.Clipia) -> None:
    rid = sb.add_job("clipia", queue=1.0, duration=30)
    queued = client.status(rid)
    assert queued.status == "IN_QUEUE" and isinstance(queued.queue_position, int)
    time.sleep(1.1)
    running = client.status(rid)
    assert running.status == "IN_PROGRESS" and isinstance(running.progress, int)


@pytest.mark.parametrize("outcome", ["failed", "canceled"])
def test_failed_and_canceled_requests_cost_nothing(
    sb: sandbox.Sandbox, client: clipia.Clipia, outcome: str
) -> None:
    rid = sb.add_job("clipia", duration=0, outcome=outcome, reason="out of memory")
    result = client.result(rid)
    assert result.is_terminal and result.status == outcome.upper()
    assert result.cost == 0 and result.output is None
    if outcome == "failed":
        assert result.error == {"code": "generation_failed", "message": "out of memory"}


def test_missing_request_is_a_typed_error(client: clipia.Clipia) -> None:
    for call in (client.status, client.result):
        with pytest.raises(clipia.ClipiaApiError) as raised:
            call(MISSING)
        error = raised.value
        assert (error.status, error.code, error.type) == (404, "not_found", "invalid_request_error")
        assert error.message


@pytest.mark.parametrize(
    ("fault", "status", "kind", "code"),
    [
        ("401", 401, "authentication_error", "invalid_api_key"),
        ("403", 403, "permission_error", "insufficient_scope"),
        ("429:2", 429, "rate_limit_error", "rate_limit_exceeded"),
        ("503", 503, "api_error", "service_unavailable"),
    ],
)
def test_errors_carry_their_type(
    sb: sandbox.Sandbox, client: clipia.Clipia, fault: str, status: int, kind: str, code: str
) -> None:
    rid = sb.add_job("clipia", duration=0, faults=[fault])
    with pytest.raises(clipia.ClipiaApiError) as raised:
        client.status(rid)
    assert (raised.value.status, raised.value.type, raised.value.code) == (status, kind, code)
    if status == 429:
        assert raised.value.retry_after == 2.0
    assert client.status(rid).status == "COMPLETED"  # the fault is spent


def test_speech_and_music_results(sb: sandbox.Sandbox, client: clipia.Clipia) -> None:
    speech = client.result(sb.add_job("clipia", duration=0, audio="speech"))
    music = client.result(sb.add_job("clipia", duration=0, audio="music", tracks=3))
    assert speech.output is not None and music.output is not None
    assert speech.output["audio"] == speech.output["audios"][0]
    assert speech.output["audio"]["format"] == "wav" and "images" not in speech.output
    assert len(music.output["audios"]) == 3 and music.output["audio"] == music.output["audios"][0]
    assert speech.model != music.model and isinstance(music.cost, int)


def test_test_key_spends_nothing(sb: sandbox.Sandbox) -> None:
    base = sb.base_url("clipia")
    with clipia.Clipia(api_key="clipia_test_sdk", base_url=base) as test_client:
        result = test_client.result(MISSING)
    assert result.status == "COMPLETED" and result.cost == 0
