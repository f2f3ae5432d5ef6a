"""The views without widgets: HTML and text of one job or many, escaped, with the stable CSS
classes. What a saved notebook, nbconvert HTML, GitHub and terminal IPython show; the live
widgets reuse the same fragments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.model import Asset, State
from ..core.redact import logger, redact
from . import _format as fmt
from . import debugger

if TYPE_CHECKING:
    from ..job import Job

BAR_COLORS = {  # as ipywidgets colours its bar_style, so the static bar matches the widget
    "success": fmt.SUCCESS,
    "danger": fmt.ERROR,
    "warning": fmt.WARN,
    "info": "var(--jp-info-color1, #0097a7)",
}
TRACK = "rgba(127, 127, 127, 0.18)"
CARD = (
    f"border: 1px solid {fmt.BORDER}; border-radius: 6px; padding: 8px 12px; margin: 4px 0; "
    f"font-family: {fmt.FONT}; font-size: 13px; color: {fmt.FG}; max-width: 960px"
)
MUTED = f"color: {fmt.FG_MUTED}; font-size: 12px"
TIGHT = "line-height: 1.45"  # an ipywidgets HTML sets a 28 px line-height: not for text


@dataclass(frozen=True)
class Bar:
    """What the progress bar shows: a value 0-100, a ``bar_style`` and a label."""

    value: float
    style: str  # "", "info", "success", "warning" or "danger" (ipywidgets' bar_style)
    indeterminate: bool
    label: str


def bar_of(job: Job) -> Bar:
    """The bar for the job's state: indeterminate (full, striped/pale) without progress."""
    state, status = job.state, job.status
    progress = status.progress if status is not None else None
    if state is State.COMPLETED:
        return Bar(100.0, "success", False, "done")
    if state is State.CANCELED:
        return Bar(progress if progress else 100.0, "warning", False, "canceled")
    if state is State.FAILED or (job.done and job.error is not None):
        return Bar(progress if progress else 100.0, "danger", False, "failed")
    if progress is not None and state is not State.QUEUED:
        return Bar(progress, "info", False, fmt.percent(progress))
    if status is None:
        return Bar(100.0, "info", True, "starting…")
    return Bar(100.0, "info", True, "queued…" if state is State.QUEUED else "working…")


def title_of(job: Job) -> str:
    return job.client.provider.title


# -- fragments shared with the widgets --------------------------------------------------------


def header_html(job: Job) -> str:
    """Provider name, monospace request id, state pill (and ``test mode`` when it is)."""
    status = job.status
    extra = ""
    if status is not None and status.test_mode:
        extra = f'<span style="{MUTED}">test mode</span>'
    return (
        '<div style="display: flex; align-items: center; gap: 8px; flex-wrap: wrap; '
        f'font-family: {fmt.FONT}; color: {fmt.FG}">'
        f'<span style="font-weight: 600; font-size: 14px">{fmt.esc(title_of(job))}</span>'
        f"{fmt.code(fmt.shorten(job.request_id, 48), title=job.request_id)}"
        f"{fmt.pill(job.state.value)}{extra}</div>"
    )


def info_parts(job: Job) -> list[str]:
    """Plain-text facts under the bar: queue, elapsed, time left, retries, the raw status."""
    status = job.status
    if job.done:
        verb = {State.COMPLETED: "finished", State.CANCELED: "canceled"}.get(job.state, "failed")
        parts = [f"{verb} after {fmt.duration(job.elapsed)}", _polls(job)]
        return parts + _images(job)
    parts = _queue(job)
    parts.append(f"elapsed {fmt.duration(job.elapsed, tenths=False)}")
    eta = job.eta()
    if eta is not None:
        left = fmt.duration(eta + 0.5, tenths=False) if eta >= 0.5 else "<1s"
        parts.append(f"about {left} left")
    parts += _retrying(job)
    if status is not None and status.state is State.UNKNOWN:
        parts.append(f"provider says “{status.provider_status}”")
    if status is not None and status.logs:
        parts.append(fmt.shorten(status.logs[-1], 120))
    return parts


def _queue(job: Job) -> list[str]:
    status = job.status
    if status is None or status.state is not State.QUEUED:
        return []
    if status.queue_position is not None:
        return [f"queue position {status.queue_position}"]
    if status.queue_wait_seconds and status.queue_wait_seconds >= 0.5:
        return [f"queue wait ~{fmt.duration(status.queue_wait_seconds + 0.5, tenths=False)}"]
    return []


def _retrying(job: Job) -> list[str]:
    last = job.history[-1] if job.history else None
    if last is None or last.error is None:
        return []
    http = f" HTTP {last.http_status}" if last.http_status else ""
    return [f"{type(last.error).__name__}{http}: {last.why}"]


def _polls(job: Job) -> str:
    count = len(job.history)
    return f"{count} poll{'s' * (count != 1)}"


def _images(job: Job) -> list[str]:
    status = job.status
    count = len(status.assets) if status is not None else 0
    return [f"{count} file{'s' * (count != 1)}"] if job.state is State.COMPLETED else []


def info_html(job: Job) -> str:
    return f'<div style="{MUTED}; {TIGHT}">{fmt.esc(" · ".join(info_parts(job)))}</div>'


def progress_html(job: Job, height: int = 8, radius: int | None = None) -> str:
    """A static bar (class ``nbjs-progress``, and ``nbjs-indeterminate`` with stripes when
    no progress is reported); the fill is a ``.progress-bar`` with its width, as in the
    widget, so one selector reads both."""
    bar = bar_of(job)
    color = BAR_COLORS.get(bar.style, fmt.FG_MUTED)
    fill = f"background: {color}"
    classes = "nbjs-progress"
    if bar.indeterminate:
        classes += " nbjs-indeterminate"
        fill = (
            f"background: repeating-linear-gradient(45deg, {color} 0 6px, transparent 6px 12px);"
            " opacity: 0.5"
        )
    return (
        f'<div class="{classes}" role="progressbar" aria-valuenow="{bar.value:.0f}" '
        f'style="height: {height}px; background: {TRACK}; border-radius: {radius or height}px; '
        f'overflow: hidden; flex: 1 1 auto; min-width: 60px; position: relative">'
        f'<div class="progress-bar progress-bar-{bar.style or "default"}" '
        f'style="width: {bar.value:.1f}%; height: 100%; {fill}"></div></div>'
    )


def progress_row_html(job: Job) -> str:
    """The card's bar and its label, sized like the widget's FloatProgress (so the swap
    from the live widget to this final HTML does not move anything)."""
    bar = bar_of(job)
    return (
        '<div style="display: flex; align-items: center; gap: 8px; margin: 6px 0 4px">'
        f"{progress_html(job, height=18, radius=2)}"
        f'<span style="{MUTED}; min-width: 76px">{fmt.esc(bar.label)}</span></div>'
    )


def gallery_html(job: Job) -> str:
    """``views.gallery.gallery_html(job)`` once the job completed (imported at call time);
    dimensions and links without thumbnails when the gallery is missing or turned off."""
    if job.state is not State.COMPLETED:
        return ""
    if not getattr(job, "show_images", True):  # %jobstatus --no-images: no thumbnails
        return fallback_gallery_html(job)
    try:
        from . import gallery
    except ImportError:
        return fallback_gallery_html(job)
    try:
        return str(gallery.gallery_html(job))
    except Exception:  # a broken gallery must not take the whole view down
        logger.exception("gallery rendering failed")
        return fallback_gallery_html(job)


def fallback_gallery_html(job: Job) -> str:
    """Dimensions and links of every asset, without thumbnails (no gallery module)."""
    status = job.status
    assets = status.assets if status is not None else ()
    cards = "".join(_fallback_card(job, asset) for asset in assets)
    return f'<div class="nbjs-gallery" style="margin-top: 6px">{cards}{links_html(job)}</div>'


def _fallback_card(job: Job, asset: Asset) -> str:
    facts = asset_facts(job, asset)
    dims = fmt.dims(facts["width"], facts["height"])
    size = fmt.size(facts["size"]) if facts["size"] is not None else None
    words = [w for w in (dims, facts["format"], size) if w]
    links = [fmt.link(asset.url, "open")]
    if asset.edit_url:
        links.append(fmt.link(asset.edit_url, "edit"))
    return (
        f'<div class="nbjs-asset" style="{MUTED}">'
        f'<span class="nbjs-dims">{fmt.esc(" · ".join(words) or asset.kind)}</span> '
        f'<span class="nbjs-links">{" · ".join(links)}</span></div>'
    )


def links_html(job: Job) -> str:
    """The request's view and share links (class ``nbjs-links``); http(s) only."""
    status = job.status
    found = []
    if status is not None and status.view_url:
        found.append(fmt.link(status.view_url, "view"))
    if status is not None and status.share_url:
        found.append(fmt.link(status.share_url, "share"))
    if not found:
        return ""
    return f'<div class="nbjs-links" style="{MUTED}; margin-top: 4px">{" · ".join(found)}</div>'


def asset_facts(job: Job, asset: Asset) -> dict[str, Any]:
    """Width, height, format, byte size and download problem: measured (``job.media``, a
    ``media.Media``) or else as the provider reports them."""
    media = job.media.get(asset.url)
    measured = bool(getattr(media, "width", None) and getattr(media, "height", None))
    return {
        "width": media.width if measured else asset.width,  # type: ignore[union-attr]
        "height": media.height if measured else asset.height,  # type: ignore[union-attr]
        "measured": measured,
        "format": _format_name(getattr(media, "format", None) or asset.media_type),
        "size": getattr(media, "size_bytes", None),
        "error": getattr(media, "error", None),
        "warning": getattr(media, "warning", None),
    }


def _format_name(kind: object) -> str | None:
    """``image/png`` -> ``PNG``; ``PNG`` stays."""
    if not isinstance(kind, str) or not kind:
        return None
    name = kind.rsplit("/", 1)[-1].split(";")[0].split("+")[0]
    return {"vnd.openxmlformats-officedocument.presentationml.presentation": "PPTX"}.get(
        name, name.upper()
    )


# -- one job ----------------------------------------------------------------------------------


def job_body_html(job: Job) -> str:
    """Header, bar, facts, gallery and debugger, without the card around them."""
    return (
        header_html(job)
        + progress_row_html(job)
        + info_html(job)
        + gallery_html(job)
        + debugger.debugger_html(job)
    )


def job_html(job: Job) -> str:
    """The whole card (class ``nbjs-job``) as HTML."""
    return f'<div class="nbjs-job" style="{CARD}">{job_body_html(job)}</div>'


def job_line(job: Job) -> str:
    """``Sivi demo-ok-5s: running 45% · elapsed 3s · about 4s left`` or, once ended,
    ``Sivi demo-ok-5s: completed after 5.2s · 4 polls · 2 files``."""
    parts = info_parts(job)
    bar = bar_of(job)
    state = job.state.value
    if job.done:
        state += " " + parts.pop(0).split(" ", 1)[1]  # "finished after 5.2s" -> "after 5.2s"
    elif not bar.indeterminate:
        state += f" {bar.label}"
    return f"{title_of(job)} {job.request_id}: " + " · ".join([state, *parts])


def job_text(job: Job) -> str:
    """The text summary: state and elapsed, then every file or the failure."""
    lines = [job_line(job)]
    if job.state is State.COMPLETED:
        lines += _assets_text(job)
    elif debugger.failed(job):
        lines += debugger.failure_text(job)
    return redact("\n".join(lines))


def _assets_text(job: Job) -> list[str]:
    status = job.status
    assert status is not None
    lines = []
    for number, asset in enumerate(status.assets, start=1):
        lines += _asset_text(job, number, asset)
    for name, url in (("view", status.view_url), ("share", status.share_url)):
        if url:
            lines.append(f"  {name}: {url}")
    return lines


def _asset_text(job: Job, number: int, asset: Asset) -> list[str]:
    """``  1. 1080 × 1080 px · JPEG · 183 KB`` then its URL, edit link and any problem."""
    facts = asset_facts(job, asset)
    dims = fmt.dims(facts["width"], facts["height"])
    if dims and not facts["measured"]:
        dims += " (reported)"
    words = [dims or "size unknown", facts["format"] or asset.kind]
    if facts["size"] is not None:
        words.append(fmt.size(facts["size"]))
    lines = [f"  {number}. " + " · ".join(words), f"     {asset.url}"]
    if asset.edit_url:
        lines.append(f"     edit: {asset.edit_url}")
    for label in ("warning", "error"):
        if facts[label]:
            lines.append(f"     {label}: {facts[label]}")
    return lines


# -- many jobs --------------------------------------------------------------------------------

TABLE_COLUMNS = ("provider", "request", "state", "progress", "elapsed", "files")


def summary_text(jobs: Sequence[Job]) -> str:
    """``4 jobs: 2 completed · 1 running · 1 failed``."""
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.state.value] = counts.get(job.state.value, 0) + 1
    words = " · ".join(f"{n} {state}" for state, n in counts.items())
    return f"{len(jobs)} job{'s' * (len(jobs) != 1)}: {words}"


def row_html(job: Job) -> str:
    """One table row (and, for a failed job, a second row with its reason)."""
    bar = bar_of(job)
    status = job.status
    files = len(status.assets) if status is not None and job.state is State.COMPLETED else None
    cells = [
        fmt.esc(title_of(job)),
        fmt.code(fmt.shorten(job.request_id, 24), title=job.request_id),
        fmt.pill(job.state.value),
        '<div style="display: flex; align-items: center; gap: 6px">'
        f'{progress_html(job, height=6)}<span style="{MUTED}">{fmt.esc(bar.label)}</span></div>',
        fmt.esc(fmt.duration(job.elapsed, tenths=job.done)),
        "—" if files is None else str(files),
    ]
    row = "<tr>" + "".join(f'<td style="{ROW_CELL}">{cell}</td>' for cell in cells) + "</tr>"
    if debugger.failed(job):
        row += (
            f'<tr><td></td><td colspan="5" style="{ROW_CELL}; color: {fmt.ERROR}; '
            f'font-size: 12px">{fmt.esc(fmt.shorten(debugger.reason(job), 300))}</td></tr>'
        )
    return row


ROW_CELL = "padding: 3px 8px; text-align: left; vertical-align: middle"


def table_html(jobs: Sequence[Job]) -> str:
    """The compact table: a row per job."""
    head = "".join(
        f'<th style="{ROW_CELL}; {MUTED}; font-weight: 600; border-bottom: 1px solid '
        f'{fmt.BORDER}">{name}</th>'
        for name in TABLE_COLUMNS
    )
    rows = "".join(row_html(job) for job in jobs)
    return (
        f'<table style="border-collapse: collapse; width: 100%; font-size: 13px; {TIGHT}">'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def batch_header_html(jobs: Sequence[Job]) -> str:
    return (
        f'<div style="font-weight: 600; font-size: 14px; margin-bottom: 4px; color: {fmt.FG}">'
        f"{fmt.esc(summary_text(jobs))}</div>"
    )


def failures_html(jobs: Sequence[Job]) -> str:
    """A collapsed debugger per failed job."""
    return "".join(failure_details_html(job) for job in jobs if debugger.failed(job))


def failure_details_html(job: Job) -> str:
    return (
        f'<details style="margin: 4px 0; {TIGHT}"><summary style="cursor: pointer; '
        f'color: {fmt.ERROR}">Why did {fmt.esc(title_of(job))} '
        f"{fmt.esc(fmt.shorten(job.request_id, 40))} fail?</summary>"
        f"{debugger.debugger_html(job)}</details>"
    )


def batch_gallery_html(jobs: Sequence[Job]) -> str:
    """ONE gallery for all jobs: the cards of every completed job in one grid, with each
    job's view/share links above it (falls back to one gallery per job)."""
    done = [job for job in jobs if job.state is State.COMPLETED and job.status is not None]
    if not done:
        return ""
    if not all(getattr(job, "show_images", True) for job in done):
        return "".join(gallery_html(job) for job in done)
    try:
        from . import gallery

        card = gallery.asset_card
        grid = gallery.GRID_STYLE
    except (ImportError, AttributeError):
        return "".join(gallery_html(job) for job in done)
    try:
        cards = "".join(
            card(job, index, asset, job.media.get(asset.url))
            for job in done
            for index, asset in enumerate(job.status.assets)  # type: ignore[union-attr]
        )
    except Exception:
        logger.exception("gallery rendering failed")
        return "".join(fallback_gallery_html(job) for job in done)
    links = "".join(_batch_links(job) for job in done)
    return (
        f'<div class="nbjs-gallery" style="margin-top: 8px">{links}'
        f'<div class="nbjs-grid" style="{grid}; margin-top: 6px">{cards}</div></div>'
    )


def _batch_links(job: Job) -> str:
    status = job.status
    assert status is not None
    found = [
        fmt.link(url, name)
        for name, url in (("view", status.view_url), ("share", status.share_url))
        if url
    ]
    if not found:
        return ""
    return (
        f'<div class="nbjs-links" style="{MUTED}; {TIGHT}">{fmt.esc(title_of(job))} '
        f"{fmt.code(fmt.shorten(job.request_id, 24), title=job.request_id)}: "
        f"{' · '.join(found)}</div>"
    )


def jobs_html(jobs: Sequence[Job]) -> str:
    """Many jobs as one card: the table, the failures, one gallery."""
    jobs = list(jobs)
    return (
        f'<div class="nbjs-job nbjs-batch" style="{CARD}">{batch_header_html(jobs)}'
        f"{table_html(jobs)}{failures_html(jobs)}{batch_gallery_html(jobs)}</div>"
    )


def jobs_text(jobs: Sequence[Job]) -> str:
    """A line per job, then each finished job's files or failure."""
    jobs = list(jobs)
    blocks = [summary_text(jobs)]
    blocks += [job_text(job) for job in jobs]
    return "\n".join(blocks)
