"""Fields a provider sends are untrusted: hostile numbers, huge text, every kind of output."""

from __future__ import annotations

import math
from typing import Any

import pytest

from nb_jobstatus.core.model import State, Status
from nb_jobstatus.core.providers import clipia, napkin, sivi
from nb_jobstatus.core.providers._values import MAX_LINES, MAX_TEXT

SIVI_ID = "sbhMkIZKCPp"
UUID = "764cabcf-b745-4b3e-ae38-1200304cf45b"
HUGE_DIGITS = "9" * 5_000  # int() refuses strings past 4,300 digits
HOSTILE = [
    math.nan,
    math.inf,
    -math.inf,
    1e309,  # json.loads gives inf
    -5,
    -0.5,
    "²",  # str.isdigit() says yes, int() says no
    "٣",  # an Arabic-Indic three: not an ASCII number
    HUGE_DIGITS,
    int(HUGE_DIGITS[:4_000]),
    "NaN",
    "Infinity",
    "1e309",
    True,
    False,
    {"value": 3},
    [3],
    "",
    " ",
    "3 seconds",
]


def short(value: Any) -> str:
    """A test id: huge values named by their type and size."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return f"int of {value.bit_length()} bits"
    return repr(value)[:40]


def sivi_status(**body: Any) -> Status:
    return sivi.parse(SIVI_ID, {"status": 200, "body": {"status": "processing", **body}})


def clipia_status(**body: Any) -> Status:
    return clipia.parse(UUID, {"status": "IN_QUEUE", **body})


def clipia_result(output: Any, **body: Any) -> Status:
    base = clipia.parse(UUID, {"status": "COMPLETED"})
    return clipia.parse_result(base, {"status": "COMPLETED", "output": output, **body})


@pytest.mark.parametrize("value", HOSTILE, ids=short)
def test_hostile_numbers_are_absent_or_in_range(value: Any) -> None:
    status = sivi_status(progress=value, queueWaitTime=value)
    assert status.progress is None or 0.0 <= status.progress <= 100.0
    assert status.queue_wait_seconds is None or 0.0 <= status.queue_wait_seconds <= 86_400.0
    assert clipia_status(queue_position=value).queue_position in (None, 0)
    image = {"url": "https://m/a.png", "width": value, "height": value, "duration": value}
    (asset,) = clipia_result({"images": [image]}, cost=value).assets
    assert asset.width is None and asset.height is None
    assert asset.duration in (None, 0.0)


@pytest.mark.parametrize("value", [math.nan, "NaN", "nan", math.inf, "1e309", None, {"p": 1}])
def test_nan_progress_is_no_progress_never_100(value: Any) -> None:
    assert sivi_status(progress=value).progress is None
    assert clipia.parse(UUID, {"status": "IN_PROGRESS", "progress": value}).progress is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (45, 45.0),
        ("45", 45.0),
        (" 45.5 ", 45.5),
        (100.4, 100.0),
        (-0.0, 0.0),
        (-3, 0.0),
        (250, 100.0),
    ],
)
def test_progress_is_clamped_to_0_100(value: Any, expected: float) -> None:
    assert sivi_status(progress=value).progress == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (3, 3),
        ("3", 3),
        (3.0, 3),
        (3.5, None),
        (-1, None),
        (1_000_000, 1_000_000),
        (1_000_001, None),
        (10**400, None),
    ],
    ids=short,
)
def test_queue_position_range(value: Any, expected: int | None) -> None:
    assert clipia_status(queue_position=value).queue_position == expected


@pytest.mark.parametrize(
    ("ms", "seconds"),
    [(0, 0.0), (1500, 1.5), ("2000", 2.0), (86_400_000, 86_400.0), (86_400_001, None), (-1, None)],
)
def test_sivi_queue_wait_is_milliseconds_up_to_a_day(ms: Any, seconds: float | None) -> None:
    assert sivi_status(queueWaitTime=ms).queue_wait_seconds == seconds


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (10_000, 10_000), (100_000, 100_000), (100_001, None), (0, None), ("640", 640)],
)
def test_pixel_sizes_range(value: Any, expected: int | None) -> None:
    files = [{"url": "https://api.napkin.ai/f", "width": value, "height": value}]
    (asset,) = napkin.parse(UUID, {"status": "completed", "generated_files": files}).assets
    assert asset.width == expected and asset.height == expected


def test_huge_text_is_capped_and_says_so() -> None:
    huge = "r" * 5_000_000
    status = sivi_status(status=huge, reason=huge)
    assert status.reason is not None and len(status.reason) < MAX_TEXT + 100
    assert status.reason.endswith("(4,990,000 more characters)")
    assert status.provider_status is not None and len(status.provider_status) < MAX_TEXT + 100
    assert status.raw["body"]["reason"] is huge  # the raw response keeps the whole value
    logs = clipia_status(logs=[huge, {"message": huge}]).logs
    assert all(len(line) < MAX_TEXT + 100 for line in logs)


def test_only_the_last_log_lines_are_kept() -> None:
    logs = clipia_status(logs=[f"line {i}" for i in range(10_000)]).logs
    assert len(logs) == MAX_LINES
    assert logs[0] == "… 9,801 earlier lines left out" and logs[-1] == "line 9999"


@pytest.mark.parametrize(
    ("word", "shown"),
    [
        (42, "42"),
        (True, "True"),
        ({"a": 1}, "<a JSON object of 1 keys>"),
        ([1, 2], "<a JSON array of 2 items>"),
        (10**5000, "<a huge number>"),
    ],
    ids=short,
)
def test_status_words_of_other_types_are_short_text(word: Any, shown: str) -> None:
    status = clipia_status(status=word)
    assert status.provider_status == shown and status.state is State.UNKNOWN


def test_deep_junk_in_text_fields_does_not_recurse() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    status = clipia_status(status=deep, logs=[{"message": deep}, deep])
    assert status.provider_status == "<a JSON array of 1 items>"
    assert status.logs == ("<a JSON array of 1 items>",) * 2
    result = clipia_result({"text": deep})
    assert isinstance(result.output, dict) and "text" in result.output


def test_urls_that_are_not_strings_or_too_long_make_no_asset() -> None:
    files = [{"url": 3}, {"url": None}, {"url": "h" * 10_000}, {"url": "https://m/ok.png"}]
    status = clipia_result({"images": files})
    assert [a.url for a in status.assets] == ["https://m/ok.png"]


# -- every kind of Clipia output ----------------------------------------------------------


def test_clipia_audio_tracks_listed_once_with_their_type() -> None:
    first = {"url": "https://media.clipia.ai/t1.mp3", "format": "mp3", "duration": 12.5}
    second = {"url": "https://media.clipia.ai/t2", "format": "wav"}
    status = clipia_result({"audio": first, "audios": [first, second]})
    assert [(a.kind, a.url, a.media_type) for a in status.assets] == [
        ("audio", first["url"], "audio/mpeg"),
        ("audio", second["url"], "audio/wav"),
    ]
    assert status.assets[0].duration == 12.5
    assert status.output is None


def test_clipia_audio_alone_and_unknown_format_from_the_extension() -> None:
    status = clipia_result({"audio": {"url": "https://media.clipia.ai/x.ogg", "format": "pcm"}})
    (track,) = status.assets
    assert (track.kind, track.media_type) == ("audio", "audio/ogg")


def test_clipia_video_and_image_types_from_the_url() -> None:
    image = {"url": "https://media.clipia.ai/a.webp?x=1", "original_url": "https://m/a.PNG"}
    video = {"url": "https://media.clipia.ai/v.mp4", "original_url": "https://m/v.mov"}
    status = clipia_result({"images": [image], "video": video})
    picture, clip = status.assets
    assert (picture.media_type, picture.original_media_type) == ("image/webp", "image/png")
    assert (clip.kind, clip.media_type, clip.original_media_type) == (
        "video",
        "video/mp4",
        "video/quicktime",
    )
    assert picture.id == "a.webp"


def test_clipia_other_output_is_kept_as_json() -> None:
    output = {
        "images": [{"url": "https://m/a.png"}],
        "text": "a caption",
        "seed": 42,
        "nsfw": [False],
        "video": "not an object",  # a media key of an unexpected shape is shown, not dropped
        "timings": None,
    }
    status = clipia_result(output)
    assert [a.url for a in status.assets] == ["https://m/a.png"]
    assert status.output == {
        "text": "a caption",
        "seed": 42,
        "nsfw": [False],
        "video": "not an object",
    }


@pytest.mark.parametrize("output", ["just text", 7, ["a", 1]])
def test_clipia_output_that_is_not_an_object(output: Any) -> None:
    status = clipia_result(output)
    assert status.assets == () and status.output == output


def test_clipia_warnings_cost_and_error_type() -> None:
    warnings = [
        {"code": "unknown_parameter", "parameter": "sede", "message": "not a known input"},
        "plain text",
        {"message": "no code"},
    ]
    status = clipia_result(None, warnings=warnings, cost=12)
    assert status.warnings == (
        "unknown_parameter 'sede': not a known input",
        "plain text",
        "no code",
    )
    assert status.cost == 12
    assert clipia_result(None, cost=0.5).cost is None
    failed = clipia_result(None, error={"type": "api_error", "message": "boom"})
    assert (failed.error_code, failed.reason) == ("api_error", "boom")
    assert clipia.error_detail(
        {"error": {"type": "rate_limit_error", "code": "x", "message": "m"}}
    ) == (
        "x",
        "m",
    )
