"""Audio and video files (15.1) and the jobs remembered across kernels (15.5), on bytes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from _media_stub import StubJob, wav

from nb_jobstatus.core import media
from nb_jobstatus.core.media import av
from nb_jobstatus.core.media import recent_jobs as recent
from nb_jobstatus.core.model import Asset

SOUND = "https://media.example.com/out/speech.wav?sig=1"
CLIP = "https://media.example.com/out/clip?sig=2"
MP4 = b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2" + bytes(64)


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(folder))
    return folder


def test_a_wav_is_measured_cached_and_saved(tmp_path: Path) -> None:
    job = StubJob({SOUND: wav(1.5), CLIP: MP4}, kinds={SOUND: "audio", CLIP: "video"})
    assert media.cache_all(job)
    sound, clip = job.media[SOUND], job.media[CLIP]
    assert (sound.format, sound.content_type, sound.duration) == ("WAV", "audio/wav", 1.5)
    assert sound.error is None and sound.thumbnail is None and sound.size_bytes == len(wav(1.5))
    assert sound.path is not None and sound.path.suffix == ".wav"
    assert (clip.format, clip.content_type, clip.thumbnail) == ("MP4", "video/mp4", None)
    assert clip.path is not None and clip.path.suffix == ".mp4"
    names = [p.name for p in media.save_all(job, tmp_path / "out")]
    assert names == ["clipia-req-1-0.wav", "clipia-req-1-1.mp4"]


def test_a_truncated_wav_is_timed_by_what_it_holds() -> None:
    data = wav(2.0)
    assert media.wav_duration(data) == 2.0
    assert media.wav_duration(data[: 44 + 8000]) == 0.5  # the header still claims 2 s
    assert media.wav_duration(b"RIFF\0\0\0\0WAVEjunk") is None


def probed(data: bytes, kind: str = "audio", duration: float | None = None) -> media.Media:
    item = media.Media(asset=Asset(url=SOUND, kind=kind, duration=duration), duration=duration)
    av.probe_av(item, data)
    return item


def test_a_reported_duration_that_is_wrong_warns() -> None:
    item = probed(wav(1.0), duration=4.0)
    assert item.duration == 1.0 and item.warning == "reported 4 s, actual 1.0 s"
    assert probed(wav(1.0), duration=1.2).warning is None


def test_an_error_page_is_not_audio() -> None:
    assert probed(b"<!doctype html><html>502</html>").error == "not a audio: text/html"
    assert probed(b"", kind="video").error == "not a video: empty file"


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"ID3\x04\0\0\0\0\0\0", "MP3"),
        (b"\xff\xfb\x90\x64\0\0", "MP3"),
        (b"OggS\0\x02\0\0", "OGG"),
        (b"fLaC\0\0\0\x22", "FLAC"),
        (b"\0\0\0\x20ftypM4A \0\0\0\0", "M4A"),
        (b"\0\0\0\x14ftypqt  \0\0\0\0", "MOV"),
        (MP4, "MP4"),
        (b"\x1aE\xdf\xa3\x9fB\x86\x81", "WEBM"),
    ],
)
def test_formats_from_their_first_bytes(head: bytes, name: str) -> None:
    assert media.av_format(head) == name


def test_formats_from_the_content_type_when_the_bytes_say_nothing() -> None:
    assert media.av_format(b"\0" * 16, "audio/mpeg; charset=x") == "MP3"
    assert media.av_format(b"\0" * 16, "application/octet-stream") is None


# -- recent jobs ---------------------------------------------------------------------------------


@pytest.mark.parametrize("just_written", [False, True])  # True: every entry waits to be written
def test_recent_jobs_most_recent_first_one_row_per_job(
    just_written: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recent, "_written_at", time.monotonic() if just_written else 0.0)
    for rid in ("a", "b", "a", "c"):
        media.remember(StubJob({}, request_id=rid))
    rows = media.recent()
    assert [row.request_id for row in rows] == ["c", "a", "b"]
    first = rows[0]
    assert (first.provider, first.origin, first.state) == (
        "clipia",
        "https://api.example.com:443",
        "completed",
    )
    assert first.base_url == "https://api.example.com:443/v1" and first.stopped is None
    assert media.recent(limit=1) == rows[:1]


def test_recent_is_bounded_and_survives_damage(cache: Path) -> None:
    for number in range(recent.KEEP + 5):
        media.remember(StubJob({}, request_id=f"r{number}"))
    rows = media.recent(limit=1000)
    assert len(rows) == recent.KEEP and rows[0].request_id == f"r{recent.KEEP + 4}"
    recent.flush()  # written at most once a second: what waits, now
    assert len(json.loads((cache / recent.RECENT).read_text())["jobs"]) == recent.KEEP
    (cache / recent.RECENT).write_text('{"jobs": [{"provider": 3}, "x"]')
    assert media.recent() == []
    media.remember(StubJob({}, request_id="after"))
    assert [row.request_id for row in media.recent()] == ["after"]


def test_recent_keeps_no_secret_of_the_base_url(cache: Path) -> None:
    job = StubJob({}, request_id="s")
    job.base_url = "https://user:pw@api.example.com/v1?token=t0ken#frag"
    job.stopped = "canceled"
    media.remember(job)
    recent.flush()
    text = (cache / recent.RECENT).read_text()
    assert "pw" not in text and "t0ken" not in text and "frag" not in text
    (row,) = media.recent()
    assert row.base_url == "https://api.example.com/v1" and row.stopped == "canceled"
    assert json.loads(text)["version"] == 1


def test_remember_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(blocker / "cache"))
    media.remember(StubJob({}))  # no exception, whether written now or waiting
    recent.flush()  # nor when what waits is written
    assert not (blocker / "cache").exists() and blocker.read_text() == "x"
