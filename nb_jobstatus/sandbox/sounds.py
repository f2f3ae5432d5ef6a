"""Real audio for speech and music jobs: short WAV files made with the standard library."""

from __future__ import annotations

import io
import math
import struct
import wave
from functools import lru_cache

RATE = 8000  # samples per second, mono, 16 bit
NOTES = (261.63, 329.63, 392.0, 440.0, 523.25, 587.33, 659.25, 783.99)  # C major-ish


@lru_cache(maxsize=32)
def wav(kind: str, track: int = 0, seconds: float = 1.5) -> bytes:
    """Speech: a rising-and-falling tone like a voice's pitch; music: a three-note arpeggio
    that differs per track. 1.5 s, 8 kHz mono, about 24 KB."""
    count = int(RATE * seconds)
    if kind == "speech":
        samples = (_voice(i / RATE) for i in range(count))
    else:
        notes = [NOTES[(track + k * 2) % len(NOTES)] for k in range(3)]
        samples = (_note(notes[min(2, int(3 * i / count))], i / RATE) for i in range(count))
    frames = b"".join(struct.pack("<h", int(32767 * 0.4 * s)) for s in samples)
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(RATE)
        file.writeframes(frames)
    return out.getvalue()


def _voice(t: float) -> float:
    pitch = 160 + 40 * math.sin(2 * math.pi * 1.5 * t)
    envelope = 0.5 + 0.5 * math.sin(2 * math.pi * 3 * t)
    return envelope * math.sin(2 * math.pi * pitch * t)


def _note(frequency: float, t: float) -> float:
    return math.sin(2 * math.pi * frequency * t) * math.exp(-2 * (t % 0.5))
