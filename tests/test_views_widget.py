"""The views against the real sandbox: formatting helpers, the live widget's trait values,
the failure debugger, the batch view, the static HTML/text. No mocks: every job is polled by the
real engine, over HTTP where the wall clock matters (live updates, ticks, cancel, timeouts), in
memory on a jumping clock where only the outcome does (``memory``: tests/_memory.py)."""

from __future__ import annotations

import re
import time

from _memory import Memory
from _views_common import (
    KEY,
    all_text,
    eventually,
    finish,
    follow,
    pill_state,
    settled,
)
from bs4 import BeautifulSoup

import nb_jobstatus as njs
from nb_jobstatus import sandbox
from nb_jobstatus.views import BatchView, JobView, _format, _html, static
from nb_jobstatus.views.palette import INDETERMINATE as INDETERMINATE_COLOR

# -- formatting helpers --------------------------------------------------------------------


def test_format_helpers() -> None:
    assert _format.duration(0.42) == "0.4s"
    assert _format.duration(3.99, tenths=False) == "3s"
    assert _format.duration(75) == "1m 15s"
    assert _format.duration(3725) == "1h 02m"
    assert _format.duration(None) == "—"
    assert _format.size(812) == "812 B"
    assert _format.size(187_400) == "183 KB"
    assert _format.size(4_404_019) == "4.2 MB"
    assert _format.dims(1080, 720) == "1080 × 720 px"
    assert _format.dims(None, 720) is None
    assert _html.safe_url("javascript:alert(1)") is None
    assert _html.safe_url("https://example.com/a") == "https://example.com/a"
    assert _html.safe_url("https://exa mple.com/\x1b") is None
    assert "href" not in _html.link("data:text/html,<b>x</b>", "x")
    assert _html.link("https://e.com/?a=1&b=<2>", "go").count("&lt;2&gt;") == 2  # href, title
    assert "<script>" not in _html.pill("<script>")


# -- the live widget ---------------------------------------------------------------------------


def test_widget_follows_queued_running_completed(sb: sandbox.Sandbox) -> None:
    job = follow(sb, "clipia", queue=0.8, duration=1.5, images=1, size=(320, 200))
    view = job.widget
    assert isinstance(view, JobView)
    assert "nbjs-job" in view._dom_classes and "nbjs-progress" in view.bar._dom_classes
    states: list[str] = []
    styles: list[tuple[str, float, bool]] = []
    view.header.observe(lambda c: states.append(pill_state(c["new"])), names="value")
    view.bar.observe(
        lambda c: styles.append(
            (view.bar.bar_style, view.bar.value, bool(view.bar.style.bar_color))
        ),
        names=["value", "bar_style"],
    )
    eventually(lambda: job.state is njs.State.QUEUED and job.status is not None)
    time.sleep(0.3)
    assert pill_state(view.header.value) == "queued"
    assert "queue position" in view.info.value
    settled(view)
    assert pill_state(view.header.value) == "completed"
    assert "running" in states
    running = [value for style, value, _ in styles if style == "info" and 0 < value < 100]
    assert running, styles  # a determinate bar while Clipia reports progress
    assert view.bar.bar_style == "success" and view.bar.value == 100
    assert view.bar.style.bar_color is None
    assert "done" in view.label.value
    assert view.gallery.layout.display is None and "nbjs-gallery" in view.gallery.value
    assert "320 × 200 px" in view.gallery.value
    assert view.debugger.layout.display == "none"


def test_napkin_bar_is_indeterminate(sb: sandbox.Sandbox) -> None:
    job = follow(sb, "napkin", duration=1.2, images=1)
    view = job.widget
    eventually(lambda: job.status is not None)
    time.sleep(0.3)
    assert not job.done
    assert view.bar.value == 100 and view.bar.bar_style == "info"
    assert view.bar.style.bar_color == INDETERMINATE_COLOR
    assert "nbjs-indeterminate" in view.bar._dom_classes
    assert "…" in view.label.value
    settled(view)
    assert view.bar.bar_style == "success"
    assert view.bar.style.bar_color is None
    assert "nbjs-indeterminate" not in view.bar._dom_classes


def test_elapsed_ticks_between_polls(sb: sandbox.Sandbox) -> None:
    job = follow(sb, "sivi", duration=6, interval=4.0)
    view = job.widget
    eventually(lambda: len(job.history) == 1)
    seen = set()
    for _ in range(12):
        seen.add(re.search(r"elapsed \d+s", view.info.value).group(0))  # type: ignore[union-attr]
        time.sleep(0.2)
    assert len(job.history) == 1, "no new poll happened meanwhile"
    assert len(seen) >= 2, seen  # the shared ticker moved the clock
    job.cancel()


# -- the failure debugger ----------------------------------------------------------------------


def test_failure_debugger_escapes_and_never_leaks_the_key(memory: Memory) -> None:
    reason = '<script>alert("pwned")</script> & the layout failed'
    job = follow(memory, "napkin", duration=0.3, outcome="failed", reason=reason)
    view = job.widget
    settled(view)
    assert job.state is njs.State.FAILED
    assert view.bar.bar_style == "danger"
    assert view.debugger.layout.display is None
    panel = view.debugger.value
    assert 'class="nbjs-error"' in panel
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; the layout" in panel
    assert "<script>" not in panel
    assert "HTTP 200" in panel and "code generation_failed" in panel
    rows = re.findall(r"<tr><td", panel)
    assert len(rows) == len(job.history) >= 2
    assert "Raw last response" in panel and "&quot;status&quot;: &quot;failed&quot;" in panel
    assert "$NAPKIN_API_TOKEN" in panel and "/v1/visual/" in panel
    text = njs.views.job_text(job)
    assert reason in text and "$NAPKIN_API_TOKEN" in text and "HTTP 200" in text
    for output in (all_text(view), njs.views.job_html(job), text, njs.views.jobs_html([job])):
        assert KEY not in output
        assert "<script>" not in output or output is text


def test_failure_is_never_overwritten(memory: Memory) -> None:
    job = follow(memory, "sivi", duration=0.3, outcome="failed", reason="Image url invalid")
    view = job.widget
    settled(view)
    assert view.bar.bar_style == "danger" and pill_state(view.header.value) == "failed"
    notify = getattr(job, "notify", None) or job._notify  # type: ignore[attr-defined]
    notify()  # late callbacks (e.g. media) and ticks must not change the verdict
    view.tick()
    view.render()
    time.sleep(0.3)
    assert view.bar.bar_style == "danger" and pill_state(view.header.value) == "failed"
    assert "Image url invalid" in view.debugger.value


def test_http_error_timeline_shows_retries_and_status(memory: Memory) -> None:
    job = follow(memory, "clipia", duration=3, faults=["503", "503", "410"])
    view = job.widget
    settled(view)
    assert isinstance(job.error, njs.ExpiredError)
    assert pill_state(view.header.value) == "expired"  # not "failed"
    panel = view.debugger.value
    assert "Expired" in panel and "nbjs-timeline-chart" in panel
    assert "HTTP 410" in panel and "ExpiredError" in panel
    assert panel.count("retry 1 of 4") == 1 and "retry 2 of 4" in panel
    assert "final error" in panel
    assert re.search(r"<td[^>]*>503</td>", panel)
    text = njs.views.job_text(job)
    assert "HTTP 410" in text and "$CLIPIA_API_KEY" in text and KEY not in text


def test_canceled_job_is_stopped_not_failed(sb: sandbox.Sandbox) -> None:
    job = follow(sb, "sivi", duration=30)
    view = job.widget
    eventually(lambda: job.status is not None)
    job.cancel()
    settled(view)
    assert pill_state(view.header.value) == "stopped"
    assert view.bar.bar_style == ""  # neutral: the request may still run at the provider
    panel = BeautifulSoup(view.debugger.value, "html.parser")
    assert panel.select(".nbjs-error") == [] and panel.select_one(".nbjs-stopped") is not None
    assert f'njs.watch("sivi", "{job.request_id}"' in panel.get_text()
    for page in (static.job_html(job), static.jobs_html([job])):
        assert "nbjs-error" not in page and "nbjs-state-stopped" in page
    assert "stopped (canceled)" in static.job_text(job)


def test_watch_timeout_is_stopped_with_the_last_state(sb: sandbox.Sandbox) -> None:
    rid = sb.add_job("clipia", duration=30)
    job = njs.watch("clipia", rid, base_url=sb.base_url("clipia"), api_key=KEY,
                    timeout=1.0, display=False)  # fmt: skip
    settled(job.widget)
    page = BeautifulSoup(static.job_html(job), "html.parser")
    assert page.select_one(".nbjs-state").get_text() == "stopped"
    assert "watch timed out" in page.select_one(".nbjs-stopped").get_text()
    assert page.select(".nbjs-error") == []


# -- many jobs ---------------------------------------------------------------------------------


def test_batch_view_one_table_one_gallery(memory: Memory) -> None:
    jobs = [
        follow(memory, "sivi", duration=0.4, images=2, size=(400, 300)),
        follow(memory, "clipia", duration=0.6, images=1, size=(256, 256)),
        follow(memory, "napkin", duration=0.3, outcome="failed", reason="<b>bad</b> layout"),
    ]
    view = BatchView(jobs)
    assert "nbjs-job" in view._dom_classes
    titles = [c["title"] for c in BeautifulSoup(view.table.value, "html.parser").select("code")]
    assert titles == [job.request_id for job in jobs]
    settled(view)
    time.sleep(0.3)
    table = view.table.value
    assert [pill_state(m) for m in re.findall(r"nbjs-state-\w+", table)] == [
        "completed",
        "completed",
        "failed",
    ]
    assert "&lt;b&gt;bad&lt;/b&gt; layout" in table and "<b>bad" not in table
    summary = " ".join(BeautifulSoup(view.header.value, "html.parser").get_text(" ").split())
    assert "3 jobs completed 2 failed 1" in summary and "“<b>bad</b> layout”" in summary
    assert len(view.failures.children) == 1
    assert "nbjs-error" in view.failures.children[0].value
    gallery = view.gallery.value
    assert gallery.count('class="nbjs-gallery"') == 1
    assert gallery.count('class="nbjs-asset"') == 3 and gallery.count('class="nbjs-owner"') == 3
    assert "400 × 300 px" in gallery and "256 × 256 px" in gallery
    html = njs.views.jobs_html(jobs)
    text = njs.views.jobs_text(jobs)
    assert html.count('class="nbjs-gallery"') == 1 and "nbjs-error" in html
    assert "400 × 300 px" in text and "<b>bad</b> layout" in text
    assert KEY not in html + text + view.table.value + gallery


# -- static rendering --------------------------------------------------------------------------


def test_static_html_and_text_after_completion(memory: Memory) -> None:
    job = follow(
        memory, "sivi", duration=0.3, images=2, size=(640, 480),
        overrides={"shareLink": "javascript:alert(1)"},
    )  # fmt: skip
    finish(job)
    html = njs.views.job_html(job)
    assert 'class="nbjs-job"' in html and "nbjs-gallery" in html and "nbjs-state" in html
    assert html.count('class="nbjs-dims"') == 2 and "640 × 480 px" in html
    assert 'class="nbjs-links"' in html and 'href="http://127.0.0.1' in html
    assert 'target="_blank"' in html and "javascript:alert" not in html.split("href=")[-1][:30]
    assert 'href="javascript' not in html
    text = njs.views.job_text(job)
    assert text.startswith(f"Sivi {job.request_id}: completed")
    assert text.count("640 × 480 px · JPEG · ") == 2 and " KB" in text
    for asset in job.status.assets:  # type: ignore[union-attr]
        assert asset.url in text and f"edit: {asset.edit_url}" in text
    assert KEY not in html + text


def test_static_view_while_running_is_striped(sb: sandbox.Sandbox) -> None:
    job = follow(sb, "napkin", duration=2)
    eventually(lambda: job.status is not None)
    html = static.job_html(job)
    assert 'class="nbjs-progress nbjs-indeterminate"' in html
    assert "queued…" in html or "working…" in html
    assert static.job_text(job).startswith(f"Napkin {job.request_id}: queued")
    job.cancel()
