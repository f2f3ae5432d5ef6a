"""The sandbox's files: gradient pictures made with Pillow at the exact declared size, and the
deliberately broken ones the media faults serve. Everything is made on first use and cached.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

CONTENT_TYPES = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "svg": "image/svg+xml",
    "ppt": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "mp4": "video/mp4",
    "speech": "audio/wav",
    "music": "audio/wav",
}
PALETTES = {  # two corner colours per provider
    "sivi": ((255, 94, 98), (84, 51, 255)),
    "napkin": ((20, 184, 166), (30, 64, 175)),
    "clipia": ((250, 204, 21), (190, 24, 93)),
}
HUGE_BYTES = 64 * 1024 * 1024
_DRAW_LIMIT = 720  # draw at most this many pixels on the long side, then resize
_SAVE_OPTIONS = {
    "jpeg": {"format": "JPEG", "quality": 85},
    "png": {"format": "PNG", "compress_level": 1},  # a 10000 x 6086 PNG in about 1.5 s
    "webp": {"format": "WEBP", "quality": 80, "method": 2},
}


@lru_cache(maxsize=48)
def picture(kind: str, size: tuple[int, int], provider: str, lines: tuple[str, ...]) -> bytes:
    """A ``kind`` ("jpeg", "png", "webp") gradient picture of exactly ``size`` with ``lines``."""
    image = _art(size, provider, lines)
    out = io.BytesIO()
    image.save(out, **_SAVE_OPTIONS[kind])  # type: ignore[arg-type]
    return out.getvalue()


def _art(size: tuple[int, int], provider: str, lines: tuple[str, ...]) -> Image.Image:
    width, height = size
    scale = min(1.0, _DRAW_LIMIT / max(width, height))
    small = (max(1, round(width * scale)), max(1, round(height * scale)))
    image = _gradient(small, *PALETTES.get(provider, PALETTES["sivi"]))
    _write(image, lines)
    return image if small == size else image.resize(size, Image.Resampling.BILINEAR)


def _gradient(size: tuple[int, int], start: tuple[int, ...], end: tuple[int, ...]) -> Image.Image:
    mask = Image.linear_gradient("L").rotate(45, expand=True).crop((90, 90, 272, 272))
    glow = Image.radial_gradient("L").resize(size)
    image = Image.composite(
        Image.new("RGB", size, end), Image.new("RGB", size, start), mask.resize(size)
    )
    return Image.composite(
        image, Image.new("RGB", size, (255, 255, 255)), glow.point(lambda v: 155 + v * 100 // 255)
    )


def _write(image: Image.Image, lines: tuple[str, ...]) -> None:
    draw = ImageDraw.Draw(image)
    size = max(6, min(image.height // (2 * len(lines) + 2), image.width // 12))
    x, y = image.width // 14, (image.height - size * 2 * len(lines)) // 2
    for i, line in enumerate(lines):
        font, has_times = _font(size * 2 if i == 0 else size)
        line = line if has_times else line.replace("×", "x")
        draw.text((x + 2, y + 2), line, font=font, fill=(0, 0, 0))
        draw.text((x, y), line, font=font, fill=(255, 255, 255))
        y += size * (3 if i == 0 else 2)


@lru_cache(maxsize=32)
def _font(size: int) -> tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, bool]:
    """DejaVu Sans when the system has it (it has a "×"), else Pillow's own font."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size), True
    except OSError:
        return ImageFont.load_default(size=size), False


@lru_cache(maxsize=16)
def svg(size: tuple[int, int], lines: tuple[str, ...], script: bool = False) -> bytes:
    """An SVG document; ``script=True`` adds the ``<script>`` and ``onload`` of a hostile file."""
    width, height = size
    hostile = ' onload="alert(1)"' if script else ""
    texts = "".join(
        f'<text x="{width // 14}" y="{(i + 2) * height // (len(lines) + 3)}" '
        f'font-size="{height // (len(lines) * 3 + 3)}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"{hostile}>'
        '<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">'
        '<stop offset="0" stop-color="#14b8a6"/><stop offset="1" stop-color="#1e40af"/>'
        '</linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/>'
        f'<g font-family="sans-serif" fill="white">{texts}</g>'
        + ("<script>alert(1)</script>" if script else "")
        + "</svg>"
    ).encode()


@lru_cache(maxsize=8)
def pptx(size: tuple[int, int], lines: tuple[str, ...]) -> bytes:
    """A small PowerPoint-like zip (starts with ``PK``) holding one slide picture."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as pack:
        pack.writestr("[Content_Types].xml", _PPTX_TYPES)
        pack.writestr("ppt/presentation.xml", "<p:presentation xmlns:p='urn:pptx-ish'/>")
        pack.writestr("ppt/media/image1.png", picture("png", size, "napkin", lines))
    return out.getvalue()


_PPTX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="png" ContentType="image/png"/>'
    '<Override PartName="/ppt/presentation.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>'
)

NOT_IMAGE = b"<!doctype html><html><body><h1>Access denied</h1></body></html>"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@lru_cache(maxsize=1)
def bomb() -> bytes:
    """A tiny PNG whose IHDR declares 60000 x 60000 grey pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\0" * (60001 * 4))
    chunks = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


def huge(chunk: int = 1024 * 1024) -> Iterator[bytes]:
    """HUGE_BYTES of a would-be PNG, streamed ``chunk`` bytes at a time."""
    block = b"\0" * chunk
    yield b"\x89PNG\r\n\x1a\n" + block[8:]
    for _ in range(HUGE_BYTES // chunk - 1):
        yield block
