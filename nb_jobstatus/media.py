"""The files of a completed job: downloaded once into a disk cache, probed with Pillow, and
turned into small embeddable thumbnails.

``cache_all(job)`` runs on a media worker as soon as a job completes, so that files whose URLs
expire (Napkin: 30 minutes) still render and still save later. Nothing here trusts the file:
the download is size-limited by the HTTP layer, the pixel count is checked before decoding,
and SVG is never rasterized nor inlined (only shown through ``<img src="data:...">``).
"""

from __future__ import annotations

import io
import mimetypes
import os
import re
import shutil
import threading
import uuid
import warnings
import weakref
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import requests
from PIL import Image, ImageOps, UnidentifiedImageError

from .core.errors import JobStatusError, ResponseError
from .core.model import Asset
from .core.redact import logger, redact
from .http import DOWNLOAD_LIMIT

if TYPE_CHECKING:
    from .job import Job

THUMB_SIDE = 480  # px, the long side of a thumbnail at most
THUMB_BYTES = 150 * 1024  # an embedded thumbnail is at most this many bytes
MAX_PIXELS = 120_000_000  # refuse to decode more (Napkin's largest PNG is 10000 x 10000)
JPEG_QUALITIES = (85, 72, 60, 45)
CACHE_ENV = "NB_JOBSTATUS_CACHE"
# Only web image formats are decoded (never EPS/PDF, which would hand the bytes to Ghostscript).
WEB_FORMATS = ("PNG", "JPEG", "MPO", "WEBP", "GIF", "BMP", "TIFF", "ICO", "AVIF")
REFUSED = "refused: declares"  # an image too large to decode: cached, but no thumbnail
EXTENSIONS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
EXTENSIONS |= {"SVG": ".svg", "TIFF": ".tif", "BMP": ".bmp", "AVIF": ".avif"}
_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_NUMBER = r"\s*=\s*[\"']\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*[\"']"
_SVG_WIDTH = re.compile(r"(?<![\w:-])width" + _NUMBER)
_SVG_HEIGHT = re.compile(r"(?<![\w:-])height" + _NUMBER)
_SVG_VIEWBOX = re.compile(r"(?<![\w:-])viewBox\s*=\s*[\"']\s*([^\"']*)[\"']", re.IGNORECASE)
_SVG_ACTIVE = re.compile(rb"<script\b|\son[a-z]+\s*=", re.IGNORECASE)
_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\0", b"MM\0*")


@dataclass
class Media:
    """One asset's file as cached and measured here (not as the provider reports it)."""

    asset: Asset
    path: Path | None = None  # the file in the cache, None when it could not be kept
    content_type: str | None = None
    size_bytes: int | None = None
    format: str | None = None  # Pillow's format name, "SVG", or None for other files
    width: int | None = None  # measured
    height: int | None = None
    thumbnail: bytes | None = None
    thumbnail_type: str | None = None  # "image/png", "image/jpeg" or "image/svg+xml"
    error: str | None = None  # one line, for the gallery
    warning: str | None = None
    duration: float | None = None  # seconds, videos only (as reported)
    source_url: str | None = None  # the URL the file came from (Clipia: the original first)

    def add_warning(self, text: str) -> None:
        self.warning = f"{self.warning}; {text}" if self.warning else text


# -- the cache ---------------------------------------------------------------------------------


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


def cache_path(job: Job, index: int, url: str, extension: str) -> Path:
    """``<cache>/<provider>/<request_id>/<index>-<safe name><ext>``, always inside the cache."""
    root = cache_dir().resolve()
    stem = safe_name(unquote(urlsplit(url).path).rsplit("/", 1)[-1])
    if stem.lower().endswith(extension.lower()):
        extension = ""
    folder = root / safe_name(job.provider) / safe_name(job.request_id)
    path = (folder / f"{index}-{stem}{extension}").resolve()
    if not path.is_relative_to(root):  # cannot happen with safe names; kept as a guard
        raise ValueError(f"cache path {path} escapes {root}")
    return path


def _store(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a reader never sees half a file)."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):  # private: Napkin files belong to the user's account
        folder.mkdir(mode=0o700, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# -- caching a job's files ---------------------------------------------------------------------

_locks: weakref.WeakKeyDictionary[Any, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def _lock_for(job: Job) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(job, threading.Lock())


def cache_all(job: Job) -> None:
    """Download, cache and probe every asset not yet in ``job.media`` (idempotent, thread-safe:
    one caller at a time per job; the others find the work done)."""
    with _lock_for(job):
        status = job.status
        for index, asset in enumerate(status.assets if status is not None else ()):
            if asset.url in job.media:
                continue
            try:
                media = cache_one(job, index, asset)
            except Exception as error:  # a bug here must not cost the other assets
                logger.exception("caching %s asset %d failed", job.provider, index)
                media = Media(asset=asset, error=_one_line(f"internal error: {error!r}"))
            job.media = {**job.media, asset.url: media}  # copy on write: readers never see
            # a dict that changes while they iterate it


def cache_one(job: Job, index: int, asset: Asset) -> Media:
    """The asset's original (Clipia: ``original_url``), else its display copy."""
    original = asset.original_url
    sources = [original, asset.url] if isinstance(original, str) and original else [asset.url]
    first: Media | None = None
    for url in dict.fromkeys(sources):
        media = fetch(job, index, asset, url)
        if media.error is None:
            if first is not None:
                media.add_warning(f"original failed ({first.error}); showing the optimized copy")
            return media
        first = first or media
    assert first is not None
    return first


def fetch(job: Job, index: int, asset: Asset, url: str) -> Media:
    """One download, probed and cached; every failure ends up in ``Media.error``."""
    media = Media(asset=asset, source_url=url, duration=_duration(asset))
    data = _download(job, url, media)
    if data is None:
        return media
    media.size_bytes = len(data)
    if asset.kind == "image":
        probe(media, data)
    else:
        _check_not_page(media, data)
    if media.error is None or media.error.startswith(REFUSED):  # a refused bomb is a file
        try:
            media.path = cache_path(job, index, url, extension_of(media, url))
            _store(media.path, data)
        except (OSError, ValueError) as error:
            media.path = None
            media.add_warning(f"not cached: {redact(str(error))[:200]}")
    _compare_sizes(media)
    return media


def _download(job: Job, url: str, media: Media) -> bytes | None:
    if urlsplit(url).scheme not in ("http", "https"):
        media.error = "refused: not an http(s) URL"
        return None
    try:
        answer = job.client.download(url)
    except ResponseError as error:
        media.error = _download_error(error)
        return None
    except JobStatusError as error:
        media.error = _one_line(error.message)
        return None
    except requests.RequestException as error:
        media.error = _request_error(error)
        return None
    media.content_type = _mime(answer.content_type)
    if not 200 <= answer.http_status < 300:
        expired = " (expired)" if answer.http_status == 410 else ""
        media.error = f"HTTP {answer.http_status}{expired}"
        return None
    return answer.content


def _download_error(error: ResponseError) -> str:
    if "limit" in error.message:
        return f"over the {round(DOWNLOAD_LIMIT / 2**20)} MB download limit"
    return _one_line(error.message)


def _request_error(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "download timed out"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return "download cut short: the connection closed before the end of the file"
    return _one_line(f"download failed: {type(error).__name__}: {error}")


def _one_line(text: str) -> str:
    return " ".join(redact(text).split())[:300]


def _mime(content_type: str | None) -> str | None:
    value = (content_type or "").split(";", 1)[0].strip().lower()
    return value or None


def _duration(asset: Asset) -> float | None:
    value = asset.duration
    return value if value is not None and value >= 0 else None


# -- probing -----------------------------------------------------------------------------------


def sniff(data: bytes) -> str | None:
    """What the bytes look like when Pillow does not know them: html, json, xml, svg, zip."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<svg"):
        return "image/svg+xml"
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:1024]:
        return "text/html"
    if _SVG_ROOT.search(head) and head.startswith((b"<?xml", b"<!--", b"<!doctype svg")):
        return "image/svg+xml"
    if head.startswith((b"{", b"[")):
        return "application/json"
    if head.startswith(b"<"):
        return "text/xml"
    if head.startswith(b"pk\x03\x04"):
        return "application/zip"
    return None


def _check_not_page(media: Media, data: bytes) -> None:
    """A video or file that turns out to be an HTML page (an error page served with 200)."""
    if sniff(data) == "text/html" and media.asset.media_type != "text/html":
        media.error = f"not a {media.asset.kind}: text/html"


def probe(media: Media, data: bytes) -> None:
    """Fill format, size and thumbnail of an image (or ``error``)."""
    if sniff(data) == "image/svg+xml":
        probe_svg(media, data)
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            _probe_raster(media, data)
    except Image.DecompressionBombError:
        declared = _declared(data)
        if declared is not None:
            media.format, (media.width, media.height) = declared
        media.error = _bomb_message(declared[1] if declared else None)
    except UnidentifiedImageError:
        media.error = _unidentified(media, data)
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        media.error = _decode_error(error)
    except MemoryError:
        media.error = "refused: not enough memory to decode the image"


def _probe_raster(media: Media, data: bytes) -> None:
    with Image.open(io.BytesIO(data), formats=web_formats()) as image:
        media.format = image.format
        media.width, media.height = image.size
        media.content_type = Image.MIME.get(image.format or "", media.content_type)
        if image.width * image.height > MAX_PIXELS:
            media.error = _bomb_message(image.size)
            return
        media.thumbnail, media.thumbnail_type = make_thumbnail(image)


def web_formats() -> list[str]:
    """The WEB_FORMATS this Pillow can read."""
    Image.init()
    return [name for name in WEB_FORMATS if name in Image.OPEN]


def _bomb_message(size: tuple[int, int] | None) -> str:
    if size is None:
        return f"{REFUSED} too many pixels (decompression bomb)"
    return f"{REFUSED} {size[0]} × {size[1]} px (decompression bomb)"


def _declared(data: bytes) -> tuple[str, tuple[int, int]] | None:
    """The format and size an image header declares, read without Pillow's bomb check (the
    pixels are never decoded)."""
    for name in web_formats():
        factory, accept = Image.OPEN[name]
        try:
            accepted = accept(data[:16]) if accept else True
            if accepted and not isinstance(accepted, str):
                return name, factory(io.BytesIO(data), "").size
        except Exception:  # a plugin that does not like these bytes: try the next one
            continue
    return None


def _unidentified(media: Media, data: bytes) -> str:
    if not data:
        return "not an image: empty file"
    if data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "truncated image"  # an image's signature, but Pillow cannot read the header
    kind = sniff(data) or media.content_type or "unknown content"
    served = f" (served as {media.content_type})" if media.content_type not in (None, kind) else ""
    return f"not an image: {kind}{served}"


def _decode_error(error: BaseException) -> str:
    text = str(error)
    if "truncated" in text.lower() or isinstance(error, EOFError):
        return "truncated image"
    return _one_line(f"unreadable image: {text or type(error).__name__}")


def probe_svg(media: Media, data: bytes) -> None:
    """SVG: measured from its attributes, kept as is (never rasterized, never inlined)."""
    media.format, media.content_type = "SVG", "image/svg+xml"
    media.width, media.height = svg_size(data)
    if _SVG_ACTIVE.search(data):
        media.add_warning("the SVG contains scripts (not run: shown as an image)")
    if len(data) <= THUMB_BYTES:
        media.thumbnail, media.thumbnail_type = data, "image/svg+xml"
    else:
        media.add_warning(f"SVG of {len(data) // 1024} KB is too large to embed")


def svg_size(data: bytes) -> tuple[int | None, int | None]:
    """Width and height from the root element's attributes, else from its viewBox."""
    root = _SVG_ROOT.search(data[:65536])
    if root is None:
        return None, None
    tag = root.group(0).decode("utf-8", "replace")
    width, height = _SVG_WIDTH.search(tag), _SVG_HEIGHT.search(tag)
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    box = _SVG_VIEWBOX.search(tag)
    numbers = re.split(r"[\s,]+", box.group(1).strip()) if box else []
    try:
        _, _, box_width, box_height = (float(n) for n in numbers)
    except ValueError:
        return None, None
    return round(box_width), round(box_height)


# -- thumbnails --------------------------------------------------------------------------------


def make_thumbnail(image: Image.Image) -> tuple[bytes, str]:
    """At most THUMB_SIDE px on the long side and THUMB_BYTES bytes: PNG when transparent
    (JPEG on white when even a 256-colour PNG is too large), else JPEG. Shrinks ``image``."""
    image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    small = _plain(ImageOps.exif_transpose(image))
    if small.mode == "RGBA":
        for candidate in (small, small.quantize(256, method=Image.Quantize.FASTOCTREE)):
            data = _encode(candidate, "PNG", optimize=True)
            if len(data) <= THUMB_BYTES:
                return data, "image/png"
        small = _on_white(small)
    return _jpeg(small), "image/jpeg"


def _plain(image: Image.Image) -> Image.Image:
    """RGBA when the image really has transparency, else RGB or L."""
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        translucent = sum(rgba.getchannel("A").histogram()[:255])  # pixels with alpha < 255
        return rgba if translucent else rgba.convert("RGB")
    if image.mode in ("RGB", "L"):
        return image
    if image.mode.startswith("I"):  # 16/32-bit greyscale: scale to 8 bits
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    return image.convert("RGB")


def _on_white(image: Image.Image) -> Image.Image:
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _jpeg(image: Image.Image) -> bytes:
    """The best JPEG quality that fits; smaller sides when none does."""
    data = b""
    for side in (THUMB_SIDE, 360, 240, 160):
        if max(image.size) > side:
            image = image.copy()
            image.thumbnail((side, side), Image.Resampling.LANCZOS)
        for quality in JPEG_QUALITIES:
            data = _encode(image, "JPEG", quality=quality, optimize=True, progressive=True)
            if len(data) <= THUMB_BYTES:
                return data
    return data


def _encode(image: Image.Image, kind: str, **options: Any) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


# -- sizes, names, saving ----------------------------------------------------------------------


def _compare_sizes(media: Media) -> None:
    asset = media.asset
    reported, actual = (asset.width, asset.height), (media.width, media.height)
    if media.error or None in reported or None in actual or reported == actual:
        return
    media.add_warning(
        f"reported {asset.width} × {asset.height} px, actual {media.width} × {media.height} px"
    )


def extension_of(media: Media, url: str) -> str:
    """The file extension: from the format, else the content type, else the URL."""
    if media.format:
        return EXTENSIONS.get(media.format, "." + media.format.lower())
    for content_type in (media.content_type, media.asset.media_type):
        guessed = mimetypes.guess_extension(content_type) if content_type else None
        if guessed:
            return guessed
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else ".bin"


def _forget_missing(job: Job) -> None:
    """Drop cache entries whose file was deleted since, so that they are fetched again."""
    with _lock_for(job):
        kept = {url: m for url, m in job.media.items() if m.path is None or m.path.exists()}
        if len(kept) != len(job.media):
            job.media = kept


def save_all(job: Job, directory: Path) -> list[Path]:
    """Copy every cached original into ``directory`` as ``<provider>-<request_id>-<index>.<ext>``
    (caching first when needed); returns the paths written. Files that failed are skipped."""
    _forget_missing(job)
    cache_all(job)
    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    prefix = f"{safe_name(job.provider)}-{safe_name(job.request_id)}"
    saved = []
    for index, asset in enumerate(job.status.assets if job.status is not None else ()):
        media = job.media.get(asset.url)
        if media is None or media.path is None:
            reason = media.error if media is not None else "not cached"
            logger.warning("%s asset %d not saved: %s", prefix, index, reason)
            continue
        target = directory / f"{prefix}-{index}{media.path.suffix}"
        shutil.copyfile(media.path, target)
        saved.append(target)
    return saved
