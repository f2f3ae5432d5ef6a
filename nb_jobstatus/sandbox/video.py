"""A real, small, playable MP4 made with nothing but Pillow and the standard library.

The frames are H.264 (Constrained Baseline) pictures made only of I_PCM macroblocks: raw
samples, so no encoder is needed, only the bitstream syntax (exp-Golomb headers, emulation
prevention). They go into an ISO base media file (``ftyp``, ``moov``, ``mdat``) that a
browser's ``<video>`` plays. Uncompressed, so kept small: 160 x 96, 2 frames a second, 5 s
(about 230 KB).
"""

from __future__ import annotations

import struct
from functools import lru_cache

from PIL import Image, ImageDraw

SIZE = (160, 96)  # multiples of 16: whole macroblocks, no cropping
FPS = 2
SECONDS = 5
TIMESCALE = 1000


class _Bits:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, value: int, n: int) -> None:
        self.bits += [(value >> (n - 1 - i)) & 1 for i in range(n)]

    def ue(self, value: int) -> None:
        x = value + 1
        self.u(0, x.bit_length() - 1)
        self.u(x, x.bit_length())

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def align(self) -> None:
        while len(self.bits) % 8:
            self.bits.append(0)

    def raw(self, data: bytes) -> None:
        self.bits += [(byte >> (7 - i)) & 1 for byte in data for i in range(8)]

    def trailing(self) -> bytes:
        self.bits.append(1)
        self.align()
        return bytes(
            int("".join(map(str, self.bits[i : i + 8])), 2) for i in range(0, len(self.bits), 8)
        )


def _nal(header: int, rbsp: bytes) -> bytes:
    """A NAL unit with emulation prevention (0x000003 before any 0x0000xx with xx <= 3)."""
    out, zeros = bytearray([header]), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def _sps() -> bytes:
    bits = _Bits()
    bits.u(66, 8)  # profile_idc: Baseline
    bits.u(0xC0, 8)  # constraint_set0 and set1: Constrained Baseline
    bits.u(30, 8)  # level_idc 3.0
    for value in (0, 0, 2, 1):  # sps id, log2_max_frame_num - 4, poc type 2, max ref frames
        bits.ue(value)
    bits.u(0, 1)  # gaps_in_frame_num_value_allowed_flag
    bits.ue(SIZE[0] // 16 - 1)
    bits.ue(SIZE[1] // 16 - 1)
    bits.u(0b110, 3)  # frame_mbs_only, direct_8x8_inference, no cropping
    bits.u(0, 1)  # no VUI
    return _nal(0x67, bits.trailing())


def _pps() -> bytes:
    bits = _Bits()
    bits.ue(0)  # pps id
    bits.ue(0)  # sps id
    bits.u(0, 2)  # CAVLC, no bottom_field_pic_order_in_frame_present
    for value in (0, 0, 0):  # slice groups - 1, l0 and l1 ref idx defaults
        bits.ue(value)
    bits.u(0, 3)  # weighted_pred, weighted_bipred_idc
    for value in (0, 0, 0):  # pic_init_qp - 26, pic_init_qs - 26, chroma_qp_index_offset
        bits.se(value)
    bits.u(0b100, 3)  # deblocking filter control present, no constrained intra, no redundant
    return _nal(0x68, bits.trailing())


def _slice(frame: Image.Image, idr_id: int) -> bytes:
    """One IDR picture of I_PCM macroblocks (deblocking off)."""
    y, cb, cr = frame.convert("YCbCr").split()
    half = (SIZE[0] // 2, SIZE[1] // 2)
    planes = [_limited(y), _limited(cb.resize(half)), _limited(cr.resize(half))]
    bits = _Bits()
    for value in (0, 7, 0):  # first_mb_in_slice, slice_type I (all), pps id
        bits.ue(value)
    bits.u(0, 4)  # frame_num
    bits.ue(idr_id)
    bits.u(0, 2)  # no_output_of_prior_pics, long_term_reference
    bits.se(0)  # slice_qp_delta
    bits.ue(1)  # disable_deblocking_filter_idc
    for my in range(SIZE[1] // 16):
        for mx in range(SIZE[0] // 16):
            bits.ue(25)  # mb_type I_PCM
            bits.align()
            bits.raw(_block(planes[0], SIZE[0], mx * 16, my * 16, 16))
            for plane in planes[1:]:
                bits.raw(_block(plane, half[0], mx * 8, my * 8, 8))
    return _nal(0x65, bits.trailing())


def _limited(plane: Image.Image) -> bytes:
    """Samples squeezed into 16-235 (video range; never 0, which old decoders refuse in PCM)."""
    return plane.point(lambda v: 16 + v * 219 // 255).tobytes()


def _block(plane: bytes, stride: int, x: int, y: int, n: int) -> bytes:
    return b"".join(plane[(y + row) * stride + x : (y + row) * stride + x + n] for row in range(n))


def _frame(index: int, count: int) -> Image.Image:
    image = Image.new("RGB", SIZE, (190, 24, 93))
    draw = ImageDraw.Draw(image)
    x = index * (SIZE[0] - 32) // max(1, count - 1)
    draw.rectangle((x, 24, x + 31, 71), fill=(250, 204, 21))
    draw.text((6, 4), f"Clipia sandbox {index + 1}/{count}", fill=(255, 255, 255))
    return image


def _box(kind: bytes, *parts: bytes) -> bytes:
    payload = b"".join(parts)
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _full(kind: bytes, version_flags: int, *parts: bytes) -> bytes:
    return _box(kind, struct.pack(">I", version_flags), *parts)


_MATRIX = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)


def _sample_table(samples: list[bytes], offset: int, sps: bytes, pps: bytes) -> bytes:
    avcc = _box(
        b"avcC",
        bytes([1, 66, 0xC0, 30, 0xFF, 0xE1]) + struct.pack(">H", len(sps)) + sps,
        b"\x01" + struct.pack(">H", len(pps)) + pps,
    )
    entry = _box(
        b"avc1",
        b"\0" * 6 + struct.pack(">H", 1) + b"\0" * 16,
        struct.pack(">HHIIIH", *SIZE, 0x480000, 0x480000, 0, 1),
        b"\0" * 32 + struct.pack(">Hh", 0x18, -1),
        avcc,
    )
    delta = TIMESCALE // FPS
    return _box(
        b"stbl",
        _full(b"stsd", 0, struct.pack(">I", 1), entry),
        _full(b"stts", 0, struct.pack(">III", 1, len(samples), delta)),
        _full(b"stsc", 0, struct.pack(">IIII", 1, 1, len(samples), 1)),
        _full(
            b"stsz",
            0,
            struct.pack(">II", 0, len(samples)),
            *(struct.pack(">I", len(s)) for s in samples),
        ),
        _full(b"stco", 0, struct.pack(">II", 1, offset)),
    )


def _moov(samples: list[bytes], offset: int) -> bytes:
    duration = len(samples) * TIMESCALE // FPS
    width, height = SIZE
    mvhd = _full(
        b"mvhd",
        0,
        struct.pack(">IIII", 0, 0, TIMESCALE, duration),
        struct.pack(">IH", 0x10000, 0x100),
        b"\0" * 10,
        _MATRIX,
        b"\0" * 24,
        struct.pack(">I", 2),
    )
    tkhd = _full(
        b"tkhd",
        3,
        struct.pack(">IIIII", 0, 0, 1, 0, duration),
        b"\0" * 8,
        struct.pack(">hhhH", 0, 0, 0, 0),
        _MATRIX,
        struct.pack(">II", width << 16, height << 16),
    )
    mdhd = _full(b"mdhd", 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration, 0x55C4, 0))
    hdlr = _full(b"hdlr", 0, b"\0" * 4, b"vide", b"\0" * 12, b"VideoHandler\0")
    dinf = _box(b"dinf", _full(b"dref", 0, struct.pack(">I", 1), _full(b"url ", 1)))
    minf = _box(
        b"minf", _full(b"vmhd", 1, b"\0" * 8), dinf, _sample_table(samples, offset, _sps(), _pps())
    )
    return _box(b"moov", mvhd, _box(b"trak", tkhd, _box(b"mdia", mdhd, hdlr, minf)))


@lru_cache(maxsize=1)
def mp4() -> bytes:
    """The sandbox's video: a moving square, numbered frames, H.264 in MP4."""
    count = FPS * SECONDS
    nals = [_slice(_frame(i, count), i % 2) for i in range(count)]
    samples = [struct.pack(">I", len(nal)) + nal for nal in nals]
    ftyp = _box(b"ftyp", b"isom", struct.pack(">I", 512), b"isomiso2avc1mp41")
    size_of_moov = len(_moov(samples, 0))
    offset = len(ftyp) + size_of_moov + 8
    mdat = _box(b"mdat", *samples)
    return ftyp + _moov(samples, offset) + mdat
