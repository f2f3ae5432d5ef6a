"""The live views over jobs driven by hand (no socket): a view made after the end still ends
showing the measured files (issue 14.0), a widget sends only what changed (issue 10.11), and
terminal IPython prints one final summary per job however often it was shown (issue 14.7)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from bs4 import BeautifulSoup
from test_views_model import StaticJob, running, sivi_done

from nb_jobstatus.core.media import Media
from nb_jobstatus.core.model import State
from nb_jobstatus.views import _show
from nb_jobstatus.views.batch import BatchView
from nb_jobstatus.views.widget import JobView


def eventually(check: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def measured(job: StaticJob) -> dict[str, Media]:
    assert job.status is not None
    return {a.url: Media(a, size_bytes=1000, format="JPEG", width=1080, height=1080,
                         source_url=a.url) for a in job.status.assets}  # fmt: skip


@pytest.mark.parametrize("calls_again", [True, False], ids=["told", "not-told"])
def test_a_view_made_after_the_end_shows_the_measured_files(calls_again: bool) -> None:
    """Made after the end, before the files are cached: whether or not the job calls the
    view again when they are (the core does; an older job did not), it ends measured."""
    job = sivi_done()
    job.settled = False
    view = JobView(job)
    assert "downloading…" in view.gallery.value and "(reported)" in view.gallery.value
    job.media = measured(job)
    if calls_again:
        job.settle()
        assert "(reported)" not in view.gallery.value  # at once
    else:
        job.settled = True  # nobody tells the view: the ticker finds out within a second
    eventually(lambda: "(reported)" not in view.gallery.value)
    dims = BeautifulSoup(view.gallery.value, "html.parser").select_one(".nbjs-dims")
    assert dims.get_text() == "1080 × 1080 px"


def test_a_batch_view_made_after_the_end_shows_the_measured_files() -> None:
    first, second = sivi_done(), replace(sivi_done(), request_id="sbhMkIZKCPq")
    for job in (first, second):
        job.settled = False
    view = BatchView([first, second])
    assert view.gallery.value.count("downloading…") == 2
    for job in (first, second):
        job.media = measured(job)
        job.settle()
    eventually(lambda: "downloading…" not in view.gallery.value)
    assert "(reported)" not in view.gallery.value


def test_a_failed_and_a_running_job_view() -> None:
    failed = StaticJob("sivi", "abcDEF12345", replace(sivi_done().status, state=State.FAILED,
                       provider_status="failed", reason="Image url invalid"))  # fmt: skip
    view = JobView(failed)
    assert "Image url invalid" in view.debugger.value and view.gallery.layout.display == "none"
    live = running(40)
    view = JobView(live)
    assert view.bar.value == 40 and view.bar.bar_style == "info"


def test_a_widget_sends_only_what_changed() -> None:
    job = running(40)
    view = JobView(job)
    sent = view.updates.count
    for _ in range(5):
        view.render()
        view.tick()
    assert view.updates.count == sent  # nothing it shows changed
    job.status = replace(job.status, progress=41.0)  # type: ignore[type-var]
    view.render()
    assert view.updates.count > sent and view.bar.value == 41
    assert view.updates.count - sent <= 3  # the bar, its label, (the info line)


def test_terminal_prints_the_final_summary_once_per_job(capsys: pytest.CaptureFixture[str]) -> None:
    job = running(40)
    for _ in range(3):  # j = watch(...); j; j
        _show.follow_in_text([job])
    assert capsys.readouterr().out.count("Clipia r-1: running 40%") == 3
    job.status = replace(job.status, state=State.COMPLETED, provider_status="COMPLETED")  # type: ignore[type-var]
    job.done = True
    job.settle()
    out = capsys.readouterr().out
    assert out.count("Clipia r-1: completed") == 1, out
    _show.follow_in_text([job])  # asked again after the end: shown again, once
    assert capsys.readouterr().out.count("Clipia r-1: completed") == 1
