"""The sandbox over real HTTP (plain ``requests``): typed ids, progress curves and overrides,
keys when configured, rate limits per provider and key."""

from __future__ import annotations

import time

import pytest
import requests
from _sandbox_http import NAPKIN_AUTH, at, clipia, napkin, sivi

from nb_jobstatus import sandbox

# --- typed ids -------------------------------------------------------------------------------


def test_typed_ids_start_at_their_first_request(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    sivi_id = "demo-ok-1s-3img"
    napkin_id = "fa11ed00-0001-4001-8000-000000000007"
    clipia_id = sb.demo_id("clipia", "canceled", seconds=1, images=2)
    assert clipia_id.startswith("ca9ce1ed-0001-4002-")
    time.sleep(0.3)  # the jobs do not exist yet: this does not count
    start = time.monotonic()
    assert sivi(sb, http, sivi_id).json()["body"]["status"] == "pending"
    assert napkin(sb, http, napkin_id).json()["status"] == "pending"
    assert clipia(sb, http, clipia_id).json()["status"] == "IN_QUEUE"
    at(start, 1.1)
    body = sivi(sb, http, sivi_id).json()["body"]
    assert body["status"] == "completed" and len(body["result"]["variations"]) == 3
    assert napkin(sb, http, napkin_id).json()["status"] == "failed"
    assert clipia(sb, http, clipia_id).json()["status"] == "CANCELED"


def test_typed_expired_and_ids_outside_the_convention(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    assert sivi(sb, http, "demo-expire-0s").status_code == 410
    assert napkin(sb, http, "dead0000-0000-4001-8000-000000000000").status_code == 410
    assert napkin(sb, http, "ca9ce1ed-0000-4001-8000-000000000000").status_code == 404
    assert sivi(sb, http, "demo-maybe-3s").status_code == 404
    assert sivi(sb, http, sb.demo_id("sivi", "failed", 0)).json()["body"]["status"] == "failed"
    assert sb.demo_id("napkin") != sb.demo_id("napkin")
    with pytest.raises(ValueError):
        sb.demo_id("sivi", "canceled")


def test_expired_outcome_answers_410_on_every_provider(
    sb: sandbox.Sandbox, http: requests.Session
) -> None:
    ids = {p: sb.add_job(p, duration=1.0, outcome="expired") for p in ("sivi", "napkin", "clipia")}
    assert sivi(sb, http, ids["sivi"]).json()["body"]["status"] == "processing"
    time.sleep(1.1)
    assert sivi(sb, http, ids["sivi"]).json() == {
        "status": 410,
        "body": {"message": "Request has expired and is no longer available"},
    }
    assert napkin(sb, http, ids["napkin"]).status_code == 410
    assert clipia(sb, http, ids["clipia"]).json()["error"]["code"] == "expired"


# --- progress curves and overrides --------------------------------------------------------------


def test_progress_curves_and_overrides(sb: sandbox.Sandbox, http: requests.Session) -> None:
    ease = sb.add_job("clipia", duration=1.0, progress="ease")
    none = sb.add_job("clipia", duration=1.0, progress="none")
    hostile = {"shareLink": "javascript:alert(1)", "reason": "<script>x</script>"}
    sivi_id = sb.add_job("sivi", duration=0, outcome="failed", overrides=hostile)
    time.sleep(0.4)
    assert clipia(sb, http, ease).json()["progress"] >= 70  # 1 - 0.6 ** 3 = 0.78
    assert clipia(sb, http, none).json()["progress"] is None
    body = sivi(sb, http, sivi_id).json()["body"]
    assert body["shareLink"] == hostile["shareLink"] and body["reason"] == hostile["reason"]


# --- keys ------------------------------------------------------------------------------------


def test_keys_are_checked_when_configured(http: requests.Session) -> None:
    keys = {"sivi": "s-key", "napkin": "n-key", "clipia": "clipia_live_c"}
    with sandbox.start(keys=keys) as keyed:
        rid = keyed.add_job("sivi", duration=0)
        assert sivi(keyed, http, rid).json() == {
            "status": 401,
            "body": {"message": "Authentication required or invalid API key"},
        }
        assert sivi(keyed, http, rid, key="s-key").status_code == 200
        nid = keyed.add_job("napkin", duration=0)
        assert napkin(keyed, http, nid).status_code == 401
        good = {"Authorization": "Bearer n-key"}
        status = http.get(f"{keyed.base_url('napkin')}/v1/visual/{nid}/status", headers=good)
        url = status.json()["generated_files"][0]["url"]
        assert http.get(url, headers=NAPKIN_AUTH).status_code == 401
        assert http.get(url, headers=good).status_code == 200
        cid = keyed.add_job("clipia", duration=0)
        wrong = clipia(keyed, http, cid)
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
        for header in ("Bearer clipia_live_c", "Key clipia_live_c"):
            assert clipia(keyed, http, cid, headers={"Authorization": header}).status_code == 200
        assert clipia(keyed, http, cid, headers={"X-Api-Key": "clipia_live_c"}).status_code == 200


# --- rate limits -------------------------------------------------------------------------------


def test_rate_limits_per_provider_and_key(http: requests.Session) -> None:
    limits = {"sivi": (2, 2.0), "napkin": (1, 2.0), "clipia": (1, 2.0)}  # room for a slow machine
    with sandbox.start(rate_limits=limits) as limited:
        rid = limited.add_job("sivi", duration=0)
        assert [sivi(limited, http, rid).status_code for _ in range(3)] == [200, 200, 429]
        over = sivi(limited, http, rid)
        assert over.json() == {
            "status": 429,
            "body": {"message": "Rate limit exceeded. Please try again later."},
        }
        assert "Retry-After" not in over.headers
        assert sivi(limited, http, rid, key="other").status_code == 200
        nid = limited.add_job("napkin", duration=0)
        napkin(limited, http, nid)
        body = napkin(limited, http, nid).json()
        assert {"limit", "window", "reset_time", "retry_after"} <= set(body)
        cid = limited.add_job("clipia", duration=0)
        clipia(limited, http, cid)
        refused = clipia(limited, http, cid)
        assert refused.status_code == 429 and refused.headers["Retry-After"] in ("1", "2")
        assert refused.headers["RateLimit-Remaining"] == "0"
        time.sleep(2.05)
        assert sivi(limited, http, rid).status_code == 200
