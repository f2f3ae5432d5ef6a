"""How long to wait: the request budget of one key, backoff, and ``Retry-After`` parsed strictly.

Every wait that comes from a provider is untrusted: ``Retry-After: inf``, ``1000000000``, a date
in 2100 or ``120s`` must neither kill a thread nor freeze a key for decades. A wait is parsed
strictly (digits, or an HTTP date), anything else counts as absent, and every wait is capped at
``MAX_WAIT``; the engine further bounds it by the job's deadline.
"""

from __future__ import annotations

import collections
import email.utils
import math
import random
import re
import threading
import time
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
    """Requests allowed per window for one key, and a shared pause after a 429."""

    def __init__(self, limit: tuple[int, float] | None) -> None:
        self.limit = limit
        self.paused_until = 0.0  # time.monotonic()
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def reserve(self, now: float | None = None) -> float:
        """Book the earliest monotonic time at or after ``now`` a request may be sent."""
        now = time.monotonic() if now is None else now
        with self._lock:
            when = max(now, self.paused_until)
            if self.limit:
                count, window = self.limit
                while self._sent and self._sent[0] <= when - window:
                    self._sent.popleft()
                if len(self._sent) >= count:  # margin: a booked request may leave a bit late
                    when = max(when, self._sent[-count] + window * 1.02 + 0.1)
                self._sent.append(when)
            return when

    def release(self, when: float) -> None:
        """Give back a booking that will not be used (its job ended first)."""
        with self._lock:
            if when in self._sent:
                self._sent.remove(when)

    def pause(self, seconds: float, now: float | None = None) -> None:
        """Hold every request of this key for ``seconds`` (at most MAX_WAIT)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            self.paused_until = max(self.paused_until, now + bounded(seconds))
