"""The views a person meets beyond one finished job, in JupyterLab 4 (issues 14 and 15).

All read the session's features notebook (``_notebooks.FEATURES``), loaded and run once:
a batch of eight with a summary and job-named cards; a job stopped by ``cancel()`` and one by
the watch timeout (a neutral STOPPED, not the red debugger); an expired one (EXPIRED); audio
and video players; the timeline chart in a failure's debugger.
"""

from __future__ import annotations

import pathlib
import re
from typing import Any

import pytest

from . import _page as P
from ._notebooks import RUNNING_FOR, cell_index
from ._stage import Stage

pytestmark = pytest.mark.browser

NEUTRAL = "rgb(117, 117, 117)"  # palette.NEUTRAL (#757575), the STOPPED pill's colour
RED = "rgb(211, 47, 47)"  # palette.ERROR
PILL = ("color", "border-top-color", "border-top-style", "border-top-width")


def job_of(stage: Stage, key: str) -> Any:
    """The job view in the features notebook's cell ``key`` (a locator)."""
    return P.cell(stage.pages["features"], cell_index(key)).locator(".nbjs-job").first


def pill_of(job: Any) -> tuple[str, dict[str, str]]:
    pill = job.locator(".nbjs-header .nbjs-state").first
    style = pill.evaluate(
        "(e, props) => Object.fromEntries(props.map(p => "
        "[p, getComputedStyle(e).getPropertyValue(p)]))",
        list(PILL),
    )
    return pill.inner_text().strip().lower(), style


def test_batch_summary_and_named_cards(stage: Stage, screenshots: pathlib.Path) -> None:
    """Eight jobs: a summary by state (seen live while two still ran) with the failures
    grouped by reason; the 429 row shows its retry; every card names its job, by an id
    that tells it from the others, the full id on hover."""
    live = stage.batch.seen if stage.batch else None
    assert live is not None, f"the live batch never showed finished jobs and files: {stage.slow}"
    summary = live["summary"]
    assert re.search(r"8 jobs", summary), summary
    assert live["running"] == 1, f"no RUNNING pill in the live summary: {summary}"
    counts = {w: int(n) for w, n in re.findall(r"(COMPLETED|FAILED|RUNNING)\s+(\d+)", summary)}
    assert counts.get("COMPLETED") == 4 and counts.get("FAILED") == 2, summary
    assert counts.get("RUNNING") == 2, f"the two {RUNNING_FOR} s jobs not running: {summary}"
    assert "2 × " in summary and "Content policy violation" in summary, summary
    batch = job_of(stage, "batch")
    table = batch.locator(".nbjs-table").inner_text()
    assert re.search(r"1 retry|retries", table) and "paused" in table, table
    cards = batch.locator(".nbjs-gallery .nbjs-asset")
    owners = cards.locator(".nbjs-owner").evaluate_all(
        "els => els.map(e => ({text: e.innerText.trim(), full: e.title}))"
    )
    assert len(owners) == cards.count() >= 5, owners
    assert all(o["text"].startswith("Clipia") for o in owners), owners
    by_full: dict[str, set[str]] = {}
    for owner in owners:
        by_full.setdefault(owner["full"], set()).add(owner["text"])
    assert len(by_full) >= 4 and all(len(names) == 1 for names in by_full.values()), by_full
    assert len({next(iter(n)) for n in by_full.values()}) == len(by_full), "look-alike names"
    for full, names in by_full.items():
        short = next(iter(names)).removeprefix("Clipia").strip()
        head, _, tail = short.partition("…")
        assert full.startswith(head) and full.endswith(tail), (short, full)
    assert (screenshots / "lab-batch-live.png").stat().st_size > 10_000


def test_stopped_is_not_failed(stage: Stage, screenshots: pathlib.Path) -> None:
    """``cancel()`` and the watch timeout: a grey STOPPED pill, the provider's last state,
    the line that follows it again; no red debugger, no "failed" anywhere in the card."""
    for key, why in (("canceled", "cancel()"), ("timeout", "timed out")):
        job = job_of(stage, key)
        job.locator(".nbjs-stopped").wait_for(timeout=30_000)
        word, style = pill_of(job)
        assert word == "stopped", (key, word)
        assert style["color"] == NEUTRAL and style["border-top-color"] == NEUTRAL, style
        assert style["border-top-style"] == "solid" and style["border-top-width"] == "1px"
        text = job.inner_text()
        assert why in text, text
        assert re.search(r"last said\s+(running|queued)", text), text
        assert "njs.watch" in text or "%jobstatus" in text, f"no way to resume: {text}"
        assert job.locator(".nbjs-error").count() == 0, f"{key}: the debugger is shown"
        assert "failed" not in text.lower(), text
        job.scroll_into_view_if_needed()
        job.screenshot(path=str(screenshots / f"lab-stopped-{key}.png"))


def test_expired_says_expired(stage: Stage, screenshots: pathlib.Path) -> None:
    """A 410 ends the job EXPIRED (not FAILED with the provider's last status)."""
    job = job_of(stage, "expired")
    job.locator(".nbjs-state-expired").first.wait_for(timeout=30_000)
    word, _ = pill_of(job)
    assert word == "expired", word
    text = job.inner_text()
    assert "410" in text, text
    assert "failed" not in text.lower(), text
    job.scroll_into_view_if_needed()
    job.screenshot(path=str(screenshots / "lab-expired.png"))


def test_audio_and_video_players(stage: Stage, screenshots: pathlib.Path) -> None:
    """Clipia speech: an inline ``<audio controls>`` that Chromium loads (its duration is
    known); a video job: ``<video controls>`` with its frame size."""
    speech = job_of(stage, "speech")
    audio = speech.locator("audio.nbjs-player").first
    audio.wait_for(timeout=30_000)
    assert audio.get_attribute("controls") is not None
    duration = audio.evaluate(
        "a => new Promise(ok => a.readyState >= 1 ? ok(a.duration) : "
        "(a.onloadedmetadata = () => ok(a.duration), a.onerror = () => ok(-1), a.load()))"
    )
    assert duration and 0 < duration < 600, f"audio not loadable: duration {duration}"
    speech.scroll_into_view_if_needed()
    speech.screenshot(path=str(screenshots / "lab-audio.png"))
    video = job_of(stage, "video").locator("video.nbjs-player").first
    video.wait_for(timeout=30_000)
    size = video.evaluate(
        "v => new Promise(ok => v.readyState >= 1 ? ok([v.videoWidth, v.videoHeight]) : "
        "(v.onloadedmetadata = () => ok([v.videoWidth, v.videoHeight]), "
        "v.onerror = () => ok(['error', v.error && v.error.code]), v.load()))"
    )
    assert size == [160, 96], f"video not loadable: {size}"
    job_of(stage, "video").screenshot(path=str(screenshots / "lab-video.png"))


def test_timeline_chart_in_debugger(stage: Stage, screenshots: pathlib.Path) -> None:
    """A failure that met a 429, a 500 and a malformed body: the debugger shows the polls as
    an SVG chart (an ``<img>``: it survives the sanitizer) that the browser draws."""
    job = job_of(stage, "retried")
    error = job.locator(".nbjs-error")
    error.wait_for(timeout=30_000)
    assert "Upstream model crashed" in error.inner_text()
    chart = error.locator("img.nbjs-timeline-chart")
    chart.wait_for()
    src = chart.get_attribute("src") or ""
    assert src.startswith("data:image/svg+xml"), src[:60]
    drawn = chart.evaluate(
        "i => new Promise(ok => i.complete ? ok([i.naturalWidth, i.width]) : "
        "(i.onload = () => ok([i.naturalWidth, i.width])))"
    )
    assert drawn[0] > 100 and drawn[1] > 100, f"chart not drawn: {drawn}"
    error.scroll_into_view_if_needed()
    error.screenshot(path=str(screenshots / "lab-timeline-debugger.png"))
    chart.screenshot(path=str(screenshots / "lab-timeline-chart.png"))
    word, style = pill_of(job)
    assert word == "failed" and style["color"] == RED, (word, style)
