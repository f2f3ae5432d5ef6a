"""The view-model and the static views over jobs built from parsed (or hand-made, hostile)
Statuses: no socket, no thread. ``StaticJob`` has exactly the fields the views read from a
core ``Job``; other view tests import it."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from nb_jobstatus.core import providers
from nb_jobstatus.core.errors import ExpiredError, JobStatusError, PollTimeout, ProviderError
from nb_jobstatus.core.model import Asset, Poll, State, Status
from nb_jobstatus.views import _format as fmt
from nb_jobstatus.views import job_html, job_text, jobs_html, jobs_text
from nb_jobstatus.views.model import model_of

EXAMPLES = Path(__file__).parent / "examples"


@dataclass
class StaticJob:
    """A finished (or frozen) job: what a core Job shows the views, without polling."""

    provider: str
    request_id: str
    status: Status | None
    error: Any = None
    history: list[Poll] = field(default_factory=list)
    media: dict[str, Any] = field(default_factory=dict)
    done: bool = True
    stopped: str | None = None
    retries: int = 0
    paused: float = 0.0
    settled: bool = True
    elapsed: float = 5.0
    left: Any = None
    show_images: bool = True
    callbacks: list[Callable[[Any], None]] = field(default_factory=list)

    @property
    def expired(self) -> bool:
        return isinstance(self.error, ExpiredError)

    @property
    def state(self) -> State:
        status = self.status
        if status is not None and (status.state.terminal or self.error is None or self.stopped):
            return status.state
        return State.FAILED if self.error is not None and not self.stopped else State.QUEUED

    def eta(self) -> Any:
        return self.left

    def curl(self) -> str:
        return f"curl -sS -H \"Authorization: Bearer $KEY\" 'https://x.test/{self.request_id}'"

    def on_change(self, callback: Callable[[Any], None]) -> None:
        if self.settled:
            callback(self)
        else:
            self.callbacks.append(callback)

    def settle(self) -> None:
        self.settled = True
        for callback in self.callbacks:
            callback(self)


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text())


def sivi_done() -> StaticJob:
    status = providers.get("sivi").parse("sbhMkIZKCPp", example("sivi_complete.json"))
    return StaticJob("sivi", "sbhMkIZKCPp", status, history=[poll(1.0, status)])


def poll(at: float, status: Status | None = None, **kw: Any) -> Poll:
    http = kw.pop("http", 200)
    return Poll(at=1.7e9, elapsed=at, duration=0.01, http_status=http, status=status, **kw)


def running(progress: Any = None, **kw: Any) -> StaticJob:
    status = Status("clipia", "r-1", State.RUNNING, "IN_PROGRESS", progress=progress, **kw)
    return StaticJob("clipia", "r-1", status, done=False, settled=False, history=[poll(1, status)])


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


# -- format helpers ---------------------------------------------------------------------------


def test_format_helpers_one_style() -> None:
    assert [fmt.duration(s) for s in (0.4, 12, 185, 3720, 90000)] == [
        "0.4s", "12s", "3m 05s", "1h 02m", "1d 01h",
    ]  # fmt: skip
    assert fmt.duration(3.2, tenths=False) == "3s"
    assert [fmt.size(n) for n in (812, 183 * 1024, 4.2 * 1024**2, 3 * 1024**3, 5 * 1024**4)] == [
        "812 B", "183 KB", "4.2 MB", "3.0 GB", "5.0 TB",
    ]  # fmt: skip
    assert fmt.dims(1080, 720) == "1080 × 720 px"
    assert fmt.eta((5.2, 8.4)) == "about 5s–8s left"
    assert fmt.eta((0.1, 0.6)) == "almost done"
    assert fmt.eta(6.0) == "about 6s left"


@pytest.mark.parametrize(
    "value",
    [math.nan, math.inf, -math.inf, 1e309, -5, 10**5000, "²", "1" * 5000, True, None],
    ids=["nan", "inf", "-inf", "1e309", "neg", "bigint", "sup2", "digits", "bool", "none"],
)
def test_hostile_numbers_are_absent(value: Any) -> None:
    assert fmt.duration(value) in ("—", "0.0s")
    assert fmt.size(value) == "—"
    assert fmt.dims(value, value) is None
    assert fmt.percent(value) in ("—", "0%")
    assert fmt.clock(value) == "—" or value == -5
    assert fmt.eta((value, value)) in (None, "almost done")


def test_nan_progress_is_not_done() -> None:
    job = running(math.nan)
    model = model_of(job)
    assert model.bar.indeterminate and model.bar.label == "working…"
    assert "100%" not in job_text(job) and "100%" not in soup(job_html(job)).get_text()
    assert "100%" not in soup(jobs_html([job])).get_text()


@pytest.mark.parametrize("field_name", ["queue_wait_seconds", "queue_position", "progress"])
@pytest.mark.parametrize(
    "value", [1e309, math.nan, -1, 10**5000, math.inf], ids=["1e309", "nan", "neg", "big", "inf"]
)
def test_no_view_raises_on_hostile_numbers(field_name: str, value: Any) -> None:
    status = Status("sivi", "abcDEF12345", State.QUEUED, "pending", **{field_name: value})
    job = StaticJob("sivi", "abcDEF12345", status, done=False, settled=False, left=(value, value))
    job.history = [poll(value if field_name == "progress" else 1.0, status, next_delay=value)]
    job.elapsed = value
    for render in (job_html, job_text):
        out = render(job)
        assert "could not be drawn" not in out and "nan" not in out.lower().replace("nbjs", "")
    assert "sivi" in jobs_text([job]).lower() and "nbjs-batch" in jobs_html([job])


# -- completed --------------------------------------------------------------------------------


def test_completed_from_a_documented_example() -> None:
    job = sivi_done()
    page = soup(job_html(job))
    assert page.select_one(".nbjs-state").get_text() == "completed"
    dims = page.select_one(".nbjs-dims")
    assert dims is not None and dims.get_text() == "1080 × 1080 px"
    assert "(reported)" in page.select_one(".nbjs-asset").get_text()
    assert [a.get_text() for a in page.select(".nbjs-links a")] == ["view", "share"]
    assert page.select_one(".nbjs-pending").get_text() == "not downloaded"
    text = job_text(job)
    assert "completed after 5.0s · 1 poll · 1 file" in text and "(reported)" in text


def test_other_output_is_shown_as_escaped_json() -> None:
    output = {"text": "<b>hi</b>", "score": 0.5}
    status = Status("clipia", "c-1", State.COMPLETED, "COMPLETED", output=output)
    html = job_html(StaticJob("clipia", "c-1", status))
    node = soup(html).select_one(".nbjs-output pre")
    assert node is not None and json.loads(node.get_text()) == output
    assert "<b>hi</b>" not in html
    assert "other output" in job_text(StaticJob("clipia", "c-1", status))


def test_no_files_only_when_there_are_none() -> None:
    empty = Status("clipia", "c-1", State.COMPLETED, "COMPLETED")
    assert "no files in the result" in job_html(StaticJob("clipia", "c-1", empty))
    audio = replace(empty, assets=(Asset("https://cdn.test/a.wav", kind="audio"),))
    html = job_html(StaticJob("clipia", "c-1", audio))
    assert "no files" not in html and "1 file" in html


# -- stopped, expired, failed -----------------------------------------------------------------


@pytest.mark.parametrize("why", ["canceled", "timeout"])
def test_stopped_is_neutral_with_a_resume_line(why: str) -> None:
    status = Status("clipia", "764cabcf-b745", State.RUNNING, "IN_PROGRESS", progress=45)
    error = (PollTimeout if why == "timeout" else JobStatusError)("stopped", provider="clipia")
    job = StaticJob("clipia", "764cabcf-b745", status, error=error, stopped=why)
    page = soup(job_html(job))
    pill = page.select_one(".nbjs-state")
    assert pill.get_text() == "stopped" and "nbjs-last-running" in pill["class"]
    assert page.select(".nbjs-error") == [] and page.select_one(".nbjs-stopped") is not None
    assert 'njs.watch("clipia", "764cabcf-b745")' in page.get_text()
    assert "running" in page.select_one(".nbjs-stopped").get_text()
    text = job_text(job)
    assert "stopped" in text and "failed" not in text and "njs.watch(" in text


def test_expired_says_expired_not_failed() -> None:
    status = Status("sivi", "abcDEF12345", State.QUEUED, "pending")
    error = ExpiredError("gone", provider="sivi", http_status=410)
    job = StaticJob("sivi", "abcDEF12345", status, error=error)
    page = soup(job_html(job))
    assert page.select_one(".nbjs-state").get_text() == "expired"
    assert "Expired" in page.select_one(".nbjs-error").get_text() and "410" in page.get_text()
    assert "failed" not in page.select_one(".nbjs-header").get_text()


def test_failure_shows_reason_code_timeline_and_raw() -> None:
    status = providers.get("sivi").parse("abcDEF12345", example("sivi_failed.json"))
    job = StaticJob("sivi", "abcDEF12345", status, history=[poll(1, status), poll(2, status)])
    page = soup(job_html(job))
    panel = page.select_one(".nbjs-error")
    assert panel is not None and "Failed" in panel.get_text()
    assert page.select_one("img.nbjs-timeline-chart")["src"].startswith("data:image/svg+xml")
    assert len(page.select("table.nbjs-timeline tr")) == 3
    assert "Raw last response" in panel.get_text()


def test_retries_and_pauses_are_shown() -> None:
    job = sivi_done()
    job.retries, job.paused = 3, 12.0
    assert "3 retries" in job_text(job) and "paused 12s" in job_text(job)
    row = soup(jobs_html([job, sivi_done()])).select("table.nbjs-table tbody tr")
    assert "3 retries · paused 12s" in row[0].get_text() and "retr" not in row[1].get_text()


def test_provider_error_is_a_failure() -> None:
    error = ProviderError("boom", provider="clipia", http_status=500)
    job = StaticJob("clipia", "c-1", None, error=error)
    assert model_of(job).phase == "failed" and "HTTP 500" in job_text(job)


# -- the timeline chart -----------------------------------------------------------------------


def test_timeline_chart_marks_each_answer_and_both_finishes() -> None:
    import base64

    from nb_jobstatus.views.timeline import MARKS, History

    def at(progress: float) -> Status:
        return Status("sivi", "abcDEF12345", State.RUNNING, "processing", progress=progress)

    error = ProviderError("boom", provider="sivi", http_status=503)
    history = [poll(1, at(10)), poll(2, None, http=429, error=error), poll(3, None, http=503,
               error=error), poll(4, at(40)), poll(6, None, http=500, error=error)]  # fmt: skip
    job = StaticJob("sivi", "abcDEF12345", None, error=error, history=history, elapsed=6.0)
    img = soup(job_html(job)).select_one(".nbjs-error img.nbjs-timeline-chart")
    assert img is not None and "1 429 pause" in img["alt"] and "1 error" in img["alt"]
    svg = base64.b64decode(img["src"].split(",", 1)[1]).decode()
    fills = re.findall(r'<circle cx="[\d.]+" cy="[\d.]+" r="3" fill="(#\w+)"', svg)
    assert fills[:5] == [MARKS[k] for k in ("ok", "429 pause", "retry", "ok", "error")]
    assert 'stroke-dasharray="4 3"' in svg  # predicted finish (10 s from 40 % at 4 s)
    assert "<polyline" in svg and "<script" not in svg
    shown = soup(History(history, finished=6.0)._repr_html_())
    assert shown.select_one("img.nbjs-timeline-chart") and len(shown.select("tr")) == 6
    assert History(history) == history  # still the list
