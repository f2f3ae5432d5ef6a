"""``await job`` over loopback HTTP, on the kernel's engine: in a program's own asyncio loop
(which keeps running meanwhile), with the error that ended the job, and in an IPython cell."""

from __future__ import annotations

import asyncio
import time

import pytest

from nb_jobstatus import Job, NotFoundError, State, watch


def follow(sb, provider: str, rid: str, key: str) -> Job:
    job = watch(provider, rid, api_key=key, base_url=sb.base_url(provider), display=False)
    assert isinstance(job, Job)
    return job


def test_await_job_in_an_asyncio_program_does_not_block_its_loop(sb) -> None:
    """``await job`` gives the terminal Status while the program's own loop keeps running."""
    rid = sb.add_job("clipia", duration=1.0, size=(32, 32))
    job = follow(sb, "clipia", rid, key="await-key")
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.05)

    async def main() -> object:
        ticker = asyncio.create_task(tick())
        status = await job
        ticker.cancel()
        return status

    status = asyncio.run(main())
    assert status is job.status and status.state is State.COMPLETED
    assert len(ticks) >= 10  # the loop ran all along (1 s at 0.05 s a tick)


def test_await_job_raises_the_error_that_ended_it(sb) -> None:
    rid = sb.add_job("napkin", duration=1.0, faults=["404"])
    job = follow(sb, "napkin", rid, key="await-error-key")
    with pytest.raises(NotFoundError):
        asyncio.run(asyncio.wait_for(_awaited(job), 30))


async def _awaited(job: Job) -> object:
    return await job


def test_await_job_in_an_ipython_cell(sb) -> None:
    """IPython's top-level await, as in a notebook cell."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    rid = sb.add_job("sivi", duration=0.5, size=(32, 32))
    shell.user_ns["job"] = follow(sb, "sivi", rid, key="ipython-await-key")
    result = shell.run_cell("status = await job")
    assert result.success, result.error_in_exec
    assert shell.user_ns["status"].state is State.COMPLETED
