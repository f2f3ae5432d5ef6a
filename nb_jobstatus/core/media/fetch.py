"""A job's files: found again in the cache, or downloaded once, probed, and cached.

``cache_all(job)`` runs on a media worker as soon as a job completes, so that files whose URLs
expire (Napkin: 30 minutes) still render and still save later. It stops between files when the
job is canceled (and the job's own ``download`` stops a file under way), and at a deadline.
Nothing here trusts a file: downloads are size-limited, an image's decoded size is checked
before decoding, and SVG is never rasterized nor inlined as markup.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import JobStatusError
from ..model import Asset
from ..redact import logger
from . import cap
from .av import probe_av
from .probe import check_not_page, compare_sizes, probe
from .record import (
    DOWNLOAD_LIMIT,
    DOWNLOAD_TIMEOUT,
    REFUSED,
    Media,
    mime,
    one_line,
    reported_duration,
)
from .store import (
    asset_key,
    cache_dir,
    cache_path,
    extension_of,
    job_folder,
    read_index,
    record_file,
    safe_name,
    why_not_written,
    write_atomic,
)

_locks: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def lock_for(job: Any) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(job, threading.Lock())


def canceled(job: Any) -> bool:
    """Was the job canceled? (``stopped`` on the core Job, ``canceled`` on today's.)"""
    return getattr(job, "stopped", None) == "canceled" or getattr(job, "canceled", None) is True


def left(deadline: float | None) -> float | None:
    """Seconds until ``deadline`` (monotonic), never negative; None without a deadline."""
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def download(job: Any, url: str, *, limit: int = DOWNLOAD_LIMIT, timeout: float) -> Any:
    """``job.download``: a ``Download(http_status, content, content_type)``; stops when the
    job is canceled; raises only JobStatusError."""
    return job.download(url, limit=limit, timeout=timeout)


def cache_all(job: Any, *, deadline: float | None = None) -> bool:
    """Find or download, probe and cache every asset not yet in ``job.media``. Idempotent and
    thread-safe (one caller at a time per job; the others find the work done). False when it
    stopped early: the job was canceled, or ``deadline`` (monotonic) passed."""
    lock = lock_for(job)
    wait = left(deadline)
    if not lock.acquire(timeout=-1 if wait is None else wait):
        return False
    before = _bytes(job)
    try:
        cap.track(job)
        complete = _cache_assets(job, deadline)
    finally:
        cap.release(job)
        lock.release()
    try:
        cap.after_writing(_bytes(job) - before)
    except OSError as error:
        logger.info("the cache cap could not be enforced: %s", error.strerror)
    return complete


def _bytes(job: Any) -> int:
    return sum(m.size_bytes or 0 for m in job.media.values() if m.path is not None)


def _cache_assets(job: Any, deadline: float | None) -> bool:
    status = job.status
    for index, asset in enumerate(status.assets if status is not None else ()):
        if asset.url in job.media:
            continue
        if canceled(job) or left(deadline) == 0:
            return False
        media = _found_or_fetched(job, index, asset, deadline)
        if media.error and (canceled(job) or left(deadline) == 0):
            return False  # cut short by the cancel or the deadline: another call may retry
        job.media = {**job.media, asset.url: media}  # copy on write: readers never see
        # a dict that changes while they iterate it
    return True


def _found_or_fetched(job: Any, index: int, asset: Asset, deadline: float | None) -> Media:
    try:
        return reuse(job, index, asset) or cache_one(job, index, asset, deadline)
    except Exception as error:  # a bug here must not cost the other assets
        logger.exception("caching %s asset %d failed", job.provider, index)
        return Media(asset=asset, error=one_line(f"internal error: {error!r}"))


def reuse(job: Any, index: int, asset: Asset) -> Media | None:
    """The asset's file as an earlier kernel cached it (no download), or None."""
    folder = job_folder(job)
    entry = read_index(folder).get(str(index))
    if not entry or entry.get("asset") != asset_key(asset.url):
        return None
    name = entry.get("file")
    path = folder / name if isinstance(name, str) and name == safe_name(name) else None
    try:
        data = path.read_bytes() if path is not None else None
    except OSError:
        return None
    if path is None or data is None or len(data) != entry.get("bytes"):
        return None
    original = entry.get("original") is True and asset.original_url
    media = Media(asset=asset, source_url=asset.original_url if original else asset.url)
    media.duration = reported_duration(asset)
    content_type = entry.get("content_type")
    media.content_type = mime(content_type if isinstance(content_type, str) else None)
    media.size_bytes, media.path = len(data), path.resolve()
    inspect(media, data)
    compare_sizes(media)
    with contextlib.suppress(OSError):
        os.utime(path)  # used now: the last to be evicted
    return media


def cache_one(job: Any, index: int, asset: Asset, deadline: float | None = None) -> Media:
    """The asset's original (Clipia: ``original_url``), else its display copy."""
    original = asset.original_url
    sources = [original, asset.url] if isinstance(original, str) and original else [asset.url]
    first: Media | None = None
    for url in dict.fromkeys(sources):
        media = fetch(job, index, asset, url, deadline)
        if media.error is None:
            if first is not None:
                media.add_warning(f"original failed ({first.error}); showing the optimized copy")
            return media
        first = first or media
        if canceled(job) or left(deadline) == 0:
            break
    assert first is not None
    return first


def fetch(job: Any, index: int, asset: Asset, url: str, deadline: float | None = None) -> Media:
    """One download, probed and cached; every failure ends up in ``Media.error``."""
    media, data = fetch_bytes(job, asset, url, deadline)
    if data is not None:
        keep(job, index, url, media, data)
    compare_sizes(media)
    return media


def fetch_bytes(
    job: Any, asset: Asset, url: str, deadline: float | None = None
) -> tuple[Media, bytes | None]:
    """One download, probed; the bytes when they are worth keeping (a refused bomb is a file,
    an HTML error page is not)."""
    media = Media(asset=asset, source_url=url, duration=reported_duration(asset))
    data = _download(job, url, media, deadline)
    if data is None:
        return media, None
    media.size_bytes = len(data)
    inspect(media, data)
    kept = media.error is None or media.error.startswith(REFUSED)
    return media, data if kept else None


def inspect(media: Media, data: bytes) -> None:
    """Probe the bytes as what the asset says it is."""
    if media.asset.kind == "image":
        probe(media, data)
    elif media.asset.kind in ("audio", "video"):
        probe_av(media, data)
    else:
        check_not_page(media, data)


def keep(job: Any, index: int, url: str, media: Media, data: bytes) -> None:
    """Write the file into the cache and its index; a failure is a one-line warning."""
    try:
        path = cache_path(job, index, url, extension_of(media, url))
        cap.hold(job, path)
        write_atomic(path, data)
    except OSError as error:
        media.add_warning(f"not cached: {why_not_written(error, cache_dir())}")
        return
    except ValueError as error:
        media.add_warning(one_line(f"not cached: {error}"))
        return
    media.path = path
    _index(path, index, media, url, len(data))


def _index(path: Path, index: int, media: Media, url: str, size: int) -> None:
    entry = {"asset": asset_key(media.asset.url), "file": path.name, "bytes": size}
    entry |= {"original": url != media.asset.url, "content_type": media.content_type}
    try:
        record_file(path.parent, index, entry)
    except OSError as error:  # the file is cached; only a later kernel will not find it
        logger.info("the cache index of %s was not written: %s", path.parent, error.strerror)


def _download(job: Any, url: str, media: Media, deadline: float | None) -> bytes | None:
    if urlsplit(url).scheme not in ("http", "https"):
        media.error = "refused: not an http(s) URL"
        return None
    remaining = left(deadline)
    timeout = DOWNLOAD_TIMEOUT if remaining is None else max(0.1, min(DOWNLOAD_TIMEOUT, remaining))
    try:
        answer = download(job, url, limit=DOWNLOAD_LIMIT, timeout=timeout)
    except JobStatusError as error:
        media.error = _download_error(error)
        return None
    media.content_type = mime(answer.content_type)
    if not 200 <= answer.http_status < 300:
        expired = " (expired)" if answer.http_status == 410 else ""
        media.error = f"HTTP {answer.http_status}{expired}"
        return None
    return bytes(answer.content)


def _download_error(error: JobStatusError) -> str:
    if error.code == "too_large" or "download limit" in error.message:
        return f"over the {round(DOWNLOAD_LIMIT / 2**20)} MB download limit"
    return one_line(error.message)
