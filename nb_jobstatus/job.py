"""The public ``Job``: the core's job with a notebook display added on top, the way
``tqdm.notebook`` adds one to ``tqdm``. The core never imports this module."""

from __future__ import annotations

import threading
import weakref
from typing import Any

from .core import job as core_job
from .views import History


class Job(core_job.Job):
    """A provider request followed in the background (see ``nb_jobstatus.core.job.Job``), shown
    as a live widget in a notebook and as text or HTML elsewhere."""

    show_images = True  # the views show thumbnails (False: sizes and links only)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.history = _History(self)  # still a list: displayed, a chart and a table
        self._widget: Any = None
        self._widget_lock = threading.Lock()

    def _ipython_display_(self) -> None:
        from .views import show

        show(self)

    @property
    def widget(self) -> Any:
        """The live ipywidgets view of this job (made on first use)."""
        with self._widget_lock:
            if self._widget is None:
                from .views import JobView

                self._widget = JobView(self)
            return self._widget


class _History(History):
    """``job.history``: the list of polls, shown in a notebook as the timeline chart."""

    def __init__(self, job: Job) -> None:
        super().__init__([])
        self._job = weakref.ref(job)

    def _repr_html_(self) -> str:
        job = self._job()
        self.finished = job.elapsed if job is not None and job.done else None
        return super()._repr_html_()
