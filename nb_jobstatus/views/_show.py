"""``show(job_or_jobs)``: display a view once per cell execution, and leave the final state.

The display is one mimebundle with the live widget (``application/vnd.jupyter.widget-view+json``)
and the static ``text/html`` and ``text/plain`` beside it, under a ``display_id``. When the
job(s) end, and again when their media are cached, that display is updated with the final
static bundle, so a saved notebook, nbconvert HTML and GitHub show the finished gallery or
failure (see ``WidgetDisplay`` for why the final bundle leaves the widget out).

Outside IPython nothing happens. In terminal IPython (no widget frontend) one text line is
printed now and the final text summary when the job(s) end.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.redact import logger
from . import static

if TYPE_CHECKING:
    from ..job import Job

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
KEEP_WIDGET_AT_END = False  # True: the final bundle keeps the widget (see WidgetDisplay)
TERMINAL_SHELLS = ("TerminalInteractiveShell",)

_shown: dict[str, Any] = {"execution": None, "keys": {}}  # keys hold the objects: no id reuse
_shown_lock = threading.Lock()


def show(obj: Job | Sequence[Job]) -> Any:
    """Display ``obj`` (a Job or a list of them); returns the display handle, or None when
    nothing was displayed (no IPython, terminal, or already shown in this execution)."""
    shell = _shell()
    if shell is None or not _first_time(shell, obj):
        return None
    jobs = _jobs(obj)
    if type(shell).__name__ in TERMINAL_SHELLS:
        TextFollower(jobs, single=not isinstance(obj, Sequence))
        return None
    return WidgetDisplay(obj).handle


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _jobs(obj: Job | Sequence[Job]) -> list[Job]:
    return list(obj) if isinstance(obj, Sequence) else [obj]


def _first_time(shell: Any, obj: Job | Sequence[Job]) -> bool:
    """True once per cell execution for a given job or list of jobs (by the jobs' identity).

    The execution is ``shell.execution_count`` and a counter bumped by IPython's
    ``pre_execute`` event (so cells run without history, whose count stays, differ too)."""
    key = ("list", *map(id, obj)) if isinstance(obj, Sequence) else ("job", id(obj))
    execution = (getattr(shell, "execution_count", None), _executions(shell))
    with _shown_lock:
        if _shown["execution"] != execution:
            _shown["execution"], _shown["keys"] = execution, {}
        if key in _shown["keys"]:
            return False
        _shown["keys"][key] = obj
        return True


_runs = [0]  # cells started, counted by the pre_execute hook


def _executions(shell: Any) -> int:
    """Cells this shell has started running (hooking ``pre_execute`` on first use)."""
    events = getattr(shell, "events", None)
    if events is not None and not getattr(shell, "_nbjs_counts_runs", False):
        events.register("pre_execute", _count_run)
        shell._nbjs_counts_runs = True
    return _runs[0]


def _count_run() -> None:
    _runs[0] += 1


def is_single(obj: Job | Sequence[Job]) -> bool:
    return not isinstance(obj, Sequence)


def html_of(obj: Job | Sequence[Job]) -> str:
    return static.job_html(obj) if is_single(obj) else static.jobs_html(obj)  # type: ignore[arg-type]


def text_of(obj: Job | Sequence[Job]) -> str:
    return static.job_text(obj) if is_single(obj) else static.jobs_text(obj)  # type: ignore[arg-type]


def view_of(obj: Job | Sequence[Job]) -> Any:
    """The live widget (``job.widget`` for one job), or None without ipywidgets."""
    try:
        if is_single(obj):
            return obj.widget  # type: ignore[union-attr]
        from .batch import BatchView

        return BatchView(_jobs(obj))
    except ImportError:
        logger.warning("ipywidgets is not installed: showing static HTML only")
        return None


class WidgetDisplay:
    """One display of a view, updated with the final bundle when the job(s) end.

    The first bundle carries the live widget beside ``text/html`` and ``text/plain``. The
    final one (at the end, and again once the media are cached) carries only the final
    ``text/html`` and ``text/plain``: nbconvert renders an output's widget view instead of
    its HTML whenever the saved widget state holds the model (nbclient saves it), and a
    reopened notebook without that state shows "model not found". The static card looks
    like the finished widget, so the live page does not change but for the swap."""

    def __init__(self, obj: Job | Sequence[Job]) -> None:
        from IPython.display import display

        self.obj = obj
        self.jobs = _jobs(obj)
        self.view = view_of(obj)
        self._lock = threading.Lock()
        self._published = self.bundle(live=True)
        self.handle = display(self._published, raw=True, display_id=True)
        self.updates = 0
        for job in self.jobs:
            job.on_change(self._changed)

    def bundle(self, live: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"text/plain": text_of(self.obj), "text/html": html_of(self.obj)}
        if live and self.view is not None:
            data[WIDGET_MIME] = self.view._repr_mimebundle_()[WIDGET_MIME]
        return data

    def _changed(self, job: Job) -> None:
        if not all(j.done for j in self.jobs):
            return
        with self._lock:  # in order: a later bundle is never overtaken by an earlier one
            bundle = self.bundle(live=KEEP_WIDGET_AT_END)
            if bundle == self._published:
                return
            self._published = bundle
            self.updates += 1
            self.handle.update(bundle, raw=True)


class TextFollower:
    """Terminal IPython: the current line now, the final summary when the job(s) end (for
    completed jobs once their files are measured, or after ``MEDIA_PATIENCE`` seconds)."""

    def __init__(self, jobs: list[Job], single: bool) -> None:
        self.jobs = jobs
        self.single = single
        self._printed = False
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        if not all(job.done for job in jobs):
            print("\n".join(static.job_line(job) for job in jobs))
        for job in jobs:
            job.on_change(self._changed)

    def _changed(self, job: Job) -> None:
        if not all(j.done for j in self.jobs):
            return
        if all(media_settled(j) for j in self.jobs):
            self._final()
            return
        with self._lock:  # files still downloading: wait for them, but not forever
            if self._timer is None and not self._printed:
                self._timer = threading.Timer(MEDIA_PATIENCE, self._final)
                self._timer.daemon = True
                self._timer.start()

    def _final(self) -> None:
        with self._lock:
            if self._printed:
                return
            self._printed = True
            if self._timer is not None:
                self._timer.cancel()
        print(static.job_text(self.jobs[0]) if self.single else static.jobs_text(self.jobs))


MEDIA_PATIENCE = 10.0  # s a terminal summary waits for the files to be measured


def media_settled(job: Job) -> bool:
    """Whether ``job.media`` holds every asset (or never will)."""
    status = job.status
    if job.error is not None or status is None or not getattr(job, "cache_media", True):
        return True
    return all(asset.url in job.media for asset in status.assets)
