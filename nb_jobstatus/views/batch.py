"""``BatchView``: many jobs as one compact table and one gallery, not a tower of widgets.

::

    VBox .nbjs-job .nbjs-batch
    ├── HTML   "4 jobs: 2 completed · 1 running · 1 failed"
    ├── HTML   the table: provider, id, state pill, small bar and %, elapsed, files;
    │          a failed row carries its reason on a second line
    ├── VBox   one collapsed debugger per failed job (appended, never re-rendered, so an
    │          expanded one stays open while the table keeps ticking)
    └── HTML   one gallery that fills in as jobs complete

The whole view renders through one ``Throttle`` (at most about four renders a second, fewer
past 20 jobs: see ``throttle_interval``) and is ticked once a second by the shared ticker.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..core.model import State
from . import debugger, static
from ._ticker import MIN_INTERVAL, Throttle, ticker
from .widget import ROOT_LAYOUT, Updates, html

if TYPE_CHECKING:
    from ..job import Job


def throttle_interval(count: int) -> float:
    """Seconds between renders: 0.25 s up to 20 jobs, then longer, so that the table's
    HTML (about 1.7 kB a row) stays near 140 kB/s whatever the number of jobs."""
    return max(MIN_INTERVAL, 0.0125 * count)


class BatchView(widgets.VBox):
    """The live view of several jobs."""

    def __init__(self, jobs: Sequence[Job], **kwargs: Any) -> None:
        self.jobs = list(jobs)
        self.updates = Updates()
        self.header = html("nbjs-header")
        self.table = html("nbjs-table")
        self.table.layout.width = "100%"
        self.failures = widgets.VBox([])
        self.gallery = html(hidden=True)
        super().__init__(
            [self.header, self.table, self.failures, self.gallery],
            layout=widgets.Layout(**ROOT_LAYOUT),
            **kwargs,
        )
        self.add_class("nbjs-job")
        self.add_class("nbjs-batch")
        self._lock = threading.RLock()
        self._debugged: set[int] = set()  # id() of the jobs whose debugger is shown
        self._gallery_key: tuple[Any, ...] | None = None
        self._throttle = Throttle(self.render, throttle_interval(len(self.jobs)))
        if not self.done:
            ticker().add(self)
        for job in self.jobs:
            job.on_change(self._changed)  # first, so that no change slips between render and it
        self.render()

    def __repr__(self) -> str:
        return f"<BatchView {static.summary_text(self.jobs)}>"

    @property
    def done(self) -> bool:
        return all(job.done for job in self.jobs)

    def _changed(self, job: Job) -> None:
        self._throttle.request(urgent=self.done)

    def render(self) -> None:
        with self._lock:
            self._render_table()
            self._render_failures()
            self._render_gallery()
            if self.done:
                ticker().remove(self)

    def tick(self) -> None:
        with self._lock:
            self._render_table()
            if self.done:
                ticker().remove(self)

    def _render_table(self) -> None:
        self.updates.set(self.header, "value", static.batch_header_html(self.jobs))
        self.updates.set(self.table, "value", static.table_html(self.jobs))

    def _render_failures(self) -> None:
        fresh = [j for j in self.jobs if debugger.failed(j) and id(j) not in self._debugged]
        if not fresh:
            return
        self._debugged.update(id(job) for job in fresh)
        panels = [html("nbjs-debugger") for _ in fresh]
        for panel, job in zip(panels, fresh, strict=True):
            panel.value = static.failure_details_html(job)
        self.updates.set(self.failures, "children", (*self.failures.children, *panels))

    def _render_gallery(self) -> None:
        key = tuple((job.state, id(job.media), len(job.media)) for job in self.jobs)
        if key == self._gallery_key or not any(j.state is State.COMPLETED for j in self.jobs):
            return
        self._gallery_key = key
        value = static.batch_gallery_html(self.jobs)
        self.updates.set(self.gallery, "value", value)
        self.updates.show(self.gallery, bool(value))
