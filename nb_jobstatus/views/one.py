"""One job as HTML (class ``nbjs-job``): header, bar, facts, then the gallery, the debugger
or the stopped panel. The live ``JobView`` renders the same fragments from the same
``JobModel``, so the swap from the live widget to this final HTML moves nothing."""

from __future__ import annotations

from . import _format as fmt
from . import _html as h
from . import debugger
from . import gallery as cards
from . import palette as pal
from ._job import JobLike
from .model import Bar, JobModel, model_of


def header_html(model: JobModel) -> str:
    """Provider name, monospace request id, state pill (and ``test mode`` when it is)."""
    extra = f' <span style="{pal.MUTED}">test mode</span>' if model.test_mode else ""
    last = (f"nbjs-last-{model.state}",) if model.word != model.state else ()
    return (
        f'<div class="nbjs-header" style="font-family: {pal.FONT}; line-height: 1.6">'
        f'<span style="{pal.TITLE}">{h.esc(model.title)}</span>'
        f"{h.code(fmt.shorten(model.request_id, 48), title=model.request_id)} "
        f"{h.pill(model.word, *last)}{extra}</div>"
    )


def info_html(model: JobModel) -> str:
    return f'<div class="nbjs-info" style="{pal.MUTED}">{h.esc(" · ".join(model.facts))}</div>'


def bar_html(bar: Bar, *, height: int = 8, radius: int | None = None) -> str:
    """A static bar (class ``nbjs-progress``, plus ``nbjs-indeterminate`` when no progress is
    reported); the fill is a ``.progress-bar`` with its width, as in the widget."""
    color = pal.INDETERMINATE if bar.indeterminate else pal.BAR_COLORS.get(bar.style, pal.NEUTRAL)
    classes = "nbjs-progress nbjs-indeterminate" if bar.indeterminate else "nbjs-progress"
    return (
        f'<div class="{classes}" role="progressbar" aria-valuenow="{bar.value:.0f}" '
        f'style="height: {height}px; background-color: {pal.TRACK}; '
        f'border-radius: {radius or height}px; overflow: hidden; min-width: 60px">'
        f'<div class="progress-bar progress-bar-{bar.style or "default"}" '
        f'style="width: {bar.value:.1f}%; height: 100%; background-color: {color}"></div></div>'
    )


def progress_row_html(bar: Bar) -> str:
    """The card's bar and its label, sized like the widget's FloatProgress."""
    return (
        '<div style="margin: 6px 0 4px; overflow: hidden">'
        f'<span style="{pal.MUTED}; float: right; width: 80px; padding-left: 8px">'
        f"{h.esc(bar.label)}</span>"
        f'<div style="margin-right: 88px; padding-top: 2px">'
        f"{bar_html(bar, height=18, radius=2)}</div></div>"
    )


def gallery_html(model: JobModel) -> str:
    """The files once completed (thumbnails, or a list with ``--no-images``)."""
    if model.gallery is None:
        return ""
    if not model.show_images:
        return cards.list_html(model.gallery, model.links)
    return cards.gallery_html(model.gallery, model.links, test_mode=model.test_mode)


def end_html(job: JobLike, model: JobModel) -> str:
    """The debugger for a failure, the neutral panel for a stop, else nothing."""
    if model.stop is not None:
        return debugger.stopped_html(model)
    links = ""
    if model.phase != "completed" and model.links:
        links = h.links(model.links, style=f"{pal.MUTED}; display: block; margin-top: 4px")
    return links + debugger.debugger_html(job)


def job_body_html(job: JobLike, model: JobModel | None = None) -> str:
    """Header, bar, facts, gallery and debugger, without the card around them."""
    model = model or model_of(job)
    return (
        header_html(model)
        + progress_row_html(model.bar)
        + info_html(model)
        + gallery_html(model)
        + end_html(job, model)
    )


def job_html(job: JobLike) -> str:
    """The whole card (class ``nbjs-job``) as HTML; never raises."""
    try:
        return f'<div class="nbjs-job" style="{pal.CARD}">{job_body_html(job)}</div>'
    except Exception as exc:  # a view must never take the cell down
        return broken_html(job, exc)


def broken_html(job: object, exc: BaseException) -> str:
    from ..core.redact import logger

    logger.exception("view rendering failed")
    who = f"{getattr(job, 'provider', '?')} {getattr(job, 'request_id', '?')}"
    return (
        f'<div class="nbjs-job" style="{pal.CARD}">{h.esc(fmt.line(who, 120))}: this view '
        f"could not be drawn ({h.esc(type(exc).__name__)}); job.status has the data.</div>"
    )
