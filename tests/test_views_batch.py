"""Batches (issue 14, items 1, 2 and 4), Clipia's two files (item 6) and the players of
audio and video (issue 15, item 1), over jobs built from Statuses and real ``Media``."""

from __future__ import annotations

import wave
from pathlib import Path

from bs4 import BeautifulSoup
from test_views_model import StaticJob, running, sivi_done

from nb_jobstatus.core.errors import ProviderError
from nb_jobstatus.core.media import Media
from nb_jobstatus.core.model import Asset, State, Status
from nb_jobstatus.views import job_html, job_text, jobs_html, jobs_text
from nb_jobstatus.views.assets import DATA_URL_LIMIT
from nb_jobstatus.views.many import short_ids

UUIDS = [
    "764cabcf-b745-4b3e-ae38-1200304cf45b",
    "764cabcf-b745-4b3e-ae38-1200304cf46c",
    "11111111-2222-4b3e-ae38-1200304cf45b",
]


def clipia_done(rid: str, count: int = 1) -> StaticJob:
    assets = tuple(
        Asset(f"https://cdn.test/{rid}/{i}.webp", width=64, height=64, media_type="image/webp",
              original_url=f"https://cdn.test/{rid}/{i}.png", original_media_type="image/png")
        for i in range(count)
    )  # fmt: skip
    status = Status("clipia", rid, State.COMPLETED, "COMPLETED", assets=assets)
    return StaticJob("clipia", rid, status)


def test_short_ids_tell_jobs_apart_and_never_truncate_into_look_alikes() -> None:
    jobs = [clipia_done(rid) for rid in UUIDS] + [sivi_done()]
    names = list(short_ids(jobs).values())
    assert len(set(names)) == 4 and "sbhMkIZKCPp" in names
    for name, rid in zip(names, UUIDS, strict=False):
        head, _, tail = name.partition("…")
        assert rid.startswith(head) and rid.endswith(tail) and len(name) < len(rid)


def test_every_card_names_its_job_grouped_by_job() -> None:
    jobs = [clipia_done(rid, 2) for rid in UUIDS]
    page = BeautifulSoup(jobs_html(jobs), "html.parser")
    groups = page.select(".nbjs-group")
    assert [g.select_one("code").get_text() for g in groups] == UUIDS  # the full id, to copy
    cards = page.select(".nbjs-asset")
    assert len(cards) == 6
    owners = [card.select_one(".nbjs-owner") for card in cards]
    assert [o["title"] for o in owners] == [rid for rid in UUIDS for _ in range(2)]
    assert all(o.get_text().startswith("Clipia") for o in owners)
    shown = {o.select_one("code").get_text() for o in owners}
    assert len(shown) == 3
    rows = page.select("table.nbjs-table tbody tr")
    assert [r.select_one("code")["title"] for r in rows] == UUIDS
    assert {r.select_one("code").get_text() for r in rows} == shown


def test_a_big_batch_leads_with_a_summary_and_folds() -> None:
    failures = [
        StaticJob("clipia", f"f-{i}", None, error=ProviderError("boom", provider="clipia",
                  http_status=500)) for i in range(3)
    ]  # fmt: skip
    failures.append(StaticJob("sivi", "abcDEF12345", Status("sivi", "abcDEF12345", State.FAILED,
                    "failed", reason="Image url invalid")))  # fmt: skip
    jobs = [clipia_done(f"ok-{i}") for i in range(14)] + failures + [running(10), running(20)]
    page = BeautifulSoup(jobs_html(jobs), "html.parser")
    summary = " ".join(page.select_one(".nbjs-summary").get_text(" ").split())
    assert "20 jobs" in summary
    assert "completed 14" in summary and "failed 4" in summary and "running 2" in summary
    reasons = [li.get_text() for li in page.select(".nbjs-summary li")]
    assert reasons[0].startswith("3 × HTTP 500") and "Image url invalid" in reasons[1]
    assert page.select_one("details table.nbjs-table") is not None  # the table folds
    assert page.select_one(".nbjs-job").contents[0] == page.select_one(".nbjs-summary")
    text = jobs_text(jobs)
    assert text.splitlines()[0].startswith("20 jobs: 14 completed") and "3 × HTTP 500" in text


def test_clipia_card_says_what_each_file_is() -> None:
    job = clipia_done(UUIDS[0])
    asset = job.status.assets[0]  # type: ignore[union-attr]
    job.media = {asset.url: Media(asset, size_bytes=312 * 1024, format="PNG", width=64,
                                  height=64, source_url=asset.original_url)}  # fmt: skip
    caption = BeautifulSoup(job_html(job), "html.parser").select_one(".nbjs-caption").get_text()
    assert "display copy: WEBP" in caption and "original: PNG · 312 KB" in caption
    text = job_text(job)
    assert "display copy: · WEBP" not in text and "display copy: WEBP" in text
    assert "original: PNG · 312 KB" in text


def wav(path: Path, seconds: float = 0.25) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return path


def test_audio_gets_an_inline_player_with_format_duration_and_size(tmp_path: Path) -> None:
    path = wav(tmp_path / "a.wav")
    asset = Asset("https://cdn.test/a.wav", kind="audio", duration=0.25)
    status = Status("clipia", "c-1", State.COMPLETED, "COMPLETED", assets=(asset,))
    media = Media(asset, path=path, content_type="audio/wav", size_bytes=path.stat().st_size,
                  format="WAV", duration=0.25, source_url=asset.url)  # fmt: skip
    job = StaticJob("clipia", "c-1", status, media={asset.url: media})
    page = BeautifulSoup(job_html(job), "html.parser")
    player = page.select_one("audio.nbjs-player")
    assert player is not None and player.has_attr("controls")
    assert player["src"].startswith("data:audio/wav;base64,")  # small: embedded
    caption = page.select_one(".nbjs-caption").get_text()
    assert "audio · WAV · 4 KB · 0.2s" in caption or "audio · WAV · 4 KB · 0.3s" in caption
    assert "WAV" in job_text(job) and "no files" not in job_text(job)


def test_a_big_video_plays_from_the_provider_url_when_it_needs_no_key(tmp_path: Path) -> None:
    path = tmp_path / "v.mp4"
    path.write_bytes(b"\0" * (DATA_URL_LIMIT + 1))
    asset = Asset("https://cdn.test/v.mp4", kind="video", duration=4.0)
    status = Status("clipia", "c-1", State.COMPLETED, "COMPLETED", assets=(asset,))
    media = Media(asset, path=path, content_type="video/mp4", size_bytes=DATA_URL_LIMIT + 1,
                  format="MP4", duration=4.0, source_url=asset.url)  # fmt: skip

    class Client:
        def credentials_for(self, url: str) -> dict[str, str]:
            return {}

    job = StaticJob("clipia", "c-1", status, media={asset.url: media})
    job.client = Client()  # type: ignore[attr-defined]
    page = BeautifulSoup(job_html(job), "html.parser")
    video = page.select_one("video.nbjs-player")
    assert video["src"] == asset.url and video["preload"] == "metadata"
    assert page.select_one(".nbjs-thumb a")["href"] == asset.url  # the link beside it
    assert "1.0 MB · 4.0s" in page.select_one(".nbjs-caption").get_text()
    job.client = None  # type: ignore[attr-defined]  # a URL that needs the key: no player
    assert "<video" not in job_html(job)
