"""Thumbnails and probes on bytes the sandbox does not make (no socket)."""

from __future__ import annotations

import io
import os

from PIL import Image

import nb_jobstatus
from nb_jobstatus.core import media

# -- thumbnails of what the sandbox does not make -----------------------------------------------


def encoded(image: Image.Image, kind: str) -> Image.Image:
    out = io.BytesIO()
    image.save(out, kind, compress_level=1)
    return Image.open(io.BytesIO(out.getvalue()))


def noise(mode: str, side: int) -> Image.Image:
    """Random pixels: the worst case for every encoder."""
    return Image.frombytes(mode, (side, side), os.urandom(side * side * len(mode)))


def test_noisy_transparent_image_still_fits() -> None:
    rgba = noise("RGBA", 1600)
    rgba.putalpha(Image.linear_gradient("L").resize(rgba.size))
    data, kind = media.make_thumbnail(encoded(rgba, "PNG"))
    assert len(data) <= media.THUMB_BYTES
    picture = Image.open(io.BytesIO(data))
    assert max(picture.size) <= 480
    assert kind == "image/png" or picture.mode == "RGB"


def test_transparent_logo_stays_png() -> None:
    logo = Image.new("RGBA", (800, 400), (0, 0, 0, 0))
    logo.paste((200, 30, 30, 255), (100, 100, 700, 300))
    data, kind = media.make_thumbnail(encoded(logo, "PNG"))
    assert kind == "image/png"
    picture = Image.open(io.BytesIO(data))
    assert picture.size == (480, 240) and picture.mode in ("RGBA", "P")


def test_noisy_photo_fits_as_jpeg() -> None:
    data, kind = media.make_thumbnail(encoded(noise("RGB", 1600), "PNG"))
    assert kind == "image/jpeg" and len(data) <= media.THUMB_BYTES


def test_svg_size_from_viewbox() -> None:
    assert media.svg_size(b'<svg viewBox="0 0 640 360" stroke-width="3">') == (640, 360)
    assert media.svg_size(b'<svg width="100%" viewBox="0,0,64,36">') == (64, 36)
    assert media.svg_size(b'<svg width="50px" height="20">') == (50, 20)
    assert media.svg_size(b"<svg>") == (None, None)


def probed(data: bytes, content_type: str = "image/png") -> media.Media:
    item = media.Media(asset=nb_jobstatus.Asset(url="https://x.example/a"))
    item.content_type = content_type
    media.probe(item, data)
    return item


def test_probe_refuses_what_is_not_a_web_image() -> None:
    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n"
    assert probed(eps).error == "not an image: image/png"  # never handed to Ghostscript
    wave = b"RIFF\x24\0\0\0WAVEfmt " + bytes(28)
    assert probed(wave, "audio/wav").error == "not an image: audio/wav"
    assert probed(b"", "image/png").error == "not an image: empty file"
    assert probed(b'{"error": "x"}').error == "not an image: application/json (served as image/png)"
    png = io.BytesIO()
    noise("RGB", 300).save(png, "PNG")
    data = png.getvalue()
    assert probed(data[:40]).error == "truncated image"
    assert probed(data[: len(data) // 2]).error == "truncated image"
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><foreignObject>'
    item = probed(svg + b"<html>x</html></foreignObject></svg>", "image/svg+xml")
    assert (item.format, item.width, item.height, item.error) == ("SVG", 30, 20, None)
