"""What is known of one cached file (``Media``), the limits every step obeys, and small helpers
shared by the modules of this package."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..model import Asset
from ..redact import redact

THUMB_SIDE = 480  # px, the long side of a thumbnail at most
THUMB_BYTES = 150 * 1024  # an embedded thumbnail is at most this many bytes
MAX_PIXELS = 120_000_000  # refuse to decode more (Napkin's largest PNG is 10000 x 10000)
DOWNLOAD_LIMIT = 64 * 2**20 - 1  # bytes: a larger media file is refused
DOWNLOAD_TIMEOUT = 60.0  # s, one file at most
SAVE_TIMEOUT = 300.0  # s, all the files of one save() at most
REFUSED = "refused: declares"  # an image too large to decode: cached, but no thumbnail


@dataclass
class Media:
    """One asset's file as cached and measured here (not as the provider reports it)."""

    asset: Asset
    path: Path | None = None  # the file in the cache, None when it could not be kept
    content_type: str | None = None
    size_bytes: int | None = None
    format: str | None = None  # Pillow's format name, "SVG", "WAV", "MP4"..., None if unknown
    width: int | None = None  # measured, as displayed (EXIF orientation applied)
    height: int | None = None
    thumbnail: bytes | None = None
    thumbnail_type: str | None = None  # "image/png", "image/jpeg" or "image/svg+xml"
    error: str | None = None  # one line, for the gallery
    warning: str | None = None  # one line (several joined by "; ")
    duration: float | None = None  # seconds: measured (WAV) or as reported (video, audio)
    source_url: str | None = None  # the URL the file came from (Clipia: the original first)

    def add_warning(self, text: str) -> None:
        self.warning = f"{self.warning}; {text}" if self.warning else text


def one_line(text: str, limit: int = 300) -> str:
    """``text`` redacted, on one line, at most ``limit`` characters (masked before cut)."""
    return " ".join(redact(text).split())[:limit]


def mime(content_type: str | None) -> str | None:
    """``image/png`` from ``image/png; charset=x``; None when empty."""
    value = (content_type or "").split(";", 1)[0].strip().lower()
    return value or None


def reported_duration(asset: Asset) -> float | None:
    value = asset.duration
    if value is None or not 0 <= value < float("inf"):
        return None
    return value
