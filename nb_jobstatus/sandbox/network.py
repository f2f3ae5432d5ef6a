"""The network the sandbox plays: a link per origin ("api", "media") with a round trip, jitter,
the server's processing time and a bandwidth for bodies. The default link is loopback: no delay.

A request on a link costs, as seen by the client (see :func:`~.exchange.exchange`):

- a new connection: one extra round trip first (the TCP handshake);
- ``rtt / 2`` on the way in: the facts of the answer are computed when it arrives;
- ``processing + rtt / 2`` before the answer's first byte reaches the client;
- a body of B bytes then takes ``B / bandwidth`` more (it is sent in paced chunks).

Each request draws its round trip once: ``rtt`` plus a uniform extra in ``[-jitter, +jitter]``,
never below zero. Seconds throughout; ``bandwidth`` in bytes per second (None: unlimited).
"""

from __future__ import annotations

import math
import random
import threading
from dataclasses import dataclass, replace
from typing import Any

ORIGINS = ("api", "media")
PACE_CHUNK = 16 * 1024  # bytes per paced write when a bandwidth is set


@dataclass(frozen=True)
class Link:
    """One origin's network, as the client sees it. All in seconds, bandwidth in bytes/s."""

    rtt: float = 0.0
    jitter: float = 0.0
    processing: float = 0.0
    bandwidth: float | None = None

    def __post_init__(self) -> None:
        for name in ("rtt", "jitter", "processing"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"network {name} must be a finite number >= 0, not {value!r}")
        if self.bandwidth is not None and not (
            math.isfinite(self.bandwidth) and self.bandwidth > 0
        ):
            raise ValueError(f"network bandwidth must be > 0 bytes/s, not {self.bandwidth!r}")

    @property
    def instant(self) -> bool:
        return self.rtt == self.jitter == self.processing == 0 and self.bandwidth is None

    def draw_rtt(self, rng: random.Random) -> float:
        if not self.jitter:
            return self.rtt
        return max(0.0, self.rtt + rng.uniform(-self.jitter, self.jitter))

    def pacing(self) -> tuple[int, float] | None:
        """(bytes per chunk, seconds between chunks) for bodies on this link, or None."""
        if self.bandwidth is None:
            return None
        return PACE_CHUNK, PACE_CHUNK / self.bandwidth


LinkSpec = Link | dict[str, Any] | None


def as_link(spec: LinkSpec) -> Link:
    """A Link from a Link, a dict of its fields, or None (loopback)."""
    if spec is None:
        return Link()
    if isinstance(spec, Link):
        return spec
    return Link(**spec)


class Network:
    """The links of both origins; changed at any time from any thread."""

    def __init__(self, spec: LinkSpec | dict[str, LinkSpec] = None, seed: int | None = None):
        self._lock = threading.Lock()
        self._links = {origin: Link() for origin in ORIGINS}
        self._rng = random.Random(seed)
        self.set(spec)

    def set(self, spec: LinkSpec | dict[str, LinkSpec] = None, origin: str | None = None) -> None:
        """Set one origin's link (``origin="api"``), or both: a Link / dict of fields for both,
        or ``{"api": ..., "media": ...}`` for each."""
        if isinstance(spec, dict) and set(spec) and set(spec) <= set(ORIGINS) and origin is None:
            for name, each in spec.items():
                self.set(each, name)
            return
        link = as_link(spec)  # type: ignore[arg-type]
        if origin is not None and origin not in ORIGINS:
            raise ValueError(f"unknown origin {origin!r}; expected one of {ORIGINS}")
        with self._lock:
            for name in ORIGINS if origin is None else (origin,):
                self._links[name] = link

    def update(self, origin: str | None = None, **fields: Any) -> None:
        """Change some fields of one origin's link (or both), keeping the others."""
        for name in ORIGINS if origin is None else (origin,):
            self.set(replace(self.link(name), **fields), name)

    def link(self, origin: str) -> Link:
        with self._lock:
            return self._links[origin]

    def draw(self, origin: str) -> tuple[Link, float]:
        """The origin's link and this request's round trip."""
        with self._lock:
            link = self._links[origin]
            return link, link.draw_rtt(self._rng)

    def __repr__(self) -> str:
        return f"Network({self._links!r})"
