"""The views: the live widgets (``JobView``, ``BatchView``), ``show`` and the static HTML/text,
all rendered from one view-model (``views.model``) with one palette and one set of format
helpers. The widget classes are imported on first use, so the static rendering and ``show``
outside a notebook never import ipywidgets.
"""

from __future__ import annotations

from typing import Any

from ._show import show
from .static import job_html, job_text, jobs_html, jobs_text
from .timeline import History

__all__ = [
    "BatchView",
    "History",
    "JobView",
    "job_html",
    "job_text",
    "jobs_html",
    "jobs_text",
    "show",
]


def __getattr__(name: str) -> Any:
    if name == "JobView":
        from .widget import JobView

        return JobView
    if name == "BatchView":
        from .batch import BatchView

        return BatchView
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
