"""One scheduler for every job, and the polling policy.

The scheduler keeps a heap of next-poll times and sleeps on a ``Condition`` until the earliest
is due (so a new job, a cancel or shutdown wakes it at once). Due polls go to a small pool of
daemon worker threads; jobs of one provider and key share that key's ``RateBudget``. The whole
engine is ``1 + WORKERS + MEDIA_WORKERS`` threads, whatever the number of jobs.

The policy (``next_delay``) uses what the provider tells it: the progress rate to poll just
after the predicted finish, the queue position or queue wait to slow down while queued, and,
with nothing to go on, a gentle backoff bounded to keep detection lag small.
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import queue
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from .core.model import Poll, State
from .core.redact import logger

if TYPE_CHECKING:
    from .job import Job

WORKERS = 4
MEDIA_WORKERS = 3
FIRST_RATE_SAMPLE = 1.0  # s: second poll of a job with progress, to measure its rate
NO_INFO_INTERVAL = 0.9  # s: without progress, poll this often while the job is young
NO_INFO_PATIENCE = 30.0  # s: ... and back off gently after this long
MAX_INTERVAL = 10.0
FINISH_MARGIN = 0.12  # s: poll this long after the predicted finish
COALESCE = 0.003  # s: polls due this close together go out on one scheduler wake-up
NEAR_START = 3.0  # s: a queued job expected to start within this is next polled once started
START_MARGIN = 0.5  # s: ... this long after its expected start
OVERDUE_INTERVAL = 0.25  # s: past the predicted finish and still running

Policy: TypeAlias = "Callable[[Job, float], tuple[float, str]]"  # (job, elapsed) -> (delay, why)
_durations: dict[str, list[float]] = {}  # provider -> durations of jobs seen in this kernel


def remember_duration(provider: str, seconds: float) -> None:
    seen = _durations.setdefault(provider, [])
    seen.append(seconds)
    del seen[:-50]


def progress_samples(history: list[Poll]) -> list[tuple[float, float]]:
    """(elapsed, progress) of the polls of the current running phase that reported progress."""
    samples: list[tuple[float, float]] = []
    for poll in history:
        status = poll.status
        if status is None:
            continue
        if status.state is State.QUEUED:
            samples = []
        elif status.state is State.RUNNING and status.progress is not None:
            samples.append((poll.elapsed, status.progress))
    return samples


def predicted_finish(samples: list[tuple[float, float]]) -> float | None:
    """The elapsed time at which progress reaches 100 %, from the first and last samples."""
    if len(samples) < 2:
        return None
    (t0, p0), (t1, p1) = samples[0], samples[-1]
    if p1 <= p0 or t1 <= t0:
        return None
    return t1 + (100.0 - p1) * (t1 - t0) / (p1 - p0)


def estimate_remaining(history: list[Poll], now_elapsed: float) -> float | None:
    """Seconds left, from the progress rate of the running phase; None without a rate."""
    finish = predicted_finish(progress_samples(history))
    return None if finish is None else max(0.0, finish - now_elapsed)


def queue_samples(history: list[Poll]) -> list[tuple[float, int]]:
    """(elapsed, queue position) of the polls of the current queued phase."""
    samples: list[tuple[float, int]] = []
    for poll in history:
        status = poll.status
        if status is not None and status.state is State.QUEUED and status.queue_position:
            samples.append((poll.elapsed, status.queue_position))
        elif status is not None:
            samples = []
    return samples


def next_delay(job: Job, now_elapsed: float) -> tuple[float, str]:
    """How long until the next poll of ``job``, and why."""
    if job.interval is not None:
        return job.interval, "fixed interval"
    if job.policy is not None:
        return job.policy(job, now_elapsed)
    status = job.status
    if status is not None and status.state is State.QUEUED:
        return queued_delay(job)
    if status is not None and status.progress is not None:
        return progress_delay(job, now_elapsed)
    return no_info_delay(job, now_elapsed)


def queued_delay(job: Job) -> tuple[float, str]:
    status = job.status
    assert status is not None
    samples = queue_samples(job.history)
    if len(samples) >= 2 and samples[-1][1] < samples[0][1]:
        (t0, q0), (t1, q1) = samples[0], samples[-1]
        step = (t1 - t0) / (q0 - q1)  # seconds per place
        starts_in = (q1 + 1) * step  # position 0 is the last place before running
        if starts_in <= NEAR_START:  # skip the front of the queue: poll once it runs
            return starts_in + START_MARGIN, f"queue position {q1}, running in {starts_in:.1f}s"
        delay = min(MAX_INTERVAL, 0.8 * starts_in)
        return delay, f"queue position {q1}, about {starts_in:.1f}s to the start"
    if status.queue_position:
        delay = min(MAX_INTERVAL, 0.6 + 0.4 * status.queue_position)
        return delay, f"queue position {status.queue_position}"
    if status.queue_wait_seconds:
        delay = min(MAX_INTERVAL, max(1.0, 0.25 * status.queue_wait_seconds))
        return delay, f"queued {status.queue_wait_seconds:.0f}s"
    if job.provider == "napkin":
        return no_info_delay(job, job.elapsed)
    return 1.0, "queued"


def progress_delay(job: Job, now_elapsed: float) -> tuple[float, str]:
    samples = progress_samples(job.history)
    finish = predicted_finish(samples)
    if finish is None:
        return FIRST_RATE_SAMPLE, "measuring the progress rate"
    remaining = finish - now_elapsed
    if remaining <= 0.0:
        return OVERDUE_INTERVAL, "past the predicted finish"
    earlier = predicted_finish(samples[:-1])
    steady = earlier is not None and abs(earlier - finish) <= max(0.3, 0.05 * remaining)
    if remaining > 3.0 and not steady:
        return min(MAX_INTERVAL, remaining * 0.6), f"about {remaining:.1f}s left: most of the way"
    delay = min(MAX_INTERVAL, remaining + FINISH_MARGIN)
    return delay, f"about {remaining:.1f}s left{' (steady rate)' if steady else ''}: at the finish"


def no_info_delay(job: Job, now_elapsed: float) -> tuple[float, str]:
    seen = _durations.get(job.provider, [])
    if len(seen) >= 3 and now_elapsed < 0.8 * min(seen) - NO_INFO_INTERVAL:
        wait = 0.8 * min(seen) - now_elapsed
        return min(MAX_INTERVAL, wait), f"jobs here take at least {min(seen):.0f}s"
    if now_elapsed < NO_INFO_PATIENCE:
        return NO_INFO_INTERVAL, "no progress reported"
    grown = NO_INFO_INTERVAL * 1.05 ** ((now_elapsed - NO_INFO_PATIENCE) / NO_INFO_INTERVAL)
    return min(5.0, grown), "no progress reported: backing off"


class Engine:
    """The scheduler thread, the poll workers and the media workers."""

    def __init__(self, workers: int = WORKERS, media_workers: int = MEDIA_WORKERS) -> None:
        self._heap: list[tuple[float, int, Job]] = []
        self._seq = itertools.count()
        self._wake = threading.Condition()
        self._polls: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._media: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
        self._stopped = False
        self.jobs: dict[tuple[str, str], Job] = {}
        self.threads = [self._spawn(self._schedule, "nbjs-scheduler")]
        self.threads += [self._spawn(self._work, f"nbjs-poll-{i}") for i in range(workers)]
        self.threads += [
            self._spawn(self._media_work, f"nbjs-media-{i}") for i in range(media_workers)
        ]

    @staticmethod
    def _spawn(target: Callable[[], None], name: str) -> threading.Thread:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        return thread

    def schedule(self, job: Job, at: float) -> None:
        """Poll ``job`` at monotonic time ``at``."""
        with self._wake:
            heapq.heappush(self._heap, (at, next(self._seq), job))
            if self._heap[0][2] is job:
                self._wake.notify()

    def wake(self) -> None:
        with self._wake:
            self._wake.notify()

    def submit_media(self, task: Callable[[], object]) -> None:
        self._media.put(task)

    def shutdown(self) -> None:
        with self._wake:
            self._stopped = True
            self._wake.notify()
        for thread in self.threads:
            if thread.name.startswith("nbjs-poll"):
                self._polls.put(None)
            elif thread.name.startswith("nbjs-media"):
                self._media.put(None)

    def _schedule(self) -> None:
        while True:
            with self._wake:
                due = self._next_due()
            if not due:
                return
            for job in due:
                self._dispatch(job)

    def _next_due(self) -> list[Job]:
        """Every job due now (or within COALESCE), so one wake-up serves them all."""
        while not self._stopped:
            now = time.monotonic()
            due = []
            while self._heap and self._heap[0][0] <= now + COALESCE:
                due.append(heapq.heappop(self._heap)[2])
            if due:
                return due
            self._wake.wait(self._heap[0][0] - now if self._heap else None)
        return []

    def _dispatch(self, job: Job) -> None:
        if job.done:
            return
        now = time.monotonic()
        if job.deadline is not None and now >= job.deadline:
            job.expire_deadline()
            return
        slot = job.booked_slot or job.client.budget.reserve(now)
        paused = job.client.budget.paused_until
        if max(slot, paused) > now + COALESCE:
            job.booked_slot = slot
            self.schedule(job, max(slot, paused))
            return
        job.booked_slot = None
        self._polls.put(job)

    def _work(self) -> None:
        while (job := self._polls.get()) is not None:
            try:
                delay = job.poll_once()
            except BaseException as exc:  # never a silent thread death
                logger.exception("internal error while polling")
                job.fail_internal(exc)
                continue
            if delay is not None:
                self.schedule(job, time.monotonic() + delay)
            del job  # hold no finished job until the next one arrives

    def _media_work(self) -> None:
        while (task := self._media.get()) is not None:
            try:
                task()
            except Exception:
                logger.exception("media task failed")
            del task


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """The kernel's one engine, started on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
            atexit.register(_engine.shutdown)
        return _engine
