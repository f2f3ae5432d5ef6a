"""Small embeddable thumbnails: at most THUMB_SIDE px on the long side and THUMB_BYTES bytes."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image, ImageOps

from .record import THUMB_BYTES, THUMB_SIDE

JPEG_QUALITIES = (85, 72, 60, 45)


def make_thumbnail(image: Image.Image) -> tuple[bytes, str]:
    """PNG when transparent (JPEG on white when even a 256-colour PNG is too large), else
    JPEG; turned as its EXIF orientation says. Shrinks ``image`` in place."""
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
