"""How long to wait: the request budget of one key, backoff, and ``Retry-After`` parsed strictly.

Every wait that comes from a provider is untrusted: ``Retry-After: inf``, ``1000000000``, a date
in 2100 or ``120s`` must neither kill a thread nor freeze a key for decades. A wait is parsed
strictly (digits, or an HTTP date), anything else counts as absent, and every wait is capped at
``MAX_WAIT``; the engine further bounds it by the job's deadline.
"""

from __future__ import annotations

import asyncio
import email.utils
import heapq
import math
import random
import re
import threading
import time
from collections.abc import Callable
from typing import Any

MAX_RETRIES = 4
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
MAX_WAIT = 3600.0  # s: no provider makes us wait longer than an hour in one go
_SECONDS = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,6})?")


def backoff(attempt: int) -> float:
    """Jittered exponential backoff: about 0.5 s, 1 s, 2 s ... capped at 30 s."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** min(max(attempt, 0), 16))
    return random.uniform(ceiling / 2, ceiling)


def bounded(seconds: float) -> float:
    """``seconds`` clamped to [0, MAX_WAIT]; NaN counts as 0."""
    return 0.0 if math.isnan(seconds) else min(MAX_WAIT, max(0.0, seconds))


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value (delta-seconds or an HTTP date), capped; None when
    absent or not one of the two forms (``inf``, ``-5``, ``120s``, ``soon``)."""
    text = (value or "").strip()
    if not text or len(text) > 64:
        return None
    if _SECONDS.fullmatch(text):
        return bounded(float(text))
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return bounded(when.timestamp() - (time.time() if now is None else now))


def body_retry_after(data: Any) -> float | None:
    """Napkin's ``retry_after`` in a 429 body (seconds), strictly: a finite non-negative number."""
    value = data.get("retry_after") if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return None if not math.isfinite(value) or value < 0 else bounded(float(value))


class RateBudget:
    """Requests allowed per window for one key, and a shared pause after a 429.

    A request books a slot (``reserve``), and at its slot asks to leave (``go``): it counts
    as sent at every moment until its answer comes, then from that moment (``settle``). The
    provider saw it between its send and its answer, so however late a busy loop or a slow
    network made a request, the provider's window never holds more than the limit."""

    def __init__(self, limit: tuple[int, float] | None) -> None:
        self.limit = limit
        self.paused_until = 0.0  # time.monotonic()
        self._booked: list[float] = []  # slots not used yet
        self._answered: list[float] = []  # when the answers of sent requests came
        self._flying = 0  # requests sent and not answered yet
        self._lock = threading.Lock()

    def reserve(self, now: float | None = None) -> float:
        """Book the earliest monotonic time at or after ``now`` a request may be sent."""
        now = time.monotonic() if now is None else now
        with self._lock:
            when = max(now, self.paused_until)
            if not self.limit:
                return when
            count, span = self._window(now)
            counted = self._booked + self._answered + [now] * self._flying
            if len(counted) >= count:
                when = max(when, heapq.nlargest(count, counted)[-1] + span)
            self._booked.append(when)
            return when

    def go(self, slot: float, now: float) -> bool:
        """May the request booked at ``slot`` leave ``now``? Yes (then it is in flight until
        ``settle``) unless the requests sent before fill the window (one answered late): then
        ``release`` the slot and book again. Bookings not used yet do not count: each checks
        this one when its own time comes."""
        with self._lock:
            if not self.limit:
                return True
            count, _ = self._window(now)
            if len(self._answered) + self._flying >= count:
                return False
            if slot in self._booked:
                self._booked.remove(slot)
            self._flying += 1
            return True

    async def take(self, clock: Callable[[], float], until: float = math.inf) -> bool:
        """Wait until one request may leave (then it is in flight until ``settle``); False
        when ``until`` comes first (then it waits until then). At its slot a request asks
        ``go``: one answered late may have taken its place, and then it books again."""
        while True:
            slot = self.reserve(clock())
            if slot > until:
                self.release(slot)
                await asyncio.sleep(max(0.0, until - clock()))
                return False
            if slot > clock():  # no sleep at all when the slot has come (the common case)
                await asyncio.sleep(slot - clock())
            if self.go(slot, clock()):
                return True
            self.release(slot)

    def settle(self, answered: float) -> None:
        """A request that ``go`` let leave was answered (or failed) at ``answered``."""
        with self._lock:
            if self._flying:  # (a limit set or lifted meanwhile never leaves one counted)
                self._flying -= 1
                if self.limit:
                    self._answered.append(answered)

    def release(self, when: float) -> None:
        """Give back a booking that will not be used (its job ended first)."""
        with self._lock:
            if when in self._booked:
                self._booked.remove(when)

    def _window(self, now: float) -> tuple[int, float]:
        """The limit's count and window (counted 1 % long: a margin for the provider's clock
        and edges); forgets what left the window before ``now`` (lock held)."""
        assert self.limit is not None
        count, window = self.limit
        span = window * 1.01
        self._booked = [t for t in self._booked if t > now - span]
        self._answered = [t for t in self._answered if t > now - span]
        return count, span

    def pause(self, seconds: float, now: float | None = None) -> None:
        """Hold every request of this key for ``seconds`` (at most MAX_WAIT)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self.paused_until = max(self.paused_until, now + bounded(seconds))
