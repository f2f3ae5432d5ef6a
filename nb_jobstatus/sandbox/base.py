"""The sandbox's machinery, without sockets and without sleeping: the jobs, the clock, the
network, key checks and rate limits, faults, files, and the record of every request.

Called from the server's handler threads and from the in-memory transport (see
:mod:`.exchange`); shared state (jobs, their fault lists, the rate-limit windows, the record)
is touched only under ``lock``. Nothing here sleeps: a slow answer is a Reply to wait for.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from . import faults, files
from .gate import RateLimiter, RecordedRequest, Request, Window, presented_key
from .network import Network
from .reply import Reply, error_reply
from .responses import Origins
from .scripted import ScriptedJob, phase_at
from .timeline import Phase
from .typed import typed_job

NOMINAL_CLIPIA_WINDOW = Window(600, 600, 60.0, exceeded=False)  # when no limit is configured
_LIMIT_STYLE = {"sivi": "429-bare", "napkin": "429-body", "clipia": "429"}


class AppBase:
    def __init__(
        self,
        keys: dict[str, str] | None,
        rate_limits: dict[str, tuple[int, float]] | None,
        *,
        network: Network | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.lock = threading.Lock()
        self.jobs: dict[tuple[str, str], ScriptedJob] = {}
        self.recorded: list[RecordedRequest] = []
        self.keys = dict(keys or {})
        self.limiter = RateLimiter(dict(rate_limits or {}))
        self.origins = Origins("", "")  # set once both origins are known
        self.network = network or Network()
        self.clock, self.wall = clock, wall

    def record(self, request: Request, reply: Reply) -> None:
        status = None if reply.drop else reply.status
        record = RecordedRequest(
            request.origin,
            request.method,
            request.target,
            dict(request.headers),
            request.time,
            request.request_id,
            status,
        )
        with self.lock:
            self.recorded.append(record)

    # --- jobs ----------------------------------------------------------------------------

    def add(self, job: ScriptedJob) -> None:
        with self.lock:
            if (job.provider, job.request_id) in self.jobs:
                raise ValueError(f"{job.provider} job {job.request_id!r} exists already")
            self.jobs[(job.provider, job.request_id)] = job

    def find(self, provider: str, request_id: str) -> ScriptedJob | None:
        with self.lock:
            return self.jobs.get((provider, request_id))

    def job(self, provider: str, request_id: str) -> ScriptedJob | None:
        """A known job, or the job a typed id stands for (its time 0 is now)."""
        with self.lock:
            job = self.jobs.get((provider, request_id))
            if job is None:
                job = typed_job(provider, request_id, self.clock(), self.wall())
                if job is not None:
                    self.jobs[(provider, request_id)] = job
            return job

    def phase(self, job: ScriptedJob) -> Phase:
        return phase_at(job, self.clock())

    def answer(self, job: ScriptedJob, request: Request, build: Callable[[Phase], Reply]) -> Reply:
        """The status answer at this moment, under the job's next scripted fault."""
        with self.lock:
            fault = job.faults.pop(0) if job.faults else None

        def normal() -> Reply:
            phase = self.phase(job)
            return error_reply(job.provider, 410) if phase.stage == "gone" else build(phase)

        key = presented_key(job.provider, request)
        return faults.apply(job.provider, fault, normal, key)

    def file(self, job: ScriptedJob, index: int, item: files.FileSpec, main: bool = True) -> Reply:
        phase = self.phase(job)
        if phase.stage == "gone":
            return error_reply(job.provider, 410)
        if phase.stage != "completed":
            return error_reply(job.provider, 404, "File not found")
        return files.serve(item, job.media_faults.get(index) if main else None)

    # --- keys and rate limits --------------------------------------------------------------

    def gate(self, provider: str, request: Request, key: str | None) -> Reply | None:
        """401 for a wrong key (when one is configured), 429 over the rate limit, else None."""
        expected = self.keys.get(provider)
        if expected is not None and key != expected:
            return error_reply(provider, 401)
        with self.lock:
            request.window = window = self.limiter.hit(provider, key or "", request.time)
        if window is None or not window.exceeded:
            return None
        wait = math.ceil(window.reset)
        return faults.too_many(provider, wait, style=_LIMIT_STYLE[provider], limit=window.limit)

    @staticmethod
    def clipia_headers(request: Request, reply: Reply) -> Reply:
        window = request.window or NOMINAL_CLIPIA_WINDOW
        reply.headers["RateLimit-Limit"] = str(window.limit)
        reply.headers["RateLimit-Remaining"] = str(window.remaining)
        reply.headers["RateLimit-Reset"] = str(math.ceil(window.reset))
        return reply
