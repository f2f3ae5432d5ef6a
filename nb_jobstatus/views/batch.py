"""``BatchView``: many jobs as one summary, one compact table and one gallery.

::

    VBox .nbjs-job .nbjs-batch
    ├── HTML        "20 jobs" and a pill per state with counts; failures by reason
    ├── HTML        the table (in an Accordion past ``TABLE_FOLD`` rows: it keeps its
    │               open/closed state while the table ticks, which a <details> would not)
    ├── VBox        one collapsed debugger per failed job (appended, never re-rendered)
    └── HTML        one gallery grouped by job, every card naming its job

The whole view renders through one ``Throttle`` (fewer renders past 20 jobs: see
``throttle_interval``) and is ticked by the shared ticker until every job is settled.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets

from . import _job, debugger
from ._job import JobLike
from ._ticker import MIN_INTERVAL, Throttle, ticker
from .many import TABLE_FOLD, batch_gallery_html, failure_details_html, summary_html, table_html
from .widget import ROOT_LAYOUT, Updates, html


def throttle_interval(count: int) -> float:
    """Seconds between renders: 0.25 s up to 20 jobs, then longer, so that the table's
    HTML (about 1.7 kB a row) stays near 140 kB/s whatever the number of jobs."""
    return max(MIN_INTERVAL, 0.0125 * count)


class BatchView(widgets.VBox):
    """The live view of several jobs."""

    def __init__(self, jobs: Sequence[JobLike], **kwargs: Any) -> None:
        self.jobs = list(jobs)
        self.updates = Updates()
        self.header = html("nbjs-summary-box")
        self.table = html("nbjs-table-box")
        self.table.layout.width = "100%"
        folded = len(self.jobs) > TABLE_FOLD
        table: widgets.Widget = self.table
        if folded:
            table = widgets.Accordion([self.table], selected_index=None)
            table.set_title(0, f"All {len(self.jobs):,} jobs")
        self.failures = widgets.VBox([])
        self.gallery = html(hidden=True)
        super().__init__(
            [self.header, table, self.failures, self.gallery],
            layout=widgets.Layout(**ROOT_LAYOUT),
            **kwargs,
        )
        self.add_class("nbjs-job")
        self.add_class("nbjs-batch")
        self._lock = threading.RLock()
        self._debugged: set[int] = set()  # id() of the jobs whose debugger is shown
        self._gallery_key: tuple[Any, ...] | None = None
        self._throttle = Throttle(self.render, throttle_interval(len(self.jobs)))
        ticker().add(self)
        for job in self.jobs:
            job.on_change(self._changed)  # first, so that no change slips between render and it
        self.render()

    def __repr__(self) -> str:
        return f"<BatchView {len(self.jobs)} jobs>"

    @property
    def done(self) -> bool:
        return all(job.done for job in self.jobs)

    @property
    def settled(self) -> bool:
        return all(_job.settled(job) for job in self.jobs)

    def _changed(self, job: JobLike) -> None:
        self._throttle.request(urgent=self.done)

    def render(self) -> None:
        with self._lock:
            self._render_table()
            self._render_failures()
            self._render_gallery()
            if self.settled:
                ticker().remove(self)

    def tick(self) -> None:
        if self.done:
            self.render()
            return
        with self._lock:
            self._render_table()

    def _render_table(self) -> None:
        self.updates.set(self.header, "value", summary_html(self.jobs))
        self.updates.set(self.table, "value", table_html(self.jobs, fold=False))

    def _render_failures(self) -> None:
        fresh = [j for j in self.jobs if debugger.failed(j) and id(j) not in self._debugged]
        if not fresh:
            return
        self._debugged.update(id(job) for job in fresh)
        panels = [html("nbjs-debugger") for _ in fresh]
        for panel, job in zip(panels, fresh, strict=True):
            panel.value = failure_details_html(job)
        self.updates.set(self.failures, "children", (*self.failures.children, *panels))

    def _render_gallery(self) -> None:
        key = tuple(
            (job.done, id(job.media), len(job.media), _job.settled(job)) for job in self.jobs
        )
        if key == self._gallery_key:
            return
        self._gallery_key = key
        value = batch_gallery_html(self.jobs)
        self.updates.set(self.gallery, "value", value)
        self.updates.show(self.gallery, bool(value))
