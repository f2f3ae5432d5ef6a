"""``Job``: one request followed in the background, with its history, wait, cancel and save."""

from __future__ import annotations

import dataclasses
import pathlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import poller
from .core.errors import JobStatusError, PollTimeout
from .core.model import Poll, State, Status
from .core.redact import logger, redact
from .http import MAX_RETRIES, Client

if TYPE_CHECKING:
    from .poller import Engine

DEFAULT_TIMEOUT = 1800.0  # s: Napkin's status expires after ~30 minutes anyway
READ_TIMEOUT = 20.0
SETTLE_TIMEOUT = 30.0  # s: wait() also waits this long at most for the files to be cached


class Job:
    """A provider request followed in the background. Safe to use from any thread."""

    def __init__(
        self,
        client: Client,
        request_id: str,
        *,
        interval: float | None = None,
        timeout: float | None = None,
        engine: Engine | None = None,
        policy: poller.Policy | None = None,
    ) -> None:
        self.client = client
        self.provider = client.provider.name
        self.request_id = client.provider.check_id(request_id)
        self.interval = interval
        self.policy = policy  # replaces the default policy (benchmarks compare policies)
        self.timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        self.status: Status | None = None
        self.error: JobStatusError | None = None
        self.history: list[Poll] = []
        self.started_at = time.time()
        self.finished_at: float | None = None
        self.canceled = False  # polling stopped by cancel()
        self.booked_slot: float | None = None  # engine: a budget slot already reserved
        self._started = time.monotonic()
        self.deadline: float | None = self._started + self.timeout
        self._attempt = 0
        self._done = threading.Event()
        self._settled = threading.Event()  # done, views told, and the media cached
        self._lock = threading.RLock()
        self._callbacks: list[Callable[[Job], None]] = []
        self._engine = engine or poller.engine()
        self._widget: Any = None
        self.cache_media = True  # download the originals as soon as the job completes
        self.show_images = True  # the views show thumbnails (False: sizes and links only)
        self.media: dict[str, Any] = {}  # asset url -> media.Media, filled once completed

    def __repr__(self) -> str:
        state = self.state.value
        return f"<Job {self.provider} {self.request_id} {state} after {self.elapsed:.1f}s>"

    # -- what views read ------------------------------------------------------------------

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def state(self) -> State:
        """The job's state; a job ended by an error counts as failed."""
        if self.status is not None and (self.status.state.terminal or self.error is None):
            return self.status.state
        if self.canceled:
            return State.CANCELED
        return State.FAILED if self.error is not None else State.QUEUED

    @property
    def elapsed(self) -> float:
        end = self.finished_at - self.started_at if self.finished_at else None
        return end if end is not None else time.monotonic() - self._started

    def eta(self) -> float | None:
        """Seconds left, estimated from the progress rate (None when it can't be)."""
        if self.done:
            return None
        return poller.estimate_remaining(self.history, self.elapsed)

    def curl(self) -> str:
        return self.client.curl(self.request_id)

    def on_change(self, callback: Callable[[Job], None]) -> None:
        """Call ``callback(job)`` after every poll (from an engine thread) and once at the end."""
        with self._lock:
            done = self.done  # decided under the lock that _finish sets done under
            if not done:
                self._callbacks.append(callback)
        if done:
            self._safe_call(callback)

    # -- the user's verbs -----------------------------------------------------------------

    def start(self) -> Job:
        self._engine.schedule(self, time.monotonic())
        return self

    def wait(self, timeout: float | None = None) -> Status:
        """Block until the job ends: its terminal Status, or its error raised, or PollTimeout."""
        if not self._done.wait(timeout):
            raise PollTimeout(
                f"{self.provider} request {self.request_id} still {self.state.value} "
                f"after waiting {timeout}s",
                provider=self.provider,
                request_id=self.request_id,
            )
        self._settled.wait(SETTLE_TIMEOUT)  # the final frame and the cached files, briefly
        if self.error is not None:
            raise self.error
        assert self.status is not None
        return self.status

    def cancel(self) -> None:
        """Stop polling now (the provider's request is not touched)."""
        error = JobStatusError(
            "polling canceled by the user", provider=self.provider, request_id=self.request_id
        )
        self._finish(error=error, canceled=True)

    def save(self, directory: str | pathlib.Path) -> list[pathlib.Path]:
        """Write the original file of every asset into ``directory``; returns the paths."""
        from . import media

        return media.save_all(self, pathlib.Path(directory))

    def _ipython_display_(self) -> None:
        from .views import show

        show(self)

    @property
    def widget(self) -> Any:
        """The live ipywidgets view of this job (made on first use)."""
        with self._lock:
            if self._widget is None:
                from .views import JobView

                self._widget = JobView(self)
            return self._widget

    # -- what the engine calls ----------------------------------------------------------------

    def poll_once(self) -> float | None:
        """One poll; returns the delay until the next one, or None when the job has ended."""
        if self.done:
            return None
        sent, mono = time.time(), time.monotonic()
        try:
            answer = self.client.fetch_status(self.request_id, READ_TIMEOUT)
        except JobStatusError as error:
            return self._after_error(error, sent, mono)
        self._attempt = 0
        poll = Poll(sent, mono - self._started, answer.duration, answer.http_status, answer.status)
        return self._after_status(poll)

    def _after_status(self, poll: Poll) -> float | None:
        status = poll.status
        assert status is not None
        with self._lock:
            self.status = status
            self.history.append(poll)
            if status.state.terminal:
                self._finish()
                return None
            delay, why = poller.next_delay(self, poll.elapsed)
            self.history[-1] = dataclasses.replace(poll, next_delay=delay, why=why)
        self._notify()
        return self._bounded(delay)

    def _after_error(self, error: JobStatusError, sent: float, mono: float) -> float | None:
        duration = time.monotonic() - mono
        retry = error.retryable and self._attempt < MAX_RETRIES
        delay = self.client.retry_delay(error, self._attempt) if retry else None
        why = f"retry {self._attempt + 1} of {MAX_RETRIES}" if retry else "final error"
        poll = Poll(
            sent, mono - self._started, duration, error.http_status, None, error,
            self._attempt, delay, why,
        )  # fmt: skip
        with self._lock:
            self.history.append(poll)
        if delay is None:
            self._finish(error=error)
            return None
        self._attempt += 1
        logger.info("%s %s: %s (%s)", self.provider, self.request_id, error, why)
        self._notify()
        return self._bounded(delay)

    def _bounded(self, delay: float) -> float:
        """Never sleep past the deadline: the engine ends the job there."""
        if self.deadline is None:
            return delay
        return max(0.0, min(delay, self.deadline - time.monotonic()))

    def expire_deadline(self) -> None:
        error = PollTimeout(
            f"{self.provider} request {self.request_id} was still {self.state.value} "
            f"when the {self.timeout:g}s deadline passed",
            provider=self.provider,
            request_id=self.request_id,
        )
        self._finish(error=error)

    def fail_internal(self, exc: BaseException) -> None:
        message = redact(f"internal error while polling: {type(exc).__name__}: {exc}")
        self._finish(
            error=JobStatusError(message, provider=self.provider, request_id=self.request_id)
        )

    def _finish(self, error: JobStatusError | None = None, canceled: bool = False) -> None:
        with self._lock:
            if self.done:
                return
            self.error = error
            self.canceled = canceled
            self.finished_at = time.time()
            self._done.set()
        status = self.status
        completed = error is None and status is not None and status.state is State.COMPLETED
        if completed:
            poller.remember_duration(self.provider, self.elapsed)
        caching = completed and self.cache_media and bool(status and status.assets)
        if caching:
            self._engine.submit_media(self._cache_media)
        self._engine.wake()
        self._notify()
        if not caching:
            self._settled.set()

    def _cache_media(self) -> None:
        from . import media

        try:
            media.cache_all(self)
        finally:
            self._notify()
            self._settled.set()

    def _notify(self) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            self._safe_call(callback)

    def _safe_call(self, callback: Callable[[Job], None]) -> None:
        try:
            callback(self)
        except Exception:
            logger.exception("on_change callback failed")
