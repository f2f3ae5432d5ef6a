"""Moved to ``nb_jobstatus.core`` (config, client, budget): kept while callers move over."""

from __future__ import annotations

from .core.budget import MAX_RETRIES, RateBudget, backoff
from .core.client import DOWNLOAD_LIMIT, Answer, Client, Download
from .core.config import client_for, get_status, resolve_base_url, resolve_key, set_rate_limit
from .core.urls import origin

__all__ = [
    "DOWNLOAD_LIMIT",
    "MAX_RETRIES",
    "Answer",
    "Client",
    "Download",
    "RateBudget",
    "backoff",
    "client_for",
    "get_status",
    "origin",
    "resolve_base_url",
    "resolve_key",
    "set_rate_limit",
]
