"""Follow Sivi, Napkin and Clipia generation requests live in a notebook.

``%load_ext nb_jobstatus`` then ``%jobstatus PROVIDER REQUEST_ID``, or from Python::

    import nb_jobstatus as njs
    job = njs.watch("clipia", request_id)   # returns at once, polls in the background
    job = njs.watch(client.submit(...))      # or what a submit call returned
    status = job.wait()   # the terminal Status, a FAILED one too; raises only the error that
                          # ended polling (HTTP 401/404/410, retries spent...) or PollTimeout
"""

from __future__ import annotations

from typing import Any

from ._api import jobs, watch
from .core.config import get_status, set_rate_limit
from .core.errors import (
    AuthenticationError,
    ConfigurationError,
    ExpiredError,
    JobStatusError,
    NotFoundError,
    PollTimeout,
    ProviderError,
    RateLimitError,
    ResponseError,
    TransportError,
)
from .core.media import cache_info, clear_cache
from .core.model import Asset, Poll, State, Status
from .core.version import __version__
from .job import Job

__all__ = [
    "Asset",
    "AuthenticationError",
    "ConfigurationError",
    "ExpiredError",
    "Job",
    "JobStatusError",
    "NotFoundError",
    "Poll",
    "PollTimeout",
    "ProviderError",
    "RateLimitError",
    "ResponseError",
    "State",
    "Status",
    "TransportError",
    "__version__",
    "cache_info",
    "clear_cache",
    "get_status",
    "jobs",
    "load_ipython_extension",
    "set_rate_limit",
    "watch",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext nb_jobstatus``: registers ``%jobstatus``."""
    from .magic import register

    register(ipython)


def __getattr__(name: str) -> Any:
    if name == "sandbox":  # njs.sandbox.start() without importing the server up front
        import importlib

        return importlib.import_module(".sandbox", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
