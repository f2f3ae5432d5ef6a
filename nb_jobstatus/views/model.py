"""The view-model: plain data computed from a job, that the widget, the static HTML and the
text all render. Building one never raises on a provider's values: text is bounded and
stripped of controls, numbers are finite or absent.

Phases: ``running`` (not done), ``completed``, ``failed`` (an error, or the provider said
failed), ``canceled`` (the provider canceled), ``stopped`` (``cancel()`` or the watch
deadline: neutral, the request may still run at the provider) and ``expired`` (410).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..core.model import State
from . import _format as fmt
from . import _job
from ._job import JobLike
from .assets import MAX_CARDS, AssetView, asset_views

REASON_LIMIT = 300  # characters of a reason, a log line or a status word shown in a view
OUTPUT_LIMIT = 2_000  # characters of other output shown as JSON


@dataclass(frozen=True)
class Bar:
    """What the progress bar shows: a value 0-100, an ipywidgets ``bar_style`` and a label."""

    value: float
    style: str  # "", "info", "success", "warning" or "danger"
    indeterminate: bool
    label: str


@dataclass(frozen=True)
class Stop:
    """Why polling stopped early, the provider's last state, and how to follow it again."""

    why: str  # "canceled" or "timeout"
    last: str
    resume: str


@dataclass(frozen=True)
class Gallery:
    assets: tuple[AssetView, ...]
    more: int  # assets not shown
    count: int  # every asset
    output: str | None  # other result output, compact JSON


@dataclass(frozen=True)
class JobModel:
    provider: str
    title: str
    request_id: str
    phase: str
    word: str  # what the pill says
    state: str  # the provider's last state (``job.state``)
    bar: Bar
    facts: tuple[str, ...]
    links: tuple[tuple[str, str], ...]  # (label, url): the request's view and share links
    stop: Stop | None
    retries: int
    paused: float
    test_mode: bool
    done: bool
    settled: bool
    show_images: bool
    gallery: Gallery | None  # only when asked for (it embeds thumbnails)


def phase_of(job: JobLike) -> str:
    if not job.done:
        return "running"
    if _job.stopped(job):
        return "stopped"
    if _job.expired(job):
        return "expired"
    status = job.status
    if job.error is None and status is not None and status.state is State.COMPLETED:
        return "completed"
    if status is not None and status.state is State.CANCELED:
        return "canceled"
    return "failed"


def model_of(job: JobLike, *, gallery: bool = True, limit: int = MAX_CARDS) -> JobModel:
    """Everything a view shows of ``job``; ``gallery=False`` skips the files (for ticks)."""
    phase = phase_of(job)
    status = job.status
    stop = None
    if phase == "stopped":
        last = _job.last_state(job).value
        if last == State.UNKNOWN.value and job.status and job.status.provider_status:
            last = fmt.line(job.status.provider_status, 60)  # a word we don't know: as said
        stop = Stop(_job.stopped(job) or "canceled", last, _job.resume(job))
    return JobModel(
        provider=str(job.provider),
        title=_job.title(job),
        request_id=str(job.request_id),
        phase=phase,
        word=phase if phase in ("stopped", "expired") else job.state.value,
        state=job.state.value,
        bar=bar_of(job, phase),
        facts=tuple(facts_of(job, phase, stop)),
        links=request_links(job),
        stop=stop,
        retries=_job.retries(job),
        paused=_job.paused(job),
        test_mode=bool(status is not None and status.test_mode),
        done=job.done,
        settled=_job.settled(job),
        show_images=getattr(job, "show_images", True) is not False,
        gallery=gallery_of(job, limit) if gallery and phase == "completed" else None,
    )


def gallery_of(job: JobLike, limit: int = MAX_CARDS) -> Gallery:
    shown, more = asset_views(job, limit)
    status = job.status
    count = len(status.assets) if status is not None else 0
    return Gallery(shown, more, count, output_json(getattr(status, "output", None)))


def request_links(job: JobLike) -> tuple[tuple[str, str], ...]:
    status = job.status
    if status is None:
        return ()
    pairs = (("view", status.view_url), ("share", status.share_url))
    return tuple((label, url) for label, url in pairs if isinstance(url, str) and url)


def output_json(output: Any) -> str | None:
    """Other result output as compact JSON (bounded), None when there is none."""
    if output is None or output == {} or output == [] or output == "":
        return None
    try:
        text = json.dumps(output, ensure_ascii=False, separators=(",", ":"), default=str)
    except (ValueError, TypeError, RecursionError):
        text = repr(output)[: OUTPUT_LIMIT * 2]
    return fmt.block(text, OUTPUT_LIMIT)


# -- the bar ----------------------------------------------------------------------------------

ENDS = {
    "completed": ("success", "done"),
    "stopped": ("", "stopped"),
    "expired": ("warning", "expired"),
    "canceled": ("warning", "canceled"),
    "failed": ("danger", "failed"),
}


def bar_of(job: JobLike, phase: str | None = None) -> Bar:
    """The bar for the job's phase: indeterminate (full, pale) without progress."""
    phase = phase or phase_of(job)
    status = job.status
    progress = fmt.progress(status.progress) if status is not None else None
    if phase in ENDS:
        style, label = ENDS[phase]
        value = 100.0 if phase == "completed" or not progress else progress
        return Bar(value, style, False, label)
    if progress is not None and job.state is not State.QUEUED:
        return Bar(progress, "info", False, fmt.percent(progress))
    if status is None:
        return Bar(100.0, "info", True, "starting…")
    return Bar(100.0, "info", True, "queued…" if job.state is State.QUEUED else "working…")


# -- the facts under the bar ------------------------------------------------------------------

VERBS = {
    "completed": "finished",
    "failed": "failed",
    "canceled": "canceled",
    "expired": "expired",
    "stopped": "stopped",
}


def facts_of(job: JobLike, phase: str, stop: Stop | None) -> list[str]:
    """Plain-text facts: queue, elapsed, time left, retries; or how and when it ended."""
    if phase == "running":
        return _running_facts(job)
    took = fmt.duration(_job.elapsed(job))
    parts = [f"{VERBS[phase]} after {took}", fmt.plural(len(job.history), "poll")]
    if stop is not None:
        why = "canceled" if stop.why == "canceled" else "watch timeout"
        parts[0] = f"stopped ({why}) after {took}"
        parts.append(f"the provider last said {stop.last}")
    if phase == "completed" and job.status is not None:
        parts.append(fmt.plural(len(job.status.assets), "file"))
    return parts + _retry_facts(job)


def _running_facts(job: JobLike) -> list[str]:
    status = job.status
    parts = _queue(job)
    parts.append(f"elapsed {fmt.duration(_job.elapsed(job), tenths=False)}")
    left = _job.eta(job)
    if left:
        parts.append(left)
    parts += _retrying(job) + _retry_facts(job)
    if status is not None and status.state is State.UNKNOWN:
        parts.append(f"provider says “{fmt.line(status.provider_status, 60)}”")
    if status is not None and status.logs:
        parts.append(fmt.line(status.logs[-1], 120))
    return parts


def _queue(job: JobLike) -> list[str]:
    status = job.status
    if status is None or status.state is not State.QUEUED:
        return []
    position = fmt.count(status.queue_position)
    if position is not None:
        return [f"queue position {position:,}"]
    wait = fmt.finite(status.queue_wait_seconds)
    if wait is not None and 0.5 <= wait <= fmt.MAX_SECONDS:
        return [f"queue wait ~{fmt.duration(wait + 0.5, tenths=False)}"]
    return []


def _retrying(job: JobLike) -> list[str]:
    last = job.history[-1] if job.history else None
    if last is None or last.error is None:
        return []
    http = f" HTTP {last.http_status}" if last.http_status else ""
    return [f"{type(last.error).__name__}{http}: {fmt.line(last.why, 120)}"]


def _retry_facts(job: JobLike) -> list[str]:
    parts = []
    if retries := _job.retries(job):
        parts.append(f"{fmt.plural(retries, 'retry')}".replace("retrys", "retries"))
    if (held := _job.paused(job)) >= 0.05:
        parts.append(f"paused {fmt.duration(held)} by rate limits")
    return parts
