"""Who asked and may they: the request as the app sees it, the record of it, the key a
provider reads, and the sliding-window rate limiter."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sandbox saw it. ``status`` is None when the connection was dropped."""

    origin: str  # "api" or "media"
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    time: float  # time.monotonic() when it arrived
    request_id: str | None
    status: int | None


@dataclass
class Request:
    origin: str
    method: str
    target: str
    headers: dict[str, str]
    time: float = 0.0  # the app's clock when it arrived (set by the exchange)
    request_id: str | None = None
    window: Window | None = None  # this request's rate-limit window, once counted

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


@dataclass(frozen=True)
class Window:
    limit: int
    remaining: int
    reset: float  # seconds until the oldest counted request leaves the window
    exceeded: bool


class RateLimiter:
    """A sliding window per (provider, key); only requests let through are counted."""

    def __init__(self, limits: dict[str, tuple[int, float]]) -> None:
        self.limits = limits
        self.hits: dict[tuple[str, str], deque[float]] = {}

    def hit(self, provider: str, key: str, now: float) -> Window | None:
        if provider not in self.limits:
            return None
        limit, window = self.limits[provider]
        hits = self.hits.setdefault((provider, key), deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return Window(limit, 0, hits[0] + window - now, exceeded=True)
        hits.append(now)
        return Window(limit, limit - len(hits), hits[0] + window - now, exceeded=False)


def presented_key(provider: str, request: Request) -> str | None:
    """The credential as each provider's docs say to send it."""
    if provider == "sivi":
        return request.header("sivi-api-key")
    scheme, _, value = (request.header("authorization") or "").strip().partition(" ")
    schemes = ("bearer",) if provider == "napkin" else ("bearer", "key")
    if scheme.lower() in schemes and value.strip():
        return value.strip()
    return request.header("x-api-key") if provider == "clipia" else None
