"""Property-based: whatever JSON a provider sends, parsing gives a sane Status or a
ResponseError, never another exception.

The generated bodies follow each provider's documented shape (so the fields are actually
read) with hostile leaves: NaN, infinities, 5,000-digit numbers and strings, ``"²"``,
booleans and objects where numbers belong, 5 MB strings, objects nested 100,000 deep, any
unicode; plus bodies of pure junk and arbitrary bytes through ``jsonbody.decode``.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nb_jobstatus.core.errors import ResponseError
from nb_jobstatus.core.jsonbody import decode
from nb_jobstatus.core.model import Asset, State, Status
from nb_jobstatus.core.providers import PROVIDERS, clipia
from nb_jobstatus.core.providers._values import MAX_LINES, MAX_TEXT, MAX_URL

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TEXT_LIMIT = MAX_TEXT + 40  # the cut text plus "… (N more characters)"


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


SPECIAL = [
    math.nan, math.inf, -math.inf, 1e309, -1.0, -0.0, 0, 1, 100, 101, 10**6 + 1,
    10**5000, -(10**400), "9" * 5000, "²", "٣", "NaN", "Infinity", "1e309", "-5", " 7 ", "",
    True, False, None, [], {}, [1], {"value": 1},
]  # fmt: skip
HUGE = ["x" * 5_000_000, "é" * 50_000, "\n".join(["line"] * 20_000)]
DEEP = [_deep(100_000), _deep(2_000)]


class _Pick:
    """values[i], with a short repr: hypothesis never prints a 10**5000 or a 5 MB string."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values

    def __call__(self, index: int) -> Any:
        return self.values[index]

    def __repr__(self) -> str:
        return f"<one of {len(self.values)} hostile values>"


def one_of_values(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.integers(0, len(values) - 1).map(_Pick(values))


scalars = st.one_of(
    one_of_values(SPECIAL),
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
)
json_junk = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
hostile = st.one_of(json_junk, one_of_values(HUGE), one_of_values(DEEP))


def either(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Half of the time ``good``, half ``bad`` (st.one_of would flatten their branches and
    drown a documented shape in junk)."""
    return st.booleans().flatmap(lambda pick: good if pick else bad)


numbers = either(  # for number fields: mostly numbers, often hostile ones
    st.one_of(
        one_of_values(SPECIAL),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.integers(-(10**6), 10**6),
        st.text(alphabet="0123456789.e+- ²٣", max_size=12),
    ),
    hostile,
)
texts = st.one_of(st.text(max_size=40), one_of_values(HUGE), hostile)
URLS = ["https://m.example/a.png", "https://m/t.MP3?x=1", "https://m/v", "h" * 20_000]
urlish = either(one_of_values(URLS), st.one_of(st.text(max_size=20), hostile))


def some(
    fields: dict[str, st.SearchStrategy[Any]], *required: str
) -> st.SearchStrategy[dict[str, Any]]:
    """Objects with ``required`` and any subset of the other ``fields``, and sometimes a key
    nobody documented."""
    always = {key: fields.pop(key) for key in required}
    return st.fixed_dictionaries(always, optional={**fields, "undocumented": hostile})


def listed(item: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A documented list: a few items (some junk), many copies of one, or junk instead."""
    many = st.tuples(item, st.integers(201, 400)).map(lambda pair: [pair[0]] * pair[1])
    return either(st.one_of(st.lists(either(item, hostile), max_size=5), many), hostile)


def word(*words: str) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(words), texts)


sivi_variant = some({
    "variantImageUrl": urlish, "variantEditLink": urlish, "variantId": texts,
    "variantWidth": numbers, "variantHeight": numbers, "variantType": texts,
}, "variantImageUrl")  # fmt: skip
sivi_options = st.tuples(sivi_variant, listed(sivi_variant)).map(
    lambda pair: {**pair[0], "options": pair[1]}
)
sivi_body = some({
    "status": word("pending", "processing", "completed", "error"),
    "progress": numbers, "queueWaitTime": numbers, "reason": texts, "designId": texts,
    "link": urlish, "shareLink": urlish,
    "result": either(some({"variations": listed(sivi_variant | sivi_options)}), hostile),
})  # fmt: skip
sivi_bodies = st.fixed_dictionaries({"status": numbers, "body": either(sivi_body, hostile)})

napkin_file = some({
    "url": urlish, "width": numbers, "height": numbers, "visual_id": texts,
    "visual_query": texts, "style_id": texts,
}, "url")  # fmt: skip
napkin_bodies = some({
    "status": word("pending", "completed", "failed"),
    "request": either(some({"format": word("svg", "png", "ppt", "PNG")}), hostile),
    "generated_files": listed(napkin_file),
    "error": st.one_of(some({"code": texts, "message": texts}), texts),
    "message": texts, "warnings": listed(texts | some({"code": texts, "message": texts})),
})  # fmt: skip

clipia_status_bodies = some({
    "status": word("IN_QUEUE", "IN_PROGRESS", "COMPLETED"),
    "queue_position": numbers, "progress": numbers,
    "logs": listed(texts | some({"message": texts, "level": texts})),
})  # fmt: skip
clipia_media = some({
    "url": urlish, "original_url": urlish, "width": numbers, "height": numbers,
    "duration": numbers, "format": word("mp3", "wav", "flac"),
}, "url")  # fmt: skip
clipia_output = some({
    "images": listed(clipia_media), "video": clipia_media | hostile,
    "audio": clipia_media | hostile, "audios": listed(clipia_media), "text": texts,
})  # fmt: skip
clipia_results = some({
    "status": texts, "cost": numbers, "output": either(clipia_output, hostile),
    "error": st.one_of(some({"type": texts, "code": texts, "message": texts}), texts),
    "warnings": listed(some({"code": texts, "parameter": texts, "message": texts})),
}, "output")  # fmt: skip


def check_text(value: object, limit: int = TEXT_LIMIT) -> None:
    assert value is None or (isinstance(value, str) and len(value) <= limit), repr(value)[:80]


def check_number(value: object, low: float, high: float, kind: type = float) -> None:
    if value is None:
        return
    assert isinstance(value, kind) and not isinstance(value, bool), repr(value)[:80]
    assert math.isfinite(value) and low <= value <= high, value  # type: ignore[arg-type]


def check_asset(asset: Asset) -> None:
    assert isinstance(asset, Asset) and isinstance(asset.url, str) and asset.url
    assert len(asset.url) <= MAX_URL and asset.kind in {"image", "video", "audio", "file"}
    check_number(asset.width, 1, 100_000, int)
    check_number(asset.height, 1, 100_000, int)
    check_number(asset.duration, 0.0, 1e6)
    for text in (asset.id, asset.media_type, asset.variant_type):
        check_text(text)
    for url in (asset.edit_url, asset.original_url):
        check_text(url, MAX_URL)
    assert all(isinstance(v, str) and len(v) <= TEXT_LIMIT for v in asset.extra.values())


def check(status: Status) -> None:
    """The invariants every view and the policy rely on."""
    assert isinstance(status, Status) and isinstance(status.state, State)
    check_number(status.progress, 0.0, 100.0)
    check_number(status.queue_position, 0, 1_000_000, int)
    check_number(status.queue_wait_seconds, 0.0, 86_400.0)
    check_number(status.cost, 0, 10**12, int)
    for text in (status.provider_status, status.reason, status.error_code):
        check_text(text)
    for url in (status.view_url, status.share_url):
        check_text(url, MAX_URL)
    for lines in (status.logs, status.warnings):
        assert isinstance(lines, tuple) and len(lines) <= MAX_LINES
        assert all(isinstance(line, str) and len(line) <= TEXT_LIMIT for line in lines)
    for asset in status.assets:
        check_asset(asset)
    json.dumps(status.output, allow_nan=False)  # finite numbers, bounded depth: shows as JSON
    repr(status)  # no 5,000-digit int, no deep structure in what a repr shows


def parse_or_refuse(provider: str, data: Any) -> Status | None:
    try:
        status = PROVIDERS[provider].parse("req", data)
    except ResponseError:
        return None
    check(status)
    return status


@SETTINGS
@given(sivi_bodies)
def test_sivi_parse(data: Any) -> None:
    parse_or_refuse("sivi", data)


@SETTINGS
@given(napkin_bodies)
def test_napkin_parse(data: Any) -> None:
    parse_or_refuse("napkin", data)


@SETTINGS
@given(clipia_status_bodies)
def test_clipia_parse(data: Any) -> None:
    parse_or_refuse("clipia", data)


@SETTINGS
@given(clipia_status_bodies, clipia_results)
def test_clipia_parse_result(status_body: Any, result: Any) -> None:
    status = parse_or_refuse("clipia", status_body) or Status("clipia", "req", State.COMPLETED)
    try:
        finished = clipia.parse_result(status, result)
    except ResponseError:
        return
    check(finished)


@SETTINGS
@given(clipia_media, sivi_variant, napkin_file)
def test_one_file_of_each_kind(media: Any, variant: Any, file: Any) -> None:
    """One file at a time, so that every hostile size and URL meets the parse."""
    output = {"images": [media], "video": media, "audio": media, "audios": [media, media]}
    check(clipia.parse_result(Status("clipia", "r", State.COMPLETED), {"output": output}))
    result = {"variations": [{**variant, "options": [variant]}]}
    check(PROVIDERS["sivi"].parse("r", {"status": 200, "body": {"result": result}}))
    napkin_body = {"status": "completed", "generated_files": [file], "request": {"format": "ppt"}}
    check(PROVIDERS["napkin"].parse("r", napkin_body))


@SETTINGS
@given(st.sampled_from(sorted(PROVIDERS)), hostile)
def test_junk_where_the_body_belongs(provider: str, junk: Any) -> None:
    parse_or_refuse(provider, junk)


@SETTINGS
@given(st.sampled_from(sorted(PROVIDERS)), json_junk)
def test_json_from_the_wire(provider: str, junk: Any) -> None:
    """Junk that went through JSON text and decode(): what the client actually parses."""
    data = decode(wire(junk))
    parse_or_refuse(provider, data)


def wire(value: Any) -> bytes:
    """JSON text as a server might send it: NaN, Infinity and 5,000-digit literals included
    (Python refuses to write ints past 4,300 digits; lifted here only while writing)."""
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        return json.dumps(value).encode()
    finally:
        sys.set_int_max_str_digits(limit)


@SETTINGS
@given(st.sampled_from(sorted(PROVIDERS)), st.binary(max_size=200))
def test_arbitrary_bytes(provider: str, content: bytes) -> None:
    try:
        data = decode(content)
    except ResponseError:
        return
    parse_or_refuse(provider, data)
