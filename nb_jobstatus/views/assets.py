"""The view-model of a job's files: one ``AssetView`` per asset, plain data computed from the
asset (as the provider reports it) and its ``Media`` (as cached and measured here).

One rule for sizes: pixel dimensions are *measured* when the cached file was decoded without
error, else *reported* (and written so); byte sizes are only ever the measured file's.
Players: a cached audio or video file of at most ``DATA_URL_LIMIT`` bytes plays from a
``data:`` URL (it outlives the provider's expiring link in a saved notebook); a larger one
plays from the provider's URL when that needs no key, else there is no player.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from ..core.model import Asset, State
from . import _format as fmt
from ._job import JobLike, public, settled

MAX_CARDS = 48  # thumbnails shown at most; the rest are counted ("and 9,952 more")
DATA_URL_LIMIT = 1024 * 1024  # bytes: a cached audio/video file this small is embedded
THUMB_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
PLAYABLE = ("audio/", "video/")
EXTENSIONS = {
    "png", "jpg", "jpeg", "webp", "gif", "svg", "avif", "mp4", "webm", "mov",
    "wav", "mp3", "ogg", "flac", "m4a", "aac", "pptx", "pdf",
}  # fmt: skip


@dataclass(frozen=True)
class FileFacts:
    """One file behind an asset: what it is and how big (role names it when there are two)."""

    role: str  # "" for the one file; "display copy" / "original" for Clipia's two
    format: str | None
    size: int | None  # measured bytes, None when not downloaded


@dataclass(frozen=True)
class AssetView:
    number: int  # 1-based
    kind: str  # image, video, audio, file
    url: str
    id: str | None
    variant: str | None
    dims: str | None
    measured: bool
    files: tuple[FileFacts, ...]
    duration: float | None
    edit_url: str | None
    original_link: str | None  # the original image, when a browser can open it
    open_link: str | None  # a video/audio URL a browser can open
    thumbnail: str | None  # a data: URL of the embedded thumbnail
    player: str | None  # the src of the <audio>/<video> player
    cached: str | None  # where a non-media file is cached (``~/...``)
    pending: str | None  # "downloading…" / "not downloaded" before the file is cached
    warning: str | None
    error: str | None


def asset_views(job: JobLike, limit: int = MAX_CARDS) -> tuple[tuple[AssetView, ...], int]:
    """The first ``limit`` assets' views and how many more there are."""
    status = job.status
    assets = status.assets if status is not None else ()
    media = job.media
    shown = tuple(
        asset_view(job, number, asset, media.get(asset.url))
        for number, asset in enumerate(assets[:limit], start=1)
    )
    return shown, max(0, len(assets) - limit)


def asset_view(job: JobLike, number: int, asset: Asset, media: Any) -> AssetView:
    dims, measured = dimensions(asset, media)
    return AssetView(
        number=number,
        kind=asset.kind if asset.kind in ("image", "video", "audio", "file") else "file",
        url=asset.url,
        id=fmt.line(asset.id, 80) if asset.id else None,
        variant=fmt.line(asset.variant_type, 40) if asset.variant_type else None,
        dims=dims,
        measured=measured,
        files=file_facts(asset, media),
        duration=fmt.finite(getattr(media, "duration", None)) or fmt.finite(asset.duration),
        edit_url=asset.edit_url,
        original_link=_original_link(job, asset),
        open_link=_open_link(job, asset, media),
        thumbnail=thumbnail_url(media),
        player=player_src(job, asset, media),
        cached=_cached(asset, media),
        pending=None if media is not None else _pending(job),
        warning=_text(getattr(media, "warning", None)),
        error=_text(getattr(media, "error", None)),
    )


def dimensions(asset: Asset, media: Any) -> tuple[str | None, bool]:
    """``(1080 × 1080 px, measured?)``: measured when the cached file was decoded."""
    measured = fmt.dims(getattr(media, "width", None), getattr(media, "height", None))
    if measured and not getattr(media, "error", None):
        return measured, True
    return fmt.dims(asset.width, asset.height), False


def file_facts(asset: Asset, media: Any) -> tuple[FileFacts, ...]:
    """The one file, or Clipia's display copy and original (type and size of each)."""
    original = asset.original_url
    got = getattr(media, "source_url", None)
    if not original or original == asset.url:
        return (FileFacts("", _media_format(media) or type_name(asset.media_type), _size(media)),)
    shown = getattr(media, "display_type", None) or asset.media_type
    display = FileFacts(
        "display copy", type_name(shown) or ext_name(asset.url), _display_size(media)
    )
    kind = type_name(getattr(asset, "original_media_type", None)) or ext_name(original)
    if media is not None and got == original:
        return display, FileFacts("original", _media_format(media) or kind, _size(media))
    if media is not None and got == asset.url:  # the original failed: the copy was measured
        copy = FileFacts("display copy", _media_format(media) or display.format, _size(media))
        return copy, FileFacts("original", kind, None)
    return display, FileFacts("original", kind, None)


def type_name(kind: object) -> str | None:
    """``image/png`` -> ``PNG``; ``PNG`` stays; ``...presentationml.presentation`` -> PPTX."""
    if not isinstance(kind, str) or not kind or len(kind) > 200:
        return None
    name = kind.rsplit("/", 1)[-1].split(";")[0].split("+")[0].strip()
    if name == "vnd.openxmlformats-officedocument.presentationml.presentation":
        return "PPTX"
    return fmt.line(name.upper(), 16) or None


def ext_name(url: object) -> str | None:
    """``WEBP`` for ``https://.../a.webp?x=1`` (known extensions only)."""
    try:
        suffix = PurePosixPath(urlsplit(str(url)).path).suffix.lstrip(".").lower()
    except ValueError:
        return None
    return suffix.upper() if suffix in EXTENSIONS else None


def _media_format(media: Any) -> str | None:
    if media is None:
        return None
    path = getattr(media, "path", None)
    suffix = path.suffix.lstrip(".") if isinstance(path, Path) and path.suffix else None
    name = getattr(media, "format", None) or suffix or getattr(media, "content_type", None)
    return type_name(name)


def _size(media: Any) -> int | None:
    return fmt.count(getattr(media, "size_bytes", None))


def _display_size(media: Any) -> int | None:
    return fmt.count(getattr(media, "display_size_bytes", None))


def _text(value: object) -> str | None:
    return fmt.line(value, 300) if value else None


def _pending(job: JobLike) -> str:
    caching = getattr(job, "cache_media", True) is not False
    if job.state is State.COMPLETED and caching and not settled(job):
        return "downloading…"
    return "not downloaded"


def _original_link(job: JobLike, asset: Asset) -> str | None:
    original = asset.original_url or asset.url
    if asset.kind == "image" and public(job, original):
        return original
    return None


def _open_link(job: JobLike, asset: Asset, media: Any) -> str | None:
    if asset.kind not in ("video", "audio"):
        return None
    url = getattr(media, "source_url", None) or asset.url
    return url if public(job, url) and not getattr(media, "error", None) else None


def _cached(asset: Asset, media: Any) -> str | None:
    path = getattr(media, "path", None)
    if asset.kind in ("image", "video", "audio") or not isinstance(path, Path):
        return None
    try:
        return "~/" + path.relative_to(Path.home()).as_posix()
    except ValueError:
        return str(path)


def thumbnail_url(media: Any) -> str | None:
    """The thumbnail as a data: URL (SVG only ever through ``<img>``)."""
    data, kind = getattr(media, "thumbnail", None), getattr(media, "thumbnail_type", None)
    if not isinstance(data, bytes) or not data or kind not in THUMB_TYPES:
        return None
    return _data_url(kind, data)


def player_src(job: JobLike, asset: Asset, media: Any) -> str | None:
    """A small cached file as a data: URL, else the provider's URL when it needs no key."""
    if asset.kind not in ("audio", "video"):
        return None
    path, kind = getattr(media, "path", None), getattr(media, "content_type", None) or ""
    size = _size(media)
    if isinstance(path, Path) and size is not None and size <= DATA_URL_LIMIT:
        kind = kind.split(";")[0].strip().lower()
        if kind.startswith(PLAYABLE):
            embedded = _file_url(str(path), kind, size)
            if embedded:
                return embedded
    return _open_link(job, asset, media)


@functools.lru_cache(maxsize=64)
def _file_url(path: str, kind: str, size: int) -> str | None:
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    return _data_url(kind, data) if len(data) == size else None


@functools.lru_cache(maxsize=256)
def _data_url(kind: str, data: bytes) -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
