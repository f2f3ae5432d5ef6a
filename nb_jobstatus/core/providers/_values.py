"""Values from a provider are untrusted: numbers, text and free JSON, each bounded here.

A provider may send ``NaN``, ``Infinity``, ``1e309``, a negative size, ``"²"``, a 5,000-digit
string, a boolean or an object where a number belongs, a 5 MB reason, or an output nested
100,000 deep. Every reader below answers a value in a sane range or None ("not reported"),
and never raises: a strange field is a field the provider did not give, not a failed job.

The rule for numbers: anything that is not a finite number is absent; a number outside the
field's range is absent too (a false size or queue position is worse than none), except
progress, which is clamped to 0-100 (providers round: ``100.4``, ``-0.0``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from itertools import islice
from typing import Any

MAX_TEXT = 10_000  # characters of one reason, log line, status word or warning
MAX_LINES = 200  # log lines kept (the last ones)
MAX_URL = 8_192  # a longer "URL" is not one a browser or server would follow
MAX_JSON_DEPTH = 16  # free output (Status.output) kept to this depth
MAX_JSON_ITEMS = 1_000  # items kept per list or object of free output

MAX_POSITION = 1_000_000  # queue places
MAX_PIXELS = 100_000  # one side of an image or video
MAX_SECONDS = 1_000_000.0  # a duration (about 11.6 days)
MAX_QUEUE_WAIT = 86_400.0  # a queue wait: one day
MAX_CREDITS = 10**12

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_MAX_NUMBER_TEXT = 64  # characters of a number sent as a string
_MAX_INT_BITS = 1_000  # a larger int is not converted (float() would overflow, str() may raise)


def number(value: Any) -> float | None:
    """A finite number from an int, a float or a plain ASCII numeric string; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return float(value) if value.bit_length() <= _MAX_INT_BITS else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and len(value) <= _MAX_NUMBER_TEXT:
        text = value.strip()
        if _NUMBER.fullmatch(text):
            parsed = float(text)
            return parsed if math.isfinite(parsed) else None
    return None


def as_float(value: Any, low: float = -math.inf, high: float = math.inf) -> float | None:
    """A finite number within [low, high], or None."""
    found = number(value)
    return found if found is not None and low <= found <= high else None


def as_int(value: Any, low: int = -(2**63), high: int = 2**63 - 1) -> int | None:
    """An integral number within [low, high] (``3``, ``3.0``, ``"3"``), or None."""
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    found = number(value)
    if found is None or not found.is_integer() or not low <= found <= high:
        return None
    return int(found)


def progress_of(value: Any) -> float | None:
    """Percent done, clamped to 0-100; NaN, infinities and non-numbers are None (never 100)."""
    found = number(value)
    return None if found is None else max(0.0, min(100.0, found))


def position_of(value: Any) -> int | None:
    """A queue position, 0 (next) to a million places."""
    return as_int(value, 0, MAX_POSITION)


def pixels_of(value: Any) -> int | None:
    """A width or height in pixels, 1 to 100,000."""
    return as_int(value, 1, MAX_PIXELS)


def seconds_of(value: Any, scale: float = 1.0, high: float = MAX_SECONDS) -> float | None:
    """A duration in seconds, 0 to ``high``; ``scale`` converts (1e-3 for milliseconds)."""
    found = number(value)
    return as_float(found * scale, 0.0, high) if found is not None else None


def credits_of(value: Any) -> int | None:
    """A cost in whole credits, 0 or more."""
    return as_int(value, 0, MAX_CREDITS)


def as_str(value: Any) -> str | None:
    """A non-empty string, capped at MAX_TEXT characters; anything else is None."""
    return cap(value) if isinstance(value, str) and value else None


def as_url(value: Any) -> str | None:
    """A URL as a non-empty string of at most MAX_URL characters (never cut: too long is None)."""
    return value if isinstance(value, str) and 0 < len(value) <= MAX_URL else None


def cap(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def text_of(value: Any) -> str:
    """Any JSON value as short text: strings capped, numbers as written, containers named."""
    if isinstance(value, str):
        return cap(value)
    if value is None or isinstance(value, (bool, float)):
        return str(value)
    if isinstance(value, int):
        return str(value) if value.bit_length() <= _MAX_INT_BITS else "<a huge number>"
    if isinstance(value, dict):
        return f"<a JSON object of {len(value)} keys>"
    if isinstance(value, list):
        return f"<a JSON array of {len(value)} items>"
    return f"<{type(value).__name__}>"


def status_word(value: Any) -> str | None:
    """A provider's raw status as text (None when absent), bounded."""
    return None if value is None else text_of(value)


def last_lines(lines: Iterable[str]) -> tuple[str, ...]:
    """The last MAX_LINES lines, with a first line saying how many were left out."""
    kept = list(lines)
    if len(kept) <= MAX_LINES:
        return tuple(kept)
    dropped = len(kept) - (MAX_LINES - 1)
    return (f"… {dropped:,} earlier lines left out", *kept[-(MAX_LINES - 1) :])


def bounded_json(value: Any, depth: int = MAX_JSON_DEPTH) -> Any:
    """Free JSON (an output nobody documented) made safe to show: strings capped, numbers
    finite, at most MAX_JSON_ITEMS items per container and ``depth`` levels (deeper: a note)."""
    if isinstance(value, str):
        return cap(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if value.bit_length() <= _MAX_INT_BITS else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, dict)) and depth <= 0:
        return text_of(value)
    if isinstance(value, list):
        return [bounded_json(item, depth - 1) for item in islice(value, MAX_JSON_ITEMS)]
    if isinstance(value, dict):
        items = islice(value.items(), MAX_JSON_ITEMS)
        return {cap(str(k), 200): bounded_json(v, depth - 1) for k, v in items}
    return text_of(value)
