"""Issue 10.13 and 10.15 on bytes: the size of what would be decoded is checked before decoding,
whatever the container claims; sizes are reported as displayed (EXIF orientation applied)."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from PIL import Image

from nb_jobstatus.core.media import MAX_PIXELS, Media, probe, sizes
from nb_jobstatus.core.media.probe import compare_sizes
from nb_jobstatus.core.model import Asset

BIG = 12000  # 144 M pixels: over MAX_PIXELS, and 432 MB or more if it were decoded
RED = Image.new("RGB", (16, 16), "red")


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose IHDR says ``width`` × ``height`` grey pixels and whose pixel data is broken:
    decoding it would fail, so a refusal proves nothing was decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"\x78\x9c not a zlib stream"
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def ico(entry: bytes, listed: tuple[int, int] = (256, 256), bpp: int = 32) -> bytes:
    """An ICO of one entry whose directory says ``listed`` (256 is written 0)."""
    width, height = (side % 256 for side in listed)
    directory = struct.pack("<BBBBHHII", width, height, 0, 0, 1, bpp, len(entry), 22)
    return struct.pack("<HHH", 0, 1, 1) + directory + entry


def dib_declaring(width: int, height: int) -> bytes:
    """A BITMAPINFOHEADER of a 32-bit icon image (its height counts the AND mask too)."""
    return struct.pack("<IiiHHIIiiII", 40, width, 2 * height, 1, 32, 0, 0, 0, 0, 0, 0) + bytes(64)


def patch_jpeg_size(data: bytes, width: int, height: int, nth: int = 0) -> bytes:
    """The ``nth`` SOF0 of ``data`` says ``width`` × ``height``."""
    at = -1
    for _ in range(nth + 1):
        at = data.index(b"\xff\xc0", at + 1)
    return data[: at + 5] + struct.pack(">HH", height, width) + data[at + 9 :]


def patch_tiff_size(data: bytes, page: int, width: int, height: int) -> bytes:
    """Page ``page``'s ImageWidth and ImageLength say ``width`` × ``height``."""
    order = "<" if data[:2] == b"II" else ">"
    out = bytearray(data)
    offset = struct.unpack_from(order + "I", out, 4)[0]
    for _ in range(page):
        count = struct.unpack_from(order + "H", out, offset)[0]
        offset = struct.unpack_from(order + "I", out, offset + 2 + 12 * count)[0]
    for entry in range(struct.unpack_from(order + "H", out, offset)[0]):
        at = offset + 2 + 12 * entry
        tag, kind = struct.unpack_from(order + "HH", out, at)
        if tag in (256, 257):
            value = width if tag == 256 else height
            struct.pack_into(order + ("H" if kind == 3 else "I"), out, at + 8, value)
    return bytes(out)


def patch_gif_frame(data: bytes, width: int, height: int) -> bytes:
    """The first frame's descriptor says ``width`` × ``height`` (the screen stays 16 × 16)."""
    at = data.index(b",\0\0\0\0")
    return data[: at + 5] + struct.pack("<HH", width, height) + data[at + 9 :]


def patch_webp_canvas(data: bytes, width: int, height: int) -> bytes:
    at = data.index(b"VP8X") + 12
    size = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    return data[:at] + size + data[at + 6 :]


def patch_avif_ispe(data: bytes, width: int, height: int) -> bytes:
    at = data.index(b"ispe") + 8
    return data[:at] + struct.pack(">II", width, height) + data[at + 8 :]


def probed(data: bytes, width: int | None = None, height: int | None = None) -> Media:
    item = Media(asset=Asset(url="https://x.example/a", width=width, height=height))
    probe(item, data)
    compare_sizes(item)
    return item


def two_frames(kind: str) -> bytes:
    blue = Image.new("RGB", (16, 16), "blue")
    return encoded(RED, kind, save_all=True, append_images=[blue])


LIARS = {
    "ICO directory 256 x 256, a PNG inside": lambda: ico(png_declaring(BIG, BIG)),
    "ICO directory 16 x 16, a DIB inside": lambda: ico(dib_declaring(BIG, BIG), (16, 16)),
    "JPEG": lambda: patch_jpeg_size(encoded(RED, "JPEG"), BIG, BIG),
    "MPO, first picture": lambda: patch_jpeg_size(two_frames("MPO"), BIG, BIG),
    "TIFF, first page": lambda: patch_tiff_size(two_frames("TIFF"), 0, BIG, BIG),
    "GIF frame past its screen": lambda: patch_gif_frame(encoded(RED, "GIF"), BIG, BIG),
    "animated WebP canvas": lambda: patch_webp_canvas(two_frames("WEBP"), BIG, BIG),
    "AVIF ispe": lambda: patch_avif_ispe(encoded(RED, "AVIF"), BIG, BIG),
}


@pytest.mark.parametrize("name", list(LIARS))
def test_what_would_be_decoded_is_refused_before_decoding(name: str) -> None:
    item = probed(LIARS[name]())
    assert item.error == f"refused: declares {BIG} × {BIG} px (decompression bomb)"
    assert (item.width, item.height) == (BIG, BIG) and item.thumbnail is None


BOMB_SCRIPT = """
import resource, sys
sys.path.insert(0, sys.argv[1])
import test_media_sizes as t
data = t.ico(t.real_png(t.BIG))
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
item = t.probed(data)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
print(grown // 1024, item.error)
"""


def real_png(side: int) -> bytes:
    """A valid ``side`` × ``side`` grey PNG, compressed row by row (never whole in memory)."""
    compressor = zlib.compressobj(9)
    rows = b"".join(compressor.compress(bytes(side + 1)) for _ in range(side))
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    data = chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows + compressor.flush())
    return b"\x89PNG\r\n\x1a\n" + data + chunk(b"IEND", b"")


def test_an_icon_bomb_costs_no_memory() -> None:
    """A valid 12000 × 12000 PNG in an ICO that says 256 × 256: refused with a few MB, where
    decoding it took 141 MB (and half a second) before."""
    folder = str(Path(__file__).parent)
    run = subprocess.run(
        [sys.executable, "-c", BOMB_SCRIPT, folder], capture_output=True, text=True, timeout=120
    )
    grown_mb, error = run.stdout.strip().split(" ", 1)
    assert error == f"refused: declares {BIG} × {BIG} px (decompression bomb)", run.stderr
    assert int(grown_mb) < 40


@pytest.mark.parametrize(
    "data",
    [
        patch_jpeg_size(two_frames("MPO"), BIG, BIG, nth=1),  # a huge second picture
        patch_tiff_size(two_frames("TIFF"), 1, BIG, BIG),  # a huge second page
    ],
    ids=["MPO second picture", "TIFF second page"],
)
def test_only_the_first_frame_is_decoded(data: bytes) -> None:
    item = probed(data)
    assert item.error is None, item.error
    assert (item.width, item.height) == (16, 16) and item.thumbnail is not None


def test_an_honest_icon_still_gets_a_thumbnail() -> None:
    icon = Image.new("RGBA", (48, 48), (200, 30, 30, 255))
    item = probed(encoded(icon, "ICO", sizes=[(48, 48)]))
    assert (item.format, item.width, item.height, item.error) == ("ICO", 48, 48, None)
    assert item.thumbnail is not None


def test_every_web_format_has_a_size_reader() -> None:
    assert set(sizes.READERS) == set(sizes.WEB_FORMATS)
    assert BIG * BIG > MAX_PIXELS


def test_the_icon_entry_is_measured_not_its_directory() -> None:
    assert sizes.decoded_size(ico(png_declaring(300, 200))) == ("ICO", (300, 200))
    assert sizes.decoded_size(ico(dib_declaring(40, 30), (16, 16))) == ("ICO", (40, 30))


# -- EXIF orientation (10.15) ------------------------------------------------------------------


def turned(kind: str, orientation: int) -> bytes:
    """A 64 × 32 picture stored as is, whose EXIF says to turn it (``orientation``)."""
    picture = Image.new("RGB", (64, 32), "red")
    picture.paste((0, 0, 255), (0, 0, 32, 32))
    if kind == "TIFF":
        return encoded(picture, kind, tiffinfo={0x0112: orientation})
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encoded(picture, kind, exif=exif)


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP", "TIFF"])
@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_a_turned_picture_is_measured_as_displayed(kind: str, orientation: int) -> None:
    item = probed(turned(kind, orientation), 32, 64)
    assert item.error is None and item.warning is None, (item.error, item.warning)
    assert (item.width, item.height) == (32, 64)
    assert item.thumbnail is not None
    thumbnail = Image.open(io.BytesIO(item.thumbnail))
    assert thumbnail.width < thumbnail.height  # the thumbnail is turned too


@pytest.mark.parametrize("orientation", [1, 2, 3, 4])
def test_an_unturned_orientation_keeps_its_size(orientation: int) -> None:
    item = probed(turned("JPEG", orientation), 64, 32)
    assert (item.width, item.height, item.warning) == (64, 32, None)


def test_a_real_mismatch_still_warns_in_displayed_pixels() -> None:
    item = probed(turned("JPEG", 6), 64, 32)
    assert item.warning == "reported 64 × 32 px, actual 32 × 64 px"
