"""Issue 10 against the engine, with hostile answers played in memory on a jumping clock
(tests/_memory.py ``Played``: waits, numbers, bodies kept) and hostile servers on 127.0.0.1
(tests/_hostile.py: what only sockets show, slow and endless bodies, deep JSON): waits a
provider asks for are parsed strictly and capped, no number floods the provider, a job always
ends at its deadline, bodies are capped and kept in bounded number, a slow origin holds nothing,
and nothing of this ever ends in a dead thread or a hang."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from _hostile import Answer, Hostile
from _memory import Played, reply

import nb_jobstatus as njs
from nb_jobstatus import PollTimeout, ResponseError, State
from nb_jobstatus.core.budget import MAX_WAIT, parse_retry_after
from nb_jobstatus.core.follow import KEEP_RAW
from nb_jobstatus.core.transport import Reply

RUNNING = json.dumps({"status": "IN_PROGRESS", "progress": 10, "logs": []}).encode()


def rid() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def servers() -> Iterator[list[Hostile]]:
    started: list[Hostile] = []
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def played() -> Iterator[list[Played]]:
    started: list[Played] = []
    yield started
    for provider in started:
        provider.shutdown()


def play(played: list[Played], answer: Callable[[str], Reply]) -> Played:
    played.append(provider := Played(answer))
    return provider


def watch(server: Hostile, request_id: str, key: str, **kw: float) -> njs.Job:
    job = njs.watch("clipia", request_id, api_key=key, base_url=server.url, display=False, **kw)
    assert isinstance(job, njs.Job)
    return job


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("inf", None),
        ("nan", None),
        ("-5", None),
        ("120s", None),
        ("1e3", None),
        ("soon", None),
        ("9" * 200, None),
        ("1000000000", MAX_WAIT),
        ("Fri, 01 Jan 2100 00:00:00 GMT", MAX_WAIT),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("2", 2.0),
        ("0.5", 0.5),
    ],
)
def test_retry_after_is_parsed_strictly_and_capped(value: str, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


@pytest.mark.parametrize("value", ["inf", "1000000000", "Fri, 01 Jan 2100 00:00:00 GMT", "120s"])
def test_a_hostile_retry_after_never_carries_a_job_past_its_deadline(
    played: list[Played], value: str
) -> None:
    """The 429 pauses the key, but the job ends at its 1.5 s deadline (on the engine's clock:
    not 120 s, nor an hour) with PollTimeout, and the engine goes on following other jobs."""
    provider = play(played, lambda _: reply(429, b"{}", {"Retry-After": value}))
    began = provider.clock()
    job = provider.watch(rid(), timeout=1.5)
    with pytest.raises(PollTimeout):
        job.wait(10)
    assert provider.clock() - began < 6.0 and job.stopped == "timeout"
    provider.answer = lambda _: reply(body=b'{"status": "COMPLETED"}')
    other = provider.watch(rid(), "healthy-after-hostile")
    other.wait(10)
    assert other.state is State.COMPLETED and provider.engine.thread.is_alive()


@pytest.mark.parametrize("position", [-1, -(10**9), 10**12, "-3", 0.5])
def test_a_hostile_queue_position_does_not_flood(played: list[Played], position: object) -> None:
    body = json.dumps({"status": "IN_QUEUE", "queue_position": position}).encode()
    provider = play(played, lambda _: reply(body=body))
    job = provider.watch(rid(), timeout=2.0)
    with pytest.raises(PollTimeout):
        job.wait(10)
    assert len(provider.seen) <= 2.0 / 0.1 + 2, len(provider.seen)  # every delay >= 0.1 s
    assert all(p.next_delay is None or p.next_delay >= 0.1 for p in job.history)


HOSTILE_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e309", "-1", '"²"', '"' + "9" * 5000 + '"']


@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
def test_hostile_numbers_never_end_a_job_as_an_internal_error(
    played: list[Played], number: str
) -> None:
    template = '{"status": "IN_PROGRESS", "progress": @, "queue_position": @, "logs": []}'
    body = template.replace("@", number).encode()
    job = play(played, lambda _: reply(body=body)).watch(rid(), timeout=1.0)
    with pytest.raises(PollTimeout):
        job.wait(10)
    assert all(p.error is None for p in job.history), [p.error for p in job.history]
    progress = job.status.progress if job.status else None
    assert progress is None or 0 <= progress < 100  # NaN never shows as 100 %
    assert "internal error" not in str(job.error)


def test_json_nested_100000_deep_is_a_response_error(servers: list[Hostile], fast_backoff) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    servers.append(server := Hostile(lambda _: Answer(body=body)))
    with pytest.raises(ResponseError) as caught:
        njs.get_status("clipia", rid(), api_key="deep-key", base_url=server.url)
    assert caught.value.http_status == 200 and caught.value.provider == "clipia"


def test_a_huge_status_body_is_refused_without_reading_it_whole(servers: list[Hostile]) -> None:
    def endless() -> Iterator[bytes]:  # no Content-Length: the cap must stop the read
        yield b'{"status": "IN_PROGRESS", "logs": ["'
        for _ in range(40):  # 40 MB, past the 8 MB cap
            yield b"x" * 2**20

    servers.append(server := Hostile(lambda _: Answer(body=endless)))
    began = time.monotonic()
    with pytest.raises(ResponseError, match="limit") as caught:
        njs.get_status("clipia", rid(), api_key="huge-key", base_url=server.url)
    assert caught.value.code == "too_large" and time.monotonic() - began < 5


def test_raw_bodies_are_kept_for_a_bounded_number_of_polls(played: list[Played]) -> None:
    logs = ["line " + "x" * 1000] * 200  # 200 kB of logs in every answer
    body = json.dumps({"status": "IN_PROGRESS", "progress": 5, "logs": logs}).encode()
    # 8 s on the engine's clock: decoding 200 kB takes real time that counts on it too (a
    # loaded machine got 7 polls in 1.5 s), and the idle waits between polls take none
    job = play(played, lambda _: reply(body=body)).watch(rid(), interval=0.1, timeout=8.0)
    with pytest.raises(PollTimeout):
        job.wait(10)
    kept = [p for p in job.history if p.status is not None and p.status.raw is not None]
    assert len(job.history) >= 8 and len(kept) <= KEEP_RAW + 1


def test_slow_origins_do_not_starve_a_healthy_one(servers: list[Hostile]) -> None:
    """Four jobs on a server that sends one byte every 2 s, and one healthy job elsewhere."""
    servers.append(slow := Hostile(lambda _: Answer(body=RUNNING, drip=2.0)))
    servers.append(healthy := Hostile(lambda _: Answer(body=b'{"status": "COMPLETED"}')))
    stuck = [watch(slow, rid(), "slow-key", timeout=30) for _ in range(4)]
    time.sleep(0.3)
    began = time.monotonic()
    job = watch(healthy, rid(), "healthy-key")
    job.wait(10)
    # starved, it would wait for a 2 s drip or a 20 s deadline; room for a loaded machine
    assert job.state is State.COMPLETED and time.monotonic() - began < 1.5
    for one in stuck:
        one.cancel()


def test_the_sivi_budget_does_not_hold_a_job_past_its_deadline(servers: list[Hostile]) -> None:
    body = json.dumps({"status": 200, "body": {"status": "processing", "progress": 1}}).encode()
    servers.append(server := Hostile(lambda _: Answer(body=body)))
    njs.set_rate_limit("sivi", 2, 60.0)
    try:
        jobs = [
            njs.watch("sivi", f"budget{i}", api_key="budget-key", base_url=server.url,
                      display=False, timeout=1.0)
            for i in range(4)
        ]  # fmt: skip
        began = time.monotonic()
        for job in jobs:
            with pytest.raises(PollTimeout):
                job.wait(10)
        assert time.monotonic() - began < 3.0
    finally:
        njs.set_rate_limit("sivi", 50, 60.0)


def test_no_thread_dies(servers: list[Hostile]) -> None:
    """After every hostile answer above, the engine thread is alive and well."""
    names = {t.name for t in threading.enumerate()}
    assert "nbjs-engine" in names
    servers.append(server := Hostile(lambda _: Answer(body=b'{"status": "COMPLETED"}')))
    assert watch(server, rid(), "alive-key").wait(5).state is State.COMPLETED
