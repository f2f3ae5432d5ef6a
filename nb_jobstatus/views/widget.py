"""``JobView``: the live widget of one job, made of stock ipywidgets only.

::

    VBox .nbjs-job
    ├── HTML        provider, monospace request id, state pill (.nbjs-state)
    ├── HBox        FloatProgress .nbjs-progress (0-100) and its label (45% / working… / done)
    ├── HTML        queue, elapsed, time left (ticked every second by the shared ticker)
    ├── HTML        the gallery (.nbjs-gallery), once completed, re-rendered when media arrive
    └── HTML        the failure debugger (.nbjs-error) or the stopped panel (.nbjs-stopped)

Every part is rendered from the ``JobModel`` by the same functions as the static HTML.
Updates come from ``job.on_change`` (engine threads) through a ``Throttle`` (at most about
four renders a second); a render sets only the traits whose value changed, so the front end
hears only of what it shows. The shared ticker ticks the view until the job is *settled*
(done and its files cached): a view made after the end still ends showing the measured
files, whether or not the job calls it again when they arrive. A terminal bar is frozen.
"""

from __future__ import annotations

import threading
from typing import Any

import ipywidgets as widgets

from . import _html as h
from . import _job
from . import palette as pal
from ._job import JobLike
from ._ticker import Throttle, ticker
from .model import Bar, JobModel, model_of
from .one import end_html, gallery_html, header_html, info_html

ROOT_LAYOUT = {
    "border": f"1px solid {pal.BORDER_COLOR}",
    "padding": "8px 12px",
    "margin": "4px 0",
    "max_width": "960px",
}


class Updates:
    """Sets traits only when their value changes, and counts the changes."""

    def __init__(self) -> None:
        self.count = 0

    def set(self, widget: widgets.Widget, name: str, value: Any) -> bool:
        if getattr(widget, name) == value:
            return False
        setattr(widget, name, value)
        self.count += 1
        return True

    def show(self, widget: widgets.Widget, visible: bool) -> None:
        self.set(widget.layout, "display", None if visible else "none")

    def toggle_class(self, widget: widgets.Widget, name: str, on: bool) -> None:
        if (name in widget._dom_classes) != on:
            (widget.add_class if on else widget.remove_class)(name)
            self.count += 1


def html(*classes: str, hidden: bool = False) -> widgets.HTML:
    widget = widgets.HTML(layout=widgets.Layout(display="none" if hidden else None))
    for name in classes:
        widget.add_class(name)
    return widget


class JobView(widgets.VBox):
    """The live view of one job; ``job.widget`` makes and keeps one."""

    def __init__(self, job: JobLike, **kwargs: Any) -> None:
        self.job = job
        self.updates = Updates()
        self.header = html("nbjs-header-box")
        self.bar = widgets.FloatProgress(
            value=0.0, min=0.0, max=100.0, layout=widgets.Layout(flex="1 1 auto", width="auto")
        )
        self.bar.add_class("nbjs-progress")
        self.label = html("nbjs-label")
        self.label.layout.min_width = "80px"
        self.info = html("nbjs-info-box")
        self.gallery = html(hidden=True)
        self.debugger = html(hidden=True)
        row = widgets.HBox([self.bar, self.label], layout=widgets.Layout(align_items="center"))
        super().__init__(
            [self.header, row, self.info, self.gallery, self.debugger],
            layout=widgets.Layout(**ROOT_LAYOUT),
            **kwargs,
        )
        self.add_class("nbjs-job")
        self._lock = threading.RLock()
        self._final: Bar | None = None
        self._gallery_key: tuple[Any, ...] | None = None
        self._throttle = Throttle(self.render)
        ticker().add(self)  # until settled: the clock, and the files if nobody calls again
        job.on_change(self._changed)  # first, so that no change slips between render and it
        self.render()

    def __repr__(self) -> str:
        return f"<JobView {self.job.provider} {self.job.request_id} {self.job.state.value}>"

    def _changed(self, job: JobLike) -> None:
        self._throttle.request(urgent=job.done)

    def render(self) -> None:
        """Bring every part up to date with the job (only changed traits are sent)."""
        with self._lock:
            job = self.job
            model = model_of(job, gallery=False)
            self.updates.set(self.header, "value", header_html(model))
            self._render_bar(model)
            self.updates.set(self.info, "value", info_html(model))
            self._render_gallery(model)
            end = end_html(job, model)
            self.updates.set(self.debugger, "value", end)
            self.updates.show(self.debugger, bool(end))
            if model.settled:
                ticker().remove(self)

    def tick(self) -> None:
        """Once a second from the shared ticker: the clock, or the files once they arrive."""
        if self.job.done:
            self.render()
            return
        with self._lock:
            self.updates.set(self.info, "value", info_html(model_of(self.job, gallery=False)))

    def _render_bar(self, model: JobModel) -> None:
        bar = self._final or model.bar
        if model.done and self._final is None:
            self._final = bar
        self.updates.set(self.bar, "value", bar.value)
        self.updates.set(self.bar, "bar_style", bar.style)
        color = pal.INDETERMINATE if bar.indeterminate else None
        if bar.style == "":
            color = pal.NEUTRAL if model.done else color
        self.updates.set(self.bar.style, "bar_color", color)
        self.updates.toggle_class(self.bar, "nbjs-indeterminate", bar.indeterminate)
        label = f'<span style="{pal.MUTED}">{h.esc(bar.label)}</span>'
        self.updates.set(self.label, "value", label)

    def _render_gallery(self, model: JobModel) -> None:
        job = self.job
        key = (model.phase, model.show_images, id(job.media), len(job.media), model.settled)
        if model.phase != "completed" or key == self._gallery_key:
            return
        self._gallery_key = key
        value = gallery_html(model_of(job))
        self.updates.set(self.gallery, "value", value)
        self.updates.show(self.gallery, bool(value))


def settled(job: JobLike) -> bool:
    return _job.settled(job)
