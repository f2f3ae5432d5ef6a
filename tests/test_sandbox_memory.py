"""The sandbox served in memory: the core's Transport protocol without a socket, faults and the
network awaited on the event loop, a clock a test can drive."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import pytest

from nb_jobstatus import sandbox
from nb_jobstatus.core.transport import Reply, TooLarge, Transport, Unreachable

LIMIT = 1 << 20
AUTH = {"Authorization": "Bearer clipia_live_memory"}


def run(coroutine: object) -> object:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def status(sb: sandbox.MemorySandbox, rid: str, timeout: float = 5, limit: int = LIMIT) -> Reply:
    url = f"{sb.base_url('clipia')}/v1/requests/{rid}/status"
    return run(sb.transport.get(url, AUTH, timeout=timeout, limit=limit))  # type: ignore[return-value]


def test_same_methods_as_a_started_sandbox_and_no_socket() -> None:
    sb = sandbox.in_memory()
    transport: Transport = sb.transport  # the protocol, statically
    assert transport is sb.transport
    assert sb.base_url("clipia") == "http://127.0.0.1:9/clipia"
    assert sb.media_origin == "http://127.0.0.1:19"
    for name in ("add_job", "base_url", "requests", "demo_id", "use", "environment", "set_network"):
        assert hasattr(sb, name) and hasattr(sandbox.Sandbox, name)
    threads = threading.active_count()
    rid = sb.add_job("clipia", duration=0, images=1, size=(32, 32))
    reply = status(sb, rid)
    assert reply.status == 200 and reply.reason == "OK"
    assert reply.headers.get("content-type") == "application/json"
    assert b'"COMPLETED"' in reply.content and threading.active_count() == threads
    (record,) = sb.requests
    assert record.request_id == rid and record.headers["Authorization"] == AUTH["Authorization"]
    with pytest.raises(OSError):  # nothing listens on the origin
        socket.create_connection(("127.0.0.1", 9), timeout=1).close()


def test_media_origin_and_every_provider() -> None:
    sb = sandbox.in_memory()
    rid = sb.add_job("clipia", duration=0, images=1, size=(40, 30))
    result = f"{sb.base_url('clipia')}/v1/requests/{rid}"
    body = run(sb.transport.get(result, AUTH, timeout=5, limit=LIMIT)).content  # type: ignore[attr-defined]
    url = __import__("json").loads(body)["output"]["images"][0]["url"]
    assert url.startswith(sb.media_origin)
    image = run(sb.transport.get(url, {}, timeout=5, limit=LIMIT))
    assert image.headers.get("Content-Type") == "image/webp"  # type: ignore[attr-defined]
    napkin = sb.add_job("napkin", duration=0)
    answer = run(
        sb.transport.get(
            f"{sb.base_url('napkin')}/v1/visual/{napkin}/status", {}, timeout=5, limit=LIMIT
        )
    )
    assert answer.status == 200  # type: ignore[attr-defined]


def test_faults_become_the_transport_errors() -> None:
    sb = sandbox.in_memory()
    faults = ["drop", "truncated", "slow:1", "huge:2", "429:0.5", "malformed"]
    rid = sb.add_job("clipia", duration=0, faults=faults)
    with pytest.raises(Unreachable) as dropped:
        status(sb, rid)
    assert not dropped.value.timed_out
    with pytest.raises(Unreachable):
        status(sb, rid)  # truncated
    with pytest.raises(Unreachable) as slow:
        status(sb, rid, timeout=0.2)
    assert slow.value.timed_out
    with pytest.raises(TooLarge) as large:
        status(sb, rid)
    assert large.value.size == 2 * 1024 * 1024
    limited = status(sb, rid)
    assert limited.status == 429 and limited.headers.get("retry-after") == "0.5"
    assert status(sb, rid).content.startswith(b'{"status": 200')  # malformed
    assert status(sb, rid).status == 200


def test_other_origins_are_unreachable() -> None:
    sb = sandbox.in_memory()
    for url in ("http://127.0.0.1:8/clipia", "https://api.clipia.ai/v1/requests/x/status"):
        with pytest.raises(Unreachable):
            run(sb.transport.get(url, {}, timeout=1, limit=LIMIT))


def test_latency_is_awaited_not_slept() -> None:
    """50 requests at rtt 0.2 s in flight together take about one round trip, and the loop
    keeps ticking meanwhile."""
    sb = sandbox.in_memory(network={"rtt": 0.2})
    rid = sb.add_job("clipia", duration=60)
    url = f"{sb.base_url('clipia')}/v1/requests/{rid}/status"

    async def many() -> tuple[float, int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        tick = asyncio.create_task(ticker())
        began = time.monotonic()
        replies = await asyncio.gather(
            *(sb.transport.get(url, AUTH, timeout=5, limit=LIMIT) for _ in range(50))
        )
        tick.cancel()
        assert {r.status for r in replies} == {200}
        return time.monotonic() - began, ticks

    took, ticks = run(many())  # type: ignore[misc]
    assert 0.4 <= took < 3.0  # a new connection each: handshake + round trip
    assert ticks >= 10


def test_keep_alive_pays_the_handshake_once() -> None:
    sb = sandbox.in_memory(network={"rtt": 0.1})
    rid = sb.add_job("clipia", duration=60)
    url = f"{sb.base_url('clipia')}/v1/requests/{rid}/status"

    async def two() -> list[float]:
        times = []
        for _ in range(2):
            began = time.monotonic()
            await sb.transport.get(url, AUTH, timeout=5, limit=LIMIT)
            times.append(time.monotonic() - began)
        return times

    first, second = run(two())  # type: ignore[misc]
    assert first >= 0.2 and 0.1 <= second < first


def test_drip_and_bandwidth_are_awaited() -> None:
    sb = sandbox.in_memory(network={"media": {"bandwidth": 100_000}})
    queued = sb.add_job("clipia", queue=60, faults=["drip:0.001"])
    began = time.monotonic()
    dripped = status(sb, queued)
    assert time.monotonic() - began >= 0.0009 * len(dripped.content)
    rid = sb.add_job("clipia", duration=0, audio="speech")
    track = f"{sb.media_origin}/clipia/files/{rid}/audio-0.wav"
    began = time.monotonic()
    wav = run(sb.transport.get(track, {}, timeout=5, limit=LIMIT))
    assert time.monotonic() - began >= 0.9 * len(wav.content) / 100_000  # type: ignore[attr-defined]


def test_a_driven_clock_moves_jobs_without_sleeping() -> None:
    now = [1000.0]
    sb = sandbox.in_memory(clock=lambda: now[0])
    rid = sb.add_job("clipia", queue=5, duration=10, progress="linear")
    assert b'"IN_QUEUE"' in status(sb, rid).content
    now[0] += 10
    assert b'"progress": 50' in status(sb, rid).content
    now[0] += 5
    assert b'"COMPLETED"' in status(sb, rid).content
    assert sb.finishes_at(rid) == 1015.0
    assert [r.time for r in sb.requests] == [1000.0, 1010.0, 1015.0]
