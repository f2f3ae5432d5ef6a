"""The one status model every provider is parsed into: plain frozen data, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class State(str, enum.Enum):
    """Where a request stands, whatever the provider calls it."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    UNKNOWN = "unknown"

    @property
    def terminal(self) -> bool:
        return self in (State.COMPLETED, State.FAILED, State.CANCELED)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Asset:
    """One generated file as the provider reports it (sizes as reported, not measured)."""

    url: str
    kind: str = "image"  # "image", "video", "audio" or "file"
    width: int | None = None
    height: int | None = None
    id: str | None = None
    edit_url: str | None = None
    media_type: str | None = None
    original_url: str | None = None  # Clipia: the full-quality file behind ``url``'s copy
    original_media_type: str | None = None  # the type of ``original_url``, when known
    duration: float | None = None  # seconds (video, audio), as reported
    variant_type: str | None = None  # Sivi: "GENERATED" or "EDITED"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Status:
    """One normalized answer of a provider's status endpoint."""

    provider: str
    request_id: str
    state: State
    provider_status: str | None = None
    progress: float | None = None
    queue_position: int | None = None
    queue_wait_seconds: float | None = None
    reason: str | None = None
    error_code: str | None = None
    assets: tuple[Asset, ...] = ()
    view_url: str | None = None
    share_url: str | None = None
    logs: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    test_mode: bool = False
    output: Any = None  # what a result carries besides its files (undocumented keys, text)
    cost: int | None = None  # Clipia: credits reserved while running, charged once finished
    raw: Any = field(default=None, compare=False, repr=False)

    def __repr__(self) -> str:
        """Short and useful on a cell's last line; never the raw body."""
        parts = [self.provider, self.request_id, self.state.value]
        if self.progress is not None and not self.state.terminal:
            parts.append(f"{self.progress:.0f}%")
        if self.queue_position is not None:
            parts.append(f"queue position {self.queue_position}")
        if self.assets:
            parts.append(f"{len(self.assets)} file{'s' if len(self.assets) != 1 else ''}")
        if self.reason:
            parts.append(f"reason {self.reason[:80]!r}")
        return f"<Status {' '.join(parts)}>"

    @property
    def images(self) -> tuple[Asset, ...]:
        return tuple(a for a in self.assets if a.kind == "image")


@dataclass(frozen=True)
class Poll:
    """One status request as it happened: for ``Job.history`` and the failure timeline."""

    at: float  # wall-clock time.time() when the request was sent
    elapsed: float  # seconds since the job started
    duration: float  # seconds the request took
    http_status: int | None
    status: Status | None = None
    error: Exception | None = None
    attempt: int = 0  # 0 for a regular poll, n for the n-th retry after a failure
    next_delay: float | None = None  # seconds until the next poll, as the policy chose
    why: str = ""  # why that delay (the policy's reason, or the retry's)
