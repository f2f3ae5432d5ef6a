"""Media types from a file name's extension or a provider's ``format`` word.

Providers rarely say what type a file is (Clipia gives none; Napkin gives the requested
format; Sivi's URLs end in ``.jpg``): the extension of the URL's path is the best hint before
the file is fetched (the media layer then reads the real type from the bytes).
"""

from __future__ import annotations

from urllib.parse import urlsplit

MEDIA_TYPES = {
    # images
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
    "svg": "image/svg+xml",
    # audio
    "mp3": "audio/mpeg",
    "mpeg": "audio/mpeg",
    "wav": "audio/wav",
    "wave": "audio/wav",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "opus": "audio/opus",
    "flac": "audio/flac",
    "m4a": "audio/mp4",
    "aac": "audio/aac",
    # video
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "mov": "video/quicktime",
    "mkv": "video/x-matroska",
}


def media_type_of_format(word: object) -> str | None:
    """The media type a format word names (``mp3`` -> ``audio/mpeg``), or None."""
    return MEDIA_TYPES.get(word.strip().lower().lstrip(".")) if isinstance(word, str) else None


def media_type_of_url(url: object) -> str | None:
    """The media type the extension of a URL's path names, or None (the query is not read)."""
    if not isinstance(url, str):
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    name = path.rsplit("/", 1)[-1]
    return media_type_of_format(name.rpartition(".")[2]) if "." in name else None


def file_name_of(url: str) -> str | None:
    """The last segment of a URL's path (an asset id when the provider gives none)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    return path.rsplit("/", 1)[-1] or None
