"""Parse tables: every documented example response, and the places the docs disagree."""

from __future__ import annotations

import json
import pathlib
from typing import Any

import pytest

from nb_jobstatus.core import providers
from nb_jobstatus.core.errors import ConfigurationError, ResponseError
from nb_jobstatus.core.model import State
from nb_jobstatus.core.providers import clipia, napkin, sivi

EXAMPLES = pathlib.Path(__file__).parent / "examples"
SIVI_ID = "sbhMkIZKCPp"
NAPKIN_ID = "44de9c98-5240-4d53-bded-989164175c9c"
CLIPIA_ID = "764cabcf-b745-4b3e-ae38-1200304cf45b"


def example(name: str) -> Any:
    return json.loads((EXAMPLES / f"{name}.json").read_text())


# (example file, provider, request id, expected fields of the Status)
DOCUMENTED = [
    ("sivi_pending", "sivi", SIVI_ID, {"state": State.QUEUED, "queue_wait_seconds": 0.0}),
    ("sivi_processing", "sivi", SIVI_ID, {"state": State.RUNNING, "progress": 45.0}),
    ("sivi_complete", "sivi", SIVI_ID, {"state": State.COMPLETED, "provider_status": "complete"}),
    ("sivi_failed", "sivi", SIVI_ID, {"state": State.FAILED, "reason": "Image url invalid"}),
    ("napkin_pending", "napkin", NAPKIN_ID, {"state": State.QUEUED, "progress": None}),
    ("napkin_completed", "napkin", NAPKIN_ID, {"state": State.COMPLETED}),
    ("clipia_in_progress", "clipia", CLIPIA_ID, {"state": State.RUNNING, "progress": 45.0}),
]


@pytest.mark.parametrize(("name", "provider", "request_id", "expected"), DOCUMENTED)
def test_documented_examples(name: str, provider: str, request_id: str, expected: dict) -> None:
    data = example(name)
    status = providers.get(provider).parse(request_id, data)
    for field, value in expected.items():
        assert getattr(status, field) == value, field
    assert status.raw == data
    assert status.provider == provider and status.request_id == request_id


def test_sivi_complete_assets_and_links() -> None:
    status = sivi.parse(SIVI_ID, example("sivi_complete"))
    (asset,) = status.assets
    assert (asset.width, asset.height, asset.id) == (1080, 1080, "sh0V7MlzOPm")
    assert asset.media_type == "image/jpeg" and asset.kind == "image"
    assert asset.edit_url and "independent-design-editor" in asset.edit_url
    assert asset.variant_type == "GENERATED"
    assert status.view_url and status.view_url.endswith(
        "/#/design/97026520-1f1b-11f0-ada0-01392001fe46"
    )
    assert status.share_url and "/#/results/" in status.share_url


def test_sivi_options_are_sub_variants() -> None:
    data = example("sivi_complete")
    variation = data["body"]["result"]["variations"][0]
    option = dict(variation, variantId="sh0V7MlzOPm_1", variantType="EDITED", variantWidth=540)
    variation["options"] = [option]
    data["body"]["status"] = "completed"
    status = sivi.parse(SIVI_ID, data)
    assert [a.id for a in status.assets] == ["sh0V7MlzOPm", "sh0V7MlzOPm_1"]
    assert status.assets[1].width == 540 and status.assets[1].variant_type == "EDITED"
    assert status.state is State.COMPLETED


@pytest.mark.parametrize(
    ("word", "state"),
    [
        ("pending", State.QUEUED),
        ("processing", State.RUNNING),
        ("complete", State.COMPLETED),
        ("completed", State.COMPLETED),
        ("failed", State.FAILED),
        ("error", State.FAILED),
        ("paused_by_operator", State.UNKNOWN),
        (None, State.UNKNOWN),
        (42, State.UNKNOWN),
    ],
)
def test_sivi_status_words(word: object, state: State) -> None:
    data = {"status": 200, "body": {"status": word, "requestId": SIVI_ID, "result": None}}
    status = sivi.parse(SIVI_ID, data)
    assert status.state is state
    assert status.provider_status == (None if word is None else str(word))


def test_sivi_envelope_status_is_read() -> None:
    assert sivi.envelope_status({"status": 500, "body": {"message": "x"}}) == 500
    assert sivi.error_detail({"status": 429, "body": {"message": "Rate limit"}}) == (
        None,
        "Rate limit",
    )


def test_napkin_completed_files() -> None:
    status = napkin.parse(NAPKIN_ID, example("napkin_completed"))
    (asset,) = status.assets
    assert (asset.width, asset.height) == (10000, 6086)
    assert asset.media_type == "image/png"
    assert asset.id == "71341ead-774d-4d17-beb5-e5b71fb7a1f4_c"
    assert asset.extra == {
        "visual_id": "5OPCVNNXELCHPDHCCTP42ANBSOJWWATQ",
        "visual_query": "mindmap",
        "style_id": "CSQQ4VB1DGPPRTB7D1T0",
    }


@pytest.mark.parametrize(
    ("fmt", "kind", "media_type"),
    [
        ("svg", "image", "image/svg+xml"),
        ("png", "image", "image/png"),
        (
            "ppt",
            "file",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
    ],
)
def test_napkin_media_type_from_request_format(fmt: str, kind: str, media_type: str) -> None:
    data = example("napkin_completed")
    data["request"]["format"] = fmt
    (asset,) = napkin.parse(NAPKIN_ID, data).assets
    assert (asset.kind, asset.media_type) == (kind, media_type)


def test_napkin_error_and_warnings_of_newer_versions() -> None:
    data = {
        "id": NAPKIN_ID,
        "status": "failed",
        "error": {"code": "content_policy", "message": "Content rejected"},
        "warnings": ["style_id ignored"],
    }
    status = napkin.parse(NAPKIN_ID, data)
    assert (status.state, status.error_code, status.reason) == (
        State.FAILED,
        "content_policy",
        "Content rejected",
    )
    assert status.warnings == ("style_id ignored",)


def test_napkin_processing_from_unofficial_client() -> None:
    assert napkin.parse(NAPKIN_ID, {"status": "processing"}).state is State.RUNNING


@pytest.mark.parametrize(
    ("word", "state"),
    [
        ("IN_QUEUE", State.QUEUED),
        ("IN_PROGRESS", State.RUNNING),
        ("COMPLETED", State.COMPLETED),
        ("FAILED", State.FAILED),
        ("CANCELED", State.CANCELED),
        ("CANCELLED", State.UNKNOWN),
    ],
)
def test_clipia_status_words(word: str, state: State) -> None:
    assert clipia.parse(CLIPIA_ID, {"status": word}).state is state


def test_clipia_queue_and_logs() -> None:
    data = {
        "request_id": CLIPIA_ID,
        "status": "IN_QUEUE",
        "queue_position": 3,
        "progress": None,
        "logs": ["plain line", {"message": "loading model", "level": "INFO"}, 7],
    }
    status = clipia.parse(CLIPIA_ID, data)
    assert (status.state, status.queue_position, status.progress) == (State.QUEUED, 3, None)
    assert status.logs == ("plain line", "loading model", "7")


def test_clipia_result_images_video_and_error() -> None:
    base = clipia.parse(CLIPIA_ID, {"status": "COMPLETED", "queue_position": None})
    result = {
        "request_id": CLIPIA_ID,
        "status": "COMPLETED",
        "output": {
            "images": [
                {
                    "url": "https://media.clipia.ai/a.webp",
                    "original_url": "https://media.clipia.ai/a.png",
                    "width": 1024,
                    "height": 768,
                }
            ],
            "video": {"url": "https://media.clipia.ai/v.mp4", "duration": 4.5, "width": 640},
        },
        "error": None,
    }
    status = clipia.parse_result(base, result)
    image, video = status.assets
    assert (image.kind, image.width, image.height) == ("image", 1024, 768)
    assert image.original_url == "https://media.clipia.ai/a.png"
    assert (video.kind, video.duration, video.width) == ("video", 4.5, 640)
    assert status.raw == result

    failed = clipia.parse_result(
        clipia.parse(CLIPIA_ID, {"status": "FAILED"}),
        {"status": "FAILED", "output": None, "error": {"code": "nsfw", "message": "Blocked"}},
    )
    assert (failed.reason, failed.error_code, failed.assets) == ("Blocked", "nsfw", ())


@pytest.mark.parametrize(
    ("provider", "data"),
    [
        ("sivi", {"status": 200, "body": {"status": "completed", "result": {"variations": None}}}),
        ("napkin", {"status": "completed", "generated_files": None}),
        ("clipia", {"status": "IN_PROGRESS", "logs": None, "progress": "n/a"}),
    ],
)
def test_null_where_a_list_was_documented(provider: str, data: dict) -> None:
    rid = SIVI_ID if provider == "sivi" else CLIPIA_ID
    status = providers.get(provider).parse(rid, data)
    assert status.assets == () and status.logs == ()


@pytest.mark.parametrize(
    ("provider", "data"),
    [("sivi", []), ("sivi", {"status": 200}), ("napkin", "text"), ("clipia", [1, 2])],
)
def test_wrong_shape_is_a_response_error(provider: str, data: Any) -> None:
    with pytest.raises(ResponseError):
        providers.get(provider).parse(SIVI_ID, data)


@pytest.mark.parametrize(
    ("provider", "bad"),
    [
        ("sivi", ""),
        ("sivi", "../etc"),
        ("sivi", "a/b"),
        ("sivi", "a%2Fb"),
        ("sivi", "has space"),
        ("sivi", "x" * 129),
        ("sivi", "ünïcode"),
        ("sivi", "abc\n"),
        ("napkin", "not-a-uuid"),
        ("napkin", "123e4567-e89b-12d3-a456-42661417400/"),
        ("clipia", "764cabcf-b745-4b3e-ae38-1200304cf45b/../x"),
        ("clipia", " 764cabcf-b745-4b3e-ae38-1200304cf45b"),
        ("clipia", None),
    ],
)
def test_malformed_ids_are_refused(provider: str, bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="malformed"):
        providers.get(provider).check_id(bad)


def test_ids_are_percent_encoded_in_urls() -> None:
    assert clipia.status_url("https://x", "a/b?c").endswith("/v1/requests/a%2Fb%3Fc/status")
    assert "%22requestId%22%3A%22sbhMkIZKCPp%22" in sivi.status_url("https://x", SIVI_ID)


def test_unknown_provider() -> None:
    with pytest.raises(ConfigurationError, match="choose one of sivi, napkin, clipia"):
        providers.get("midjourney")
    assert providers.get(" Sivi ").name == "sivi"
