"""Decoding a response body: bytes in, JSON out, and ``ResponseError`` for anything else.

``decode(content)`` is called on every status and result body. Whatever the bytes are, it
returns the decoded value or raises :class:`~nb_jobstatus.core.errors.ResponseError` with a
one-line message naming what was wrong (never the body's text: it may echo a key):

- bytes that are not UTF-8 (a UTF-8 byte order mark is allowed), an empty body, invalid JSON;
- JSON nested deeper than ``MAX_DEPTH`` levels: checked before decoding, without recursion,
  so a body nested 100,000 deep is refused in linear time instead of raising RecursionError.

Numbers are made safe rather than refused, so that one odd field does not lose the answer:
``NaN``, ``Infinity`` and ``-Infinity`` (which Python's json accepts), float literals that
overflow (``1e309``) and integer literals longer than ``MAX_INT_DIGITS`` digits (which
``int()`` refuses past 4,300 digits, and ``float()`` past ~308) all decode as ``None``.
Lone UTF-16 surrogates (``"\\ud800"``) become U+FFFD, so the text can always be encoded again.
"""

from __future__ import annotations

import json
import math
import re
from itertools import accumulate
from typing import Any

from .errors import ResponseError

MAX_DEPTH = 64
MAX_INT_DIGITS = 300  # float() of any such int is finite; int() never hits Python's limit

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_BYTE_STEP = {ord(c): step for c, step in _STEP.items()}
_NOT_BRACKET_BYTES = bytes(b for b in range(256) if b not in _BYTE_STEP)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def decode(content: bytes, *, what: str = "the response", **context: Any) -> Any:
    """The JSON value of ``content``; ResponseError (with ``context``: provider, request_id,
    http_status) when it is not UTF-8 JSON of sane depth."""
    text = _text(content, what, context)
    if _bracket_depth(bytes(content)) > MAX_DEPTH and (depth := nesting_depth(text)) > MAX_DEPTH:
        raise ResponseError(
            f"{what} is JSON nested {depth} levels deep (at most {MAX_DEPTH} are read)", **context
        )
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except (ValueError, RecursionError) as error:  # RecursionError: belt and braces
        raise ResponseError(f"{what} is not valid JSON: {_why(error)}", **context) from None
    return _fix_surrogates(value) if _SURROGATE_ESCAPE.search(text) else value


def nesting_depth(text: str) -> int:
    """How deep the arrays and objects of a JSON text nest, counted without recursion (brackets
    inside strings do not count). Linear in the length of the text."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(_STEP[c] for c in brackets), default=0)


def _bracket_depth(content: bytes) -> int:
    """An upper bound of the depth, fast: brackets inside strings count too. (In UTF-8, the
    bytes of brackets occur only as brackets.)"""
    brackets = content.translate(None, _NOT_BRACKET_BYTES)
    return max(accumulate(map(_BYTE_STEP.__getitem__, brackets)), default=0)


def _text(content: bytes, what: str, context: dict[str, Any]) -> str:
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise ResponseError(f"{what} is not bytes but {type(content).__name__}", **context)
    try:
        text = bytes(content).decode("utf-8-sig")
    except UnicodeDecodeError as error:
        where = f"byte 0x{error.object[error.start]:02x} at offset {error.start}"
        raise ResponseError(f"{what} is not UTF-8 text ({where})", **context) from None
    if not text.strip():
        raise ResponseError(f"{what} is empty, not JSON", **context)
    return text


def _why(error: Exception) -> str:
    """json's own words (position, not content) for a JSONDecodeError; short for the rest."""
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    return type(error).__name__


def _int(literal: str) -> int | None:
    digits = len(literal) - literal.startswith("-")
    return int(literal) if digits <= MAX_INT_DIGITS else None


def _float(literal: str) -> float | None:
    value = float(literal)
    return value if math.isfinite(value) else None


def _constant(_: str) -> None:
    return None  # NaN, Infinity, -Infinity


def _fix_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate in its strings (keys too) replaced by U+FFFD.
    Iterative; the depth is already bounded by MAX_DEPTH."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = _clean(item)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
        elif isinstance(item, dict):
            cleaned = {_clean(k): v for k, v in item.items()}
            container[key] = cleaned
            stack.extend((cleaned, k) for k in cleaned)
    return root[0]


def _clean(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)
