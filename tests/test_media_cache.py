"""The cache's bookkeeping on bytes (no socket): origins kept apart (10.16), files found again
by a later kernel (15.5), the size cap (15.4), a cache that cannot be written (10.18), save's
deadline and cancel (10.14)."""

from __future__ import annotations

import errno
import gc
import json
import os
import time
import warnings
from pathlib import Path

import pytest
from _media_stub import StubJob, png

from nb_jobstatus.core import media
from nb_jobstatus.core.errors import TransportError
from nb_jobstatus.core.media import cap, store

URL = "https://media.example.com/out/0.png?sig=abc&expires=1"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(folder))
    monkeypatch.delenv("NB_JOBSTATUS_CACHE_MAX", raising=False)
    return folder


def cached(job: StubJob) -> StubJob:
    assert media.cache_all(job) is True
    return job


def only(job: StubJob) -> media.Media:
    (item,) = job.media.values()
    return item


# -- origins (10.16) ---------------------------------------------------------------------------


def test_two_origins_with_one_request_id_never_share_a_file(tmp_path: Path) -> None:
    one = cached(StubJob({URL: png("red")}, origin="http://127.0.0.1:8001"))
    two = cached(StubJob({URL: png("blue")}, origin="http://127.0.0.1:8002"))
    assert only(one).path != only(two).path
    assert only(one).path.read_bytes() == png("red")
    assert only(two).path.read_bytes() == png("blue")
    (saved,) = media.save_all(one, tmp_path / "out")
    assert saved.read_bytes() == png("red")
    assert "127.0.0.1-8001-" in str(only(one).path) and "127.0.0.1-8002-" in str(only(two).path)


# -- found again by a later kernel (15.5) -------------------------------------------------------


def refuse(job: StubJob, timeout: float) -> bytes:
    raise AssertionError("downloaded again")


def test_following_again_finds_the_files_without_downloading(cache: Path) -> None:
    first = cached(StubJob({URL: png("red"), URL.replace("0.png", "1.png"): png("green")}))
    resigned = {url.replace("sig=abc", "sig=new"): refuse for url in first.files}
    again = cached(StubJob(resigned))  # a new Job object, signed URLs renewed
    assert again.downloads == []
    for before, after in zip(first.media.values(), again.media.values(), strict=True):
        assert (after.path, after.width, after.format) == (before.path, before.width, "PNG")
        assert after.thumbnail == before.thumbnail and after.error is None
    index = next(cache.rglob(store.INDEX)).read_text()
    assert "sig=" not in index and "media.example.com" not in index


def test_another_file_at_the_same_place_is_downloaded(cache: Path) -> None:
    cached(StubJob({URL: png("red")}))
    other = cached(StubJob({URL.replace("0.png", "other.png"): png("blue")}))
    assert len(other.downloads) == 1 and only(other).path.read_bytes() == png("blue")


def test_a_damaged_index_means_downloading_again(cache: Path) -> None:
    cached(StubJob({URL: png("red")}))
    next(cache.rglob(store.INDEX)).write_text("{not json")
    again = cached(StubJob({URL: png("red")}))
    assert len(again.downloads) == 1 and only(again).error is None


# -- the cap (15.4) ----------------------------------------------------------------------------


def aged(job: StubJob, seconds: float) -> None:
    path = only(job).path
    os.utime(path, (time.time() - seconds, time.time() - seconds))


def test_the_cap_evicts_the_least_recently_used_but_never_a_live_job(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = cached(StubJob({URL: png("red")}, request_id="old"))
    old_path = only(old).path
    aged(old, 100)
    del old
    gc.collect()  # no job shows it any more
    live = cached(StubJob({URL: png("green")}, request_id="live"))
    aged(live, 200)  # older still, but a live job shows it
    monkeypatch.setenv("NB_JOBSTATUS_CACHE_MAX", str(2 * len(png("red")) + 10))
    newest = cached(StubJob({URL: png("blue")}, request_id="newest"))
    assert not old_path.exists()
    assert only(live).path.exists() and only(newest).path.exists()
    info = media.cache_info()
    assert (info.files, info.bytes) == (2, len(png("green")) + len(png("blue")))
    assert info.cap == 2 * len(png("red")) + 10


def test_a_cap_of_zero_keeps_only_what_live_jobs_show(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NB_JOBSTATUS_CACHE_MAX", "0")
    job = cached(StubJob({URL: png("red")}))
    path = only(job).path
    assert path.exists() and media.cache_info().files == 1
    del job
    gc.collect()
    assert media.enforce_cap() == 1 and not path.exists()
    assert media.cache_info().files == 0


def test_clear_cache_spares_live_jobs_and_the_recent_list() -> None:
    dead = cached(StubJob({URL: png("red")}, request_id="dead"))
    media.remember(dead)
    del dead
    gc.collect()
    live = cached(StubJob({URL: png("blue")}, request_id="live"))
    assert media.clear_cache() == 1
    assert only(live).path.exists()
    assert media.cache_info().files == 1
    assert [job.request_id for job in media.recent()] == ["dead"]


def test_cache_info_of_a_cache_never_made(cache: Path) -> None:
    info = media.cache_info()
    assert (info.location, info.bytes, info.files, info.cap) == (cache.resolve(), 0, 0, 2**31)
    assert media.clear_cache() == 0


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("123", 123),
        ("500M", 500 * 2**20),
        ("1.5G", 3 * 2**29),
        ("2GiB", 2**31),
        ("700 mb", 700 * 2**20),
    ],
)
def test_sizes_parse(text: str, size: int) -> None:
    assert media.parse_size(text) == size


@pytest.mark.parametrize("text", ["", "-1", "1e9", "12 parsecs", "G", "nan"])
def test_bad_sizes_are_refused(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="not a size"):
        media.parse_size(text)
    monkeypatch.setenv("NB_JOBSTATUS_CACHE_MAX", text + "x")
    assert media.cache_cap() == media.DEFAULT_CAP


# -- a cache that cannot be written (10.18) -----------------------------------------------------


def test_a_cache_in_the_way_says_why_and_save_still_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(blocker / "cache"))
    job = cached(StubJob({URL: png("red")}))
    item = only(job)
    assert item.error is None and item.path is None and item.thumbnail is not None
    assert (
        item.warning
        == f"not cached: {blocker / 'cache'} is in the way: a file where a folder should be"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        paths = media.save_all(job, tmp_path / "out")  # downloads again, straight there
    assert [p.read_bytes() for p in paths] == [png("red")] and paths.not_saved == []
    assert [p.name for p in paths] == ["clipia-req-1-0.png"]


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (errno.ENOSPC, "no space left on the disk of"),
        (errno.EDQUOT, "no space left on the disk of"),
        (errno.EACCES, "is not writable (set NB_JOBSTATUS_CACHE to a writable folder)"),
        (errno.EROFS, "is read-only"),
        (errno.EIO, "could not write in /x/cache: Input/output error"),
    ],
)
def test_why_not_written_is_one_line(number: int, words: str) -> None:
    text = store.why_not_written(OSError(number, os.strerror(number)), Path("/x/cache"))
    assert words in text and "\n" not in text and "None" not in text


def test_save_into_an_unwritable_folder_says_why(tmp_path: Path) -> None:
    job = cached(StubJob({URL: png("red")}))
    (tmp_path / "taken").write_text("a file")
    with pytest.warns(media.NotSavedWarning, match="1 of 1 files of clipia req-1 not saved"):
        paths = media.save_all(job, tmp_path / "taken" / "out")
    assert paths == [] and len(paths.not_saved) == 1
    assert paths.not_saved[0].startswith("file 0: ") and "in the way" in paths.not_saved[0]


# -- save's deadline, failures and cancel (10.14) -----------------------------------------------


def slow(job: StubJob, timeout: float) -> bytes:
    time.sleep(timeout)  # a media host that never answers within the time it is given
    raise TransportError("timed out", provider=job.provider)


def test_save_has_an_overall_deadline_and_says_what_it_missed(tmp_path: Path) -> None:
    files = {URL: png("red"), URL + "&n=2": slow, URL + "&n=3": 404}
    job = StubJob(files)
    started = time.monotonic()
    with pytest.warns(media.NotSavedWarning) as caught:
        paths = media.save_all(job, tmp_path, timeout=0.5)
    assert time.monotonic() - started < 10  # not DOWNLOAD_TIMEOUT (60 s) per file
    assert [p.read_bytes() for p in paths] == [png("red")]
    assert max(timeout for _, timeout in job.downloads) <= 0.5
    assert paths.not_saved[0] == "file 1: the save timed out before this file was downloaded"
    assert len(paths.not_saved) == 2 and paths.not_saved[1].startswith("file 2: ")
    assert "None" not in str(caught[0].message) and "\n" not in str(caught[0].message)


def test_a_failed_file_is_named_with_its_reason(tmp_path: Path) -> None:
    job = cached(StubJob({URL: png("red"), URL + "&n=2": 404}))
    with pytest.warns(media.NotSavedWarning, match=r"file 1: HTTP 404$"):
        paths = media.save_all(job, tmp_path)
    assert len(paths) == 1 and paths.not_saved == ["file 1: HTTP 404"]


def cancel_while_downloading(job: StubJob, timeout: float) -> bytes:
    job.stopped = "canceled"  # cancel() arrives while this file downloads
    raise TransportError("download canceled", provider=job.provider)


def test_cancel_stops_caching_between_files(tmp_path: Path) -> None:
    files = {URL: png("red"), URL + "&n=2": cancel_while_downloading, URL + "&n=3": png("blue")}
    job = StubJob(files)
    assert media.cache_all(job) is False
    assert [url for url, _ in job.downloads] == [URL, URL + "&n=2"]
    assert list(job.media) == [URL]
    with pytest.warns(media.NotSavedWarning):
        paths = media.save_all(job, tmp_path)
    assert len(paths) == 1
    assert paths.not_saved == ["file 1: the job was canceled", "file 2: the job was canceled"]
    assert len(job.downloads) == 2


def test_index_is_json_with_what_a_later_kernel_needs(cache: Path) -> None:
    job = cached(StubJob({URL: png("red")}))
    data = json.loads(next(cache.rglob(store.INDEX)).read_text())
    entry = data["files"]["0"]
    assert entry["file"] == only(job).path.name and entry["bytes"] == len(png("red"))
    assert entry["original"] is False and entry["content_type"] == "image/png"


def test_eviction_leaves_no_empty_folders(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = cached(StubJob({URL: png("red")}))
    del job
    gc.collect()
    monkeypatch.setenv("NB_JOBSTATUS_CACHE_MAX", "0")
    assert cap.enforce_cap() == 1
    assert [p for p in cache.rglob("*") if p.is_file()] == []
    assert list((cache / "clipia").iterdir()) == []
