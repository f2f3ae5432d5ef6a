"""The engine's decisions on the in-memory sandbox and a jumping clock (tests/_memory.py): what
a failure ends in, fixed intervals, Retry-After kept, how few polls the progress policy needs,
the queue's drain rate. Seconds of the jobs pass on the engine's clock, in milliseconds of ours;
every gap below is measured on that clock (the sandbox records its requests on it)."""

from __future__ import annotations

import pytest
from _memory import Memory

from nb_jobstatus import NotFoundError, State


def api_requests(memory: Memory, rid: str) -> list:
    return [r for r in memory.sb.requests if r.request_id == rid and r.origin == "api"]


def test_failed_status_is_returned_not_raised(memory: Memory) -> None:
    rid = memory.sb.add_job("sivi", duration=0.3, outcome="failed", reason="Image url invalid")
    final = memory.watch("sivi", rid).wait(10)
    assert (final.state, final.reason) == (State.FAILED, "Image url invalid")


def test_fatal_error_ends_the_job(memory: Memory) -> None:
    rid = memory.sb.add_job("napkin", duration=5.0, faults=["404"])
    job = memory.watch("napkin", rid)
    with pytest.raises(NotFoundError):
        job.wait(5)
    assert job.state is State.FAILED and isinstance(job.error, NotFoundError)
    assert job.history[-1].http_status == 404 and job.history[-1].why == "final error"
    assert len(api_requests(memory, rid)) == 1


def test_retry_after_is_kept_and_shown_in_history(memory: Memory) -> None:
    rid = memory.sb.add_job("clipia", duration=0.0, faults=["429:1"])
    job = memory.watch("clipia", rid)
    assert job.wait(10).state is State.COMPLETED
    first, second = api_requests(memory, rid)[:2]
    assert first.status == 429 and second.time - first.time >= 0.95
    retry = job.history[0]
    assert retry.http_status == 429 and retry.next_delay == pytest.approx(1.0, abs=0.05)
    assert "retry 1" in retry.why


def test_fixed_interval(memory: Memory) -> None:
    rid = memory.sb.add_job("napkin", duration=1.0)
    job = memory.watch("napkin", rid, interval=0.25)
    job.wait(10)
    delays = {p.next_delay for p in job.history if p.next_delay is not None}
    assert delays == {0.25} and len(job.history) >= 4
    polls = [r for r in api_requests(memory, rid) if "/file/" not in r.path]
    assert len(polls) == len(job.history)  # every poll reached the sandbox
    sent = [p.elapsed for p in job.history]  # on the engine's clock, when each poll left: the
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]  # sandbox's stamps of their
    assert gaps and all(gap >= 0.249 for gap in gaps), gaps  # arrival vary with a busy CPU


def test_progress_policy_polls_little_and_detects_fast(memory: Memory) -> None:
    """A 4 s Clipia job on a fresh engine (no policy memory of earlier jobs)."""
    rid = memory.sb.add_job("clipia", duration=4.0)
    job = memory.watch("clipia", rid)
    job.wait(15)
    finished_at = memory.sb.finishes_at(rid, "clipia")
    assert finished_at is not None
    assert job.state is State.COMPLETED
    assert api_requests(memory, rid)[-1].time - finished_at < 0.6
    assert len(job.history) <= 7, [(p.elapsed, p.why) for p in job.history]


def test_queue_drain_rate_skips_the_front_of_the_queue(memory: Memory) -> None:
    """Two queue positions give the drain rate; a job due to start soon is next polled once
    it runs, not while it waits at the front (one request a job saved in a batch)."""
    rid = memory.sb.add_job("clipia", queue=4.0, duration=2.0)
    job = memory.watch("clipia", rid)
    job.wait(15)
    queued = [p for p in job.history if p.status and p.status.state is State.QUEUED]
    assert len(queued) == 2, [(p.elapsed, p.why) for p in job.history]
    assert queued[0].status.queue_position > queued[1].status.queue_position > 0
    started_at = api_requests(memory, rid)[0].time + 4.0
    first_running = api_requests(memory, rid)[2].time
    assert 0.0 < first_running - started_at < 1.5


def test_a_first_sample_at_one_percent_does_not_stall(memory: Memory) -> None:
    """Seen in the browser tests: queued, then 1 % at the first running poll. A rate from
    one sample predicted 50 s left and the job sat at 1 % for 10 s after it had finished.
    The reach of a poll counts the time the job has surely run (not the queue before it)."""
    rid = memory.sb.add_job("sivi", queue=1.0, duration=4.0)
    job = memory.watch("sivi", rid)
    job.wait(20)
    first_running = next(p for p in job.history if p.status and p.status.state is State.RUNNING)
    assert first_running.next_delay is not None and first_running.next_delay <= 1.0
    finished_at = memory.sb.finishes_at(rid, "sivi")
    assert finished_at is not None
    assert memory.sb.requests[-1].time - finished_at < 1.0
