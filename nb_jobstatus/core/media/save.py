"""``save_all``: the original of every asset into a folder, within an overall deadline, saying
what could not be written and why (never "not saved: None")."""

from __future__ import annotations

import shutil
import time
import warnings
from pathlib import Path
from typing import Any

from ..redact import logger
from .fetch import cache_all, canceled, fetch_bytes, left, lock_for
from .record import REFUSED, SAVE_TIMEOUT, Media, one_line
from .store import extension_of, safe_name, why_not_written, write_atomic


class NotSavedWarning(UserWarning):
    """Some files of a ``save()`` were not written; the message says which and why."""


class SavedFiles(list[Path]):
    """The paths written, in asset order; ``not_saved`` says what was not, one line each."""

    def __init__(self, paths: list[Path], not_saved: list[str]) -> None:
        super().__init__(paths)
        self.not_saved = not_saved


class _NotSaved(Exception):
    pass


def save_all(job: Any, directory: Path, timeout: float = SAVE_TIMEOUT) -> SavedFiles:
    """Copy every asset's file into ``directory`` as ``<provider>-<request_id>-<index>.<ext>``
    (caching first when needed, downloading straight there when the cache cannot keep it),
    all within ``timeout`` seconds. Returns the paths written; what was not written is in
    ``.not_saved`` and in one ``NotSavedWarning``."""
    deadline = time.monotonic() + timeout
    forget_missing(job, deadline)
    cache_all(job, deadline=deadline)
    directory = Path(directory).expanduser()
    prefix = f"{safe_name(job.provider)}-{safe_name(job.request_id)}"
    assets = job.status.assets if job.status is not None else ()
    paths, not_saved = [], []
    for index, asset in enumerate(assets):
        try:
            media = job.media.get(asset.url)
            paths.append(_save_one(job, index, media, directory / f"{prefix}-{index}", deadline))
        except _NotSaved as reason:
            not_saved.append(f"file {index}: {reason}")
    if not_saved:
        _complain(job, len(assets), not_saved, timeout)
    return SavedFiles(paths, not_saved)


def _save_one(job: Any, index: int, media: Media | None, stem: Path, deadline: float) -> Path:
    if media is None:
        raise _NotSaved(_why_missing(job, deadline))
    if media.path is None and (media.error is None or media.error.startswith(REFUSED)):
        return _download_to(job, media, stem, deadline)  # the cache could not keep it
    if media.path is None:
        raise _NotSaved(media.error or "not cached")
    target = stem.with_name(stem.name + media.path.suffix)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(media.path, target)
    except FileNotFoundError:
        raise _NotSaved("the cached file was removed meanwhile") from None
    except OSError as error:
        raise _NotSaved(why_not_written(error, target.parent)) from None
    return target


def _download_to(job: Any, media: Media, stem: Path, deadline: float) -> Path:
    """Download once more, straight into ``stem``'s folder (no cache in between)."""
    if left(deadline) == 0 or canceled(job):
        raise _NotSaved(_why_missing(job, deadline))
    url = media.source_url or media.asset.url
    fresh, data = fetch_bytes(job, media.asset, url, deadline)
    if data is None:
        raise _NotSaved(fresh.error or "not downloaded")
    target = stem.with_name(stem.name + extension_of(fresh, url))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)  # the user's folder: their umask
        write_atomic(target, data)
    except OSError as error:
        raise _NotSaved(why_not_written(error, target.parent)) from None
    return target


def _why_missing(job: Any, deadline: float) -> str:
    if canceled(job):
        return "the job was canceled"
    if left(deadline) == 0:
        return "the save timed out before this file was downloaded"
    return "not downloaded"


def _complain(job: Any, total: int, not_saved: list[str], timeout: float) -> None:
    text = one_line("; ".join(not_saved), 600)
    message = f"{len(not_saved)} of {total} files of {job.provider} {job.request_id} not saved: "
    logger.warning("%s%s", message, text)
    warnings.warn(message + text, NotSavedWarning, stacklevel=3)


def forget_missing(job: Any, deadline: float | None = None) -> None:
    """Drop cache entries whose file was deleted since, so that they are fetched again."""
    lock = lock_for(job)
    wait = left(deadline)
    if not lock.acquire(timeout=-1 if wait is None else wait):
        return  # another caller is caching this job; cache_all will wait for it
    try:
        kept = {url: m for url, m in job.media.items() if m.path is None or m.path.exists()}
        if len(kept) != len(job.media):
            job.media = kept
    finally:
        lock.release()
