"""The views without widgets, for a saved notebook, nbconvert HTML, GitHub and terminal
IPython: one job's and many jobs' HTML and text. The work is done in ``model`` (the
view-model), ``one`` (one job's HTML), ``many`` (many jobs' HTML) and ``text``."""

from __future__ import annotations

from .many import jobs_html
from .model import Bar, JobModel, bar_of, model_of
from .one import job_html
from .text import job_line, job_text, jobs_text

__all__ = [
    "Bar",
    "JobModel",
    "bar_of",
    "job_html",
    "job_line",
    "job_text",
    "jobs_html",
    "jobs_text",
    "model_of",
]
