"""Keys never leave in text: every key the package sees is registered here and masked.

``redact`` masks every registered key in every form it takes in text: raw; JSON- or
JavaScript-escaped (``\\u0073``, ``\\x73``, ``\\/``, any mix of escaped and plain characters);
percent-encoded (upper- or lower-case hex, partly encoded, or encoded twice as ``%2573``); HTML
character references (``&#115;``, ``&#x73;``); and base64 (standard or URL-safe alphabet, at any
byte alignment, e.g. inside ``Basic`` credentials) for keys of 12 characters or more.
``redact_cut`` masks, cuts, then masks a key fragment (4 characters or more) left at the end.
The ``nb_jobstatus`` logger masks messages, arguments, exception text and stack traces.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from typing import Any

MASK = "***"
MIN_SECRET = 4  # shorter keys are not masked (they would mask ordinary words)
MIN_FRAGMENT = 4  # characters of a key left at a cut edge that are masked
MIN_BASE64 = 12  # keys this long or longer are also masked in base64
_JSON_SHORT = dict(zip('"\\/\b\f\n\r\t', '"\\/bfnrt', strict=True))  # JSON's two-character escapes
_PARTIAL_ESCAPE = (  # an escape cut short after a key fragment
    r"(?:\\(?:u[0-9A-Fa-f]{0,3}|x[0-9A-Fa-f]?)?|%(?:25?)?[0-9A-Fa-f]?|&(?:#[xX]?[0-9A-Fa-f]*)?)?"
)

_secrets: set[str] = set()
_lock = threading.Lock()
_full: re.Pattern[str] | None = None  # every form of every key
_tails: list[tuple[int, re.Pattern[str]]] = []  # (chars to look at, a key's prefix at the end)


def _hex(value: int, width: int) -> str:
    """``value`` in hex, matching either case."""
    return f"(?i:{value:0{width}x})"


def _char_forms(char: str) -> str:
    """A regex for one character of a key, written in any of the forms text may carry."""
    code = ord(char)
    forms = [re.escape(char)]
    if code < 0x10000:
        forms.append(r"\\u" + _hex(code, 4))
    else:
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append(r"\\u" + _hex(high, 4) + r"\\u" + _hex(low, 4))
        forms.append(r"\\U" + _hex(code, 8))
    if code < 0x100:
        forms.append(r"\\x" + _hex(code, 2))
    if char in _JSON_SHORT:
        forms.append(re.escape("\\" + _JSON_SHORT[char]))
    encoded = char.encode("utf-8", "surrogatepass")
    forms.append("".join("%" + _hex(byte, 2) for byte in encoded))
    forms.append("".join("%25" + _hex(byte, 2) for byte in encoded))
    forms.append(f"&#(?:0*{code}|[xX]0*{_hex(code, 1)});?")  # HTML allows no ";"
    if char == " ":
        forms.append(r"\+")
    return "(?:" + "|".join(forms) + ")"


def _base64_cores(secret: str) -> set[str]:
    """The base64 characters that depend only on ``secret``, at each of the 3 byte alignments,
    in both alphabets: found inside any base64 text that encodes the key."""
    if len(secret) < MIN_BASE64:
        return set()
    data = secret.encode("utf-8", "surrogatepass")
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + data).decode("ascii")
        core = encoded[-(-8 * offset // 6) : 8 * (offset + len(data)) // 6]
        cores.update({core, core.replace("+", "-").replace("/", "_")})
    return cores


def _tail_pattern(secret: str) -> tuple[int, re.Pattern[str]]:
    """A key's first ``MIN_FRAGMENT`` or more characters (any forms) at the very end of text."""
    chars = [_char_forms(char) for char in secret]
    nested = ""
    for part in reversed(chars[MIN_FRAGMENT:]):
        nested = f"(?:{part}{nested})?"
    pattern = "".join(chars[:MIN_FRAGMENT]) + nested + _PARTIAL_ESCAPE + "\ufffd?\\Z"
    return 40 * len(secret) + 16, re.compile(pattern)


def _rebuild() -> None:
    """Compile the patterns for the registered keys (called with ``_lock`` held)."""
    global _full, _tails
    ordered = sorted(_secrets, key=len, reverse=True)
    forms = ["".join(_char_forms(char) for char in secret) for secret in ordered]
    cores = sorted({core for secret in ordered for core in _base64_cores(secret)}, key=len)
    forms += [re.escape(core) for core in reversed(cores)]
    _full = re.compile("|".join(forms)) if forms else None
    _tails = [_tail_pattern(secret) for secret in ordered]


def register(secret: str | None) -> None:
    """Remember a key so that ``redact`` masks it wherever it turns up."""
    if not isinstance(secret, str) or len(secret) < MIN_SECRET:
        return
    with _lock:
        if secret not in _secrets:
            _secrets.add(secret)
            _rebuild()


def redact(text: str) -> str:
    """``text`` with every registered key, in any of its forms, replaced by ``***``."""
    pattern = _full
    return text if pattern is None else pattern.sub(MASK, text)


def found_in(text: str) -> bool:
    """Does ``text`` hold a registered key in any of its forms? (One scan: a body that holds
    none, the usual case, need not be masked string by string once decoded.)"""
    pattern = _full
    return pattern is not None and pattern.search(text) is not None


def _mask_tail(text: str) -> str:
    """``text`` with a key fragment at its end (a key cut short) replaced by ``***``."""
    for window, pattern in _tails:
        start = max(0, len(text) - window)
        match = pattern.search(text, start)
        if match:
            text = text[: match.start()] + MASK
    return text


def redact_cut(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``: masked first, then cut, then any fragment of
    a key left at the end (by this cut or by one made before) masked too."""
    return _mask_tail(redact(text)[: max(0, limit)])


def redact_json(value: Any) -> Any:
    """A decoded JSON value with every registered key masked in its strings."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    if isinstance(value, dict):
        return {redact(str(k)): redact_json(v) for k, v in value.items()}
    return value


_formatter = logging.Formatter()


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:  # a bad format string: show what there is, masked below
        return f"{record.msg!s} {record.args!r}"


class RedactingFilter(logging.Filter):
    """Masks keys in every record of the ``nb_jobstatus`` logger: the message and its
    arguments, the exception text and traceback, and the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _full is None:
            return True
        record.msg, record.args = redact(_message(record)), None
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        record.exc_info = None  # formatters print exc_text; the exception object stays here
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


logger = logging.getLogger("nb_jobstatus")
logger.addFilter(RedactingFilter())
