"""``show(job_or_jobs)``: display a view once per cell execution, and leave the final state.

The display is one mimebundle with the live widget (``application/vnd.jupyter.widget-view+json``)
and the static ``text/html`` and ``text/plain`` beside it, under a ``display_id``. When the
job(s) end, and again when their files are cached, that display is updated with the final
static bundle, so a saved notebook, nbconvert HTML and GitHub show the finished gallery or
failure (see ``WidgetDisplay`` for why the final bundle leaves the widget out).

Outside IPython nothing happens. In terminal IPython (no widget frontend) the current line is
printed now and the final summary once per job when it ends, however often it was displayed.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from typing import Any

from ..core.redact import logger
from . import _job, many, one, text
from ._job import JobLike
from ._ticker import ticker

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
TERMINAL_SHELLS = ("TerminalInteractiveShell",)
MEDIA_PATIENCE = 10.0  # s a terminal summary waits for the files to be measured

Shown = JobLike | Sequence[JobLike]


class Executions:
    """Per shell: which objects were shown in the current cell execution. The execution is
    ``shell.execution_count`` and a counter bumped by IPython's ``pre_execute`` event (so
    cells run without history, whose count stays, differ too)."""

    def __init__(self, shell: Any) -> None:
        self.runs = 0
        self.current: tuple[Any, int] | None = None
        self.keys: dict[tuple[Any, ...], Any] = {}  # the values hold the objects: no id reuse
        self.lock = threading.Lock()
        events = getattr(shell, "events", None)
        if events is not None:
            events.register("pre_execute", self._count)

    def _count(self) -> None:
        self.runs += 1

    def first_time(self, shell: Any, obj: Shown) -> bool:
        key = ("list", *map(id, obj)) if isinstance(obj, Sequence) else ("job", id(obj))
        execution = (getattr(shell, "execution_count", None), self.runs)
        with self.lock:
            if self.current != execution:
                self.current, self.keys = execution, {}
            if key in self.keys:
                return False
            self.keys[key] = obj
            return True


_executions: weakref.WeakKeyDictionary[Any, Executions] = weakref.WeakKeyDictionary()
_executions_lock = threading.Lock()


def show(obj: Shown) -> Any:
    """Display ``obj`` (a job or a list of them); returns the display handle, or None when
    nothing was displayed (no IPython, terminal, or already shown in this execution)."""
    shell = _shell()
    if shell is None or not _first_time(shell, obj):
        return None
    if type(shell).__name__ in TERMINAL_SHELLS:
        follow_in_text(_jobs(obj))
        return None
    return WidgetDisplay(obj).handle


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _first_time(shell: Any, obj: Shown) -> bool:
    with _executions_lock:
        tracker = _executions.get(shell)
        if tracker is None:
            tracker = _executions[shell] = Executions(shell)
    return tracker.first_time(shell, obj)


def _jobs(obj: Shown) -> list[JobLike]:
    return list(obj) if isinstance(obj, Sequence) else [obj]


def html_of(obj: Shown) -> str:
    return many.jobs_html(obj) if isinstance(obj, Sequence) else one.job_html(obj)


def text_of(obj: Shown) -> str:
    return text.jobs_text(obj) if isinstance(obj, Sequence) else text.job_text(obj)


def view_of(obj: Shown) -> Any:
    """The live widget (``job.widget`` for one job), or None without ipywidgets."""
    try:
        if not isinstance(obj, Sequence):
            return getattr(obj, "widget", None) or _job_view(obj)
        from .batch import BatchView

        return BatchView(list(obj))
    except ImportError:
        logger.warning("ipywidgets is not installed: showing static HTML only")
        return None


def _job_view(job: JobLike) -> Any:
    from .widget import JobView

    return JobView(job)


class WidgetDisplay:
    """One display of a view, updated with the final bundle when the job(s) end.

    The first bundle carries the live widget beside ``text/html`` and ``text/plain``. The
    final one (at the end, and again once the files are cached) carries only the final
    ``text/html`` and ``text/plain``: nbconvert renders an output's widget view instead of
    its HTML whenever the saved widget state holds the model (nbclient saves it), and a
    reopened notebook without that state shows "model not found". The static card looks
    like the finished widget, so the live page does not change but for the swap. The shared
    ticker checks once a second until the jobs are settled, so a display made after the end
    still ends showing the measured files."""

    def __init__(self, obj: Shown) -> None:
        from IPython.display import display

        self.obj = obj
        self.jobs = _jobs(obj)
        self.view = view_of(obj)
        self._lock = threading.Lock()
        self._published = self.bundle(live=True)
        self.handle = display(self._published, raw=True, display_id=True)
        self.updates = 0
        ticker().add(self)
        for job in self.jobs:
            job.on_change(self._changed)

    def bundle(self, live: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"text/plain": text_of(self.obj), "text/html": html_of(self.obj)}
        if live and self.view is not None:
            data[WIDGET_MIME] = self.view._repr_mimebundle_()[WIDGET_MIME]
        return data

    def _changed(self, job: JobLike) -> None:
        self.tick()

    def tick(self) -> None:
        if not all(j.done for j in self.jobs):
            return
        settled = all(_job.settled(j) for j in self.jobs)
        with self._lock:  # in order: a later bundle is never overtaken by an earlier one
            bundle = self.bundle(live=False)
            if bundle != self._published:
                self._published = bundle
                self.updates += 1
                self.handle.update(bundle, raw=True)
        if settled:
            ticker().remove(self)


# -- terminal IPython -------------------------------------------------------------------------

# id -> job, for the jobs a TextFollower prints at the end (by identity: jobs need no hash)
_followed: weakref.WeakValueDictionary[int, Any] = weakref.WeakValueDictionary()
_followed_lock = threading.Lock()


def follow_in_text(jobs: list[JobLike]) -> None:
    """Print the jobs' state now; the final summary once per job, when it ends."""
    ended = [job for job in jobs if job.done]
    running = [job for job in jobs if not job.done]
    if ended:
        print(text.jobs_text(ended) if len(ended) > 1 else text.job_text(ended[0]))
    if running:
        print("\n".join(text.job_line(job) for job in running))
    with _followed_lock:
        fresh = [job for job in running if _followed.get(id(job)) is not job]
        _followed.update({id(job): job for job in fresh})
    if fresh:
        TextFollower(fresh)


class TextFollower:
    """Prints the final summary of its jobs when they end (for completed jobs once their
    files are measured, or after ``MEDIA_PATIENCE`` seconds)."""

    def __init__(self, jobs: list[JobLike]) -> None:
        self.jobs = jobs
        self._printed = False
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()
        for job in jobs:
            job.on_change(self._changed)

    def _changed(self, job: JobLike) -> None:
        if not all(j.done for j in self.jobs):
            return
        if all(_job.settled(j) for j in self.jobs):
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
        jobs = self.jobs
        print(text.jobs_text(jobs) if len(jobs) > 1 else text.job_text(jobs[0]))
