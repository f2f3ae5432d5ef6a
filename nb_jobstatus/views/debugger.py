"""The failure debugger (class ``nbjs-error``) and the neutral stopped panel (``nbjs-stopped``).

The debugger is for real failures (failed, expired, canceled by the provider): the reason,
the HTTP status and provider error code, the timeline chart and table, a copy-paste ``curl``
that reads the key from its variable, and the raw last response (collapsed, bounded: the
full value of any text cut short above). A job stopped by ``cancel()`` or the watch deadline
gets no debugger: a grey panel with the provider's last state and the line that resumes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..core.model import State
from ..core.redact import redact
from . import _format as fmt
from . import _html as h
from . import palette as pal
from ._job import JobLike, elapsed
from .model import REASON_LIMIT, JobModel, phase_of
from .timeline import timeline_html

RAW_LIMIT = 20_000  # characters of the raw response shown
FAILURES = ("failed", "expired", "canceled")
TITLES = {"failed": "Failed", "expired": "Expired", "canceled": "Canceled by the provider"}


@dataclass(frozen=True)
class Failure:
    title: str
    reason: str  # bounded
    facts: tuple[str, ...]
    curl: str
    raw: str | None  # bounded


def failed(job: JobLike) -> bool:
    """Whether the job ended in a real failure (not completed, not stopped by us)."""
    return phase_of(job) in FAILURES


def reason(job: JobLike) -> str:
    """The provider's reason, else the error's message (whole: bound it where shown)."""
    status = job.status
    if status is not None and status.reason and (status.state.terminal or job.error is None):
        return fmt.text(status.reason)
    if job.error is not None:
        return fmt.text(getattr(job.error, "message", job.error))
    if status is not None and status.state is State.CANCELED:
        return "the provider canceled the request"
    return "the provider gave no reason"


def http_status(job: JobLike) -> int | None:
    code = getattr(job.error, "http_status", None)
    if code is not None:
        return fmt.count(code)
    return job.history[-1].http_status if job.history else None


def error_code(job: JobLike) -> str | None:
    code = getattr(job.error, "code", None)
    if code:
        return fmt.line(code, 60)
    status = job.status
    return fmt.line(status.error_code, 60) if status is not None and status.error_code else None


def facts(job: JobLike) -> list[str]:
    """``HTTP 410``, ``code expired``, ``provider status “failed”``, ``ExpiredError``."""
    found = []
    if (code := http_status(job)) is not None:
        found.append(f"HTTP {code}")
    if err := error_code(job):
        found.append(f"code {err}")
    if job.status is not None and job.status.provider_status:
        found.append(f"provider status “{fmt.line(job.status.provider_status, 60)}”")
    if job.error is not None:
        found.append(type(job.error).__name__)
    return found


def raw_text(job: JobLike) -> str | None:
    """The last response body, pretty-printed (keys masked, bounded), or None."""
    body = getattr(job.error, "body", None)
    last = job.history[-1] if job.history else None
    if last is not None and last.status is None and body:
        return _pretty(body)
    if job.status is not None and job.status.raw is not None:
        return _pretty(job.status.raw)
    return _pretty(body) if body else None


def _pretty(raw: Any) -> str:
    if isinstance(raw, (bytes, bytearray)):
        raw = bytes(raw[: RAW_LIMIT * 4]).decode("utf-8", "replace")
    if isinstance(raw, str):
        try:
            raw = json.loads(raw[: RAW_LIMIT * 50])
        except (ValueError, RecursionError):
            return fmt.block(redact(raw[: RAW_LIMIT * 2]), RAW_LIMIT)
    try:
        text = json.dumps(raw, indent=2, ensure_ascii=False, default=str)
    except (ValueError, TypeError, RecursionError):
        text = repr(raw)[: RAW_LIMIT * 2]
    return fmt.block(redact(text), RAW_LIMIT)


def failure_of(job: JobLike) -> Failure | None:
    phase = phase_of(job)
    if phase not in FAILURES:
        return None
    return Failure(
        title=TITLES[phase],
        reason=fmt.line(reason(job), REASON_LIMIT),
        facts=tuple(facts(job)),
        curl=_curl(job),
        raw=raw_text(job),
    )


def _curl(job: JobLike) -> str:
    try:
        return redact(job.curl())
    except Exception:  # a job that cannot make one: say so rather than break the view
        return "# no curl command for this job"


# -- HTML -------------------------------------------------------------------------------------


def debugger_html(job: JobLike) -> str:
    """The failure panel (class ``nbjs-error``); empty unless the job really failed."""
    failure = failure_of(job)
    if failure is None:
        return ""
    color = pal.ERROR if failure.title == "Failed" else pal.WARN
    parts = [
        f'<div style="color: {color}; font-weight: 600; margin-bottom: 2px">'
        f"{h.esc(failure.title)}: {h.esc(failure.reason)}</div>",
        h.muted(" · ".join(failure.facts)),
        h.muted("Reproduce the last status call:"),
        h.pre(failure.curl),
        timeline_html(job.history, finished=elapsed(job), failed=True) if job.history else "",
        h.details("Raw last response", h.pre(failure.raw, max_height="320px"))
        if failure.raw
        else "",
    ]
    return (
        f'<div class="nbjs-error" style="border-left: 3px solid {color}; '
        f"background-color: rgba(211, 47, 47, 0.06); padding: 6px 10px; margin-top: 6px; "
        f'border-radius: 0 4px 4px 0; line-height: 1.45">{"".join(parts)}</div>'
    )


def stopped_html(model: JobModel) -> str:
    """The neutral panel of a job stopped here (class ``nbjs-stopped``)."""
    stop = model.stop
    if stop is None:
        return ""
    why = "cancel() stopped following it" if stop.why == "canceled" else "the watch timed out"
    return (
        f'<div class="nbjs-stopped" style="border-left: 3px solid {pal.NEUTRAL}; '
        f'padding: 4px 10px; margin-top: 6px; line-height: 1.45">'
        f"<div>Stopped: {h.esc(why)}; the provider last said "
        f"<b>{h.esc(stop.last)}</b> and may still be working on it.</div>"
        f'<div style="{pal.MUTED}">Follow it again: {h.code(stop.resume, wrap=True)}</div></div>'
    )


# -- text -------------------------------------------------------------------------------------


def failure_text(job: JobLike) -> list[str]:
    """The failure as indented text lines: reason, facts, curl."""
    failure = failure_of(job)
    if failure is None:
        return []
    lines = [f"  reason: {failure.reason}", "  " + " · ".join(failure.facts)]
    lines += ["  reproduce with:"] + ["    " + line for line in failure.curl.splitlines()]
    return lines
