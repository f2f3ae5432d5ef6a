"""Following one job: the coroutine the engine runs for it, from the first poll to its files.

Time is counted from the send. Each poll's round trip is measured; its answer was true at about
``sent + round trip / 2`` (the provider's moment), the policy's delay counts from there, and the
next poll leaves one one-way latency early so that it *reaches* the provider when the policy
asked. Every wait is bounded by the job's deadline: at the deadline the job ends with
PollTimeout, whatever a ``Retry-After`` or the key's budget said.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import TYPE_CHECKING

from . import policy
from .budget import MAX_RETRIES
from .errors import JobStatusError
from .model import Poll, State
from .redact import logger, redact_cut

if TYPE_CHECKING:
    from .job import Job

READ_TIMEOUT = 20.0  # s: one status request (connect, headers, body) at most
KEEP_RAW = 3  # polls whose raw body and logs are kept whole (the first and the last ones)
KEEP_POLLS = 2000  # polls kept in history (the first ten and the latest)


def start(job: Job) -> Job:
    """Follow ``job`` on its engine's loop from now on."""
    job.engine.spawn(follow(job))
    return job


async def follow(job: Job) -> None:
    """Poll ``job`` until it ends, then cache its files; never dies silently, and the views
    always hear the end (``settle``), whatever happens on the way."""
    job.task = asyncio.current_task()
    try:
        job.engine.batched(_remember, job)  # meanwhile: the first poll leaves now
        await _poll_until_done(job)
        await _after_end(job)
    except asyncio.CancelledError:
        if not job.done:  # the engine is shutting down, not a stop
            raise
    except Exception as exc:  # a bug must end the job in a clear state, not kill the loop
        logger.exception("internal error while polling")
        message = redact_cut(f"internal error while polling: {type(exc).__name__}: {exc}", 500)
        job.finish(JobStatusError(message, provider=job.provider, request_id=job.request_id))
    finally:
        policy.release(job.history)  # the policy's reading of it is no longer needed
        job.settle()


async def _poll_until_done(job: Job) -> None:
    due, budget, clock = job.started, job.client.budget, job.engine.clock
    while not job.done:  # at its time, then once the key's budget lets it leave
        in_time = await _sleep_until(job, due) and await budget.take(clock, job.deadline)
        if not in_time:
            _expire(job)
            return
        due = await poll(job, result_only=job.closing)


async def _sleep_until(job: Job, when: float) -> bool:
    """Sleep until ``when``; False when the deadline comes first (then it sleeps until it)."""
    clock = job.engine.clock
    if when > job.deadline:
        await asyncio.sleep(max(0.0, job.deadline - clock()))
        return False
    left = when - clock()
    if left > 0:
        await asyncio.sleep(left)
    return True


def _expire(job: Job) -> None:
    job.stop(
        "timeout",
        f"{job.provider} request {job.request_id} was still {job.state.value} "
        f"when the {job.timeout:g}s deadline passed",
        cancel_task=False,  # this coroutine goes on to its end by itself
    )


async def poll(job: Job, *, result_only: bool = False) -> float:
    """One poll (``result_only``: the result alone, once the finish may have come); returns
    when (engine clock) the next one should leave."""
    clock, client, last = job.engine.clock, job.client, job.status
    sent, wall = clock(), time.time()
    timeout = max(0.1, min(READ_TIMEOUT, job.deadline - sent))
    try:
        if result_only and last is not None:
            answer = await client.fetch_result(job.request_id, timeout, last)
        else:
            answer = await client.fetch_status(job.request_id, timeout)
    except JobStatusError as error:
        return _after_error(job, error, Poll(wall, sent - job.started, clock() - sent, None))
    finally:
        client.budget.settle(clock())  # the provider saw it by now: the budget counts from here
    trip = clock() - sent
    return _after_status(
        job, Poll(wall, sent - job.started, trip, answer.http_status, answer.status)
    )


def _after_status(job: Job, poll_: Poll) -> float:
    status = poll_.status
    assert status is not None
    facts = poll_.elapsed + poll_.duration / 2
    with job._lock:
        job.status = status
        job.attempt = 0
        _record(job, poll_)
        if status.state.terminal:
            job.finish()
            return job.deadline
        delay, why = decide(job, facts)
        job.closing = _closing(job, facts, delay)
        p = poll_  # the same poll with the delay (a constructor: faster than replace())
        job.history[-1] = Poll(
            p.at, p.elapsed, p.duration, p.http_status, status, None, 0, delay, why
        )
    job.notify()
    one_way = min(poll_.duration / 2, delay / 2)
    return job.started + facts + delay - one_way


def _after_error(job: Job, error: JobStatusError, poll_: Poll) -> float:
    retry = error.retryable and job.attempt < MAX_RETRIES
    now = job.engine.clock()
    delay = policy.clamp(job.client.retry_delay(error, job.attempt, now)) if retry else None
    why = f"retry {job.attempt + 1} of {MAX_RETRIES}" if retry else "final error"
    if delay is not None and (error.retry_after is not None or error.http_status == 429):
        why += f": paused {delay:.1f}s as the provider asked"
        job.paused += delay
    poll_ = dataclasses.replace(
        poll_, http_status=error.http_status, error=error, attempt=job.attempt,
        next_delay=delay, why=why,
    )  # fmt: skip
    with job._lock:
        _record(job, poll_)
    if delay is None:
        job.finish(error)
        return job.deadline
    job.attempt += 1
    job.retries += 1
    job.notify()
    return job.engine.clock() + delay


def decide(job: Job, facts: float) -> tuple[float, str]:
    """The policy's next delay (from the answer's moment), clamped whatever it says."""
    if job.interval is not None:
        return policy.clamp(job.interval), "fixed interval"
    engine = job.engine
    delay, why = engine.policy.next_delay(
        job.history, facts, key=job.kind, hints=job.hints, memory=engine.memory
    )
    return policy.clamp(delay), why


def _closing(job: Job, facts: float, delay: float) -> bool:
    """Is the job finalizing (its progress at 100 %: a status would say nothing new but its
    end) and may the next poll find it over (it lands in or past the policy's finish
    window)? Then that poll asks for the result alone (Clipia's, which a terminal status
    needs): the end costs one request and one round trip, not two of each."""
    status = job.status
    if job.interval is not None or not job.client.provider.result_url or status is None:
        return False
    if status.progress is None or status.progress < 100:
        return False
    engine = job.engine
    left = engine.policy.eta(
        job.history, facts, key=job.kind, hints=job.hints, memory=engine.memory
    )
    return left is not None and delay >= left[0]


def _record(job: Job, poll_: Poll) -> None:
    """Append ``poll_``; older polls lose their raw body and logs, and history is bounded."""
    history = job.history
    history.append(poll_)
    old = len(history) - KEEP_RAW - 1
    if old >= 1 and history[old].status is not None:
        slim = dataclasses.replace(history[old].status, raw=None, logs=())  # type: ignore[type-var]
        history[old] = dataclasses.replace(history[old], status=slim)
    if len(history) > KEEP_POLLS:
        del history[10]


async def _after_end(job: Job) -> None:
    """Cache the files of a completed job, remember it, then tell the views a last time."""
    status = job.status
    if job.error is None and status is not None and status.state is State.COMPLETED:
        job.engine.memory.learn(job.kind, job.history, job.elapsed)
        if status.assets:
            await _cache(job)
    await asyncio.shield(job.engine.batched(_remember, job))


async def _cache(job: Job) -> None:
    from . import media

    try:
        await job.engine.in_media_pool(lambda: media.cache_all(job))
    except Exception:
        logger.exception("caching the files of %s %s failed", job.provider, job.request_id)


def _remember(job: Job) -> None:
    """Note the job in the cache folder's list of recent jobs (never its key)."""
    from . import media

    try:
        if media.remember(job):  # waits for the next write: a second from now at the latest
            job.engine.once_later(media.recent_jobs.EVERY, media.flush_recent)
    except Exception:
        logger.exception("could not remember %s %s", job.provider, job.request_id)
