"""The cache keeps house: a size cap (``NB_JOBSTATUS_CACHE_MAX``, default 2 GiB) enforced by
removing the least recently used files first, never a file that a job alive in this kernel
still shows. A file's modification time is its last use (set when written or found again)."""

from __future__ import annotations

import os
import re
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..redact import logger
from .store import INDEX, cache_dir

CAP_ENV = "NB_JOBSTATUS_CACHE_MAX"
DEFAULT_CAP = 2 * 2**30
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)
_lock = threading.Lock()  # the registry of live jobs
_lock_evict = threading.Lock()  # one eviction at a time
_live: dict[int, tuple[weakref.ref[Any], set[Path]]] = {}  # id(job) -> (job, files held)


@dataclass(frozen=True)
class CacheInfo:
    location: Path
    bytes: int  # of the cached files
    files: int
    cap: int  # bytes


def parse_size(text: str) -> int:
    """``2147483648``, ``500M``, ``1.5G``, ``2GiB``, ``700 MB`` (binary units) -> bytes."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (bytes, or a number with K, M, G or T)")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def cache_cap() -> int:
    """The cap in bytes: ``$NB_JOBSTATUS_CACHE_MAX`` when it parses, else 2 GiB."""
    text = os.environ.get(CAP_ENV, "").strip()
    if not text:
        return DEFAULT_CAP
    try:
        return parse_size(text)
    except ValueError as error:
        logger.warning("%s ignored: %s; the cap stays at 2 GiB", CAP_ENV, error)
        return DEFAULT_CAP


# -- files in use by live jobs -------------------------------------------------------------------


def track(job: Any) -> None:
    """Count ``job``'s files as in use for as long as the job object lives."""
    key = id(job)
    with _lock:
        if key not in _live:
            _live[key] = (weakref.ref(job, lambda _ref: _forget(key)), set())


def hold(job: Any, path: Path) -> None:
    """A file written for ``job`` and not yet in ``job.media``: in use all the same."""
    track(job)
    with _lock:
        _live[id(job)][1].add(path)


def release(job: Any) -> None:
    with _lock:
        entry = _live.get(id(job))
        if entry is not None:
            entry[1].clear()


def _forget(key: int) -> None:
    with _lock:
        _live.pop(key, None)


def in_use() -> set[Path]:
    """Every file a live job shows (its ``media``) or is writing."""
    with _lock:
        entries = list(_live.values())
    paths: set[Path] = set()
    for ref, held in entries:
        job = ref()
        if job is not None:
            paths |= held
            paths |= {m.path for m in dict(job.media).values() if m.path is not None}
    return paths


# -- sizes, eviction ---------------------------------------------------------------------------


def cached_files(root: Path) -> list[tuple[Path, os.stat_result]]:
    """Every cached file under ``root`` (not indexes, not the recent list, not temporaries)."""
    found: list[tuple[Path, os.stat_result]] = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            if name.startswith(".") or name == INDEX or folder == str(root):
                continue
            path = Path(folder) / name
            try:
                found.append((path, path.stat()))
            except OSError:
                continue  # removed meanwhile
    return found


def cache_info() -> CacheInfo:
    """Where the cache is, how many bytes and files it holds, and its cap."""
    root = cache_dir().resolve()
    files = cached_files(root) if root.is_dir() else []
    return CacheInfo(root, sum(stat.st_size for _, stat in files), len(files), cache_cap())


_estimate: dict[Path, int] = {}  # cache folder -> its bytes at the last scan plus those written


def after_writing(written: int) -> int:
    """Enforce the cap only when the cache may be over it: a scan of the folder costs a walk of
    every file, so it is done once, then again only when what was written since could have
    filled the cache (not once per job: a thousand jobs would walk it a thousand times)."""
    root = cache_dir().resolve()
    with _lock_evict:
        known = _estimate.get(root)
        if known is not None and known + written <= cache_cap():
            _estimate[root] = known + written
            return 0
    return enforce_cap()


def enforce_cap(cap: int | None = None) -> int:
    """Remove the least recently used files until the cache fits ``cap``; returns how many."""
    cap = cache_cap() if cap is None else cap
    root = cache_dir().resolve()
    if not root.is_dir():
        return 0
    with _lock_evict:
        files = sorted(cached_files(root), key=lambda item: item[1].st_mtime)
        total = sum(stat.st_size for _, stat in files)
        _estimate[root] = total
        if total <= cap:
            return 0
        keep = in_use()
        removed = 0
        for path, stat in files:
            if total <= cap:
                break
            if path not in keep and _remove(path):
                total -= stat.st_size
                removed += 1
        _estimate[root] = total
        return removed


def clear_cache() -> int:
    """Remove every cached file that no live job shows; returns how many were removed (the
    list of recent jobs stays: it holds no file)."""
    root = cache_dir().resolve()
    if not root.is_dir():
        return 0
    with _lock_evict:
        keep = in_use()
        _estimate.pop(root, None)
        return sum(_remove(path) for path, _ in cached_files(root) if path not in keep)


def _remove(path: Path) -> bool:
    """Remove a file, then its folder's index and the folder once no file is left in it."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as error:
        logger.info("could not remove %s from the cache: %s", path.name, error.strerror)
        return False
    folder = path.parent
    try:
        if {entry.name for entry in folder.iterdir()} <= {INDEX}:
            (folder / INDEX).unlink(missing_ok=True)
            folder.rmdir()
            folder.parent.rmdir()  # the origin's folder, when it was its last job
    except OSError:
        pass  # not empty, or removed by someone else
    return True
