"""The timeline of a job's polls: a small SVG chart and a table.

The chart is plain SVG made here (no plotting dependency): progress over time, each poll a
mark coloured by its answer (ok, retry, 429 pause, error), the predicted finish (dashed)
and the real one (solid). JupyterLab's sanitizer drops ``<svg>`` elements from an untrusted
notebook, so the chart is embedded as an ``<img>`` with a ``data:image/svg+xml`` URL: it
survives saved notebooks, reopened ones and nbconvert HTML alike. No provider text is ever
written into the SVG.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from ..core.model import Poll, State
from . import _format as fmt
from . import _html as h
from . import palette as pal

WIDTH, HEIGHT = 480, 132
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 34  # plot margins, px
MARKS = {"ok": pal.SUCCESS, "retry": "#f9a825", "429 pause": pal.WARN, "error": pal.ERROR}
TIMELINE_ROWS = 40  # the last polls shown in the table; earlier ones are counted
COLUMNS = ("#", "time", "elapsed", "took", "HTTP", "status", "progress", "error", "next", "why")


@dataclass(frozen=True)
class Mark:
    at: float  # seconds since the start
    progress: float | None
    answer: str  # a key of MARKS


def answer(poll: Poll, last: bool, failed: bool) -> str:
    if poll.http_status == 429:
        return "429 pause"
    if poll.error is not None:
        return "error" if last and failed else "retry"
    if poll.status is not None and poll.status.state in (State.FAILED, State.CANCELED):
        return "error"  # the provider's own "failed": not progress falling to zero
    return "ok"


def marks(history: Sequence[Poll], failed: bool) -> list[Mark]:
    polls = list(history)
    found = []
    for index, poll in enumerate(polls):
        status = poll.status
        progress = fmt.progress(status.progress) if status is not None else None
        at = fmt.finite(poll.elapsed)
        if at is not None and 0 <= at <= fmt.MAX_SECONDS:
            found.append(Mark(at, progress, answer(poll, index == len(polls) - 1, failed)))
    return found


def predicted(found: list[Mark]) -> float | None:
    """The finish the progress rate predicted at the first poll with 10-90 % done."""
    for mark in found:
        if mark.progress is not None and 10 <= mark.progress <= 90 and mark.at > 0:
            return mark.at * 100 / mark.progress
    return None


def chart_svg(
    found: list[Mark], finished: float | None, forecast: float | None, failed: bool = False
) -> str:
    """The chart as an SVG document (our own numbers and words only)."""
    ends = [m.at for m in found] + [t for t in (finished, forecast) if t is not None]
    span = max([1.0, *ends]) * 1.05
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: float) -> float:
        return LEFT + plot_w * min(t, span) / span

    def y(p: float) -> float:
        return TOP + plot_h * (1 - p / 100)

    parts = [_axes(span, plot_w, plot_h)]
    line = " ".join(f"{x(m.at):.1f},{y(m.progress):.1f}" for m in found if m.progress is not None)
    if line:
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{pal.INFO}" stroke-width="1.5"/>'
        )
    end = pal.ERROR if failed or (found and found[-1].answer == "error") else pal.SUCCESS
    for t, dash, color in ((forecast, "4 3", pal.MUTED_COLOR), (finished, "", end)):
        if t is not None:
            extra = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{x(t):.1f}" y1="{TOP}" x2="{x(t):.1f}" y2="{TOP + plot_h}" '
                f'stroke="{color}" stroke-width="1.5"{extra}/>'
            )
    for m in found:
        cy = y(m.progress) if m.progress is not None else TOP + plot_h
        parts.append(f'<circle cx="{x(m.at):.1f}" cy="{cy:.1f}" r="3" fill="{MARKS[m.answer]}"/>')
    parts.append(_legend(forecast is not None, finished is not None))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="10">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>{"".join(parts)}</svg>'
    )


def _axes(span: float, plot_w: float, plot_h: float) -> str:
    bottom = TOP + plot_h
    return (
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" '
        f'stroke="#bdbdbd"/><text x="{LEFT - 4}" y="{TOP + 8}" text-anchor="end" '
        f'fill="#616161">100%</text><text x="{LEFT - 4}" y="{bottom}" text-anchor="end" '
        f'fill="#616161">0%</text><text x="{LEFT}" y="{bottom + 12}" fill="#616161">0s</text>'
        f'<text x="{LEFT + plot_w}" y="{bottom + 12}" text-anchor="end" fill="#616161">'
        f"{h.esc(fmt.duration(span))}</text>"
    )


def _legend(forecast: bool, finished: bool) -> str:
    items = [(name, color) for name, color in MARKS.items()]
    parts, at = [], LEFT
    for name, color in items:
        parts.append(
            f'<circle cx="{at + 3}" cy="{HEIGHT - 6}" r="3" fill="{color}"/>'
            f'<text x="{at + 9}" y="{HEIGHT - 3}" fill="#616161">{name}</text>'
        )
        at += 12 + 6 * len(name)
    for shown, name, color in (
        (forecast, "predicted", "#757575"),
        (finished, "finished", pal.SUCCESS),
    ):
        if shown:
            parts.append(
                f'<line x1="{at}" y1="{HEIGHT - 6}" x2="{at + 10}" y2="{HEIGHT - 6}" '
                f'stroke="{color}" stroke-width="1.5"/><text x="{at + 13}" y="{HEIGHT - 3}" '
                f'fill="#616161">{name}</text>'
            )
            at += 18 + 6 * len(name)
    return "".join(parts)


def chart_html(history: Sequence[Poll], *, finished: float | None, failed: bool) -> str:
    """The chart as an ``<img>`` (class ``nbjs-timeline-chart``), empty without polls."""
    found = marks(history, failed)
    if not found:
        return ""
    svg = chart_svg(found, fmt.finite(finished), predicted(found), failed)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    counts = {name: sum(1 for m in found if m.answer == name) for name in MARKS}
    alt = "polls: " + ", ".join(f"{n} {name}" for name, n in counts.items() if n)
    return (
        f'<img class="nbjs-timeline-chart" src="data:image/svg+xml;base64,{data}" '
        f'alt="{h.esc(alt)}" title="{h.esc(alt)}" width="{WIDTH}" height="{HEIGHT}" '
        f'style="display: block; max-width: 100%; height: auto; margin: 4px 0; '
        f'border-radius: 4px">'
    )


# -- the table --------------------------------------------------------------------------------


def row(index: int, poll: Poll) -> tuple[str, ...]:
    """One poll as the table's cells (plain, bounded text)."""
    status = poll.status
    error = "" if poll.error is None else f"{type(poll.error).__name__}: {poll.error}"
    word = (status.provider_status or status.state.value) if status is not None else fmt.DASH
    return (
        str(index),
        fmt.clock(poll.at),
        fmt.duration(poll.elapsed),
        _took(poll.duration),  # the round trip (with Clipia's result, both)
        fmt.DASH if fmt.count(poll.http_status) is None else str(fmt.count(poll.http_status)),
        fmt.line(word, 40),
        fmt.percent(status.progress) if status is not None else fmt.DASH,
        fmt.line(error, 160),
        fmt.duration(poll.next_delay) if poll.next_delay is not None else fmt.DASH,
        fmt.line(poll.why, 120),
    )


def _took(seconds: float | None) -> str:
    value = fmt.finite(seconds)
    if value is None or value < 0:
        return fmt.DASH
    return f"{value * 1000:.0f} ms" if value < 10 else fmt.duration(value)


def table_html(history: Sequence[Poll]) -> str:
    rows = [row(i, poll) for i, poll in enumerate(list(history), start=1)]
    hidden, rows = max(0, len(rows) - TIMELINE_ROWS), rows[-TIMELINE_ROWS:]
    cell = f"padding: 2px 8px; border-bottom: 1px solid {pal.BORDER_COLOR}; text-align: left"
    head = "".join(f'<th style="{cell}; color: {pal.MUTED_COLOR}">{h.esc(c)}</th>' for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f'<td style="{cell}">{h.esc(c)}</td>' for c in cells) + "</tr>"
        for cells in rows
    )
    more = h.muted(f"… {hidden:,} earlier polls not shown") if hidden else ""
    return (
        f'{more}<table class="nbjs-timeline" style="border-collapse: collapse; '
        f'table-layout: auto; font-size: 12px; font-family: {pal.MONO}; margin: 4px 0">'
        f"<tr>{head}</tr>{body}</table>"
    )


def timeline_html(history: Sequence[Poll], *, finished: float | None, failed: bool) -> str:
    """The chart and the table, folded open under ``Timeline: N polls``."""
    polls = list(history)
    inner = chart_html(polls, finished=finished, failed=failed) + table_html(polls)
    return h.details(f"Timeline: {fmt.plural(len(polls), 'poll')}", inner, opened=True)


class History(list):  # type: ignore[type-arg]
    """``job.history`` as displayed in a notebook: the list, with the chart and table as HTML.

    The face's ``Job.history`` can return ``History(polls, finished=..., failed=...)``."""

    def __init__(self, polls: Sequence[Poll], *, finished: float | None = None) -> None:
        super().__init__(polls)
        self.finished = finished

    def _repr_html_(self) -> str:
        return timeline_html(self, finished=self.finished, failed=False)
