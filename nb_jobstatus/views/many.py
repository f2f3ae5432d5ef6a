"""Many jobs as one card (classes ``nbjs-job nbjs-batch``): a summary by state and by failure
reason first, then the table (folded past ``TABLE_FOLD`` rows), each real failure's debugger
(collapsed), and one gallery grouped by job in which every card names its job."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from . import _format as fmt
from . import _html as h
from . import debugger
from . import gallery as cards
from . import palette as pal
from ._job import JobLike
from .assets import MAX_CARDS
from .model import JobModel, model_of
from .one import bar_html

TABLE_FOLD = 12  # rows shown before the table folds into a <details>
COLUMNS = ("provider", "request", "state", "progress", "elapsed", "files", "retries")


def short_ids(jobs: Sequence[JobLike]) -> dict[int, str]:
    """A name per job (by ``id(job)``) that tells its request id from the others': the whole
    id when short, else its head and as much of its tail as needed, never look-alikes."""
    unique = sorted({str(job.request_id) for job in jobs})
    names: dict[str, str] = {}
    for tail in range(4, 129):
        names = {rid: _short(rid, tail) for rid in unique}
        if len(set(names.values())) == len(unique):
            break
    else:
        names = {rid: rid for rid in unique}
    return {id(job): names[str(job.request_id)] for job in jobs}


def _short(rid: str, tail: int) -> str:
    clean = fmt.line(rid, 200)
    if len(clean) <= max(14, 7 + tail):
        return clean
    return f"{clean[:6]}…{clean[-tail:]}"


def state_counts(jobs: Sequence[JobLike]) -> dict[str, int]:
    """``{"completed": 12, "failed": 4, "stopped": 1}`` in first-seen order."""
    words = [model_of(job, gallery=False).word for job in jobs]
    return dict(Counter(words))


def failure_groups(jobs: Sequence[JobLike]) -> list[tuple[str, int]]:
    """Real failures grouped by code or HTTP status and reason, most frequent first."""
    keys = []
    for job in jobs:
        if debugger.failed(job):
            code = debugger.error_code(job)
            http = debugger.http_status(job)
            tag = f"code {code}" if code else (f"HTTP {http}" if http else "")
            reason = fmt.line(debugger.reason(job), 100)
            keys.append(f"{tag} “{reason}”".strip())
    return Counter(keys).most_common()


def summary_html(jobs: Sequence[JobLike]) -> str:
    """``20 jobs: 12 completed · 4 failed …`` and the failures by reason, with counts."""
    counts = state_counts(jobs)
    pills = " ".join(f"{h.pill(word)} {n:,}" for word, n in counts.items())
    groups = "".join(
        f'<li style="color: {pal.ERROR}">{n:,} × {h.esc(text)}</li>'
        for text, n in failure_groups(jobs)[:10]
    )
    failures = f'<ul style="margin: 2px 0 4px; padding-left: 20px; {pal.MUTED}">{groups}</ul>'
    return (
        f'<div class="nbjs-summary" style="margin-bottom: 4px"><span style="{pal.TITLE}">'
        f"{h.esc(fmt.plural(len(jobs), 'job'))}</span>{pills}"
        f"{failures if groups else ''}</div>"
    )


def _retries(model: JobModel) -> str:
    words = []
    if model.retries:
        words.append(fmt.plural(model.retries, "retry").replace("retrys", "retries"))
    if model.paused >= 0.05:
        words.append(f"paused {fmt.duration(model.paused)}")
    return " · ".join(words)


def row_html(job: JobLike, name: str) -> str:
    """One table row, and a second one with a failure's reason or a stop's resume line."""
    model = model_of(job, gallery=False)
    status = job.status
    files = len(status.assets) if status is not None and model.phase == "completed" else None
    cells = [
        h.esc(model.title),
        h.code(name, title=model.request_id),
        h.pill(model.word),
        f'<span style="{pal.MUTED}; float: right; width: 64px; padding-left: 6px">'
        f'{h.esc(model.bar.label)}</span><div style="margin-right: 70px; padding-top: 5px">'
        f"{bar_html(model.bar, height=6)}</div>",
        h.esc(fmt.duration(_elapsed(job), tenths=job.done)),
        fmt.DASH if files is None else f"{files:,}",
        h.esc(_retries(model)),
    ]
    row = "<tr>" + "".join(f'<td style="{pal.CELL}">{cell}</td>' for cell in cells) + "</tr>"
    note, color = "", pal.ERROR
    if debugger.failed(job):
        note = fmt.line(debugger.reason(job), 300)
    elif model.stop is not None:
        note, color = f"stopped; follow it again: {model.stop.resume}", pal.MUTED_COLOR
    if note:
        row += (
            f'<tr><td></td><td colspan="{len(COLUMNS) - 1}" style="{pal.CELL}; color: {color}; '
            f'font-size: 12px">{h.esc(note)}</td></tr>'
        )
    return row


def _elapsed(job: JobLike) -> float | None:
    from ._job import elapsed

    return elapsed(job)


def table_html(jobs: Sequence[JobLike], *, fold: bool = True) -> str:
    """The compact table (class ``nbjs-table``); folded when longer than ``TABLE_FOLD``."""
    names = short_ids(jobs)
    head = "".join(f'<th style="{pal.HEAD_CELL}">{name}</th>' for name in COLUMNS)
    rows = "".join(row_html(job, names[id(job)]) for job in jobs)
    table = (
        '<table class="nbjs-table" style="border-collapse: collapse; width: 100%; '
        f'table-layout: auto; font-size: 13px; line-height: 1.45"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    if fold and len(jobs) > TABLE_FOLD:
        return h.details(f"All {len(jobs):,} jobs", table)
    return table


def failures_html(jobs: Sequence[JobLike]) -> str:
    """A collapsed debugger per real failure."""
    return "".join(failure_details_html(job) for job in jobs if debugger.failed(job))


def failure_details_html(job: JobLike) -> str:
    model = model_of(job, gallery=False)
    verb = {"expired": "expire", "canceled": "end"}.get(model.phase, "fail")
    summary = f"Why did {model.title} {fmt.shorten(model.request_id, 40)} {verb}?"
    return h.details(summary, debugger.debugger_html(job), color=pal.ERROR)


def owner_html(model: JobModel, name: str) -> str:
    """The job a card belongs to: provider and distinguishing id (the full id on hover)."""
    return (
        f'<div class="nbjs-owner" title="{h.esc(model.request_id)}" '
        f'style="{pal.SMALL}; margin-bottom: 4px; white-space: nowrap; overflow: hidden">'
        f"{h.esc(model.title)} {h.code(name, title=model.request_id)}</div>"
    )


def batch_gallery_html(jobs: Sequence[JobLike], *, fold: bool = True) -> str:
    """One gallery for all jobs, grouped by job: a header per job (provider, full id to copy,
    links) and its cards, each naming its job; at most ``MAX_CARDS`` cards in all."""
    names, groups, left, hidden = short_ids(jobs), [], MAX_CARDS, 0
    for job in jobs:
        model = model_of(job, limit=left)
        if model.gallery is None:
            continue
        owner = owner_html(model, names[id(job)])
        group = [cards.card_html(asset, owner) for asset in model.gallery.assets]
        left -= len(group)
        hidden += model.gallery.more
        head = (
            f'<div class="nbjs-group" style="{pal.MUTED}; margin-top: 6px">'
            f"<b>{h.esc(model.title)}</b> {h.code(model.request_id, wrap=True)} "
            f"{h.links(model.links)}</div>"
        )
        groups.append(
            head + cards.grid_html(group, fold=False) + cards.output_html(model.gallery.output)
        )
    if not groups:
        return ""
    body = "".join(groups[:4])
    if fold and len(groups) > 4:
        body += h.details(f"{len(groups) - 4} more jobs' files", "".join(groups[4:]))
    else:
        body += "".join(groups[4:])
    if hidden:
        body += h.muted(f"and {hidden:,} more files not shown here; job.save(dir) writes them all")
    return f'<div class="nbjs-gallery" style="margin-top: 8px">{body}</div>'


def jobs_html(jobs: Sequence[JobLike]) -> str:
    """Many jobs as one card: the summary, the table, the failures, one gallery."""
    jobs = list(jobs)
    try:
        return (
            f'<div class="nbjs-job nbjs-batch" style="{pal.CARD}">{summary_html(jobs)}'
            f"{table_html(jobs)}{failures_html(jobs)}{batch_gallery_html(jobs)}</div>"
        )
    except Exception as exc:  # a view must never take the cell down
        from .one import broken_html

        return broken_html(f"{len(jobs)} jobs", exc)
