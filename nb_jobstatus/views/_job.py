"""What the views read from a job, as a ``Protocol`` (no import of the job module, so no
cycle), and the readers of fields that not every job has yet (``stopped``, ``expired``,
``retries``, ``paused``, ``settled``) or whose shape changes (``eta()``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ..core.errors import ExpiredError, PollTimeout
from ..core.model import Poll, State, Status
from ..core.providers import PROVIDERS
from . import _format as fmt


class JobLike(Protocol):
    """The part of a core ``Job`` the views use."""

    @property
    def provider(self) -> str: ...
    @property
    def request_id(self) -> str: ...
    @property
    def status(self) -> Status | None: ...
    @property
    def error(self) -> Any: ...
    @property
    def history(self) -> Sequence[Poll]: ...
    @property
    def media(self) -> Mapping[str, Any]: ...
    @property
    def state(self) -> State: ...
    @property
    def done(self) -> bool: ...
    @property
    def elapsed(self) -> float: ...
    def eta(self) -> Any: ...
    def curl(self) -> str: ...
    def on_change(self, callback: Callable[[Any], None]) -> None: ...


def title(job: JobLike) -> str:
    """``Sivi``, ``Napkin``, ``Clipia`` (the provider's own spelling)."""
    provider = PROVIDERS.get(str(job.provider))
    return provider.title if provider is not None else fmt.line(job.provider, 40)


def stopped(job: JobLike) -> str | None:
    """Why polling ended early: ``"canceled"``, ``"timeout"`` or None."""
    value = getattr(job, "stopped", ...)
    if value is not ...:
        return value if value in ("canceled", "timeout") else None
    if getattr(job, "canceled", False) is True:
        return "canceled"
    return "timeout" if isinstance(job.error, PollTimeout) else None


def expired(job: JobLike) -> bool:
    """Whether a 410 ended the job (the provider no longer has the request)."""
    value = getattr(job, "expired", None)
    if isinstance(value, bool):
        return value
    return isinstance(job.error, ExpiredError)


def last_state(job: JobLike) -> State:
    """The provider's last state (``queued`` before any answer)."""
    return job.status.state if job.status is not None else State.QUEUED


def retries(job: JobLike) -> int:
    value = fmt.count(getattr(job, "retries", None))
    if value is not None:
        return value
    return sum(1 for poll in list(job.history) if poll.attempt)


def paused(job: JobLike) -> float:
    """Seconds held by 429 / Retry-After so far."""
    return max(0.0, fmt.finite(getattr(job, "paused", 0.0)) or 0.0)


def settled(job: JobLike) -> bool:
    """Done, and the files cached (or there are none to cache)."""
    value = getattr(job, "settled", None)
    if isinstance(value, bool):
        return value
    status = job.status
    if not job.done:
        return False
    if job.error is not None or status is None or status.state is not State.COMPLETED:
        return True
    if getattr(job, "cache_media", True) is False:
        return True
    return all(asset.url in job.media for asset in status.assets)


def eta(job: JobLike) -> str | None:
    try:
        return fmt.eta(job.eta())
    except Exception:  # an estimate is never worth a broken view
        return None


def elapsed(job: JobLike) -> float | None:
    try:
        return fmt.finite(job.elapsed)
    except Exception:
        return None


def public(job: JobLike, url: object) -> bool:
    """True when ``url`` needs no key (so a browser can open it)."""
    client = getattr(job, "client", None)
    try:
        return isinstance(url, str) and client is not None and not client.credentials_for(url)
    except Exception:  # a client that cannot say: no link, to be safe
        return False


def base_url(job: JobLike) -> str | None:
    base = getattr(job, "base_url", None) or getattr(getattr(job, "client", None), "base_url", None)
    return base if isinstance(base, str) else None


def resume(job: JobLike) -> str:
    """``njs.watch("clipia", "<id>")``, with the base URL when it is not the provider's own."""
    args = [json.dumps(str(job.provider)), json.dumps(str(job.request_id))]
    provider, base = PROVIDERS.get(str(job.provider)), base_url(job)
    if base and (provider is None or base.rstrip("/") != provider.base_url.rstrip("/")):
        args.append(f"base_url={json.dumps(base)}")
    return f"njs.watch({', '.join(args)})"
