"""What a downloaded file is: an image measured and thumbnailed (its decoded size checked
before decoding, see ``sizes``), an SVG measured from its attributes (never rasterized nor
inlined as markup), an audio or video file named and timed, or an error page caught."""

from __future__ import annotations

import io
import re
import struct

from PIL import Image, UnidentifiedImageError

from .record import MAX_PIXELS, REFUSED, THUMB_BYTES, Media, one_line
from .sizes import decoded_size, displayed_size
from .thumbs import make_thumbnail

_SVG_ROOT = re.compile(rb"<svg\b[^>]*>", re.IGNORECASE | re.DOTALL)
_NUMBER = r"\s*=\s*[\"']\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*[\"']"
_SVG_WIDTH = re.compile(r"(?<![\w:-])width" + _NUMBER)
_SVG_HEIGHT = re.compile(r"(?<![\w:-])height" + _NUMBER)
_SVG_VIEWBOX = re.compile(r"(?<![\w:-])viewBox\s*=\s*[\"']\s*([^\"']*)[\"']", re.IGNORECASE)
_SVG_ACTIVE = re.compile(rb"<script\b|\son[a-z]+\s*=", re.IGNORECASE)
_SIGNATURES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\0", b"MM\0*", b"\0\0\1\0", b"BM")
# Pillow's header parsers raise these on a header they cannot read
_HEADER_ERRORS = (SyntaxError, struct.error, IndexError, TypeError, KeyError)


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


def check_not_page(media: Media, data: bytes) -> None:
    """A file that turns out to be an HTML page (an error page served with 200)."""
    if sniff(data) == "text/html" and media.asset.media_type != "text/html":
        media.error = f"not a {media.asset.kind}: text/html"


def probe(media: Media, data: bytes) -> None:
    """Fill format, size and thumbnail of an image (or ``error``)."""
    if sniff(data) == "image/svg+xml":
        probe_svg(media, data)
        return
    try:
        _probe_raster(media, data)
    except Image.DecompressionBombError:  # Pillow's own checks, should ours ever miss
        media.error = bomb_message(None)
    except UnidentifiedImageError:
        media.error = _unidentified(media, data)
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        media.error = _decode_error(error)
    except MemoryError:
        media.error = "refused: not enough memory to decode the image"


def _probe_raster(media: Media, data: bytes) -> None:
    try:
        found = decoded_size(data)
    except (*_HEADER_ERRORS, OSError, ValueError, EOFError):
        found = None
    if found is None:
        raise UnidentifiedImageError("no web image format reads this")
    name, stored = found
    media.format = name
    media.width, media.height = stored
    if stored[0] * stored[1] > MAX_PIXELS:  # checked before a single pixel is decoded
        media.error = bomb_message(stored)
        return
    with Image.OPEN[name][0](io.BytesIO(data), "") as image:  # what Image.open does, minus
        media.format = image.format  # its global bomb warnings (our check came first)
        media.content_type = Image.MIME.get(image.format or "", media.content_type)
        media.width, media.height = displayed_size(image, stored)
        media.thumbnail, media.thumbnail_type = make_thumbnail(image)


def bomb_message(size: tuple[int, int] | None) -> str:
    if size is None:
        return f"{REFUSED} too many pixels (decompression bomb)"
    return f"{REFUSED} {size[0]} × {size[1]} px (decompression bomb)"


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
    return one_line(f"unreadable image: {text or type(error).__name__}")


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
        return _side(width.group(1)), _side(height.group(1))
    box = _SVG_VIEWBOX.search(tag)
    numbers = re.split(r"[\s,]+", box.group(1).strip()) if box else []
    if len(numbers) != 4:
        return None, None
    return _side(numbers[2]), _side(numbers[3])


def _side(text: str) -> int | None:
    """A length in px, None when it is not a sane number (NaN, infinite, negative, huge)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return round(value) if 0 <= value < 1e9 else None


def compare_sizes(media: Media) -> None:
    """Warn when the measured size (as displayed) is not the size the provider reported."""
    asset = media.asset
    reported, actual = (asset.width, asset.height), (media.width, media.height)
    if media.error or None in reported or None in actual or reported == actual:
        return
    media.add_warning(
        f"reported {asset.width} × {asset.height} px, actual {media.width} × {media.height} px"
    )
