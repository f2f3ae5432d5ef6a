"""``njs.watch`` takes what a submit call returned: the Clipia SDK's ``SubmitResponse``, a dict
(``request_id`` / ``id`` / ``requestId``, ``status_url``, a Sivi envelope) or a status URL; the
provider is read from the URL, and the key goes only where the pasted-URL rule allows."""

from __future__ import annotations

from typing import Any

import pytest
from _magic_fixtures import settle  # noqa: F401  (autouse: this test's jobs end in it)

import nb_jobstatus as njs
from nb_jobstatus import ConfigurationError, State
from nb_jobstatus.core.providers import PROVIDERS
from nb_jobstatus.sandbox import Sandbox

clipia = pytest.importorskip("clipia")

KEY_VARIABLES = tuple(name for p in PROVIDERS.values() for name in p.key_env)
BASE_VARIABLES = tuple(p.base_env for p in PROVIDERS.values())
FOREIGN = "https://evil.example"
UUID = "764cabcf-b745-4b3e-ae38-1200304cf45b"
OTHER_URL = "http://127.0.0.1:9/v1/requests/00000000-0000-4000-8000-000000000000"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, sb: Sandbox) -> pytest.MonkeyPatch:
    """The sandbox's keys for all three providers and no base URL variables: the base of each
    job comes from the reference, or it is the real API (then nothing may be sent)."""
    for name in KEY_VARIABLES + BASE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in sb.environment().items():
        if not name.endswith("_BASE_URL"):
            monkeypatch.setenv(name, value)
    return monkeypatch


def status_url(sb: Sandbox, rid: str) -> str:
    return f"{sb.base_url('clipia')}/v1/requests/{rid}/status"


def submitted(sb: Sandbox, rid: str) -> Any:
    """What ``clipia.Clipia(...).submit(...)`` returns (the sandbox has no submit endpoint:
    the SDK's own type, made from the body Clipia's submit answers with)."""
    body = {
        "request_id": rid,
        "status": "IN_QUEUE",
        "queue_position": 0,
        "status_url": status_url(sb, rid),
        "response_url": f"{sb.base_url('clipia')}/v1/requests/{rid}",
        "cost": 4,
    }
    return clipia.SubmitResponse.from_dict(body)


def sent_for(sb: Sandbox, rid: str) -> list[Any]:
    return [r for r in sb.requests if r.request_id == rid and r.origin == "api"]


def test_the_sdks_submit_response(sb: Sandbox, env: Any) -> None:
    rid = sb.add_job("clipia", duration=0.3, images=2, size=(64, 48))
    job = njs.watch(submitted(sb, rid), display=False)
    assert (job.provider, job.request_id) == ("clipia", rid)
    assert job.client.base_url == sb.base_url("clipia")  # from status_url: a loopback base
    status = job.wait(10)
    assert status.state is State.COMPLETED and len(status.assets) == 2
    assert sent_for(sb, rid), "the status was polled on the sandbox"


def test_provider_named_and_a_list(sb: Sandbox, env: Any) -> None:
    ids = [sb.add_job("clipia", duration=0.2) for _ in range(2)]
    found = njs.watch("clipia", [submitted(sb, rid) for rid in ids], display=False)
    assert isinstance(found, list) and [j.request_id for j in found] == ids
    assert [j.wait(10).state for j in found] == [State.COMPLETED] * 2


@pytest.mark.parametrize(
    "shape",
    ["request_id+status_url", "status URL string", "response_url"],
)
def test_dicts_and_urls(sb: Sandbox, env: Any, shape: str) -> None:
    rid = sb.add_job("clipia", duration=0.2)
    url = status_url(sb, rid)
    ref = {
        "request_id+status_url": {"request_id": rid, "status_url": url},
        "status URL string": url,
        "response_url": {"requestId": rid, "response_url": url.removesuffix("/status")},
    }[shape]
    job = njs.watch(ref, display=False)
    assert (job.provider, job.request_id) == ("clipia", rid)
    assert job.wait(10).state is State.COMPLETED


def test_ids_without_a_url(sb: Sandbox, env: Any) -> None:
    """No URL: the provider is named (or is the only one with a key), the base configured."""
    env.setenv("NAPKIN_BASE_URL", sb.base_url("napkin"))
    env.setenv("SIVI_BASE_URL", sb.base_url("sivi"))
    napkin = njs.watch("napkin", {"id": sb.add_job("napkin", duration=0.2)}, display=False)
    envelope = {"status": 200, "body": {"requestId": sb.add_job("sivi", duration=0.2)}}
    sivi = njs.watch("sivi", envelope, display=False)
    for name in KEY_VARIABLES:
        if not name.startswith("SIVI"):
            env.delenv(name, raising=False)
    only = njs.watch({"requestId": sb.add_job("sivi", duration=0.2)}, display=False)
    assert [j.provider for j in (napkin, sivi, only)] == ["napkin", "sivi", "sivi"]
    assert all(j.wait(10).state is State.COMPLETED for j in (napkin, sivi, only))


def test_a_foreign_status_url_needs_base_url(sb: Sandbox, env: Any) -> None:
    rid = sb.add_job("clipia", duration=0.2)
    foreign = {"request_id": rid, "status_url": f"{FOREIGN}/v1/requests/{rid}/status"}
    with pytest.raises(ConfigurationError, match=f"not Clipia's API: add base_url={FOREIGN}"):
        njs.watch(foreign, display=False)
    assert sent_for(sb, rid) == []
    job = njs.watch(foreign, base_url=sb.base_url("clipia"), display=False)  # explicit wins
    assert job.client.base_url == sb.base_url("clipia")
    assert job.wait(10).state is State.COMPLETED


def test_the_real_host_while_the_sandbox_is_in_use(sb: Sandbox, env: Any) -> None:
    env.setenv("CLIPIA_BASE_URL", sb.base_url("clipia"))
    rid = sb.add_job("clipia", duration=0.2)
    real = {"request_id": rid, "status_url": f"https://api.clipia.ai/v1/requests/{rid}/status"}
    with pytest.raises(ConfigurationError, match="CLIPIA_BASE_URL points at a local sandbox"):
        njs.watch(real, display=False)
    assert sent_for(sb, rid) == []


@pytest.mark.parametrize(
    "args, message",
    [
        (("clipia",), r"give a request id: watch\('clipia', REQUEST_ID\)"),
        (("midjourney", "abc123"), "unknown provider 'midjourney': choose one of sivi"),
        ((object(),), "cannot follow a object: pass a request id with its provider"),
        (({"status": "IN_QUEUE"},), r"has no request id \(request_id, requestId or id\)"),
        (({"request_id": UUID, "status_url": OTHER_URL},), "which provider"),  # URL: another id
        (("napkin", f"https://api.clipia.ai/v1/requests/{UUID}"), r"providers \(clipia, napkin\)"),
        ((UUID,), "which provider"),
    ],
)
def test_mistakes_send_nothing(sb: Sandbox, env: Any, args: tuple[Any, ...], message: str) -> None:
    before = len(sb.requests)
    with pytest.raises(ConfigurationError, match=message):
        njs.watch(*args, display=False)
    assert len(sb.requests) == before
