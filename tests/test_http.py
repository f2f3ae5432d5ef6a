"""The HTTP layer against the sandbox over real loopback HTTP: lifecycle, retries,
Retry-After, error mapping, id validation, credential scoping and key redaction."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from nb_jobstatus import (
    AuthenticationError,
    ConfigurationError,
    ExpiredError,
    NotFoundError,
    ProviderError,
    RateLimitError,
    ResponseError,
    State,
    TransportError,
    __version__,
    get_status,
)
from nb_jobstatus import sandbox as sandbox_module
from nb_jobstatus.core.budget import MAX_RETRIES, RateBudget
from nb_jobstatus.core.config import client_for

KEYS = {"sivi": "sivi-test-key", "napkin": "napkin-test-key", "clipia": "clipia-test-key"}


def status(sb, provider: str, rid: str, key: str | None = None, **kw):
    return get_status(
        provider, rid, api_key=key or KEYS[provider], base_url=sb.base_url(provider), **kw
    )


def requests_for(sb, rid: str) -> list:
    return [r for r in sb.requests if r.request_id == rid and r.origin == "api"]


@pytest.mark.parametrize("provider", ["sivi", "napkin", "clipia"])
def test_lifecycle_to_completed_with_assets(provider: str) -> None:
    now = [1000.0]  # the sandbox's clock, moved by hand: no race with a loaded machine
    sb = sandbox_module.start(clock=lambda: now[0])
    try:
        rid = sb.add_job(provider, duration=0.4, images=2, size=(320, 200))
        first = status(sb, provider, rid)
        now[0] += 0.6
        final = status(sb, provider, rid)
    finally:
        sb.stop()
    assert first.state in (State.QUEUED, State.RUNNING)
    assert final.state is State.COMPLETED
    assert [(a.width, a.height) for a in final.images] == [(320, 200), (320, 200)]
    assert final.raw is not None and final.request_id == rid


def test_user_agent_and_auth_header_reach_the_api(sb) -> None:
    rid = sb.add_job("sivi", duration=0.1)
    status(sb, "sivi", rid)
    (request,) = requests_for(sb, rid)
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert headers["user-agent"] == f"nb-jobstatus/{__version__}"
    assert headers["sivi-api-key"] == KEYS["sivi"]


@pytest.mark.parametrize("code", ["500", "502", "503", "504"])
def test_5xx_burst_is_retried(sb, fast_backoff, code: str) -> None:
    rid = sb.add_job("clipia", duration=0.0, faults=[code, code])
    time.sleep(0.05)
    assert status(sb, "clipia", rid).state is State.COMPLETED
    assert [r.status for r in requests_for(sb, rid)][:2] == [int(code), int(code)]


@pytest.mark.parametrize(
    ("provider", "fault", "wait"),
    [("clipia", "429:1", 1.0), ("clipia", "429-date:1", 0.0), ("napkin", "429-body:1", 1.0)],
)
def test_retry_after_is_honoured(sb, provider: str, fault: str, wait: float) -> None:
    rid = sb.add_job(provider, duration=0.0, faults=[fault])
    status(sb, provider, rid)
    first, second = requests_for(sb, rid)[:2]
    assert first.status == 429
    assert second.time - first.time >= wait * 0.95


def test_429_pauses_the_whole_key(sb) -> None:
    client = client_for("clipia", "shared-429-key", sb.base_url("clipia"))
    rid = sb.add_job("clipia", duration=0.0, faults=["429:1"])
    worker = threading.Thread(target=client.get_status, args=(rid,))
    worker.start()
    time.sleep(0.2)
    other = sb.add_job("clipia", duration=0.0)
    client.get_status(other)
    worker.join()
    first_429 = requests_for(sb, rid)[0]
    assert first_429.status == 429
    assert requests_for(sb, other)[0].time - first_429.time >= 0.95


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("401", AuthenticationError),
        ("403", AuthenticationError),
        ("404", NotFoundError),
        ("410", ExpiredError),
    ],
)
@pytest.mark.parametrize("provider", ["sivi", "napkin", "clipia"])
def test_final_errors_are_not_retried(sb, provider: str, fault: str, error: type) -> None:
    rid = sb.add_job(provider, duration=1.0, faults=[fault])
    with pytest.raises(error) as info:
        status(sb, provider, rid)
    assert info.value.http_status == int(fault)
    assert info.value.provider == provider and info.value.request_id == rid
    assert len(requests_for(sb, rid)) == 1


@pytest.mark.parametrize(
    ("fault", "error", "http_status"),
    [
        ("malformed", ResponseError, 200),
        ("html", ResponseError, 502),
        ("html-200", ResponseError, 200),
        ("truncated", TransportError, None),
        ("drop", TransportError, None),
        ("503", ProviderError, 503),
        ("429-bare", RateLimitError, 429),
    ],
)
def test_retries_spent_end_in_a_clear_error(sb, fast_backoff, fault, error, http_status) -> None:
    """Every attempt is one request (aiohttp's own resend on a reused connection is off)."""
    rid = sb.add_job("napkin", duration=0.0, faults=[fault] * 5)
    with pytest.raises(error) as info:
        status(sb, "napkin", rid)
    assert info.value.http_status == http_status
    assert len(requests_for(sb, rid)) == 1 + MAX_RETRIES
    if error is ResponseError:
        assert info.value.body and "not JSON" in str(info.value)


def test_wrong_shape_is_retried_then_a_response_error(sb, fast_backoff) -> None:
    rid = sb.add_job("clipia", duration=0.0, faults=["wrong-shape"])
    assert status(sb, "clipia", rid).state is State.COMPLETED
    rid = sb.add_job("clipia", duration=0.0, faults=["wrong-shape"] * 5)
    with pytest.raises(ResponseError, match="expected a JSON object") as info:
        status(sb, "clipia", rid)
    assert (info.value.provider, info.value.request_id) == ("clipia", rid)
    assert info.value.http_status == 200 and info.value.body and info.value.body.startswith("[")


def test_sivi_envelope_500_inside_http_200(sb, fast_backoff) -> None:
    rid = sb.add_job("sivi", duration=0.0, faults=["envelope-500"] * 5)
    with pytest.raises(ProviderError, match="inside HTTP 200") as info:
        status(sb, "sivi", rid)
    assert info.value.http_status == 500
    rid = sb.add_job("sivi", duration=0.0, faults=["envelope-500"])
    assert status(sb, "sivi", rid).state is State.COMPLETED


def test_read_timeout_is_a_transport_error(sb, fast_backoff) -> None:
    rid = sb.add_job("clipia", duration=0.0, faults=["slow:1"] * 5)
    started = time.monotonic()
    with pytest.raises(TransportError, match="timed out"):
        status(sb, "clipia", rid, timeout=0.2)
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize(
    ("provider", "bad"),
    [("sivi", "../x"), ("sivi", "a%2Fb"), ("napkin", "nope"), ("clipia", ""), ("sivi", "ä")],
)
def test_bad_ids_send_nothing(sb, provider: str, bad: str) -> None:
    before = len(sb.requests)
    with pytest.raises(ConfigurationError):
        status(sb, provider, bad)
    assert len(sb.requests) == before


def test_missing_key_and_precedence(sb, monkeypatch) -> None:
    for name in ("NAPKIN_API_TOKEN", "NAPKIN_API_KEY", "NAPKIN_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigurationError, match="NAPKIN_API_TOKEN or NAPKIN_API_KEY"):
        get_status("napkin", "123e4567-e89b-12d3-a456-426614174000")
    monkeypatch.setenv("NAPKIN_API_KEY", "from-env")
    monkeypatch.setenv("NAPKIN_BASE_URL", sb.base_url("napkin") + "/")
    assert client_for("napkin").base_url == sb.base_url("napkin")
    assert client_for("napkin", "explicit").curl("x").count("$NAPKIN_API_KEY") == 1
    monkeypatch.setenv("NAPKIN_API_TOKEN", "token-wins")
    assert "$NAPKIN_API_TOKEN" in client_for("napkin").curl("x")


def test_credentials_only_on_the_api_origin(sb) -> None:
    for provider in ("sivi", "napkin", "clipia"):
        rid = sb.add_job(provider, duration=0.0, images=1, size=(64, 48))
        final = status(sb, provider, rid)
        client = client_for(provider, KEYS[provider], sb.base_url(provider))
        for asset in final.assets:
            assert client.download(asset.url).http_status == 200
    media = [r for r in sb.requests if r.origin == "media"]
    assert media, "Sivi and Clipia images are on the media origin"
    for request in media:
        names = {k.lower() for k in request.headers}
        assert not names & {"authorization", "sivi-api-key", "x-api-key"}
    napkin_files = [r for r in sb.requests if "/file/" in r.path]
    assert napkin_files and all("Authorization" in r.headers for r in napkin_files)


def test_download_limit(sb) -> None:
    rid = sb.add_job("clipia", duration=0.0, media_faults={0: "huge"})
    final = status(sb, "clipia", rid)
    client = client_for("clipia", KEYS["clipia"], sb.base_url("clipia"))
    with pytest.raises(ResponseError, match="limit"):
        client.download(final.assets[0].url, limit=1024 * 1024)


def test_clipia_test_key_is_marked(sb) -> None:
    rid = sb.add_job("clipia", duration=30.0)
    final = status(sb, "clipia", rid, key="clipia_test_abcdef")
    assert final.state is State.COMPLETED and final.test_mode
    assert not status(sb, "clipia", sb.add_job("clipia", duration=0.0)).test_mode


def test_canary_key_never_appears(sb, fast_backoff, caplog, canary) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    cases = [
        ("sivi", ["401"]),
        ("napkin", ["403"]),
        ("clipia", ["404"]),
        ("napkin", ["410"]),
        ("clipia", ["malformed"] * 5),
        ("sivi", ["html"] * 5),
        ("clipia", ["drop"] * 5),
        ("napkin", ["503"] * 5),
        ("sivi", ["envelope-500"] * 5),
    ]
    for provider, faults in cases:
        rid = sb.add_job(provider, duration=0.0, faults=faults)
        try:
            status(sb, provider, rid, key=canary)
        except Exception as error:  # noqa: BLE001
            seen += [str(error), repr(error), str(getattr(error, "body", ""))]
    rid = sb.add_job("napkin", duration=0.0, outcome="failed", overrides={"echo": canary})
    echoed = status(sb, "napkin", rid, key=canary)
    seen += [
        repr(echoed),
        str(echoed.raw),
        repr(client_for("napkin", canary, sb.base_url("napkin"))),
    ]
    seen += [record.getMessage() for record in caplog.records]
    assert len(seen) > 20
    assert not [text for text in seen if canary in text]


def test_rate_budget_spaces_requests() -> None:
    budget = RateBudget((3, 1.0))
    slots = [budget.reserve(100.0) for _ in range(5)]
    assert slots[:3] == [100.0, 100.0, 100.0]
    assert slots[3] >= 101.0 and slots[4] >= 101.0 and slots[4] < 101.5
    budget.pause(5.0)
    assert budget.reserve() >= time.monotonic() + 4.5


def test_a_request_holds_its_budget_place_until_its_answer() -> None:
    """The provider saw a request somewhere between its send and its answer: in flight it
    counts as sent now, answered it counts from its answer, so a slow answer (a busy loop, a
    slow network) never lets the provider's window hold more than the limit."""
    budget = RateBudget((2, 1.0))
    a, b = budget.reserve(100.0), budget.reserve(100.0)
    assert budget.go(a, 100.0) and budget.go(b, 100.0)
    c = budget.reserve(100.0)
    assert c == pytest.approx(101.01)  # two in flight fill the window
    budget.settle(100.1)
    budget.settle(100.9)  # answered late: the provider may have seen it at 100.9
    assert not budget.go(c, c)
    budget.release(c)
    d = budget.reserve(c)
    assert d == pytest.approx(100.1 + 1.01)  # the first answer has left the window
    assert budget.go(d, d)


def test_a_limit_lifted_while_requests_fly_leaves_nothing_counted() -> None:
    budget = RateBudget((1, 1.0))
    slot = budget.reserve(100.0)
    assert budget.go(slot, 100.0)
    budget.limit = None  # njs.set_rate_limit(provider, None) meanwhile
    budget.settle(100.2)
    budget.limit = (1, 1.0)
    later = budget.reserve(200.0)
    assert later == 200.0 and budget.go(later, 200.0)


def test_polls_woken_late_together_do_not_leave_together() -> None:
    budget = RateBudget((2, 1.0))
    slots = [budget.reserve(100.0) for _ in range(4)]  # two now, two a window later
    late = 105.0  # a busy loop wakes all four at once
    assert [budget.go(slot, late) for slot in slots] == [True, True, False, False]
