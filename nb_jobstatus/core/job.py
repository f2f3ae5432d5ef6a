"""``Job``: one request followed in the background: its state, history, wait, await, cancel,
save. It knows nothing of notebooks; ``nb_jobstatus.Job`` adds the display on top.

The polling itself is ``core.follow``: one coroutine per job on the engine's loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import pathlib
import threading
import time
from collections.abc import Callable, Generator
from typing import Any

from . import policy
from .client import Client, Download
from .engine import Engine
from .engine import engine as default_engine
from .errors import ExpiredError, JobStatusError, PollTimeout, TransportError
from .model import Poll, State, Status

DEFAULT_TIMEOUT = 1800.0  # s: Napkin's status expires after ~30 minutes anyway
SETTLE_TIMEOUT = 30.0  # s: wait() also waits this long at most for the files to be cached
Callback = Callable[["Job"], None]


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
    ) -> None:
        self.client = client
        self.provider = client.provider.name
        self.request_id = client.provider.check_id(request_id)
        self.interval = interval
        self.timeout = DEFAULT_TIMEOUT if timeout is None else float(timeout)
        self.status: Status | None = None
        self.error: JobStatusError | None = None
        self.stopped: str | None = None  # "canceled" or "timeout": why polling ended early
        self.canceled = False  # cancel() was called (also stops the downloads of a finished job)
        self.history: list[Poll] = []
        self.media: dict[str, Any] = {}  # asset url -> core.media.Media, once completed
        self.retries = 0  # polls retried after a failure, so far
        self.paused = 0.0  # seconds held by 429s and Retry-After, so far
        self.started_at = time.time()  # wall clock, for display
        self.finished_at: float | None = None
        self.engine = engine or default_engine()
        self.started = self.engine.clock()  # the engine's monotonic clock
        self.ended: float | None = None
        self.deadline = self.started + self.timeout
        self._done = threading.Event()
        self._settled = threading.Event()  # done, files cached, and the views told so
        self._settling = False  # telling the views: they see the job as settled already
        self._lock = threading.RLock()
        self._callbacks: list[Callback] = []
        self._downloads: set[concurrent.futures.Future[Any]] = set()
        self.task: asyncio.Task[Any] | None = None  # the engine's coroutine following this job
        self.attempt = 0  # retries in a row of the current poll
        self.closing = False  # the policy expects the finish by the next poll

    def __repr__(self) -> str:
        return (
            f"<Job {self.provider} {self.request_id} {self.state.value} after {self.elapsed:.1f}s>"
        )

    # -- what views read --------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.client.base_url

    @property
    def origin(self) -> str:
        """``scheme://host:port`` of the API: jobs of two origins never share cached files."""
        return self.client.origin

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def settled(self) -> bool:
        """Done, and its files cached (or given up on)."""
        return self._settling or self._settled.is_set()

    @property
    def expired(self) -> bool:
        return isinstance(self.error, ExpiredError)

    @property
    def state(self) -> State:
        """The provider's last state; FAILED when an error ended polling with none terminal."""
        status = self.status
        if status is not None and (status.state.terminal or self.error is None or self.stopped):
            return status.state
        if self.error is not None and not self.stopped:
            return State.FAILED
        return State.QUEUED

    @property
    def elapsed(self) -> float:
        end = self.ended if self.ended is not None else self.engine.clock()
        return max(0.0, end - self.started)

    def eta(self) -> tuple[float, float] | None:
        """(low, high) seconds left, when progress allows an estimate."""
        if self.done or not self.history:
            return None
        engine = self.engine
        return engine.policy.eta(
            self.history, self.elapsed, key=self.kind, hints=self.hints, memory=engine.memory
        )

    @property
    def kind(self) -> tuple[str, str]:
        """(provider, kind of output): jobs alike teach the policy about each other."""
        return self.provider, self.client.provider.kind_of(self.status)

    @property
    def hints(self) -> policy.Hints:
        spec = self.client.provider
        return policy.Hints(
            reports_progress=spec.reports_progress, reports_queue=spec.reports_queue
        )

    def curl(self) -> str:
        return self.client.curl(self.request_id)

    def on_change(self, callback: Callback) -> None:
        """``callback(job)`` after every poll, at the end, and once more when the files are
        cached (from an engine thread); registered after that, it is called once at once."""
        with self._lock:
            settled = self.settled
            if not settled:
                self._callbacks.append(callback)
        if settled:
            self._safe_call(callback)

    # -- the user's verbs --------------------------------------------------------------------

    def wait(self, timeout: float | None = None) -> Status:
        """Block until the job ends. Returns the terminal Status (a FAILED one too); raises
        the error that ended polling (HTTP errors, PollTimeout, a stop), or PollTimeout when
        ``timeout`` passes first."""
        if not self._done.wait(timeout):
            raise PollTimeout(
                f"{self.provider} request {self.request_id} still {self.state.value} "
                f"after waiting {timeout}s",
                provider=self.provider,
                request_id=self.request_id,
            )
        self._settled.wait(SETTLE_TIMEOUT)  # the cached files, briefly
        return self._outcome()

    def __await__(self) -> Generator[Any, None, Status]:
        return self._wait_async().__await__()

    async def _wait_async(self) -> Status:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()

        def wake(_: Job) -> None:
            if self.settled:
                loop.call_soon_threadsafe(resolve)

        def resolve() -> None:
            if not ready.done():
                ready.set_result(None)

        self.on_change(wake)
        await ready
        return self._outcome()

    def _outcome(self) -> Status:
        if self.error is not None:
            raise self.error
        assert self.status is not None
        return self.status

    def cancel(self) -> None:
        """Stop polling now (the provider's request is not touched) and any download."""
        self.stop("canceled", "polling canceled by the user")

    def stop(self, why: str, message: str, *, cancel_task: bool = True) -> None:
        """End polling early: ``why`` is "canceled" or "timeout" (then PollTimeout)."""
        error = (PollTimeout if why == "timeout" else JobStatusError)(
            message, provider=self.provider, request_id=self.request_id
        )
        with self._lock:
            self.canceled = self.canceled or why == "canceled"
            already = self.done
            if not already:
                self.stopped = why
        if self.canceled:
            for future in list(self._downloads):
                future.cancel()
        if already or not self.finish(error):
            return
        task = self.task
        if task is not None and cancel_task:
            self.engine.loop.call_soon_threadsafe(task.cancel)

    def save(self, directory: str | pathlib.Path, timeout: float = 300.0) -> list[pathlib.Path]:
        """Write the original file of every asset into ``directory``; returns the paths."""
        from . import media

        return media.save_all(self, pathlib.Path(directory), timeout=timeout)

    def download(self, url: str, *, limit: int | None = None, timeout: float = 60.0) -> Download:
        """A media file (blocking), stopped when the job is canceled."""
        if self.canceled:
            raise TransportError("download canceled", provider=self.provider)
        coroutine = (
            self.client.download_async(url, timeout=timeout)
            if limit is None
            else self.client.download_async(url, limit, timeout)
        )
        future = self.engine.submit(coroutine)
        self._downloads.add(future)
        try:
            return future.result(timeout + 5)
        except concurrent.futures.CancelledError:
            raise TransportError("download canceled", provider=self.provider) from None
        finally:
            self._downloads.discard(future)

    # -- the end -----------------------------------------------------------------------------

    def finish(self, error: JobStatusError | None = None) -> bool:
        """End the job (once); False when it had already ended."""
        with self._lock:
            if self.done:
                return False
            self.error = error
            self.ended = self.engine.clock()
            self.finished_at = time.time()
            self._done.set()
        self.notify()
        return True

    def settle(self) -> None:
        """The files are cached (or there are none): tell the views one last time, then let
        ``wait()`` return (so a notebook run headless saves the final frame)."""
        with self._lock:
            if self._settling:
                return
            self._settling = True
        while True:
            with self._lock:
                callbacks, self._callbacks = self._callbacks, []
                if not callbacks:
                    self._settled.set()
                    return
            for callback in callbacks:
                self._safe_call(callback)

    def notify(self) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            self._safe_call(callback)

    def _safe_call(self, callback: Callback) -> None:
        from .redact import logger

        try:
            callback(self)
        except Exception:
            logger.exception("on_change callback failed")
