"""``%jobstatus``: follow Sivi, Napkin and Clipia requests from one notebook line.

``%load_ext nb_jobstatus`` calls :func:`register`; ``%jobstatus?`` is the help. Defaults are
traits of :class:`JobStatusMagics` (``%config JobStatusMagics`` lists them).
"""

from __future__ import annotations

from ._magics import JobStatusMagics, register, save_all, wait_all
from ._tables import Table, job_table, providers_table
from ._words import provider_word, resolve_targets

__all__ = [
    "JobStatusMagics",
    "Table",
    "job_table",
    "provider_word",
    "providers_table",
    "register",
    "resolve_targets",
    "save_all",
    "wait_all",
]
