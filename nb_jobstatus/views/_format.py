"""The one set of format helpers of every view: numbers, sizes, durations and text.

Nothing here trusts its input: a provider can send ``NaN``, ``1e309``, negative or
5,000-digit numbers and text full of terminal escapes. Every helper returns a short,
printable string and never raises (an absent or absurd number is an em dash).
"""

from __future__ import annotations

import math
import re
import time

DASH = "—"
MAX_SECONDS = 10 * 365 * 86400.0  # ten years: anything longer is not a duration to show
MAX_SIDE = 1_000_000  # pixels: a side beyond this is not a real image size
UNITS = ("KB", "MB", "GB", "TB")

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences, C1 CSI/OSC.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-_]?"
)
# C0/C1 controls but tab and newline, DEL, bidi embeddings/overrides/isolates and marks.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def finite(value: object) -> float | None:
    """``value`` as a finite float, else None (NaN, infinities, huge ints, bools, text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return None
    return number if math.isfinite(number) else None


def count(value: object) -> int | None:
    """A non-negative whole number that fits a screen, else None."""
    number = finite(value)
    if number is None or number < 0 or number > 1e15:
        return None
    return int(number)


def duration(seconds: object, *, tenths: bool = True) -> str:
    """``0.4s``, ``12s``, ``3m 05s``, ``1h 02m``, ``3d 04h``; a dash when unknown or absurd.
    Without ``tenths`` (a clock that ticks once a second) short durations are whole seconds."""
    value = finite(seconds)
    if value is None or value > MAX_SECONDS:
        return DASH
    value = max(0.0, value)
    if value < 10 and tenths:
        return f"{value:.1f}s"
    whole = int(value) if value < 60 and not tenths else int(round(value))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours:02d}h"


def size(value: object) -> str:
    """``812 B``, ``183 KB``, ``4.2 MB``, ``1.3 GB`` (binary multiples); a dash when unknown."""
    number = count(value)
    if number is None:
        return DASH
    if number < 1024:
        return f"{number} B"
    scaled = float(number)
    for unit in UNITS:
        scaled /= 1024
        if scaled < 1024 or unit == UNITS[-1]:
            return f"{round(scaled)} {unit}" if unit == "KB" else f"{scaled:.1f} {unit}"
    return DASH  # not reached


def dims(width: object, height: object) -> str | None:
    """``1080 × 1080 px``, or None when a side is unknown or absurd."""
    w, h = count(width), count(height)
    if not w or not h or w > MAX_SIDE or h > MAX_SIDE:
        return None
    return f"{w} × {h} px"


def progress(value: object) -> float | None:
    """A progress percentage clamped to 0-100, None when absent or not a number (never NaN)."""
    number = finite(value)
    return None if number is None else max(0.0, min(100.0, number))


def percent(value: object) -> str:
    number = progress(value)
    return DASH if number is None else f"{number:.0f}%"


def clock(wall: object) -> str:
    """Local wall-clock time with milliseconds: ``14:03:07.512``."""
    value = finite(wall)
    if value is None:
        return DASH
    try:
        return time.strftime("%H:%M:%S", time.localtime(value)) + f".{int(value % 1 * 1000):03d}"
    except (OverflowError, ValueError, OSError):
        return DASH


def eta(value: object) -> str | None:
    """``about 5-8s left``, ``about 6s left``, ``almost done``; None when unknown.

    ``value`` is the job's ``eta()``: a (low, high) pair of seconds, or one number."""
    pair = value if isinstance(value, tuple) and len(value) == 2 else (value, value)
    low, high = finite(pair[0]), finite(pair[1])
    if low is None or high is None or high > MAX_SECONDS:
        return None
    low, high = max(0.0, min(low, high)), max(0.0, low, high)
    if high < 1:
        return "almost done"
    first, last = round(low), round(high)
    if first == last:
        return f"about {duration(max(1, last), tenths=False)} left"
    return f"about {duration(first, tenths=False)}–{duration(last, tenths=False)} left"


def text(value: object) -> str:
    """``str(value)`` that never raises (a 5,000-digit int, a broken ``__str__``)."""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:
        return f"<{type(value).__name__}>"


def clean(value: object) -> str:
    """``value`` without terminal escapes (ANSI, OSC), control characters or bidi overrides."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text(value)))


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    rest = len(text) - limit
    return f"{text[:limit]}… ({rest:,} more characters)"


def line(text: object, limit: int = 300) -> str:
    """Provider text as one bounded, printable line (a reason, a log line, a status word)."""
    return shorten(_SPACES.sub(" ", clean(text)).strip(), limit)


def block(text: object, limit: int = 20_000) -> str:
    """Provider text as printable, bounded lines (raw responses)."""
    return shorten(clean(text), limit)


def plural(number: int, word: str) -> str:
    return f"{number:,} {word}{'s' * (number != 1)}"
