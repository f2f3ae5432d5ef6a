"""``%jobstatus cache [clear]`` and ``%jobstatus --recent``: the media cache and the jobs it
remembers across kernel restarts (provider, request id, API origin, last state, when; no key)."""

from __future__ import annotations

from collections.abc import Sequence

from IPython.core.error import UsageError

from ..core import media
from ._tables import Table, cache_table, recent_table, size

RECENT = 20  # rows of --recent


def cache_command(words: Sequence[str]) -> Table | None:
    """``cache`` shows the cache; ``cache clear`` empties it and says how much went."""
    if not words:
        return cache_table(media.cache_info())
    if list(words) != ["clear"]:
        raise UsageError("%jobstatus cache shows the cache; %jobstatus cache clear empties it")
    before = media.cache_info()
    removed = media.clear_cache()
    after = media.cache_info()
    freed = size(max(0, before.bytes - after.bytes))
    kept = f"; {after.files} file(s) kept: a job of this kernel shows them" if after.files else ""
    print(f"Cache cleared: {removed} file(s), {freed} removed from {before.location}{kept}")
    return None


def recent_jobs() -> Table:
    """The last jobs followed, newest first."""
    return recent_table(media.recent(RECENT))
