"""``%jobstatus cache [clear]`` and ``%jobstatus --recent``: the media cache and the jobs it
remembers across kernel restarts (provider, request id, API origin, last state, when; no key)."""

from __future__ import annotations

from collections.abc import Sequence

from IPython.core.error import UsageError

from .. import _api
from ._tables import Table, cache_table, recent_table, size

RECENT = 20  # rows of --recent


def cache_command(words: Sequence[str]) -> Table | None:
    """``cache`` shows the cache; ``cache clear`` empties it and says how much went."""
    if not words:
        return cache_table(_api.cache_info())
    if list(words) != ["clear"]:
        raise UsageError("%jobstatus cache shows the cache; %jobstatus cache clear empties it")
    before = _api.cache_info()
    removed = _api.clear_cache()
    print(f"Cache cleared: {removed} file(s), {size(before.bytes)} removed from {before.location}")
    return None


def recent_jobs() -> Table:
    """The last jobs followed, newest first."""
    return recent_table(_api.recent(RECENT))
