"""The size of what will actually be decoded, read from the headers before any pixel is.

A container can lie: an ICO's directory may say 256 × 256 while its entry is a 12000 × 12000
PNG, and Pillow's ICO plugin decodes that entry as soon as the file is opened. So every web
format has a reader here that returns the size of the one frame that opening and loading
decode (frame 0: this package never seeks), from the bytes that describe that frame:

- PNG: IHDR (an APNG's frames must fit inside it); JPEG: the SOF of the first image (an MPO's
  other pictures are never decoded); GIF: the logical screen grown to the first frame's extent
  (Pillow grows it while opening); BMP: its header; WebP and AVIF: the canvas that libwebp and
  libavif decode into; TIFF: the first IFD's ImageWidth × ImageLength (the tile size, before
  Pillow swaps it for orientation; later pages are never decoded).
- ICO: the directory is not trusted; the entry Pillow would pick is parsed as the PNG or DIB it
  really is (a DIB's height counts its mask twice).

A format without a reader is not decoded at all.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable

from PIL import BmpImagePlugin, IcoImagePlugin, Image, PngImagePlugin

# Only web image formats are decoded (never EPS/PDF, which would hand the bytes to Ghostscript).
WEB_FORMATS = ("PNG", "JPEG", "MPO", "WEBP", "GIF", "BMP", "TIFF", "ICO", "AVIF")
ORIENTATION = 0x0112  # the EXIF tag
TURNED = (5, 6, 7, 8)  # orientations that swap width and height
Size = tuple[int, int]


def web_formats() -> list[str]:
    """The WEB_FORMATS this Pillow can open (MPO opens through JPEG's factory)."""
    Image.init()
    return [name for name in WEB_FORMATS if name in Image.OPEN]


def identify(data: bytes) -> str | None:
    """The web format whose signature ``data`` starts with (as ``Image.open`` tests it)."""
    prefix = data[:16]
    for name in web_formats():
        accept = Image.OPEN[name][1]
        verdict = accept(prefix) if accept else False
        if verdict and not isinstance(verdict, str):  # a str: known but unsupported
            return name
    return None


def header_size(name: str, data: bytes) -> Size:
    """The size Pillow's plugin parses from the headers (its ``_open`` decodes nothing)."""
    image = Image.OPEN[name][0](io.BytesIO(data), "")
    tile_size = getattr(image, "_tile_size", None)  # TIFF: before the orientation swap
    return tile_size if isinstance(tile_size, tuple) else image.size


def ico_size(data: bytes) -> Size:
    """The size of the entry that Pillow decodes, from the entry itself (not the directory)."""
    icon = IcoImagePlugin.IcoFile(io.BytesIO(data))
    if not icon.entry:
        raise SyntaxError("an ICO without images")
    header = icon.entry[icon.getentryindex(icon.entry[0].dim)]
    frame = io.BytesIO(data[header.offset :])
    if data[header.offset : header.offset + 8] == PngImagePlugin._MAGIC:
        return PngImagePlugin.PngImageFile(frame).size
    width, height = BmpImagePlugin.DibImageFile(frame).size
    return width, height // 2  # the XOR image; the AND mask is the other half


READERS: dict[str, Callable[[bytes], Size]] = {
    **{name: functools.partial(header_size, name) for name in WEB_FORMATS if name != "ICO"},
    "ICO": ico_size,
}


def decoded_size(data: bytes) -> tuple[str, Size] | None:
    """``(format, (width, height))`` of what would be decoded, or None when no web format
    recognizes the bytes. Raises what Pillow raises on a broken header."""
    name = identify(data)
    if name is None:
        return None
    width, height = READERS[name](data)
    return name, (int(width), int(height))


def displayed_size(image: Image.Image, stored: Size) -> Size:
    """``stored`` turned as the EXIF orientation turns the picture on screen."""
    orientation = image.getexif().get(ORIENTATION)
    return (stored[1], stored[0]) if orientation in TURNED else stored
