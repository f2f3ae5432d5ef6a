"""The sandbox's behaviour, without sockets: routing, key checks, rate limits, faults, recording.

``App.handle(request) -> Reply`` is called from the server's handler threads; shared state
(jobs, their fault lists, the rate-limit windows, the record) is touched only under ``lock``.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from . import faults, media, responses
from .jobs import Job, Phase, is_uuid, phase_at, typed_job
from .reply import Reply, error_reply, html_reply
from .responses import Origins

TEST_KEY_PREFIX = "clipia_test_"


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the sandbox saw it. ``status`` is None when the connection was dropped."""

    origin: str  # "api" or "media"
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    time: float  # time.monotonic() when it arrived
    request_id: str | None
    status: int | None


@dataclass
class Request:
    origin: str
    method: str
    target: str
    headers: dict[str, str]
    time: float = field(default_factory=time.monotonic)
    request_id: str | None = None
    window: Window | None = None  # this request's rate-limit window, once counted

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == name), None)


@dataclass(frozen=True)
class Window:
    limit: int
    remaining: int
    reset: float  # seconds until the oldest counted request leaves the window
    exceeded: bool


NOMINAL_CLIPIA_WINDOW = Window(600, 600, 60.0, exceeded=False)  # when no limit is configured


class RateLimiter:
    """A sliding window per (provider, key); only requests let through are counted."""

    def __init__(self, limits: dict[str, tuple[int, float]]) -> None:
        self.limits = limits
        self.hits: dict[tuple[str, str], deque[float]] = {}

    def hit(self, provider: str, key: str, now: float) -> Window | None:
        if provider not in self.limits:
            return None
        limit, window = self.limits[provider]
        hits = self.hits.setdefault((provider, key), deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return Window(limit, 0, hits[0] + window - now, exceeded=True)
        hits.append(now)
        return Window(limit, limit - len(hits), hits[0] + window - now, exceeded=False)


def presented_key(provider: str, request: Request) -> str | None:
    """The credential as each provider's docs say to send it."""
    if provider == "sivi":
        return request.header("sivi-api-key")
    scheme, _, value = (request.header("authorization") or "").strip().partition(" ")
    schemes = ("bearer",) if provider == "napkin" else ("bearer", "key")
    if scheme.lower() in schemes and value.strip():
        return value.strip()
    return request.header("x-api-key") if provider == "clipia" else None


Route = Callable[..., Reply]

_SIVI_STATUS = re.compile(r"/sivi/api/(?:prod|staging)/v2/general/get-request-status")
_NAPKIN_STATUS = re.compile(r"/napkin/v1/visual/([^/]+)/status")
_NAPKIN_FILE = re.compile(r"/napkin/v1/visual/([^/]+)/file/([^/]+)")
_CLIPIA_STATUS = re.compile(r"/clipia/v1/requests/([^/]+)/status")
_CLIPIA_RESULT = re.compile(r"/clipia/v1/requests/([^/]+)")
_PAGES = re.compile(r"/(?:sivi-app(?:/.*)?)?")
_SIVI_FILE = re.compile(r"/sivi/user-data/[^/]+/generated/[^/]+--([^/]{36})--(\w+)\.jpg")
_CLIPIA_FILE = re.compile(r"/clipia/files/([^/]+)/(\d+|sample)\.(webp|png)")
_CLIPIA_VIDEO = re.compile(r"/clipia/files/([^/]+)/video\.mp4")


class App:
    def __init__(
        self, keys: dict[str, str] | None, rate_limits: dict[str, tuple[int, float]] | None
    ) -> None:
        self.lock = threading.Lock()
        self.jobs: dict[tuple[str, str], Job] = {}
        self.recorded: list[RecordedRequest] = []
        self.keys = dict(keys or {})
        self.limiter = RateLimiter(dict(rate_limits or {}))
        self.origins = Origins("", "")  # set by the server once both ports are bound
        self.routes: dict[str, list[tuple[re.Pattern[str], Route]]] = {
            "api": [
                (_SIVI_STATUS, self.sivi),
                (_NAPKIN_STATUS, self.napkin),
                (_NAPKIN_FILE, self.napkin_file),
                (_CLIPIA_STATUS, self.clipia_status),
                (_CLIPIA_RESULT, self.clipia_result),
                (_PAGES, self.page),
            ],
            "media": [
                (_SIVI_FILE, self.sivi_file),
                (_CLIPIA_FILE, self.clipia_file),
                (_CLIPIA_VIDEO, self.clipia_video),
            ],
        }

    # --- the way in and out ------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        reply = self._route(request)
        self._record(request, reply)
        return reply

    def _route(self, request: Request) -> Reply:
        path = urlsplit(request.target).path
        provider = _provider_of(path)
        if request.method != "GET":
            reply = error_reply(provider or "napkin", 405)
            reply.close = True  # the request body, if any, is not read
            return reply
        for pattern, route in self.routes[request.origin]:
            match = pattern.fullmatch(path)
            if match:
                return route(request, *match.groups())
        return error_reply(provider or "napkin", 404, "No such endpoint")

    def _record(self, request: Request, reply: Reply) -> None:
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

    def add(self, job: Job) -> None:
        with self.lock:
            if (job.provider, job.request_id) in self.jobs:
                raise ValueError(f"{job.provider} job {job.request_id!r} exists already")
            self.jobs[(job.provider, job.request_id)] = job

    def _job(self, provider: str, request_id: str) -> Job | None:
        """A known job, or the job a typed id stands for (its time 0 is now)."""
        with self.lock:
            job = self.jobs.get((provider, request_id))
            if job is None and (job := typed_job(provider, request_id)) is not None:
                self.jobs[(provider, request_id)] = job
            return job

    def _answer(self, job: Job, build: Callable[[Phase], Reply]) -> Reply:
        """The status answer at this moment, under the job's next scripted fault."""
        with self.lock:
            fault = job.faults.pop(0) if job.faults else None

        def normal() -> Reply:
            phase = phase_at(job, time.monotonic())
            return error_reply(job.provider, 410) if phase.state == "gone" else build(phase)

        return faults.apply(job.provider, fault, normal)

    def _file(self, job: Job, index: int, item: media.Asset, main: bool = True) -> Reply:
        phase = phase_at(job, time.monotonic())
        if phase.state == "gone":
            return error_reply(job.provider, 410)
        if phase.state != "completed":
            return error_reply(job.provider, 404, "File not found")
        return media.serve(item, job.media_faults.get(index) if main else None)

    # --- keys and rate limits --------------------------------------------------------------

    def _gate(self, provider: str, request: Request, key: str | None) -> Reply | None:
        """401 for a wrong key (when one is configured), 429 over the rate limit, else None."""
        expected = self.keys.get(provider)
        if expected is not None and key != expected:
            return error_reply(provider, 401)
        with self.lock:
            request.window = window = self.limiter.hit(provider, key or "", request.time)
        if window is None or not window.exceeded:
            return None
        wait = math.ceil(window.reset)
        style = {"sivi": "429-bare", "napkin": "429-body", "clipia": "429"}[provider]
        return faults.too_many(provider, wait, style=style, limit=window.limit)

    @staticmethod
    def _clipia_headers(request: Request, reply: Reply) -> Reply:
        window = request.window or NOMINAL_CLIPIA_WINDOW
        reply.headers["RateLimit-Limit"] = str(window.limit)
        reply.headers["RateLimit-Remaining"] = str(window.remaining)
        reply.headers["RateLimit-Reset"] = str(math.ceil(window.reset))
        return reply

    # --- Sivi ------------------------------------------------------------------------------

    def sivi(self, request: Request) -> Reply:
        request.request_id = _sivi_request_id(request.target)
        denied = self._gate("sivi", request, presented_key("sivi", request))
        if denied is not None:
            return denied
        if request.request_id is None:
            return error_reply("sivi", 422)
        job = self._job("sivi", request.request_id)
        if job is None:
            return error_reply("sivi", 404)
        return self._answer(job, lambda p: Reply(200, responses.sivi_status(job, p, self.origins)))

    def sivi_file(self, request: Request, design_id: str, variant_id: str) -> Reply:
        base, _, sub = variant_id.partition("_")
        with self.lock:
            job = next((j for j in self.jobs.values() if j.design_id == design_id), None)
        if job is None or base not in job.asset_ids or not (sub == "" or sub.isdigit()):
            return media.not_found()
        request.request_id = job.request_id
        index = job.asset_ids.index(base)
        label = f"{index + 1}.{sub}" if sub else str(index + 1)
        item = media.asset("sivi", job.request_id, "jpeg", job.size, label)
        return self._file(job, index, item, main=not sub)

    # --- Napkin ----------------------------------------------------------------------------

    def napkin(self, request: Request, request_id: str) -> Reply:
        request.request_id = request_id
        denied = self._gate("napkin", request, presented_key("napkin", request))
        if denied is not None:
            return denied
        if not is_uuid(request_id):
            return error_reply("napkin", 400)
        job = self._job("napkin", request_id)
        if job is None:
            return error_reply("napkin", 404)
        return self._answer(
            job, lambda p: Reply(200, responses.napkin_status(job, p, self.origins))
        )

    def napkin_file(self, request: Request, request_id: str, file_id: str) -> Reply:
        request.request_id = request_id
        key = presented_key("napkin", request)
        if key is None:
            return error_reply("napkin", 401)
        denied = self._gate("napkin", request, key)
        if denied is not None:
            return denied
        job = self._job("napkin", request_id)
        if job is None or file_id not in job.asset_ids:
            return error_reply("napkin", 404)
        index = job.asset_ids.index(file_id)
        item = media.asset("napkin", request_id, job.format, job.size, str(index + 1))
        return self._file(job, index, item)

    # --- Clipia ----------------------------------------------------------------------------

    def clipia_status(self, request: Request, request_id: str) -> Reply:
        return self._clipia(request, request_id, "status")

    def clipia_result(self, request: Request, request_id: str) -> Reply:
        return self._clipia(request, request_id, "result")

    def _clipia(self, request: Request, request_id: str, endpoint: str) -> Reply:
        request.request_id = request_id
        key = presented_key("clipia", request)
        reply = self._gate("clipia", request, key) or self._clipia_answer(request_id, key, endpoint)
        return self._clipia_headers(request, reply)

    def _clipia_answer(self, request_id: str, key: str | None, endpoint: str) -> Reply:
        if not is_uuid(request_id):
            return error_reply("clipia", 404)
        if key is not None and key.startswith(TEST_KEY_PREFIX):
            mock = responses.clipia_mock(request_id, self.origins, time.time())
            return Reply(200, mock[endpoint])
        job = self._job("clipia", request_id)
        if job is None:
            return error_reply("clipia", 404)
        if endpoint == "status":
            return self._answer(job, lambda p: Reply(200, responses.clipia_status(job, p)))
        return self._answer(job, lambda p: Reply(*responses.clipia_result(job, p, self.origins)))

    def clipia_file(self, request: Request, request_id: str, index: str, ext: str) -> Reply:
        kind = "webp" if ext == "webp" else "png"
        if request_id == "mock" and index == "sample":
            size = responses.CLIPIA_MOCK_SIZE
            return media.serve(media.Asset(kind, size, "clipia", ("Clipia", "test key", "mock")))
        request.request_id = request_id
        with self.lock:
            job = self.jobs.get(("clipia", request_id))
        if job is None or not index.isdigit() or int(index) >= job.images:
            return error_reply("clipia", 404)
        item = media.asset("clipia", request_id, kind, job.size, str(int(index) + 1))
        return self._file(job, int(index), item)

    def clipia_video(self, request: Request, request_id: str) -> Reply:
        request.request_id = request_id
        with self.lock:
            job = self.jobs.get(("clipia", request_id))
        if job is None or not job.video:
            return error_reply("clipia", 404)
        return self._file(job, -1, media.asset("clipia", request_id, "mp4", job.size, "video"))

    # --- pages -----------------------------------------------------------------------------

    def page(self, request: Request) -> Reply:
        if request.target.startswith("/sivi-app"):
            text = "This page stands in for the Sivi app, where a design link would open."
            return html_reply(200, "Sivi (sandbox)", text)
        bases = ", ".join(
            f"{self.origins.api}/{p}" for p in ("sivi/api/prod/v2", "napkin", "clipia")
        )
        return html_reply(200, "nb_jobstatus sandbox", f"Provider base URLs: {bases}")


def _provider_of(path: str) -> str | None:
    first = path.strip("/").split("/", 1)[0]
    return first if first in ("sivi", "napkin", "clipia") else None


def _sivi_request_id(target: str) -> str | None:
    """The requestId in ``?queryParams=<url-encoded JSON>`` (abstractUserId may come too)."""
    values = parse_qs(urlsplit(target).query).get("queryParams")
    try:
        params = json.loads(values[0]) if values else None
    except ValueError:
        return None
    request_id = params.get("requestId") if isinstance(params, dict) else None
    return request_id if isinstance(request_id, str) and request_id else None
