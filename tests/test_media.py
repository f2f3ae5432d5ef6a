"""core.media against the sandbox in memory (tests/_memory.py): real downloads through the
Transport, real Pillow, a temporary cache."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from _memory import Memory
from PIL import Image

from nb_jobstatus import sandbox
from nb_jobstatus.core import media
from nb_jobstatus.core.media import store
from nb_jobstatus.job import Job

KEY_HEADERS = ("authorization", "sivi-api-key", "x-api-key")


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(folder))
    return folder


def medias(job: Job) -> list[media.Media]:
    assert job.status is not None
    return [job.media[asset.url] for asset in job.status.assets]


def check_thumbnail(item: media.Media, kind: str = "image/jpeg") -> Image.Image:
    assert item.error is None, item.error
    assert item.thumbnail is not None and item.thumbnail_type == kind
    assert len(item.thumbnail) <= media.THUMB_BYTES
    picture = Image.open(io.BytesIO(item.thumbnail))
    assert max(picture.size) <= media.THUMB_SIDE
    return picture


def served(job: Job, url: str) -> bytes:
    answer = job.client.download(url)
    assert answer.http_status == 200
    return answer.content


# -- each provider's files ----------------------------------------------------------------------


def test_sivi_jpeg(memory: Memory, cache: Path) -> None:
    job = memory.follow("sivi", images=2, sub_variants=1)
    items = medias(job)
    assert len(items) == 4
    for item in items:
        picture = check_thumbnail(item)
        assert picture.size == (480, 480)
        assert (item.format, item.width, item.height) == ("JPEG", 1080, 1080)
        assert item.content_type == "image/jpeg" and item.warning is None
        assert item.path is not None and item.path.is_relative_to(cache.resolve())
        assert item.path.read_bytes() == served(job, item.asset.url)
        assert item.size_bytes == item.path.stat().st_size


def test_napkin_png_10000_by_6086(memory: Memory) -> None:
    job = memory.follow("napkin", format="png", size=(10000, 6086))
    (item,) = medias(job)
    picture = check_thumbnail(item)
    assert (item.format, item.width, item.height) == ("PNG", 10000, 6086)
    assert picture.size == (480, 292)
    assert item.path is not None and item.thumbnail is not None
    assert len(item.thumbnail) <= media.THUMB_BYTES


def test_napkin_svg_kept_as_svg(memory: Memory) -> None:
    job = memory.follow("napkin", format="svg", images=2, size=(1200, 800))
    for item in medias(job):
        assert (item.format, item.width, item.height) == ("SVG", 1200, 800)
        assert item.thumbnail_type == "image/svg+xml" and item.thumbnail is not None
        assert item.thumbnail.lstrip().startswith(b"<svg")
        assert item.path is not None and item.path.suffix == ".svg"
        assert item.path.read_bytes() == item.thumbnail


def test_napkin_svg_script_is_flagged(memory: Memory) -> None:
    job = memory.follow("napkin", format="svg", images=2, media_faults={0: "svg-script"})
    hostile, fine = medias(job)
    assert hostile.error is None and hostile.thumbnail_type == "image/svg+xml"
    assert hostile.warning and "script" in hostile.warning
    assert fine.warning is None


def test_napkin_ppt_has_no_thumbnail(memory: Memory) -> None:
    job = memory.follow("napkin", format="ppt")
    (item,) = medias(job)
    assert item.asset.kind == "file" and item.error is None
    assert item.thumbnail is None and item.format is None
    assert item.path is not None and item.path.suffix == ".pptx"
    assert item.path.read_bytes().startswith(b"PK")


def test_clipia_prefers_the_original(memory: Memory) -> None:
    job = memory.follow("clipia", images=2)
    for item in medias(job):
        check_thumbnail(item)
        assert item.source_url == item.asset.original_url
        assert (item.format, item.width, item.height) == ("PNG", 1080, 1080)
        assert item.path is not None and item.path.suffix == ".png"
    paths = [r.path for r in memory.sb.requests if r.request_id == job.request_id]
    assert not [p for p in paths if p.endswith(".webp")], "the display copy was not needed"


def test_clipia_video(memory: Memory) -> None:
    job = memory.follow("clipia", images=1, video=True)
    image, video = medias(job)
    check_thumbnail(image)
    assert video.asset.kind == "video" and video.error is None
    assert video.thumbnail is None and video.duration == 5.0
    assert video.size_bytes and video.path is not None and video.path.suffix == ".mp4"


def test_clipia_test_key(memory: Memory) -> None:
    job = memory.follow("clipia", api_key="clipia_test_0123456789")
    assert job.status is not None and job.status.test_mode
    (item,) = medias(job)
    check_thumbnail(item)
    assert (item.width, item.height) == (1024, 1024)


# -- what goes wrong ----------------------------------------------------------------------------

FAULTS = {
    "404": "HTTP 404",
    "not-image": "not an image: text/html",
    "truncated": "truncated image",
    "bomb": "refused: declares 60000 × 60000 px (decompression bomb)",
    "huge": "over the 64 MB download limit",
}


@pytest.mark.parametrize("provider", ["sivi", "napkin", "clipia"])
@pytest.mark.parametrize("fault", list(FAULTS))
def test_media_fault(memory: Memory, provider: str, fault: str) -> None:
    job = memory.follow(provider, images=2, media_faults={0: fault})
    broken, fine = medias(job)
    assert broken.error is not None and FAULTS[fault] in broken.error
    assert "\n" not in broken.error and broken.thumbnail is None
    check_thumbnail(fine)
    if fault == "bomb":  # refused to decode, but still a file: cached, never decoded
        assert broken.path is not None and broken.path.stat().st_size < 1000
    else:
        assert broken.path is None


def test_size_mismatch_warning(memory: Memory) -> None:
    real = memory.follow("clipia", size=(1000, 1000))
    (asset,) = real.status.assets if real.status else ()
    claimed = {"url": asset.url, "original_url": asset.original_url}
    output = {"images": [claimed | {"width": 1080, "height": 1080}]}
    job = memory.follow("clipia", overrides={"output": output})
    (item,) = medias(job)
    assert item.error is None
    assert item.warning == "reported 1080 × 1080 px, actual 1000 × 1000 px"


def test_no_key_reaches_the_media_origin(memory: Memory) -> None:
    memory.follow("sivi", images=2)
    memory.follow("clipia", images=1, video=True)
    napkin = memory.follow("napkin", format="png")
    on_media = [r for r in memory.sb.requests if r.origin == "media"]
    assert on_media
    for request in on_media:
        assert not {name.lower() for name in request.headers} & set(KEY_HEADERS), request
    napkin_files = [r for r in memory.sb.requests if "/file/" in r.path]
    mine = [r for r in napkin_files if r.request_id == napkin.request_id]
    assert mine and all("Bearer test-key" in r.headers.values() for r in mine)


# -- cache behaviour ----------------------------------------------------------------------------


def test_cache_all_is_idempotent_and_thread_safe(memory: Memory) -> None:
    job = memory.follow("sivi", images=3)
    first = dict(job.media)
    threads = [threading.Thread(target=media.cache_all, args=(job,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert job.media == first
    downloads = [
        r.path for r in memory.sb.requests if r.origin == "media" and r.request_id == job.request_id
    ]
    assert len(downloads) == len(set(downloads)) == 3


def test_save_all_writes_the_originals(memory: Memory, tmp_path: Path) -> None:
    job = memory.follow("clipia", images=2)
    paths = media.save_all(job, tmp_path / "out")
    rid = job.request_id
    assert [p.name for p in paths] == [f"clipia-{rid}-0.png", f"clipia-{rid}-1.png"]
    assert job.status is not None
    for path, asset in zip(paths, job.status.assets, strict=True):
        assert path.read_bytes() == served(job, asset.original_url)


def test_save_caches_first_and_skips_failures(memory: Memory, tmp_path: Path) -> None:
    rid = memory.sb.add_job("napkin", duration=0.2, images=2, format="svg", media_faults={1: "404"})
    job = memory.watch("napkin", rid)
    job.wait(10)
    with pytest.warns(media.NotSavedWarning, match=r"1 of 2 files .* not saved: file 1: HTTP 404$"):
        paths = job.save(tmp_path)  # no explicit cache_all first
    assert [p.name for p in paths] == [f"napkin-{rid}-0.svg"]
    assert paths[0].read_bytes().startswith(b"<svg")


def test_cache_survives_napkin_expiry(memory: Memory, tmp_path: Path) -> None:
    # Napkin is polled every 0.9 s (no progress reported): expire_after must leave room for
    # one poll to see "completed" and for both files to be fetched and probed before the files
    # answer 410 (probing takes real time, which the engine's clock counts: 1.5 s was too
    # little on a loaded machine).
    rid = memory.sb.add_job("napkin", duration=0.2, format="png", images=2, expire_after=10.0)
    job = memory.watch("napkin", rid)
    job.wait(10)
    assert job.status is not None
    url = job.status.assets[0].url
    deadline = time.monotonic() + 5
    while len(job.media) < 2 and time.monotonic() < deadline:  # the engine's media worker
        time.sleep(0.02)
    assert [m.error for m in job.media.values()] == [None, None]
    while job.client.download(url).http_status != 410:  # until it expires at the provider
        assert time.monotonic() < deadline
        memory.sleep(0.5)  # on the sandbox's clock: at once when nothing else is due
    paths = job.save(tmp_path)
    assert len(paths) == 2
    assert paths[0].read_bytes() == job.media[url].path.read_bytes()
    with Image.open(paths[0]) as image:
        assert image.size == (1080, 1080)


def test_cache_path_stays_inside(cache: Path) -> None:
    origin = "https://api.napkin.ai:443"
    job: Any = SimpleNamespace(provider="napkin", request_id="../../etc", origin=origin)
    for url in (
        "https://x.example/a/..%2F..%2F..%2Fetc%2Fpasswd",
        "https://x.example/../../.bashrc",
        "https://x.example/",
        "https://x.example/file/%00%0a..",
    ):
        path = media.cache_path(job, 0, url, ".png")
        assert path.is_relative_to(cache.resolve())
        assert path.parent == cache.resolve() / "napkin" / store.origin_folder(origin) / "etc"
        assert not path.name.startswith(".")


def media_requests(sb: sandbox.Controls, request_id: str) -> int:
    return len([r for r in sb.requests if r.origin == "media" and r.request_id == request_id])


def test_following_a_finished_job_again_downloads_nothing(memory: Memory) -> None:
    first = memory.follow("clipia", images=2)
    before = media_requests(memory.sb, first.request_id)
    again = memory.watch("clipia", first.request_id)
    again.wait(10)
    media.cache_all(again)
    assert media_requests(memory.sb, first.request_id) == before
    assert [m.path for m in medias(again)] == [m.path for m in medias(first)]
    assert all(m.thumbnail and m.error is None for m in medias(again))


def test_no_key_in_the_cache_folder(memory: Memory, cache: Path, canary: str) -> None:
    job = memory.follow("napkin", api_key=canary, format="png", images=2)
    media.remember(job)
    media.flush_recent()  # what waits for the next write, written now: nothing moves below
    assert [m.error for m in medias(job)] == [None, None]
    written = files_of(cache)
    assert "recent.json" in {p.name for p in written} and "index.json" in {p.name for p in written}
    for path, data in written.items():
        assert canary.encode() not in data, path


def files_of(folder: Path) -> dict[Path, bytes]:
    """Every file under ``folder`` and its bytes, from a listing whose files could all be read:
    the engine's deferred write of the recent jobs may rename its temporary file meanwhile."""
    for _ in range(50):
        try:
            return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        except FileNotFoundError:
            time.sleep(0.05)
    raise AssertionError(f"the files of {folder} kept moving")
