"""URLs a user pastes and what a submit call returns: which provider, request and API base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from clipia._types import SubmitResponse

from nb_jobstatus.core.errors import ConfigurationError
from nb_jobstatus.core.model import State, Status
from nb_jobstatus.core.providers import PROVIDERS, design_link, match_url, napkin, sivi
from nb_jobstatus.core.providers.submission import Submission, from_submission

UUID = "764cabcf-b745-4b3e-ae38-1200304cf45b"
SIVI_QUERY = "queryParams=%7B%22requestId%22%3A%22sbhMkIZKCPp%22%7D"

# (URL, provider, API base, request id): every form the magic has accepted
ACCEPTED = [
    (f"https://api.napkin.ai/v1/visual/{UUID}/status", "napkin", "https://api.napkin.ai", UUID),
    (f"https://api.napkin.ai/v1/visual/{UUID}", "napkin", "https://api.napkin.ai", UUID),
    (f"https://api.napkin.ai/v1/visual/{UUID}/", "napkin", "https://api.napkin.ai", UUID),
    (f"https://api.napkin.ai/v1/visual/{UUID}/file/abc_c", "napkin", "https://api.napkin.ai", UUID),
    (f"https://api.clipia.ai/v1/requests/{UUID}/status", "clipia", "https://api.clipia.ai", UUID),
    (f"https://api.clipia.ai/v1/requests/{UUID}", "clipia", "https://api.clipia.ai", UUID),
    (f"https://api.clipia.ai/v1/requests/{UUID}?x=1#y", "clipia", "https://api.clipia.ai", UUID),
    (f"http://127.0.0.1:8123/v1/requests/{UUID}/status", "clipia", "http://127.0.0.1:8123", UUID),
    (f"HTTPS://user:pw@api.clipia.ai/v1/requests/{UUID}", "clipia", "https://api.clipia.ai", UUID),
    (
        f"https://connect.sivi.ai/api/prod/v2/general/get-request-status?{SIVI_QUERY}",
        "sivi",
        "https://connect.sivi.ai/api/prod/v2",
        "sbhMkIZKCPp",
    ),
    (
        f"http://localhost:9/sivi/general/get-request-status/?{SIVI_QUERY}&x=1",
        "sivi",
        "http://localhost:9/sivi",
        "sbhMkIZKCPp",
    ),
]


@pytest.mark.parametrize(("url", "provider", "base", "request_id"), ACCEPTED)
def test_pasted_urls(url: str, provider: str, base: str, request_id: str) -> None:
    found = match_url(url)
    assert found is not None
    assert (found.provider.name, found.base_url, found.request_id) == (provider, base, request_id)
    assert PROVIDERS[provider].match_url(url) == (base, request_id)
    others = [p for p in PROVIDERS.values() if p.name != provider]
    assert all(p.match_url(url) is None for p in others)


@pytest.mark.parametrize(
    "url",
    [
        f"ftp://api.clipia.ai/v1/requests/{UUID}",
        f"https://api.clipia.ai/v1/requests/{UUID}/result",
        "https://api.clipia.ai/v1/requests/not-a-uuid/status",
        f"https://evil\\@api.clipia.ai/v1/requests/{UUID}",  # parsers disagree on the host
        f"https://api.clipia.ai /v1/requests/{UUID}",
        f"https://api.clipia.ai/v1/requests/{UUID}\n",
        f"https://api.clipia.ai\t/v1/visual/{UUID}",
        f"https://api.clipi\u0430.ai/v1/requests/{UUID}",  # a Cyrillic a
        f"https://api%2Eclipia.ai/v1/requests/{UUID}",
        f"https://api.clipia.ai:99999/v1/requests/{UUID}",
        f"https:///v1/requests/{UUID}",
        f"/v1/requests/{UUID}",
        UUID,
        "",
        "https://" + "a" * 10_000 + f"/v1/requests/{UUID}",
    ],
)
def test_urls_no_provider_accepts(url: str) -> None:
    assert match_url(url) is None


@pytest.mark.parametrize(
    "query", ["", "queryParams=", "queryParams=%7B%7D", "queryParams=" + "%5B" * 2_000]
)
def test_a_sivi_status_url_without_its_request_id(query: str) -> None:
    url = f"https://connect.sivi.ai/api/prod/v2/general/get-request-status?{query}"
    with pytest.raises(ConfigurationError, match="no queryParams"):
        match_url(url)


@pytest.mark.parametrize(
    ("url", "design"),
    [
        (
            "https://instant.sivi.ai/#/design/97026520-1f1b-11f0-ada0-01392001fe46",
            "97026520-1f1b-11f0-ada0-01392001fe46",
        ),
        ("https://instant.sivi.ai/#/results/abc", "abc"),
        ("http://127.0.0.1:5/sivi-app/#design/abc", "abc"),
        ("https://instant.sivi.ai/#/variant/sh0V7MlzOPm/independent-design-editor", None),
        ("https://instant.sivi.ai/design/abc", None),
    ],
)
def test_sivi_design_links(url: str, design: str | None) -> None:
    assert sivi.design_id_of(url) == design
    assert design_link(url) == ((sivi.SIVI, design) if design else None)
    assert napkin.NAPKIN.design_id_of(url) is None


def test_the_design_a_sivi_status_names() -> None:
    raw = {"status": 200, "body": {"status": "pending", "designId": "d-1"}}
    assert sivi.design_id_in(sivi.parse("sbhMkIZKCPp", raw)) == "d-1"
    linked = Status("sivi", "r", State.QUEUED, view_url="https://instant.sivi.ai/#/design/d-2")
    assert sivi.design_id_in(linked) == "d-2"
    assert sivi.design_id_in(Status("sivi", "r", State.QUEUED)) is None


def test_policy_hints() -> None:
    assert (PROVIDERS["napkin"].reports_progress, PROVIDERS["napkin"].reports_queue) == (
        False,
        False,
    )
    assert PROVIDERS["napkin"].expires_after == 1800.0
    assert all(
        PROVIDERS[n].reports_progress and PROVIDERS[n].reports_queue for n in ("sivi", "clipia")
    )
    assert not hasattr(PROVIDERS["sivi"], "docs_url")


# -- what a submit call returned --------------------------------------------------------------

STATUS_URL = f"https://api.clipia.ai/v1/requests/{UUID}/status"


def test_the_clipia_sdk_submit_response() -> None:
    data = {
        "request_id": UUID,
        "status": "IN_QUEUE",
        "status_url": STATUS_URL,
        "response_url": f"https://api.clipia.ai/v1/requests/{UUID}",
    }
    found = from_submission(SubmitResponse.from_dict(data))
    assert found == Submission("clipia", UUID, STATUS_URL, "https://api.clipia.ai")


@dataclass
class Returned:
    request_id: Any
    status_url: Any = None


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (
            {"request_id": UUID, "status_url": STATUS_URL},
            Submission("clipia", UUID, STATUS_URL, "https://api.clipia.ai"),
        ),
        ({"id": UUID, "status": "pending"}, Submission(None, UUID)),
        ({"requestId": "sbhMkIZKCPp"}, Submission(None, "sbhMkIZKCPp")),
        ({"status": 200, "body": {"requestId": "sbhMkIZKCPp"}}, Submission("sivi", "sbhMkIZKCPp")),
        (
            {"id": UUID, "response_url": f"http://127.0.0.1:7/v1/visual/{UUID}"},
            Submission(
                "napkin", UUID, f"http://127.0.0.1:7/v1/visual/{UUID}", "http://127.0.0.1:7"
            ),
        ),
        (Returned(UUID), Submission(None, UUID)),
        (
            Returned(UUID, STATUS_URL),
            Submission("clipia", UUID, STATUS_URL, "https://api.clipia.ai"),
        ),
        (f" {STATUS_URL} ", Submission("clipia", UUID, STATUS_URL, "https://api.clipia.ai")),
        # a URL for another request (or no provider's form) does not name the provider
        ({"request_id": "other", "status_url": STATUS_URL}, Submission(None, "other", STATUS_URL)),
        ({"request_id": UUID, "status_url": "https://x/y"}, Submission(None, UUID, "https://x/y")),
    ],
)
def test_submissions(obj: object, expected: Submission) -> None:
    assert from_submission(obj) == expected


@pytest.mark.parametrize(
    ("obj", "words"),
    [
        (None, "cannot follow a NoneType"),
        (42, "cannot follow a int"),
        (Returned(42), "cannot follow a Returned"),
        ({"status": "IN_QUEUE"}, "has no request id"),
        ({"request_id": ""}, "has no request id"),
        ({"request_id": 7}, "has no request id"),
        ("not a url", "is not a Sivi, Napkin or Clipia status URL"),
        ("https://example.com/v1/things/1", "is not a Sivi, Napkin or Clipia status URL"),
        ("https://connect.sivi.ai/api/prod/v2/general/get-request-status", "no queryParams"),
    ],
)
def test_what_is_not_a_submission(obj: object, words: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        from_submission(obj)
    assert words in str(caught.value) and "\n" not in str(caught.value)
