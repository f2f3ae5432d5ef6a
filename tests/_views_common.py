"""What the view tests share (tests/test_views_widget.py, tests/test_views_show.py):
following a scripted job over HTTP or in memory,
waiting for the last frame, reading the widgets' state."""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from _memory import Memory

import nb_jobstatus as njs
from nb_jobstatus import sandbox
from nb_jobstatus.views import BatchView, JobView

KEY = "canary-KEY-1234567890"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def follow(sb: sandbox.Sandbox | Memory, provider: str, **options: Any) -> njs.Job:
    """A scripted sandbox job, followed by the real engine over HTTP (or in memory)."""
    interval = options.pop("interval", None)
    if isinstance(sb, Memory):
        return sb.watch(
            provider, sb.sb.add_job(provider, **options), api_key=KEY, interval=interval
        )
    rid = sb.add_job(provider, **options)
    job = njs.watch(
        provider, rid, base_url=sb.base_url(provider), api_key=KEY, interval=interval,
        display=False,
    )  # fmt: skip
    assert isinstance(job, njs.Job)
    return job


def eventually(check: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def finish(job: njs.Job) -> None:
    """Wait for the end (the job's error is the test's business) and for media caching."""
    with contextlib.suppress(njs.JobStatusError):
        job.wait(20)
    if job.state is njs.State.COMPLETED and job.status and job.status.assets:
        eventually(lambda: len(job.media) == len(job.status.assets))  # type: ignore[union-attr]


def settled(view: JobView | BatchView) -> None:
    """Wait until the view has rendered its final frame (renders run on engine threads)."""
    jobs = view.jobs if isinstance(view, BatchView) else [view.job]
    for job in jobs:
        finish(job)
        # the views told one last time (``Job.settle``): ``wait`` stops waiting for that after
        # a while, which a loaded machine can outlast
        eventually(job._settled.is_set)
    time.sleep(0.35)  # a deferred render is at most one throttle interval away


def pill_state(html: str) -> str:
    found = re.search(r"nbjs-state-(\w+)", html)
    assert found, html
    return found.group(1)


def all_text(view: JobView) -> str:
    """Every string trait value of the view's widgets."""
    parts = []
    for widget in (view.header, view.bar, view.label, view.info, view.gallery, view.debugger):
        state = widget.get_state()
        parts.append(json.dumps(state, default=str))
    return "\n".join(parts)
