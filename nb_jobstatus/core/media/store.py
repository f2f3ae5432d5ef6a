"""Where cached files live, how they are written, and the index that maps a job's assets to
its files.

Layout: ``<cache>/<provider>/<host>-<port>-<hash of the origin>/<request id>/`` holds the files
(``<index>-<name><ext>``) and ``index.json``. The origin is the API's ``scheme://host:port``,
so two base URLs with the same request id never share a file. ``index.json`` maps each asset
(by its position and a hash of its URL without the query, so no signed URL is stored) to its
file, so that following a finished job again in a new kernel finds its files without
downloading them again.
"""

from __future__ import annotations

import errno
import hashlib
import json
import mimetypes
import os
import re
import threading
import uuid
from pathlib import Path, PurePosixPath
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

CACHE_ENV = "NB_JOBSTATUS_CACHE"
INDEX = "index.json"
EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
EXTENSIONS |= {"SVG": ".svg", "TIFF": ".tif", "BMP": ".bmp", "AVIF": ".avif", "ICO": ".ico"}
_index_lock = threading.Lock()


class Followed(Protocol):
    """What this package reads of a job (the core Job, or today's ``nb_jobstatus.job.Job``)."""

    provider: str
    request_id: str
    media: dict[str, Any]


def cache_dir() -> Path:
    """``$NB_JOBSTATUS_CACHE``, else ``$XDG_CACHE_HOME/nb_jobstatus``, else ``~/.cache/...``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "nb_jobstatus"


def safe_name(text: str, fallback: str = "file") -> str:
    """A file name made of ``A-Z a-z 0-9 . _ -`` only, never ``..`` nor hidden, at most 80."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._-")[:80].rstrip("._-")
    return name or fallback


def origin_of(job: Any) -> str:
    """``scheme://host:port`` of the job's API (``job.origin``, else from its client)."""
    for owner in (job, getattr(job, "client", None)):
        value = getattr(owner, "origin", None)
        if isinstance(value, str) and value:
            return value.lower()
    base = getattr(getattr(job, "client", None), "base_url", None) or getattr(job, "base_url", "")
    parts = urlsplit(str(base))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme}://{parts.hostname or ''}:{port}".lower()


def origin_folder(origin: str) -> str:
    """``api.clipia.ai-443-1f2e3d4c5b6a``: readable, and distinct for distinct origins."""
    parts = urlsplit(origin)
    digest = hashlib.sha256(origin.encode("utf-8")).hexdigest()[:12]
    return f"{safe_name(parts.hostname or 'origin')}-{parts.port or 0}-{digest}"


def job_folder(job: Followed) -> Path:
    root = cache_dir().resolve()
    folder = root / safe_name(job.provider) / origin_folder(origin_of(job))
    return folder / safe_name(job.request_id)


def cache_path(job: Followed, index: int, url: str, extension: str) -> Path:
    """``<job folder>/<index>-<safe name><ext>``, always inside the cache."""
    root = cache_dir().resolve()
    stem = safe_name(unquote(urlsplit(url).path).rsplit("/", 1)[-1])
    if stem.lower().endswith(extension.lower()):
        extension = ""
    path = (job_folder(job) / f"{index}-{stem}{extension}").resolve()
    if not path.is_relative_to(root):  # cannot happen with safe names; kept as a guard
        raise ValueError(f"cache path {path} escapes {root}")
    return path


def extension_of(media: Any, url: str) -> str:
    """The file extension: from the format, else the content type, else the URL."""
    if media.format:
        return EXTENSIONS.get(media.format, "." + safe_name(media.format.lower(), "bin"))
    for content_type in (media.content_type, media.asset.media_type):
        guessed = mimetypes.guess_extension(content_type) if content_type else None
        if guessed:
            return guessed
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".bin"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a reader never sees half a file); folders made
    private (Napkin files belong to the user's account)."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def why_not_written(error: OSError, where: Path) -> str:
    """One line: why ``where`` could not be written, and what to do about it."""
    place = home_path(where)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on the disk of {place} (free some, or set {CACHE_ENV})"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        kind = "read-only" if error.errno == errno.EROFS else "not writable"
        return f"{place} is {kind} (set {CACHE_ENV} to a writable folder)"
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"{place} is in the way: a file where a folder should be"
    reason = error.strerror or type(error).__name__
    return f"could not write in {place}: {reason}"


def home_path(path: Path) -> str:
    """``~/...`` for paths under the home folder (shorter, and no user name on screen)."""
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def asset_key(url: str) -> str:
    """A hash of ``url`` without its query and fragment (signed URLs change, paths do not)."""
    parts = urlsplit(url)
    return hashlib.sha256(f"{parts.scheme}://{parts.netloc}{parts.path}".encode()).hexdigest()[:16]


def read_index(folder: Path) -> dict[str, dict[str, Any]]:
    """``{"<asset index>": {"asset": key, "file": name, "original": bool, ...}}``; {} if none."""
    try:
        data = json.loads((folder / INDEX).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {key: value for key, value in files.items() if isinstance(value, dict)}


def record_file(folder: Path, index: int, entry: dict[str, Any]) -> None:
    """Add one file to the folder's index (read, update, atomic write)."""
    with _index_lock:
        files = read_index(folder)
        files[str(index)] = entry
        data = json.dumps({"version": 1, "files": files}, indent=1, sort_keys=True)
        write_atomic(folder / INDEX, data.encode("utf-8"))
