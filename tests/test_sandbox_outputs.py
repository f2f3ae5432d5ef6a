"""Progress as real generators report it, every Clipia output, and the hostile faults, over real
HTTP (``requests``) to the sandbox; progress scripts also as pure timelines (no clock)."""

from __future__ import annotations

import io
import json
import math
import time
import wave

import pytest
import requests

from nb_jobstatus import sandbox
from nb_jobstatus.sandbox import clipia_bodies, hostile
from nb_jobstatus.sandbox.scripted import napkin_duration
from nb_jobstatus.sandbox.timeline import ProgressScript, Timeline, percent, stepped

AUTH = {"Authorization": "Bearer clipia_live_x"}


def get(sb: sandbox.Sandbox, rid: str, result: bool = False, **kw: object) -> requests.Response:
    url = f"{sb.base_url('clipia')}/v1/requests/{rid}" + ("" if result else "/status")
    return requests.get(url, headers=kw.pop("headers", AUTH), timeout=10, **kw)  # type: ignore[arg-type]


# --- progress scripts (pure) -----------------------------------------------------------------


def reports(timeline: Timeline, every: float = 0.01) -> list[int | None]:
    count = int(timeline.duration / every)
    return [percent(timeline.progress(i * every)) for i in range(count)]


def test_stepped_progress_is_integer_steps_with_load_and_finalize() -> None:
    timeline = Timeline.of(stepped(20, load=1.0, finalize=0.5), 10.0, seed=1)
    seen = reports(timeline)
    assert set(seen[:100]) == {0}  # the load phase
    assert set(seen[-50:]) == {100}  # finalize held at 100
    values = sorted(set(seen))
    assert values == [5 * k for k in range(21)]  # 20 steps, integer percent, no other values
    assert seen == sorted(seen)  # never goes back


def test_step_jitter_is_uneven_and_seeded() -> None:
    script = stepped(10, jitter=0.6)
    one, same, other = (Timeline.of(script, 10.0, seed) for seed in (3, 3, 4))
    assert one.step_times() == same.step_times() != other.step_times()
    gaps = [b - a for a, b in zip([0.0, *one.step_times()], one.step_times(), strict=False)]
    assert max(gaps) > 1.3 * min(gaps)
    assert Timeline.of(stepped(10), 10.0, 3).step_times() == pytest.approx(
        [k for k in range(1, 11)]
    )


def test_stall_holds_progress_then_resumes() -> None:
    timeline = Timeline.of(ProgressScript("linear", stall=(0.5, 4.0)), 10.0, seed=0)
    assert timeline.progress(3.0) == pytest.approx(0.5)
    assert timeline.progress(6.9) == pytest.approx(0.5)
    assert timeline.progress(8.0) == pytest.approx(4 / 6)
    finalize = Timeline.of(ProgressScript("ease", finalize=1.0, finalize_percent=99), 5.0, 0)
    assert percent(finalize.progress(4.5)) == 99


def test_bad_progress_scripts_are_refused() -> None:
    for bad in ({"curve": "wobbly"}, {"steps": 0}, {"jitter": 1.5}, {"stall": (2.0, 1.0)}):
        with pytest.raises(ValueError):
            ProgressScript(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Timeline.of(stepped(load=3, finalize=3), 5.0, seed=0)


def test_clipia_default_is_28_steps_and_its_logs_agree(sb: sandbox.Sandbox) -> None:
    rid = sb.add_job("clipia", duration=2.0)
    began = time.monotonic()
    while time.monotonic() - began < 1.9:
        body = get(sb, rid).json()
        steps = [m for line in body["logs"] if (m := line["message"]).startswith("Step ")]
        done = int(steps[-1].split()[1].split("/")[0]) if steps else 0
        assert body["progress"] == math.floor(100 * done / 28)
        assert all(s.endswith("/28") for s in steps)
        time.sleep(0.05)
    assert "Starting inference: 28 steps" in [line["message"] for line in body["logs"]]


def test_napkin_duration_follows_what_was_asked(sb: sandbox.Sandbox) -> None:
    small = sb.add_job("napkin", format="svg", seed=1)
    large = sb.add_job("napkin", format="png", size=(4000, 4000), seed=1)
    deck = sb.add_job("napkin", format="ppt", images=3, seed=1)
    ends = [sb.finishes_at(rid) or 0.0 for rid in (small, deck, large)]
    assert ends[0] < ends[1] < ends[2]  # 4 s, 9 s x 1.8 for three visuals, 4 + 16 s
    assert napkin_duration("png", (1080, 1080), 1, seed=5) == napkin_duration(
        "png", (1080, 1080), 1, seed=5
    )
    assert 3.5 < napkin_duration("svg", (1, 1), 1, seed=0) < 4.5


def test_finishes_at_is_the_true_finish(sb: sandbox.Sandbox) -> None:
    before = time.monotonic()
    rid = sb.add_job("clipia", queue=1.0, duration=2.0)
    assert before + 3.0 <= (sb.finishes_at(rid, "clipia") or 0) <= time.monotonic() + 3.0
    assert sb.finishes_at("not-known") is None
    typed = sb.demo_id("napkin", seconds=4)
    assert sb.finishes_at(typed) is None  # not started before its first request


# --- every output ------------------------------------------------------------------------------


def test_speech_music_video_and_extra_output(sb: sandbox.Sandbox) -> None:
    speech = get(sb, sb.add_job("clipia", duration=0, audio="speech"), result=True).json()
    music = get(sb, sb.add_job("clipia", duration=0, audio="music", tracks=3), True).json()
    extra = {"text": "a caption", "seed": 42}
    video = get(sb, sb.add_job("clipia", duration=0, video=True, extra_output=extra), True).json()
    assert speech["output"]["audio"] == speech["output"]["audios"][0]
    tracks = [requests.get(t["url"], timeout=10) for t in music["output"]["audios"]]
    assert {t.headers["Content-Type"] for t in tracks} == {"audio/wav"}
    assert len({t.content for t in tracks}) == 3  # three different tracks
    with wave.open(io.BytesIO(tracks[0].content)) as wav:
        assert wav.getnframes() / wav.getframerate() == pytest.approx(1.5)
    clip = requests.get(video["output"]["video"]["url"], timeout=10)
    assert clip.headers["Content-Type"] == "video/mp4"
    assert clip.content[4:8] == b"ftyp" and b"avcC" in clip.content and b"mdat" in clip.content
    assert (video["output"]["video"]["width"], video["output"]["video"]["height"]) == (160, 96)
    assert video["output"]["text"] == "a caption" and video["output"]["seed"] == 42
    assert clipia_bodies.credits(sb_job(sb, video["request_id"])) == video["cost"]


def sb_job(sb: sandbox.Sandbox, rid: str) -> sandbox.scripted.ScriptedJob:
    return sb._app.jobs[("clipia", rid)]


def test_outputs_are_clipia_only(sb: sandbox.Sandbox) -> None:
    for bad in ({"audio": "speech"}, {"extra_output": {"x": 1}}, {"warnings": ["seed"]}):
        with pytest.raises(ValueError):
            sb.add_job("napkin", **bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        sb.add_job("clipia", audio="opera")


# --- hostile faults ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "1000000000", "120s", "Fri, 01 Jan 2100 00:00:00 GMT"])
def test_retry_after_is_sent_as_given(sb: sandbox.Sandbox, value: str) -> None:
    rid = sb.add_job("clipia", duration=0, faults=[f"retry-after:{value}"])
    answer = get(sb, rid)
    assert answer.status_code == 429 and answer.headers["Retry-After"] == value


def test_raw_numbers_and_napkin_retry_after_body(sb: sandbox.Sandbox) -> None:
    rid = sb.add_job("clipia", duration=60, faults=["raw:progress=1e309", "raw:queue_position=NaN"])
    assert get(sb, rid).json()["progress"] == math.inf
    assert math.isnan(get(sb, rid).json()["queue_position"])
    napkin = sb.add_job("napkin", duration=0, faults=["retry-after-body:-1e400"])
    url = f"{sb.base_url('napkin')}/v1/visual/{napkin}/status"
    answer = requests.get(url, headers={"Authorization": "Bearer t"}, timeout=10)
    assert answer.status_code == 429 and b'"retry_after": -1e400' in answer.content


def test_drip_huge_and_deep_bodies(sb: sandbox.Sandbox) -> None:
    rid = sb.add_job("clipia", duration=60, faults=["drip:0.002", "huge:2", "deep:100000"])
    began = time.monotonic()
    dripped = get(sb, rid)
    assert time.monotonic() - began >= 0.002 * len(dripped.content) * 0.9
    assert dripped.json()["status"] == "IN_PROGRESS"
    huge = get(sb, rid, stream=True)
    assert int(huge.headers["Content-Length"]) == 2 * 1024 * 1024
    assert len(huge.content) == 2 * 1024 * 1024 and huge.json()["status"] == "IN_PROGRESS"
    deep = get(sb, rid)
    assert deep.content.count(b"[" * 100000) == 1
    with pytest.raises(RecursionError):
        json.loads(deep.content)


@pytest.mark.parametrize(
    ("fault", "form"),
    [
        ("echo-key", lambda key: key),
        ("echo-key-json", hostile.json_escaped),
        ("echo-key-percent", hostile.percent_encoded),
    ],
)
def test_echo_key_forms(sb: sandbox.Sandbox, fault: str, form: object) -> None:
    key = "sk-live/ECHO-123"
    rid = sb.add_job("clipia", duration=0, faults=[fault])
    answer = get(sb, rid, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 401 and form(key).encode() in answer.content  # type: ignore[operator]
    assert answer.json()["error"]["message"] == f"Invalid API key {key}" or fault != "echo-key"
    if fault == "echo-key-json":
        assert (
            answer.json()["error"]["message"].endswith(key) and key.encode() not in answer.content
        )


def test_echo_key_in_a_header_and_at_an_offset(sb: sandbox.Sandbox) -> None:
    key = "sk-live-OFFSET"
    rid = sb.add_job("clipia", duration=0, faults=["echo-key-header", "echo-key-at:195"])
    header = get(sb, rid, headers={"X-Api-Key": key})
    assert header.status_code == 502 and key in header.headers["Content-Type"]
    at = get(sb, rid, headers={"X-Api-Key": key})
    assert at.status_code == 500 and at.text.index(key) == 195


def test_hostile_faults_are_checked(sb: sandbox.Sandbox) -> None:
    bad = ["drip", "drip:-1", "huge:0", "deep:x", "raw:=1", "echo-key:1", "retry-after-body:1"]
    for fault in bad:
        with pytest.raises(ValueError):
            sb.add_job("clipia", faults=[fault])
