"""The views as plain text (``text/plain``, terminal IPython): the same ``JobModel``, one
line per job and then its files, its failure or how to resume it. Every provider text is
stripped of terminal escapes, controls and bidi overrides and bounded; keys are masked."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.redact import redact
from . import _format as fmt
from . import debugger
from ._job import JobLike
from .assets import AssetView
from .many import failure_groups, short_ids, state_counts
from .model import JobModel, model_of


def job_line(job: JobLike, model: JobModel | None = None, name: str | None = None) -> str:
    """``Sivi demo-ok-5s: running 45% · elapsed 3s · about 4-6s left`` or, once ended,
    ``Sivi demo-ok-5s: completed after 5.2s · 4 polls · 2 files``."""
    model = model or model_of(job, gallery=False)
    parts = list(model.facts)
    word = model.word
    if model.done and parts:
        word += " " + parts.pop(0).split(" ", 1)[-1]  # "finished after 5.2s" -> "after 5.2s"
    elif not model.bar.indeterminate:
        word += f" {model.bar.label}"
    rid = name or fmt.line(model.request_id, 80)
    return fmt.line(f"{model.title} {rid}: " + " · ".join([word, *parts]), 2_000)


def job_text(job: JobLike) -> str:
    """The text summary: state and elapsed, then every file, the failure or the resume line."""
    try:
        model = model_of(job)
        lines = [job_line(job, model)]
        if model.gallery is not None:
            lines += _files(model)
        elif model.stop is not None:
            lines.append(f"  follow it again: {model.stop.resume}")
        else:
            lines += debugger.failure_text(job)
        return redact("\n".join(lines))
    except Exception as exc:  # a view must never take the cell down
        return (
            f"{fmt.line(job.provider, 40)} {fmt.line(job.request_id, 80)}: ({type(exc).__name__})"
        )


def _files(model: JobModel) -> list[str]:
    gallery = model.gallery
    assert gallery is not None
    lines = []
    for asset in gallery.assets:
        lines += asset_lines(asset)
    if gallery.more:
        lines.append(f"  … and {gallery.more:,} more files (job.save(dir) writes them all)")
    if not gallery.count:
        lines.append("  no files in the result")
    if gallery.output:
        lines.append(f"  other output: {fmt.line(gallery.output, 500)}")
    lines += [f"  {label}: {_url(url)}" for label, url in model.links]
    return lines


def asset_lines(asset: AssetView) -> list[str]:
    """``  1. 1080 × 1080 px · JPEG · 183 KB`` then its URL, edit link and any problem."""
    dims = asset.dims + ("" if asset.measured else " (reported)") if asset.dims else None
    first = asset.files[0]
    words = [dims or (asset.kind if asset.kind != "image" else "size unknown")]
    words += [w for w in (first.format, fmt.size(first.size) if first.size else None) if w]
    if asset.duration is not None:
        words.append(fmt.duration(asset.duration))
    if first.role:
        words[1:1] = [f"{first.role}:"]
    lines = [f"  {asset.number}. " + " · ".join(words).replace(": ·", ":")]
    for extra in asset.files[1:]:
        size = f" · {fmt.size(extra.size)}" if extra.size else ""
        lines.append(f"     {extra.role}: {extra.format or 'type unknown'}{size}")
    lines.append(f"     {_url(asset.url)}")
    if asset.edit_url:
        lines.append(f"     edit: {_url(asset.edit_url)}")
    if asset.cached:
        lines.append(f"     cached as {asset.cached}")
    problems = (("warning", asset.warning), ("error", asset.error))
    lines += [f"     {label}: {problem}" for label, problem in problems if problem]
    return lines


def _url(url: str) -> str:
    return fmt.line(url, 500)


def jobs_text(jobs: Sequence[JobLike]) -> str:
    """The summary by state and failure reason, a line per job, then each job's details."""
    jobs = list(jobs)
    names = short_ids(jobs)
    counts = " · ".join(f"{n} {word}" for word, n in state_counts(jobs).items())
    lines = [f"{fmt.plural(len(jobs), 'job')}: {counts}"]
    lines += [f"  {n} × {text}" for text, n in failure_groups(jobs)]
    for job in jobs:
        model = model_of(job)
        if model.gallery is None and model.stop is None and not debugger.failed(job):
            lines.append(job_line(job, model, names.get(id(job))))
            continue
        lines.append(job_text(job))
    return redact("\n".join(lines))
