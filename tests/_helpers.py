"""Helpers shared by the media and gallery tests (pytest puts tests/ on sys.path)."""

from __future__ import annotations

from typing import Any

import nb_jobstatus
from nb_jobstatus import sandbox
from nb_jobstatus.core import media
from nb_jobstatus.job import Job


def follow(sb: sandbox.Sandbox, provider: str, *, api_key: str = "test-key", **options: Any) -> Job:
    """A sandbox job followed to its end, its media cached."""
    rid = sb.add_job(provider, duration=0.2, **options)
    job = nb_jobstatus.watch(
        provider, rid, base_url=sb.base_url(provider), api_key=api_key, display=False
    )
    assert isinstance(job, Job)
    job.wait(10)
    media.cache_all(job)
    return job
