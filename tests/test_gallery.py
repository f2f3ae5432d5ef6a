"""The gallery: the HTML of real sandbox jobs (the sandbox in memory, tests/_memory.py), their
thumbnails, faults and hostile text."""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from _memory import Memory
from bs4 import BeautifulSoup
from PIL import Image
from test_views_model import StaticJob

from nb_jobstatus.views import one
from nb_jobstatus.views.model import model_of

DIMS = re.compile(r'<span class="nbjs-dims"[^>]*>(\d+) × (\d+) px</span>')
IMG = re.compile(r'<img src="data:(image/[a-z+]+);base64,([A-Za-z0-9+/=]+)" alt="([^"]*)"')
LINK = re.compile(r"<a [^>]*>")


def gallery_html(job: Any) -> str:
    """A completed job's gallery, as the one-job view renders it."""
    return one.gallery_html(model_of(job))


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NB_JOBSTATUS_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def cards(page: str) -> list[str]:
    """The HTML of each ``nbjs-asset`` card (cards hold no nested card)."""
    parts = page.split('<div class="nbjs-asset"')[1:]
    assert parts, page
    return parts


def check_links(page: str) -> None:
    for tag in LINK.findall(page):
        assert re.search(r'href="https?://', tag), tag
        assert 'target="_blank"' in tag and 'rel="noopener noreferrer"' in tag, tag


def test_sivi_gallery(memory: Memory) -> None:
    job = memory.follow("sivi", images=2)
    page = gallery_html(job)
    assert page.startswith('<div class="nbjs-gallery"')
    assert job.status is not None
    links = BeautifulSoup(page, "html.parser").select(".nbjs-links a")
    assert [a.get_text() for a in links] == ["view", "share"]
    check_links(page)
    found = cards(page)
    assert len(found) == 2
    for card, asset in zip(found, job.status.assets, strict=True):
        kind, data, alt = IMG.findall(card)[0]
        assert kind == "image/jpeg" and alt == asset.id
        thumbnail = base64.b64decode(data)
        assert len(thumbnail) <= 150 * 1024
        assert max(Image.open(io.BytesIO(thumbnail)).size) <= 480
        assert DIMS.findall(card) == [("1080", "1080")]
        size = job.media[asset.url].size_bytes
        assert f"JPEG · {round(size / 1024)} KB" in card
        assert f'href="{html.escape(asset.edit_url or "")}"' in card and ">edit</a>" in card
        assert "GENERATED" in card and "(reported)" not in card
        assert "nbjs-error" not in card


@pytest.mark.parametrize(
    ("provider", "options", "kind"),
    [
        ("napkin", {"format": "png", "size": (10000, 6086)}, "image/jpeg"),
        ("napkin", {"format": "svg"}, "image/svg+xml"),
        ("clipia", {"images": 2}, "image/jpeg"),
    ],
)
def test_thumbnails(memory: Memory, provider: str, options: dict[str, Any], kind: str) -> None:
    job = memory.follow(provider, **options)
    page = gallery_html(job)
    images = IMG.findall(page)
    assert images and all(found == kind for found, _, _ in images)
    for _, data, _ in images:
        assert len(base64.b64decode(data)) <= 150 * 1024
        if kind != "image/svg+xml":
            assert max(Image.open(io.BytesIO(base64.b64decode(data))).size) <= 480
    width, height = options.get("size", (1080, 1080))
    assert DIMS.findall(page) == [(str(width), str(height))] * len(images)


def test_svg_only_as_img(memory: Memory) -> None:
    job = memory.follow("napkin", format="svg", images=2, media_faults={0: "svg-script"})
    page = gallery_html(job)
    assert len(IMG.findall(page)) == 2
    assert "data:image/svg+xml;base64," in page
    lowered = page.lower()
    assert "<svg" not in lowered and "<script" not in lowered and "onload" not in lowered
    first = cards(page)[0]
    assert "nbjs-warning" in first and "script" in first


def test_each_fault_in_its_own_card(memory: Memory) -> None:
    faults = ["404", "not-image", "truncated", "bomb", "huge"]
    job = memory.follow("sivi", images=6, media_faults=dict(enumerate(faults)))
    found = cards(gallery_html(job))
    expected = [
        "HTTP 404",
        "not an image: text/html",
        "truncated image",
        "refused: declares 60000 × 60000 px (decompression bomb)",
        "over the 64 MB download limit",
    ]
    for card, message in zip(found, expected, strict=False):
        error = re.search(r'<div class="nbjs-error"[^>]*>(.*?)</div>', card)
        assert error and message in html.unescape(error.group(1)), card
        assert "<img" not in card
        assert DIMS.findall(card) == [("1080", "1080")]  # as reported, said so
        assert "(reported)" in card
    assert "nbjs-error" not in found[5] and len(IMG.findall(found[5])) == 1


def test_size_mismatch_warning(memory: Memory) -> None:
    real = memory.follow("clipia", size=(1000, 1000))
    assert real.status is not None
    asset = real.status.assets[0]
    claimed = {"url": asset.url, "original_url": asset.original_url}
    job = memory.follow("clipia", overrides={"output": {"images": [claimed | {"width": 1080}]}})
    page = gallery_html(job)
    assert DIMS.findall(page) == [("1000", "1000")]  # measured wins
    warning = re.search(r'<div class="nbjs-warning"[^>]*>(.*?)</div>', page)
    assert warning is None  # a height was not reported: nothing to compare
    claimed |= {"width": 1080, "height": 1080}
    job = memory.follow("clipia", overrides={"output": {"images": [claimed]}})
    warning = re.search(r'<div class="nbjs-warning"[^>]*>(.*?)</div>', gallery_html(job))
    assert warning and "reported 1080 × 1080 px, actual 1000 × 1000 px" in warning.group(1)


def test_hostile_text_is_escaped(memory: Memory) -> None:
    real = memory.follow("sivi")
    assert real.status is not None
    variation = {
        "variantImageUrl": real.status.assets[0].url,
        "variantEditLink": "javascript:alert(2)",
        "variantId": "<script>alert(3)</script>",
        "variantType": '<img src=x onerror="alert(4)">',
        "variantWidth": 1080,
        "variantHeight": 1080,
    }
    overrides = {
        "shareLink": "javascript:alert(1)",
        "link": 'https://sivi.example/d?a=1&b="><script>alert(5)</script>',
        "result": {"variations": [variation]},
    }
    job = memory.follow("sivi", overrides=overrides)
    page = gallery_html(job)
    lowered = page.lower()
    assert "<script" not in lowered and "<img src=x" not in lowered
    assert "javascript:" not in re.sub(r">[^<]*<", "><", page)  # never inside a tag
    links = BeautifulSoup(page, "html.parser").select_one(".nbjs-links")
    assert "share" in links.get_text() and len(links.select("a")) == 1  # shown, not linked
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page  # the id, escaped
    assert 'alt="&lt;script&gt;alert(3)&lt;/script&gt;"' in page
    check_links(page)
    assert 'href="https://sivi.example/d?a=1&amp;b=&quot;&gt;&lt;script&gt;' in page


def test_hostile_file_id_and_url(memory: Memory) -> None:
    rid = "0" * 8 + "-0000-4000-8000-" + "0" * 12
    base = memory.sb.base_url("napkin")
    bad = {"url": f"{base}/v1/visual/{rid}/file/<b onmouseover=alert(1)>", "width": 9}
    job = memory.follow("napkin", overrides={"generated_files": [bad, {"url": "javascript:x()"}]})
    page = gallery_html(job)
    assert "<b onmouseover" not in page and "&lt;b onmouseover=alert(1)&gt;" in page
    hostile, script = cards(page)
    assert "HTTP 404" in hostile or "refused an unsafe URL" in hostile
    assert "refused: not an http(s) URL" in script
    check_links(page)


def test_before_media_are_cached(memory: Memory) -> None:
    done = memory.follow("napkin", format="png", images=2, size=(1600, 900))
    # as the view sees a job between completion and its media
    job = StaticJob("napkin", done.request_id, done.status, settled=False)
    page = gallery_html(job)
    assert page.count("downloading…") == 2 and "<img" not in page
    assert DIMS.findall(page) == [("1600", "900")] * 2
    assert page.count("(reported)") == 2


def test_video_and_file_cards(memory: Memory) -> None:
    job = memory.follow("clipia", images=1, video=True)
    video = cards(gallery_html(job))[1]
    seconds = job.status.assets[1].duration  # type: ignore[union-attr]
    assert "▶ video</a>" in video and f"· {seconds:.1f}s" in video
    assert "<video" in video and 'preload="metadata"' in video
    assert re.search(r'href="http://127\.0\.0\.1:\d+/clipia/files/[^"]+/video\.mp4"', video)
    job = memory.follow("napkin", format="ppt")
    (card,) = cards(gallery_html(job))
    assert "<img" not in card and "<a " not in card  # the file URL needs a Bearer header
    path = job.media[job.status.assets[0].url].path if job.status else None
    assert path is not None and path.name in card and "cached as" in card
    assert "PPTX" in card


def test_test_key_is_marked(memory: Memory) -> None:
    job = memory.follow("clipia", api_key="clipia_test_0123456789")
    page = gallery_html(job)
    assert "test key: mock result" in page
    assert DIMS.findall(page) == [("1024", "1024")]
    normal = memory.follow("clipia")
    assert "test key" not in gallery_html(normal)


def test_plain_colours_and_inline_block_layout(memory: Memory) -> None:
    """What a reopened (sanitized) notebook keeps: plain colours, inline-block cards."""
    page = gallery_html(memory.follow("sivi", images=3))
    assert "var(" not in page and "flex-wrap" not in page and "gap:" not in page
    found = BeautifulSoup(page, "html.parser").select(".nbjs-asset")
    assert len(found) == 3
    assert all("display: inline-block" in card["style"] for card in found)
    assert all("border: 1px solid rgba(127, 127, 127, 0.45)" in card["style"] for card in found)
