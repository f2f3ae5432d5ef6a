"""The failure debugger: why a job failed, as HTML (class ``nbjs-error``) and as text.

Everything a person needs to report or reproduce the failure: the reason, the HTTP status and
the provider's error code, the timeline of polls with the policy's delays, the raw last
response (collapsed) and a copy-paste ``curl`` that reads the key from its variable.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..core.model import Poll, State
from ..core.redact import redact
from . import _format as fmt

if TYPE_CHECKING:
    from ..job import Job

TIMELINE_ROWS = 40  # the last polls shown; earlier ones are counted
RAW_LIMIT = 20_000  # characters of raw JSON shown

CELL = f"padding: 2px 8px; border-bottom: 1px solid {fmt.BORDER}; text-align: left"
HEAD = CELL + f"; color: {fmt.FG_MUTED}; font-weight: 600"


def failed(job: Job) -> bool:
    """Whether the job ended without its images: failed, expired, canceled or erroring."""
    return job.done and (job.error is not None or job.state is not State.COMPLETED)


def reason(job: Job) -> str:
    """The provider's reason, else the error's message."""
    status = job.status
    if status is not None and status.reason and (status.state.terminal or job.error is None):
        return status.reason
    if job.error is not None:
        return job.error.message
    if status is not None and status.state is State.CANCELED:
        return "the provider canceled the request"
    return "the provider gave no reason"


def http_status(job: Job) -> int | None:
    if job.error is not None and job.error.http_status is not None:
        return job.error.http_status
    return job.history[-1].http_status if job.history else None


def error_code(job: Job) -> str | None:
    if job.error is not None and job.error.code:
        return job.error.code
    return job.status.error_code if job.status is not None else None


def raw_text(job: Job) -> str | None:
    """The last response body, pretty-printed (keys masked), or None."""
    last = job.history[-1] if job.history else None
    if last is not None and last.status is None and job.error is not None and job.error.body:
        return _pretty(job.error.body)
    if job.status is not None and job.status.raw is not None:
        return _pretty(job.status.raw)
    return _pretty(job.error.body) if job.error is not None and job.error.body else None


def _pretty(raw: Any) -> str:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return fmt.shorten(redact(raw), RAW_LIMIT)
    text = json.dumps(raw, indent=2, ensure_ascii=False, default=str)
    return fmt.shorten(redact(text), RAW_LIMIT)


def facts(job: Job) -> list[str]:
    """``HTTP 410``, ``code expired``, ``provider status “failed”``, ``ExpiredError``."""
    found = []
    if (code := http_status(job)) is not None:
        found.append(f"HTTP {code}")
    if err := error_code(job):
        found.append(f"code {err}")
    if job.status is not None and job.status.provider_status:
        found.append(f"provider status “{job.status.provider_status}”")
    if job.error is not None:
        found.append(type(job.error).__name__)
    return found


# -- the timeline ----------------------------------------------------------------------------

COLUMNS = ("#", "time", "elapsed", "HTTP", "status", "progress", "error", "next", "why")


def timeline_row(index: int, poll: Poll) -> tuple[str, ...]:
    """One poll as the timeline's cells (plain text)."""
    status = poll.status
    error = "" if poll.error is None else f"{type(poll.error).__name__}: {poll.error}"
    return (
        str(index),
        fmt.clock(poll.at),
        fmt.duration(poll.elapsed),
        "—" if poll.http_status is None else str(poll.http_status),
        (status.provider_status or status.state.value) if status is not None else "—",
        fmt.percent(status.progress) if status is not None else "—",
        fmt.shorten(error, 160),
        fmt.duration(poll.next_delay) if poll.next_delay is not None else "—",
        poll.why,
    )


def timeline_rows(job: Job) -> list[tuple[str, ...]]:
    """Every poll of ``job`` as timeline cells, oldest first."""
    return [timeline_row(i, poll) for i, poll in enumerate(list(job.history), start=1)]


def timeline_html(job: Job) -> str:
    rows = timeline_rows(job)
    hidden, rows = max(0, len(rows) - TIMELINE_ROWS), rows[-TIMELINE_ROWS:]
    head = "".join(f'<th style="{HEAD}">{fmt.esc(c)}</th>' for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL}">{fmt.esc(cell)}</td>' for cell in row) + "</tr>"
        for row in rows
    )
    more = f"<div>… {hidden} earlier polls not shown</div>" if hidden else ""
    table = (
        f'<table style="border-collapse: collapse; font-size: 12px; font-family: {fmt.MONO}; '
        f'margin: 4px 0">{"<tr>" + head + "</tr>"}{body}</table>'
    )
    return _details(f"Timeline: {len(job.history)} polls", more + table, opened=True)


def _details(summary: str, inner: str, opened: bool = False) -> str:
    attr = " open" if opened else ""
    return (
        f'<details{attr} style="margin: 6px 0"><summary style="cursor: pointer; '
        f'color: {fmt.FG_MUTED}; font-weight: 600">{fmt.esc(summary)}</summary>'
        f'<div style="overflow-x: auto">{inner}</div></details>'
    )


# -- the panel -------------------------------------------------------------------------------


def debugger_html(job: Job) -> str:
    """The red failure panel (class ``nbjs-error``); empty unless the job failed."""
    if not failed(job):
        return ""
    title = {State.CANCELED: "Canceled"}.get(job.state, "Failed")
    raw = raw_text(job)
    parts = [
        f'<div style="color: {fmt.ERROR}; font-weight: 600; margin-bottom: 2px">'
        f"{title}: {fmt.esc(reason(job))}</div>",
        f'<div style="color: {fmt.FG_MUTED}; font-size: 12px">'
        f"{' · '.join(fmt.esc(f) for f in facts(job))}</div>",
        f'<div style="margin-top: 6px; color: {fmt.FG_MUTED}; font-size: 12px">'
        f"Reproduce the last status call:</div>",
        fmt.pre(job.curl(), select_all=True),
        timeline_html(job) if job.history else "",
        _details("Raw last response", fmt.pre(raw, max_height="320px")) if raw else "",
    ]
    return (
        f'<div class="nbjs-error" style="border-left: 3px solid {fmt.ERROR}; '
        f"background: rgba(211, 47, 47, 0.06); padding: 6px 10px; margin-top: 6px; "
        f'border-radius: 0 4px 4px 0; color: {fmt.FG}; line-height: 1.45">{"".join(parts)}</div>'
    )


def failure_text(job: Job) -> list[str]:
    """The failure as indented text lines: reason, facts, curl."""
    lines = [f"  reason: {redact(reason(job))}", "  " + " · ".join(facts(job))]
    lines += ["  reproduce with:"] + ["    " + line for line in job.curl().splitlines()]
    return lines
