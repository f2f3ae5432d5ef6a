"""Jobs outlive the kernel: ``recent.json`` in the cache folder remembers the last jobs
followed (provider, request id, the API's origin and base URL, last state, when), never a key
nor a query string. Written atomically, bounded to the last ``KEEP`` jobs."""

from __future__ import annotations

import atexit
import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..redact import logger
from .store import cache_dir, origin_of, write_atomic

RECENT = "recent.json"
KEEP = 200
_lock = threading.Lock()


@dataclass(frozen=True)
class RecentJob:
    provider: str
    request_id: str
    origin: str  # scheme://host:port of the API
    base_url: str  # the API base URL (no user, password, query or fragment)
    state: str  # the provider's last state ("completed", "running"...)
    stopped: str | None  # "canceled" or "timeout" when polling ended early
    at: float  # when it was remembered (Unix time)


_pending: dict[Path, dict[tuple[str, str, str], RecentJob]] = {}  # per cache folder: not
# yet written
_writing = False  # one thread writes at a time; the others leave their entry and go on
_written_at = 0.0  # time.monotonic() of the last write
EVERY = 1.0  # s: at most one write a second; ``flush()`` writes what waits (the engine calls
# it a second after a job is remembered, and at exit)


def remember(job: Any) -> bool:
    """Remember ``job`` (called when a job starts and when it ends); never raises. Returns
    True when the entry waits for ``flush()``: a thousand jobs starting at once cost one
    write, not a thousand."""
    try:
        entry = _entry(job)
    except (AttributeError, TypeError, ValueError) as error:
        logger.info("a job could not be remembered: %s", error)
        return False
    with _lock:
        waiting = _pending.setdefault(cache_dir(), {})
        waiting.pop(_key(entry), None)  # remembered again: it moves to the end (most recent)
        waiting[_key(entry)] = entry
        if _writing or time.monotonic() - _written_at < EVERY:
            return True
    flush()
    return False


def flush() -> None:
    """Write the entries that wait (by one thread at a time; never raises)."""
    global _writing, _written_at
    with _lock:
        if _writing or not _pending:
            return
        _writing = True
    try:
        _write_pending()
    finally:
        with _lock:
            _writing = False
            _written_at = time.monotonic()


def _write_pending() -> None:
    while True:
        with _lock:
            if not _pending:
                return
            folder, waiting = _pending.popitem()
        batch = list(waiting.values())
        try:
            fresh = {_key(entry) for entry in batch}
            jobs = [j for j in _read(folder) if _key(j) not in fresh]
            jobs = [*jobs, *batch][-KEEP:]
            data = {"version": 1, "jobs": [asdict(j) for j in jobs]}
            write_atomic(folder / RECENT, json.dumps(data, separators=(",", ":")).encode())
        except (OSError, ValueError, TypeError) as error:
            logger.info("the recent jobs list was not written: %s", error)


def recent(limit: int = 20) -> list[RecentJob]:
    """The last ``limit`` jobs remembered, most recent first (across kernel restarts)."""
    folder = cache_dir()
    with _lock:
        waiting = list(_pending.get(folder, {}).values())
    fresh = {_key(entry) for entry in waiting}
    jobs = [*(j for j in _read(folder) if _key(j) not in fresh), *waiting][-KEEP:]
    return list(reversed(jobs))[: max(0, limit)]


def _key(job: RecentJob) -> tuple[str, str, str]:
    return job.origin, job.provider, job.request_id


def _entry(job: Any) -> RecentJob:
    state = getattr(job, "state", None)
    stopped = getattr(job, "stopped", None)
    return RecentJob(
        provider=str(job.provider),
        request_id=str(job.request_id),
        origin=origin_of(job),
        base_url=_plain_url(getattr(job, "base_url", None) or job.client.base_url),
        state=str(getattr(state, "value", state) or "unknown"),
        stopped=stopped if isinstance(stopped, str) else None,
        at=time.time(),
    )


def _plain_url(url: str) -> str:
    """``url`` without user, password, query and fragment."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _read(folder: Path) -> list[RecentJob]:
    try:
        data = json.loads((folder / RECENT).read_text("utf-8"))
        rows = data["jobs"] if isinstance(data, dict) else []
    except (OSError, ValueError, KeyError):
        return []
    jobs = []
    for row in rows if isinstance(rows, list) else []:
        try:
            jobs.append(_parse(row))
        except (TypeError, ValueError, KeyError):
            continue  # a damaged or foreign row
    return jobs


def _parse(row: Any) -> RecentJob:
    stopped = row.get("stopped")
    return RecentJob(
        provider=_text(row["provider"]),
        request_id=_text(row["request_id"]),
        origin=_text(row["origin"]),
        base_url=_text(row["base_url"]),
        state=_text(row["state"]),
        stopped=stopped if isinstance(stopped, str) else None,
        at=float(row["at"]),
    )


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


atexit.register(flush)
