"""Hostile text and sizes in every view (issue 10: items 7, 11, 12, 17): control characters,
terminal escapes and bidi overrides never reach text/plain or HTML; huge text is bounded;
10,000 assets show 48 cards; a widget sends only what changed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from test_views_model import StaticJob, poll, sivi_done

from nb_jobstatus.core.model import Asset, State, Status
from nb_jobstatus.views import job_html, job_text, jobs_html, jobs_text

ESC = "\x1b"
HOSTILE = {  # what is sent: what is left to read
    "\x1b[31mred\x1b[0m reason": "red reason",
    "\x1b]8;;https://evil.test\x07click\x1b]8;;\x07 here": "click here",
    "\x1b]0;pwned title\x1b\\ window": "window",
    "abc\u202edcba\u2066x\u2069 \u200f": "abcdcbax",
    "bell\x07 backspace\x08 nul\x00 c1\x9b31m end": "bell backspace nul c1 end",
    "\x9d8;;http://evil.test\x9c osc8 c1": "osc8 c1",
}
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def failed_with(reason: str, **kw: Any) -> StaticJob:
    status = Status("sivi", "abcDEF12345", State.FAILED, "failed", reason=reason, **kw)
    return StaticJob("sivi", "abcDEF12345", status, history=[poll(1.0, status)])


@pytest.mark.parametrize("text", list(HOSTILE), ids=range(len(HOSTILE)))
def test_controls_escapes_and_bidi_never_reach_the_output(text: str) -> None:
    job = failed_with(text, logs=(text,), error_code=text)
    live = StaticJob("clipia", "r-1", Status("clipia", "r-1", State.UNKNOWN, text, logs=(text,)),
                     done=False, settled=False)  # fmt: skip
    outputs = [job_text(job), jobs_text([job, live]), job_text(live), job_html(job),
               job_html(live), jobs_html([job, live])]  # fmt: skip
    for out in outputs:
        assert not FORBIDDEN.search(out), repr(FORBIDDEN.search(out))
        assert "31m" not in out and "8;;" not in out and "]0;" not in out
    assert f"reason: {HOSTILE[text]}" in job_text(job)
    assert HOSTILE[text] in BeautifulSoup(job_html(job), "html.parser").get_text()


def test_huge_provider_text_is_bounded_with_the_full_value_one_click_away() -> None:
    reason = "R" * 5_000_000
    job = failed_with(reason, logs=("L" * 5_000_000,))
    job.status = Status(**{**job.status.__dict__, "raw": {"reason": reason}})  # type: ignore[union-attr]
    html, text = job_html(job), job_text(job)
    assert len(html) < 100_000 and len(text) < 10_000
    page = BeautifulSoup(html, "html.parser")
    headline = page.select_one(".nbjs-error div").get_text()
    assert "more characters" in headline and len(headline) < 400
    raw = [d for d in page.select(".nbjs-error details") if "Raw" in d.summary.get_text()][0]
    assert "RRRR" in raw.get_text() and len(raw.get_text()) < 25_000
    status = Status("clipia", "r-1", State.UNKNOWN, "W" * 1_000_000, logs=("x" * 1_000_000,))
    unknown = StaticJob("clipia", "r-1", status, done=False, settled=False)
    assert len(job_html(unknown)) < 20_000 and len(job_text(unknown)) < 2_000


def test_ten_thousand_assets_show_48_cards() -> None:
    assets = tuple(Asset(f"https://cdn.test/{i}.png", width=64, height=64) for i in range(10_000))
    status = Status("clipia", "c-1", State.COMPLETED, "COMPLETED", assets=assets)
    job = StaticJob("clipia", "c-1", status)
    html = job_html(job)
    page = BeautifulSoup(html, "html.parser")
    assert len(page.select(".nbjs-asset")) == 48
    assert "and 9,952 more" in page.get_text() and "10,000 files" in page.get_text()
    assert len(html) < 300_000
    text = job_text(job)
    assert "and 9,952 more" in text and len(text.splitlines()) < 200
    batch = BeautifulSoup(jobs_html([job, job]), "html.parser")
    assert len(batch.select(".nbjs-asset")) == 48 and "19,952 more" in batch.get_text()


def test_long_galleries_fold() -> None:
    assets = tuple(Asset(f"https://cdn.test/{i}.png", width=64, height=64) for i in range(20))
    job = StaticJob("clipia", "c-1", Status("clipia", "c-1", State.COMPLETED, assets=assets))
    page = BeautifulSoup(job_html(job), "html.parser")
    folded = page.select(".nbjs-gallery details .nbjs-asset")
    assert len(folded) == 8 and len(page.select(".nbjs-asset")) == 20


def test_javascript_and_data_links_are_never_links() -> None:
    status = Status("sivi", "abcDEF12345", State.COMPLETED, "complete",
                    view_url="javascript:alert(1)", share_url="data:text/html,<script>",
                    assets=(Asset("https://cdn.test/a.png", edit_url="javascript:x"),))  # fmt: skip
    page = BeautifulSoup(job_html(StaticJob("sivi", "abcDEF12345", status)), "html.parser")
    hrefs = [a["href"] for a in page.select("a")]
    assert all(h.startswith("https://") for h in hrefs)
    assert "<script>" not in str(page)


def test_text_view_of_a_completed_job_lists_urls_cleanly() -> None:
    job = sivi_done()
    text = job_text(job)
    assert "https://resources.hellosivi.com/" in text and ESC not in text
