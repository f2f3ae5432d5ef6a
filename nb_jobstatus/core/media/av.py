"""Audio and video files: their format from their first bytes, a WAV's duration measured with
the standard library's ``wave``, other durations as the provider reports them. No thumbnail."""

from __future__ import annotations

import io
import wave

from .probe import check_not_page
from .record import Media, mime

TYPES = {
    "WAV": "audio/wav",
    "MP3": "audio/mpeg",
    "OGG": "audio/ogg",
    "FLAC": "audio/flac",
    "M4A": "audio/mp4",
    "MP4": "video/mp4",
    "MOV": "video/quicktime",
    "WEBM": "video/webm",
}
_BY_TYPE = {kind: name for name, kind in TYPES.items()} | {
    "audio/x-wav": "WAV",
    "audio/wave": "WAV",
    "audio/mp3": "MP3",
    "audio/webm": "WEBM",
    "audio/x-flac": "FLAC",
    "audio/aac": "M4A",
}


def av_format(data: bytes, content_type: str | None = None) -> str | None:
    """``WAV``, ``MP3``, ``OGG``, ``FLAC``, ``M4A``, ``MP4``, ``MOV`` or ``WEBM`` from the bytes,
    else from the content type; None when neither says."""
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "WAV"
    if data[:3] == b"ID3" or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "MP3"
    if data[:4] in (b"OggS", b"fLaC"):
        return "OGG" if data[:4] == b"OggS" else "FLAC"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        return "M4A" if brand == b"M4A " else "MOV" if brand == b"qt  " else "MP4"
    if data[:4] == b"\x1aE\xdf\xa3":
        return "WEBM"
    return _BY_TYPE.get(mime(content_type) or "")


def wav_duration(data: bytes) -> float | None:
    """Seconds of sound actually present (not what a truncated header claims), or None."""
    try:
        with wave.open(io.BytesIO(data)) as sound:
            rate, width = sound.getframerate(), sound.getsampwidth() * sound.getnchannels()
            present = len(sound.readframes(sound.getnframes())) // max(1, width)
    except (wave.Error, EOFError, ValueError, OverflowError):
        return None  # compressed or odd WAV flavours: the reported duration stands
    return present / rate if rate > 0 else None


def probe_av(media: Media, data: bytes) -> None:
    """Fill the format, content type and (WAV) measured duration of an audio or video file."""
    check_not_page(media, data)
    if media.error:
        return
    if not data:
        media.error = f"not a {media.asset.kind}: empty file"
        return
    media.format = av_format(data, media.content_type or media.asset.media_type)
    if media.format in TYPES and mime(media.content_type) in (None, "application/octet-stream"):
        media.content_type = TYPES[media.format]
    if media.format == "WAV":
        measured = wav_duration(data)
        if measured is not None:
            _compare_durations(media, measured)
            media.duration = measured


def _compare_durations(media: Media, measured: float) -> None:
    reported = media.duration
    if reported is not None and abs(reported - measured) > max(0.5, 0.05 * measured):
        media.add_warning(f"reported {reported:g} s, actual {measured:.1f} s")
