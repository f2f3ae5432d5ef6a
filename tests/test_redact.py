"""Masking (issue 10.2): every form a registered key takes in text, cut edges, and the logs."""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import re
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nb_jobstatus.core import redact as r

KEYS = ["canary-KEY-d3adb33f0123456789", "sk-live/Ab+c_9xYZ-0123456789", "clipia_test_0a1B2c3D"]
for _key in KEYS:
    r.register(_key)


def forms(key: str) -> list[str]:
    """The key as it turns up in bodies, URLs, HTML and headers."""
    pct = "".join(f"%{ord(c):02X}" for c in key)
    return [
        key,
        json.dumps(key)[1:-1].replace("/", "\\/"),
        "".join(f"\\u{ord(c):04x}" for c in key),
        "".join(f"\\u{ord(c):04X}" if i % 2 else c for i, c in enumerate(key)),
        "".join(f"\\x{ord(c):02x}" for c in key),
        urllib.parse.quote(key, safe=""),
        pct,
        pct.lower(),
        urllib.parse.quote(pct, safe=""),
        "".join(f"%{ord(c):02x}" if i % 3 == 0 else c for i, c in enumerate(key)),
        "".join(f"&#{ord(c)};" for c in key),
        "".join(f"&#x{ord(c):X};" if i % 2 else c for i, c in enumerate(key)),
    ]


@pytest.mark.parametrize("key", KEYS)
def test_every_form_of_every_key_is_masked(key: str) -> None:
    for form in forms(key):
        out = r.redact(f'{{"echo": "{form}", "n": 1}}')
        assert form not in out and r.MASK in out, form
        assert out.startswith('{"echo": "') and out.endswith('", "n": 1}')


@pytest.mark.parametrize("key", KEYS)
def test_base64_of_a_key_is_masked_at_every_alignment(key: str) -> None:
    for prefix in ("", "a", "ab", "user:", "Bearer x"):
        for suffix in ("", "z", "zz", "\n"):
            data = (prefix + key + suffix).encode()
            for encoded in (base64.b64encode(data), base64.urlsafe_b64encode(data)):
                text = "Authorization: Basic " + encoded.decode()
                out = r.redact(text)
                assert r.MASK in out
                assert key not in _b64_decodings(out), (prefix, suffix)


def _b64_decodings(text: str) -> str:
    """Whatever can be decoded from the base64-looking runs of ``text``."""
    out = []
    for run in re.findall(r"[A-Za-z0-9+/_-]{4,}", text):
        for start in range(4):
            chunk = run[start:]
            chunk = chunk[: len(chunk) // 4 * 4]
            try:
                out.append(base64.urlsafe_b64decode(chunk.replace("+", "-").replace("/", "_")))
            except ValueError:
                continue
    return b"|".join(out).decode("latin-1")


ENCODERS = [
    lambda c: c,
    lambda c: f"\\u{ord(c):04x}",
    lambda c: f"\\u{ord(c):04X}",
    lambda c: f"%{ord(c):02x}",
    lambda c: f"%{ord(c):02X}",
    lambda c: f"%25{ord(c):02X}",
    lambda c: f"&#{ord(c)};",
    lambda c: f"&#x{ord(c):x};",
    lambda c: "\\/" if c == "/" else c,
]


@settings(max_examples=400, deadline=None)
@given(
    key=st.sampled_from(KEYS),
    picks=st.lists(st.integers(0, len(ENCODERS) - 1), min_size=40, max_size=40),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
)
def test_any_mix_of_escaped_and_plain_characters_is_masked(
    key: str, picks: list[int], before: str, after: str
) -> None:
    form = "".join(ENCODERS[pick](char) for pick, char in zip(picks, key, strict=False))
    out = r.redact(before + form + after)
    assert form not in out and key not in _decoded(out)


def _decoded(text: str) -> str:
    """``text`` with JSON, percent and HTML escapes undone (twice, for double encodings)."""
    for _ in range(2):
        text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
        text = urllib.parse.unquote(html.unescape(text.replace("\\/", "/")))
    return text


@pytest.mark.parametrize("key", KEYS)
def test_redact_cut_masks_first_then_cuts_and_masks_a_fragment_left_at_the_end(key: str) -> None:
    text = f"error from server: {key} and more text after it"
    for limit in range(len(text) + 3):
        out = r.redact_cut(text, limit)
        assert len(out) <= limit and key not in out
        assert not _ends_with_fragment(_decoded(out), key), (limit, out)


@pytest.mark.parametrize("key", KEYS)
def test_a_key_cut_before_masking_is_masked_in_any_form(key: str) -> None:
    for form in forms(key):
        for end in range(len(form)):
            out = r.redact_cut('{"message": "bad key ' + form[:end], 500)
            assert not _ends_with_fragment(_decoded(out), key), (form[:end], out)


def _ends_with_fragment(text: str, key: str) -> bool:
    return any(text.endswith(key[:size]) for size in range(r.MIN_FRAGMENT, len(key) + 1))


def test_short_fragments_and_ordinary_text_are_left_alone() -> None:
    assert r.redact_cut("the word can", 100) == "the word can"  # "can" < 4 characters
    assert r.redact_cut("nothing secret here", 7) == "nothing"
    assert r.redact("canary-KEY") == "canary-KEY"  # not the key, only its start
    r.register(None)
    r.register("abc")  # too short to mask: would mask ordinary words
    assert r.redact("abc abcd") == "abc abcd"


def test_redact_json_masks_keys_and_values_deeply() -> None:
    key = KEYS[0]
    data = {"a": [key, {"b": f"x {key} y", key: 1}], "n": 2, "none": None}
    out = r.redact_json(data)
    assert key not in json.dumps(out)
    assert out["n"] == 2 and out["none"] is None and out["a"][1]["b"] == "x *** y"


def test_the_logger_masks_messages_args_exceptions_and_stacks() -> None:
    key, escaped = KEYS[1], "".join(f"\\u{ord(c):04x}" for c in KEYS[2])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    r.logger.addHandler(handler)
    try:
        r.logger.warning("key %s in %r", key, {"k": key}, stack_info=True)
        try:
            raise ValueError(f"bad key {key} / {escaped}")
        except ValueError as exc:
            r.logger.exception("failed: %s", exc)
            r.logger.error("again", exc_info=(type(exc), exc, exc.__traceback__))
        r.logger.warning("bad format %d", key)  # a broken call still masks
    finally:
        r.logger.removeHandler(handler)
    text = stream.getvalue()
    assert "Traceback" in text and "Stack (most recent call last)" in text
    assert text.count(r.MASK) >= 6
    for key in KEYS:
        assert key not in _decoded(text)
