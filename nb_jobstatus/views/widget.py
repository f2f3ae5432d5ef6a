"""``JobView``: the live widget of one job, made of stock ipywidgets only.

::

    VBox .nbjs-job
    ├── HTML        provider, monospace request id, state pill (.nbjs-state)
    ├── HBox        FloatProgress .nbjs-progress (0-100) and its label (45% / working… / done)
    ├── HTML        queue, elapsed, time left (ticked every second by the shared ticker)
    ├── HTML        the gallery (.nbjs-gallery), once completed, re-rendered when media arrive
    └── HTML        the failure debugger (.nbjs-error)

Updates come from ``job.on_change`` (engine threads) through a ``Throttle`` (at most about
four renders a second); a render sets only the traits whose value changed. Without reported
progress the bar is *indeterminate*: full, ``bar_style="info"`` in a pale translucent colour,
class ``nbjs-indeterminate``, labelled ``queued…`` / ``working…``. A terminal bar is frozen:
a failure is never overwritten.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..core.model import State
from . import _format as fmt
from . import debugger, static
from ._ticker import Throttle, ticker

if TYPE_CHECKING:
    from ..job import Job

INDETERMINATE_COLOR = "#42a5f580"  # translucent info blue: reads as "busy" in light and dark
ROOT_LAYOUT = {
    "border": "1px solid var(--jp-border-color2, #d5d5d5)",
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
    """The live view of one ``Job``; ``job.widget`` makes and keeps one."""

    def __init__(self, job: Job, **kwargs: Any) -> None:
        self.job = job
        self.updates = Updates()
        self.header = html("nbjs-header")
        self.bar = widgets.FloatProgress(
            value=0.0, min=0.0, max=100.0, layout=widgets.Layout(flex="1 1 auto", width="auto")
        )
        self.bar.add_class("nbjs-progress")
        self.label = html("nbjs-label")
        self.label.layout.min_width = "80px"
        self.info = html("nbjs-info")
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
        self._final: static.Bar | None = None
        self._gallery_key: tuple[Any, ...] | None = None
        self._throttle = Throttle(self.render)
        if not job.done:
            ticker().add(self)
        job.on_change(self._changed)  # first, so that no change slips between render and it
        self.render()

    def __repr__(self) -> str:
        return f"<JobView {self.job.provider} {self.job.request_id} {self.job.state.value}>"

    def _changed(self, job: Job) -> None:
        self._throttle.request(urgent=job.done)

    def render(self) -> None:
        """Bring every part up to date with the job (only changed traits are sent)."""
        with self._lock:
            job = self.job
            self.updates.set(self.header, "value", static.header_html(job))
            self._render_bar(job)
            self.updates.set(self.info, "value", static.info_html(job))
            self._render_gallery(job)
            self._render_debugger(job)
            if job.done:
                ticker().remove(self)

    def tick(self) -> None:
        """Once a second from the shared ticker: the elapsed time and time left."""
        with self._lock:
            self.updates.set(self.info, "value", static.info_html(self.job))
            if self.job.done:
                ticker().remove(self)

    def _render_bar(self, job: Job) -> None:
        bar = self._final or static.bar_of(job)
        if job.done and self._final is None:
            self._final = bar
        self.updates.set(self.bar, "value", bar.value)
        self.updates.set(self.bar, "bar_style", bar.style)
        color = INDETERMINATE_COLOR if bar.indeterminate else None
        self.updates.set(self.bar.style, "bar_color", color)
        self.updates.toggle_class(self.bar, "nbjs-indeterminate", bar.indeterminate)
        label = f'<span style="{static.MUTED}">{fmt.esc(bar.label)}</span>'
        self.updates.set(self.label, "value", label)

    def _render_gallery(self, job: Job) -> None:
        key = (job.state, id(job.media), len(job.media))
        if job.state is not State.COMPLETED or key == self._gallery_key:
            return
        self._gallery_key = key
        value = static.gallery_html(job)
        self.updates.set(self.gallery, "value", value)
        self.updates.show(self.gallery, bool(value))

    def _render_debugger(self, job: Job) -> None:
        value = debugger.debugger_html(job)
        self.updates.set(self.debugger, "value", value)
        self.updates.show(self.debugger, bool(value))
