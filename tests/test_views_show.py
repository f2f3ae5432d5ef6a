"""The views in use: ``show`` in a real in-process IPython shell (once per execution, then
updated), in a terminal IPython and without IPython, throttling and the shared ticker, a view
made at any moment of its job. Over loopback HTTP where the wall clock matters, in memory on a
jumping clock where only the outcome does (``memory``: tests/_memory.py)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from _memory import Memory
from _views_common import (
    KEY,
    WIDGET_MIME,
    eventually,
    finish,
    follow,
    settled,
)

import nb_jobstatus as njs
from nb_jobstatus import sandbox
from nb_jobstatus.views import _ticker

# -- show() in a real IPython shell ------------------------------------------------------------


@pytest.fixture
def shell() -> Iterator[Any]:
    from IPython.core.displaypub import CapturingDisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    saved = ip.display_pub
    ip.display_pub = CapturingDisplayPublisher()
    yield ip
    ip.display_pub = saved


def test_show_once_per_execution_then_final_update(sb: sandbox.Sandbox, shell: Any) -> None:
    rid = sb.add_job("sivi", duration=0.8, images=1, size=(300, 200))
    shell.user_ns.update(njs=njs, rid=rid, base=sb.base_url("sivi"), key=KEY)
    cell = 'job = njs.watch("sivi", rid, base_url=base, api_key=key)\njob'
    assert shell.run_cell(cell, store_history=True).success
    outputs = shell.display_pub.outputs
    assert len(outputs) == 1, "watch() shows it, the displayhook's show() is skipped"
    first = outputs[0]
    assert set(first["data"]) == {"text/plain", "text/html", WIDGET_MIME}
    assert not first["update"]
    display_id = first["transient"]["display_id"]
    job = shell.user_ns["job"]
    assert first["data"][WIDGET_MIME]["model_id"] == job.widget.model_id
    finish(job)
    eventually(lambda: any("nbjs-gallery" in o["data"]["text/html"] for o in outputs[1:]))
    eventually(lambda: "300 × 200 px · JPEG · " in outputs[-1]["data"]["text/plain"])
    updates = outputs[1:]
    assert updates and all(o["update"] for o in updates)
    assert {o["transient"]["display_id"] for o in updates} == {display_id}
    final = updates[-1]["data"]
    assert set(final) == {"text/plain", "text/html"}  # nbconvert would prefer a saved widget
    assert "completed" in final["text/plain"] and "nbjs-state-completed" in final["text/html"]
    assert len(updates) <= 2  # the end, then the media; identical bundles are not re-sent
    assert KEY not in json.dumps([o["data"] for o in outputs])
    assert shell.run_cell("job", store_history=True).success  # another cell shows it again
    assert len([o for o in outputs if not o["update"]]) == 2


def test_show_a_list_once(memory: Memory, shell: Any) -> None:
    jobs = [follow(memory, "clipia", duration=0.3) for _ in range(2)]
    shell.user_ns.update(jobs=jobs, show=njs.views.show)
    assert shell.run_cell("show(jobs); show(list(jobs))", store_history=True).success
    outputs = shell.display_pub.outputs
    assert len(outputs) == 1
    assert "nbjs-batch" in outputs[0]["data"]["text/html"]
    for job in jobs:
        finish(job)
    eventually(lambda: outputs[-1]["update"] and "2 completed" in outputs[-1]["data"]["text/plain"])
    assert "nbjs-state-completed" in outputs[-1]["data"]["text/html"]


def test_show_does_nothing_without_ipython(sb: sandbox.Sandbox) -> None:
    rid = sb.add_job("sivi", duration=0.2)
    code = (
        "import nb_jobstatus as njs, sys\n"
        f"job = njs.watch('sivi', {rid!r}, base_url={sb.base_url('sivi')!r}, api_key='k')\n"
        "job.wait(10)\n"
        "assert njs.views.show(job) is None\n"
        "print('quiet')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout == "quiet\n"


def test_terminal_ipython_prints_text(sb: sandbox.Sandbox) -> None:
    rid = sb.add_job("sivi", duration=0.8, images=1, size=(128, 96))
    code = (
        "import nb_jobstatus as njs, time\n"
        f"job = njs.watch('sivi', {rid!r}, base_url={sb.base_url('sivi')!r}, api_key={KEY!r})\n"
        "job.wait(10); t = time.time()\n"
        "while not job.media and time.time() - t < 20: time.sleep(0.05)\n"
        "time.sleep(1.0)"
    )
    ipython = os.path.join(os.path.dirname(sys.executable), "ipython")
    done = subprocess.run(
        [ipython, "--no-banner", "--colors=nocolor", "-c", code],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    out = done.stdout
    assert f"Sivi {rid}: " in out.splitlines()[0]
    assert f"Sivi {rid}: completed" in out and "128 × 96 px" in out
    assert KEY not in out


# -- throttling and the shared ticker ----------------------------------------------------------


def test_throttle_bounds_updates_of_a_fast_job(sb: sandbox.Sandbox) -> None:
    # as fast as the policy allows; 3 s: ~30 polls at its 0.1 s floor, 15 even on a loaded machine
    job = follow(sb, "clipia", duration=3.0, interval=0.02)
    view = job.widget
    changes: list[str] = []
    bar_values: list[float] = []
    for widget in (view.header, view.label, view.info, view.gallery, view.debugger):
        widget.observe(lambda c: changes.append(c["name"]), names="value")
    view.bar.observe(lambda c: changes.append(c["name"]), names=["value", "bar_style"])
    view.bar.observe(lambda c: bar_values.append(c["new"]), names="value")
    started = time.monotonic()
    settled(view)
    lifetime = time.monotonic() - started
    polls = len(job.history)
    print(
        f"\n{polls} polls, {len(bar_values)} bar moves, {len(changes)} trait updates "
        f"in {lifetime:.1f}s: {len(changes) / lifetime:.1f} updates/s, "
        f"{len(bar_values) / lifetime:.1f} renders/s"
    )
    assert polls >= 15  # the policy's floor is 0.1 s between polls
    assert view.bar.value == 100 and view.bar.bar_style == "success"
    assert len(bar_values) <= 4 * lifetime + 2  # at most ~4 renders a second
    assert len(bar_values) < polls  # fewer bar messages than polls


def test_one_ticker_thread_for_all_views(
    sb: sandbox.Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Six live views share one ticker thread, which ends when they have settled. The ticker
    is the test's own: views that other tests left live on this worker keep the process's
    one going (that made this test flaky)."""
    ticker = _ticker.Ticker()
    monkeypatch.setattr(_ticker, "_ticker", ticker)
    jobs = [follow(sb, "sivi", duration=1.0) for _ in range(6)]
    views = [job.widget for job in jobs]
    time.sleep(0.2)
    thread = ticker._thread
    assert thread is not None and thread.is_alive() and ticker.started == 1
    for view in views:
        settled(view)
    eventually(lambda: not ticker.running, timeout=10)
    thread.join(5)
    assert not thread.is_alive() and ticker.started == 1


def test_show_once_per_cell_even_without_history(memory: Memory, shell: Any) -> None:
    job = follow(memory, "sivi", duration=0.3)
    shell.user_ns.update(job=job, show=njs.views.show)
    for _ in range(2):  # store_history=False keeps execution_count: still two executions
        assert shell.run_cell("show(job); show(job)", store_history=False).success
    assert len([o for o in shell.display_pub.outputs if not o["update"]]) == 2
    finish(job)


@pytest.mark.parametrize("outcome", ["completed", "failed", "running"])
def test_a_view_made_whenever_ends_showing_the_measured_files(
    sb: sandbox.Sandbox, shell: Any, outcome: str
) -> None:
    """Re-running a notebook on a finished request: the view (live and saved) is made after
    the end, maybe before the files are cached; it still ends measured (issue 14.0)."""
    options: dict[str, Any] = {"duration": 0.2, "images": 1, "size": (300, 200)}
    if outcome == "failed":
        options.update(outcome="failed", reason="Image url invalid")
    if outcome == "running":
        options["duration"] = 1.5
    rid = sb.add_job("sivi", **options)
    job = njs.watch("sivi", rid, base_url=sb.base_url("sivi"), api_key=KEY, display=False)
    if outcome != "running":
        with contextlib.suppress(njs.JobStatusError):
            job.wait(20)
    shell.user_ns.update(job=job, show=njs.views.show)
    assert shell.run_cell("show(job)", store_history=True).success
    outputs = shell.display_pub.outputs
    view = job.widget
    finish(job)

    def final() -> str:
        return str(outputs[-1]["data"]["text/html"])

    if outcome == "failed":
        eventually(lambda: "nbjs-error" in final() and "Image url invalid" in final())
        assert "nbjs-error" in view.debugger.value
        return
    eventually(lambda: "300 × 200 px" in final() and "(reported)" not in final())
    eventually(lambda: "(reported)" not in view.gallery.value and "300 × 200" in view.gallery.value)
    assert (
        "downloading" not in final() and "300 × 200 px · JPEG" in outputs[-1]["data"]["text/plain"]
    )
