"""One shared daemon thread for every live view: it ticks the elapsed time once a second and
runs the throttled renders that were deferred. It waits on an ``Event`` (so new work wakes it
at once) and ends when no live view and no deferred render remain; the next view restarts it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from ..core.redact import logger

PERIOD = 1.0  # s between elapsed-time ticks
MIN_INTERVAL = 0.25  # s between two renders of one view: at most 4 a second


class Live(Protocol):
    def tick(self) -> None: ...


class Ticker:
    """The ticker thread and its work: live views to tick, throttles to flush at a time."""

    def __init__(self) -> None:
        self._views: set[Live] = set()
        self._due: dict[Throttle, float] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.started = 0  # threads started so far (for tests and figures)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._thread is not None

    def add(self, view: Live) -> None:
        with self._lock:
            self._views.add(view)
            self._ensure_thread()

    def remove(self, view: Live) -> None:
        with self._lock:
            self._views.discard(view)
        self._wake.set()

    def defer(self, throttle: Throttle, at: float) -> None:
        """Flush ``throttle`` at monotonic time ``at``."""
        with self._lock:
            self._due[throttle] = min(at, self._due.get(throttle, at))
            self._ensure_thread()
        self._wake.set()

    def _ensure_thread(self) -> None:  # under self._lock
        if self._thread is None:
            self.started += 1
            self._thread = threading.Thread(target=self._run, name="nbjs-ticker", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        next_tick = time.monotonic() + PERIOD
        while True:
            self._wake.clear()
            with self._lock:
                if not self._views and not self._due:
                    self._thread = None
                    return
                now = time.monotonic()
                ready = [t for t, at in self._due.items() if at <= now]
                for throttle in ready:
                    del self._due[throttle]
                ticking = list(self._views) if now >= next_tick else []
                if ticking:
                    next_tick = now + PERIOD
                wake_at = min([next_tick, *self._due.values()])
            for throttle in ready:
                _guarded(throttle.flush)
            for view in ticking:
                _guarded(view.tick)
            self._wake.wait(max(0.0, wake_at - time.monotonic()))


def _guarded(call: Callable[[], None]) -> None:
    try:
        call()
    except Exception:  # one broken view must not stop the others
        logger.exception("view update failed")


class Throttle:
    """Runs ``render`` at most once per ``interval``; a request inside the interval is
    deferred to its end (on the shared ticker), and several such requests make one render."""

    def __init__(self, render: Callable[[], None], interval: float = MIN_INTERVAL) -> None:
        self._render = render
        self._interval = interval
        self._last = float("-inf")
        self._pending = False
        self._lock = threading.Lock()

    def request(self, urgent: bool = False) -> None:
        """Render now if allowed (or ``urgent``: the final frame), else soon."""
        with self._lock:
            now = time.monotonic()
            if not urgent and (self._pending or now - self._last < self._interval):
                if not self._pending:
                    self._pending = True
                    ticker().defer(self, self._last + self._interval)
                return
            self._last = now
        self._render()

    def flush(self) -> None:
        with self._lock:
            self._pending = False
            self._last = time.monotonic()
        self._render()


_ticker = Ticker()


def ticker() -> Ticker:
    """The process's one ticker."""
    return _ticker
