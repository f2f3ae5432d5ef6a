"""Clipia's end in one request: once a job is finalizing (progress at 100 %) and may be over,
the engine asks for the result alone (202: not yet; 200: the end with its files) instead of
the status and then the result. On the memory sandbox (no socket, no real waiting)."""

from __future__ import annotations

import pytest
from _memory import Memory

from nb_jobstatus import State
from nb_jobstatus.core.client import Client
from nb_jobstatus.core.model import Status
from nb_jobstatus.sandbox import stepped


def api_paths(memory: Memory, rid: str) -> list[tuple[str, int | None]]:
    return [
        ("status" if r.path.split("?")[0].endswith("/status") else "result", r.status)
        for r in memory.sb.requests
        if r.request_id == rid and r.origin == "api"
    ]


def test_a_finalizing_job_ends_with_one_result_request(memory: Memory) -> None:
    upload = stepped(28, load=1.2, finalize=3.0)  # 3 s at 100 %: polls land in it on any clock
    rid = memory.sb.add_job("clipia", duration=12.0, progress=upload, images=1, size=(64, 48))
    job = memory.watch("clipia", rid)
    job.wait(30)
    assert job.state is State.COMPLETED and len(job.status.images) == 1
    paths = api_paths(memory, rid)
    finish = memory.sb.finishes_at(rid, "clipia")
    assert finish is not None
    api = [r for r in memory.sb.requests if r.request_id == rid and r.origin == "api"]
    assert [r.status for r in api if r.time >= finish] == [200]  # one request saw the end:
    assert paths[-1] == ("result", 200)  # the result alone, not a status then a result
    assert ("result", 202) in paths  # it closed in on the result while the job uploaded
    assert [p.http_status for p in job.history][-1] == 200
    assert job.status.logs  # the logs of the last status stay on the final one
    assert job.status.progress == 100
    waiting = [p for p in job.history if p.http_status == 202]
    assert waiting  # a 202 stands for the last status, still at 100 %: the policy reads it so
    assert all(p.status and p.status.progress == 100 for p in waiting)
    assert all(p.why and "finaliz" in p.why for p in waiting), [p.why for p in waiting]


def test_a_job_that_ends_from_a_step_asks_status_then_result(memory: Memory) -> None:
    """No finalize phase at 100 %: progress says something until the end, so the status is
    asked (then the result, once it says completed)."""
    rid = memory.sb.add_job("clipia", duration=8.0, progress=stepped(20), images=1)
    job = memory.watch("clipia", rid)
    job.wait(30)
    assert job.state is State.COMPLETED
    paths = api_paths(memory, rid)
    assert paths[-2:] == [("status", 200), ("result", 200)]
    assert ("result", 202) not in paths


def test_a_failure_found_by_the_result_alone_is_the_failure(memory: Memory) -> None:
    rid = memory.sb.add_job("clipia", duration=12.0, outcome="failed", reason="the GPU fell over")
    job = memory.watch("clipia", rid)
    job.wait(30)
    assert job.state is State.FAILED
    assert "GPU fell over" in (job.status.reason or "")
    assert api_paths(memory, rid)[-1] == ("result", 200)


@pytest.mark.parametrize(
    "body", [{"status": "IN_PROGRESS"}, {"no": "status"}, ["a", "list"], {"status": 7}]
)
def test_a_result_that_does_not_say_it_ended_is_followed_by_the_status(
    memory: Memory, body: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 200 result that reports no terminal state: the status is asked in the same poll."""
    rid = memory.sb.add_job("clipia", duration=60.0)
    client = memory.client("clipia")
    last = Status("clipia", rid, State.RUNNING, progress=100.0)
    original = Client._get_json

    async def result_says(self, url, request_id, timeout):  # type: ignore[no-untyped-def]
        if not url.endswith("/status"):  # the result's body, as a broken provider might send
            return 200, body
        return await original(self, url, request_id, timeout)

    monkeypatch.setattr(Client, "_get_json", result_says)
    answer = memory.engine.run(client.fetch_result(rid, 5.0, last))
    assert answer.status.state is State.RUNNING  # what the status said, not the odd result
    kinds = [k for k, _ in api_paths(memory, rid)]
    assert kinds == ["status"]
