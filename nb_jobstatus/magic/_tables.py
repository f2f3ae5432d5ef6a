"""The listings of ``%jobstatus``: this kernel's jobs, the providers, the cache, recent jobs."""

from __future__ import annotations

import datetime
import html
import os
from collections.abc import Sequence
from dataclasses import dataclass

from .._api import jobs
from ..core.config import resolve_base_url
from ..core.errors import ConfigurationError
from ..core.media import CacheInfo, RecentJob
from ..core.providers import PROVIDERS


@dataclass(frozen=True)
class Table:
    """Rows shown as an HTML table in a notebook and as aligned text elsewhere."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = ""
    note: str = ""  # a line under the table

    def _repr_html_(self) -> str:
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        if not self.rows and self.empty:
            return f"<p>{html.escape(self.empty)}</p>{note}"
        cells = [[f"<td>{html.escape(v)}</td>" for v in row] for row in self.rows]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(f"<tr>{''.join(row)}</tr>" for row in cells)
        return f'<table class="nbjs-table"><tr>{head}</tr>{body}</table>{note}'

    def __repr__(self) -> str:
        if not self.rows and self.empty:
            return "\n".join(filter(None, (self.empty, self.note)))
        lines = (self.columns, *self.rows)
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.columns))]
        text = [("  ".join(map(str.ljust, line, widths)).rstrip()) for line in lines]
        return "\n".join([*text, self.note] if self.note else text)


def job_table() -> Table:
    """One row per job of this kernel."""
    rows = tuple(
        (
            job.provider,
            job.request_id,
            job.state.value + (f" (stopped: {job.stopped})" if job.stopped else ""),
            f"{job.elapsed:.1f}s",
            str(len(job.status.assets) if job.status else 0),
        )
        for job in jobs()
    )
    columns = ("provider", "request id", "state", "elapsed", "files")
    return Table(columns, rows, "No jobs yet: %jobstatus PROVIDER REQUEST_ID follows one.")


def providers_table() -> Table:
    """Each provider, whether a key is set (by the variable's name only) and its base URL."""
    rows = []
    for spec in PROVIDERS.values():
        variable = spec.key_variable()
        key = f"set in {variable}" if variable else f"not set ({' or '.join(spec.key_env)})"
        try:
            base = resolve_base_url(spec, None)
        except ConfigurationError as error:
            base = str(error)
        source = spec.base_env if os.environ.get(spec.base_env) else "default"
        rows.append((spec.name, key, f"{base} ({source})"))
    return Table(("provider", "key", "base URL"), tuple(rows))


def size(count: float) -> str:
    """Bytes for a person: 0 B, 812 B, 3.4 KB, 12.0 MB, 1.5 GB."""
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def cache_table(info: CacheInfo) -> Table:
    """``%jobstatus cache``: where the cache is, how big, how many files, its cap."""
    cap = info.cap
    rows = (
        ("location", str(info.location)),
        ("size", size(info.bytes)),
        ("files", str(info.files)),
        ("cap", f"{size(cap)} (NB_JOBSTATUS_CACHE_MAX)" if cap else "none"),
    )
    return Table(("cache", ""), rows, note="%jobstatus cache clear empties it.")


def when(at: float) -> str:
    """A Unix time as local ``YYYY-MM-DD HH:MM``."""
    return datetime.datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M")


def recent_table(found: Sequence[RecentJob]) -> Table:
    """``%jobstatus --recent``: the jobs followed lately, in this kernel or before (no key)."""
    rows = tuple(
        (
            job.provider,
            job.request_id,
            job.state + (f" (stopped: {job.stopped})" if job.stopped else ""),
            job.base_url,
            when(job.at),
        )
        for job in found
    )
    columns = ("provider", "request id", "last state", "API", "when")
    empty = "No jobs followed yet (they are remembered in the cache folder)."
    note = "%jobstatus PROVIDER REQUEST_ID --base-url API follows one again." if rows else ""
    return Table(columns, rows, empty, note)
