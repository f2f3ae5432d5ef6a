"""The kernel's engine against the sandbox over loopback HTTP: completion through ``watch``,
cancel from another thread, deadlines, a shared 429 back-off and the Sivi budget in real time,
bounded threads for hundreds of jobs, no hang at exit, round trips measured. The engine's
decisions on a jumping clock are in test_engine_decisions.py, ``await job`` in
test_engine_await.py."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from nb_jobstatus import (
    Job,
    PollTimeout,
    State,
    set_rate_limit,
    watch,
)
from nb_jobstatus.core.engine import engine

KEY = "poller-test-key"


def follow(sb, provider: str, rid: str, key: str = KEY, **kw) -> Job:
    job = watch(provider, rid, api_key=key, base_url=sb.base_url(provider), display=False, **kw)
    assert isinstance(job, Job)
    return job


def api_requests(sb, rid: str) -> list:
    return [r for r in sb.requests if r.request_id == rid and r.origin == "api"]


@pytest.mark.parametrize("provider", ["sivi", "napkin", "clipia"])
def test_completion(sb, provider: str) -> None:
    rid = sb.add_job(provider, duration=0.6, images=2, size=(64, 64))
    job = follow(sb, provider, rid)
    assert not job.done  # watch returned at once
    final = job.wait(10)
    assert final.state is State.COMPLETED and len(final.images) == 2
    assert job.done and job.error is None and job.history[-1].status == final


def test_cancel_stops_polling_at_once(sb) -> None:
    rid = sb.add_job("napkin", duration=30.0)
    job = follow(sb, "napkin", rid)
    time.sleep(0.3)
    started = time.monotonic()
    job.cancel()
    # at once: not after the next poll (a blind job is polled about 0.9 s apart); the bound
    # leaves room for a loaded CI machine
    assert job.done and time.monotonic() - started < 0.5
    assert job.stopped == "canceled" and job.state is State.QUEUED  # the provider's last word
    assert job.settled or job._settled.wait(1.0)
    count = len(api_requests(sb, rid))
    time.sleep(1.5)
    assert len(api_requests(sb, rid)) == count


def test_deadline_ends_with_poll_timeout(sb) -> None:
    rid = sb.add_job("clipia", duration=30.0)
    job = follow(sb, "clipia", rid, timeout=0.8)
    with pytest.raises(PollTimeout):
        job.wait(5)
    assert isinstance(job.error, PollTimeout) and job.elapsed < 2.0


def test_wait_timeout_leaves_the_job_running(sb) -> None:
    rid = sb.add_job("clipia", duration=1.0)
    job = follow(sb, "clipia", rid)
    with pytest.raises(PollTimeout):
        job.wait(0.1)
    assert job.wait(10).state is State.COMPLETED


def test_a_429_backs_off_the_whole_key(sb) -> None:
    key = "shared-budget-key"
    slow = sb.add_job("clipia", duration=3.0)
    follow(sb, "clipia", slow, key=key)
    time.sleep(0.3)
    limited = sb.add_job("clipia", duration=0.0, faults=["429:2"])
    follow(sb, "clipia", limited, key=key)
    time.sleep(0.3)
    first_429 = api_requests(sb, limited)[0]
    during = [r for r in api_requests(sb, slow) if first_429.time < r.time < first_429.time + 1.9]
    assert during == []


def test_sivi_budget_is_respected_up_front(sb) -> None:
    set_rate_limit("sivi", 6, 1.0)
    try:
        ids = [sb.add_job("sivi", duration=1.5) for _ in range(4)]
        jobs = [follow(sb, "sivi", rid, key="budget-key", interval=0.2) for rid in ids]
        for job in jobs:
            assert job.wait(20).state is State.COMPLETED
    finally:
        set_rate_limit("sivi", 50, 60.0)
    times = sorted(r.time for r in sb.requests if r.request_id in ids and r.origin == "api")
    worst = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert worst <= 6


def test_watching_again_reuses_the_running_job(sb) -> None:
    rid = sb.add_job("napkin", duration=1.0)
    job = follow(sb, "napkin", rid)
    assert follow(sb, "napkin", rid) is job
    job.wait(10)
    again = follow(sb, "napkin", rid)
    assert again is not job  # a finished job is replaced by a fresh one
    again.wait(10)


def test_on_change_is_called_from_the_engine(sb) -> None:
    seen: list[tuple[str, bool]] = []
    rid = sb.add_job("sivi", duration=0.5)
    job = follow(sb, "sivi", rid)
    job.on_change(lambda j: seen.append((threading.current_thread().name, j.done)))
    job.wait(10)
    time.sleep(0.2)
    assert seen and all(name.startswith("nbjs-") for name, _ in seen)
    assert seen[-1][1] is True


def client_threads() -> int:
    """Threads of this process but the sandbox server's (one per connection it serves)."""
    return sum(1 for t in threading.enumerate() if "process_request" not in t.name)


def test_hundreds_of_jobs_bounded_threads_nothing_lost(sb) -> None:
    engine()
    before = client_threads()
    ends: dict[str, int] = {}
    lock = threading.Lock()

    def count_end(job: Job) -> None:
        with lock:
            if job.done and job.request_id not in ends:
                ends[job.request_id] = 1

    # small pictures: 300 of 1080 x 1080 would leave half a minute of caching to later tests
    ids = [sb.add_job("clipia", duration=0.5 + (i % 10) / 10, size=(16, 16)) for i in range(300)]
    jobs = [follow(sb, "clipia", rid, key="many-jobs-key") for rid in ids]
    for job in jobs:
        job.on_change(count_end)
    peak = before
    while not all(job.settled for job in jobs):  # polled, and their files cached
        peak = max(peak, client_threads())
        time.sleep(0.05)
    assert len(ends) == 300
    assert all(len(job.media) == 1 for job in jobs)
    assert all(job.status and job.status.state is State.COMPLETED for job in jobs)
    engine_threads = [t.name for t in threading.enumerate() if t.name.startswith("nbjs-")]
    assert len(engine_threads) <= 4 and peak <= before + 4, engine_threads


def test_exit_does_not_hang(sb) -> None:
    rid = sb.add_job("clipia", duration=60.0)
    code = (
        "import nb_jobstatus as n;"
        f"j=n.watch('clipia','{rid}',api_key='k',base_url='{sb.base_url('clipia')}',display=False);"
        "import time; time.sleep(0.5); print(j.state.value)"
    )
    started = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() in ("queued", "running") and time.monotonic() - started < 8


def test_internal_error_is_recorded_not_silent(sb, monkeypatch) -> None:
    rid = sb.add_job("napkin", duration=5.0)  # long enough to be polled after the patch

    def boom(*args: object, **kw: object) -> None:
        raise RuntimeError("parser exploded")

    job = follow(sb, "napkin", rid, key="boom-key")
    monkeypatch.setattr(job.client, "fetch_status", boom)
    with pytest.raises(Exception, match="parser exploded"):
        job.wait(15)
    assert job.done and job.state is State.FAILED


def test_each_polls_round_trip_is_measured_and_shown_in_the_timeline(sb) -> None:
    sb.set_network(origin="api", rtt=0.1)
    try:
        rid = sb.add_job("napkin", duration=0.5)
        job = follow(sb, "napkin", rid, key="round-trip-key")
        job.wait(10)
    finally:
        sb.set_network(origin="api", rtt=0.0)
    assert all(0.09 <= poll.duration < 5 for poll in job.history), job.history
    page = job.history._repr_html_()
    assert "took" in page and f"{job.history[-1].duration * 1000:.0f} ms" in page
