"""core.jsonbody.decode: any bytes give JSON or a ResponseError, never another exception."""

from __future__ import annotations

import json
import math
import time

import pytest

from nb_jobstatus.core.errors import ResponseError
from nb_jobstatus.core.jsonbody import MAX_DEPTH, decode, nesting_depth


def test_documented_json_decodes_as_json_does() -> None:
    body = {"status": 200, "body": {"progress": 45, "ratio": 0.5, "logs": ["a", {"b": None}]}}
    content = json.dumps(body).encode()
    assert decode(content) == json.loads(content)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"\xff\xfe{}", "not UTF-8 text (byte 0xff at offset 0)"),
        (b'{"a": "caf\xe9"}', "not UTF-8 text (byte 0xe9 at offset 10)"),
        (b"\xed\xa0\x80", "not UTF-8"),  # a surrogate encoded in UTF-8 is invalid UTF-8
        (b"", "is empty"),
        (b" \n\t", "is empty"),
        (b"<html>502 Bad Gateway</html>", "not valid JSON: Expecting value at line 1 column 1"),
        (b'{"a": 1', "not valid JSON"),
        (b'{"a": 1}{"b": 2}', "Extra data"),
        (b'{"a": "\x01"}', "Invalid control character"),
        (b'{"a": "\\x"}', "Invalid \\escape"),
        (b"[1, 2,]", "not valid JSON"),
        (b'"unterminated', "not valid JSON"),
    ],
)
def test_what_is_not_json_is_a_response_error(content: bytes, words: str) -> None:
    with pytest.raises(ResponseError) as caught:
        decode(content)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_message_never_quotes_the_body() -> None:
    secret = b"sk-canary-0123456789"
    for content in (b"<p>" + secret, b'{"key": "' + secret + b'"', secret + b"\xff"):
        with pytest.raises(ResponseError) as caught:
            decode(content)
        assert secret.decode("latin-1") not in str(caught.value)


def test_context_goes_onto_the_error() -> None:
    with pytest.raises(ResponseError) as caught:
        decode(b"nope", what="the Clipia status", provider="clipia", http_status=200)
    assert caught.value.provider == "clipia" and caught.value.http_status == 200
    assert str(caught.value).startswith("the Clipia status is not valid JSON")


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000, 1_000_000])
@pytest.mark.parametrize(("open_", "close"), [("[", "]"), ('{"a":', "}"), ('[{"k":', "}]")])
def test_deep_nesting_is_refused_without_recursion(depth: int, open_: str, close: str) -> None:
    content = (open_ * depth + close * depth).encode()
    with pytest.raises(ResponseError, match="nested"):
        decode(content)


def test_deep_nesting_is_refused_in_linear_time() -> None:
    content = b"[" * 2_000_000 + b"]" * 2_000_000
    started = time.perf_counter()
    with pytest.raises(ResponseError, match=r"nested \d+ levels"):
        decode(content)
    assert time.perf_counter() - started < 10.0  # generous: about 0.3 s here


def test_unbalanced_deep_brackets_are_refused_too() -> None:
    with pytest.raises(ResponseError):
        decode(b"[" * 100_000)
    with pytest.raises(ResponseError):
        decode(b"]" * 100_000)


def test_depth_up_to_the_limit_decodes() -> None:
    content = ("[" * MAX_DEPTH + "]" * MAX_DEPTH).encode()
    value = decode(content)
    for _ in range(MAX_DEPTH - 1):
        (value,) = value
    assert value == []


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('["[[[[[[", "]]]]}}}"]', 1),  # brackets inside strings do not count
        ('["\\"[[[[", "\\\\", [[]]]', 3),  # escaped quotes and backslashes
    ],
)
def test_nesting_depth_ignores_strings(text: str, depth: int) -> None:
    assert nesting_depth(text) == depth


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e309", "-1e400"])
def test_non_finite_numbers_decode_as_null(literal: str) -> None:
    assert decode(f'{{"progress": {literal}}}'.encode()) == {"progress": None}


@pytest.mark.parametrize("digits", [301, 4_301, 5_000, 100_000])
def test_huge_integer_literals_decode_as_null(digits: int) -> None:
    assert decode(b'{"n": ' + b"9" * digits + b"}") == {"n": None}
    assert decode(b"[-" + b"1" * digits + b"]") == [None]


def test_numbers_that_are_fine_stay_numbers() -> None:
    value = decode(b"[0, -3, 1e308, 2.5e-300, 0.1, " + b"9" * 300 + b"]")
    assert value[:5] == [0, -3, 1e308, 2.5e-300, 0.1]
    assert value[5] == int("9" * 300) and math.isfinite(float(value[5]))


def test_lone_surrogates_become_replacement_characters() -> None:
    value = decode(b'{"a\\udc00": ["x\\ud800y", {"k": "\\udfff"}], "ok": "\\ud83d\\ude00"}')
    assert value == {"a\ufffd": ["x\ufffdy", {"k": "\ufffd"}], "ok": "\U0001f600"}
    json.dumps(value, ensure_ascii=False).encode("utf-8")  # encodable again


def test_a_byte_order_mark_is_allowed() -> None:
    assert decode(b'\xef\xbb\xbf{"status": "COMPLETED"}') == {"status": "COMPLETED"}


@pytest.mark.parametrize("content", [None, "text", 42, ["a"]])
def test_content_that_is_not_bytes(content: object) -> None:
    with pytest.raises(ResponseError, match="not bytes"):
        decode(content)  # type: ignore[arg-type]


def test_bytearray_and_memoryview_are_bytes() -> None:
    assert decode(bytearray(b"[1]")) == [1]
    assert decode(memoryview(b'{"a": 2}')) == {"a": 2}


def test_brackets_inside_strings_do_not_make_a_body_deep() -> None:
    text = "[" * 10_000 + "{" * 10_000
    assert decode(json.dumps({"log": [text, "é]"]}).encode()) == {"log": [text, "é]"]}
