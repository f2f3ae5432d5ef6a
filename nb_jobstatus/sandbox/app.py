"""The sandbox's routes: which path of which origin is which provider's endpoint or file.

``App.route(request) -> Reply`` never sleeps and never touches a socket: the socket server
and the in-memory transport both drive it through :func:`~.exchange.exchange`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from . import clipia_bodies, files, responses
from .base import AppBase
from .gate import RecordedRequest, Request, presented_key
from .reply import Reply, error_reply, html_reply
from .scripted import is_uuid

__all__ = ["App", "RecordedRequest", "Request"]

TEST_KEY_PREFIX = "clipia_test_"

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
_CLIPIA_AUDIO = re.compile(r"/clipia/files/([^/]+)/audio-(\d+)\.wav")


class App(AppBase):
    def routes(self, origin: str) -> list[tuple[re.Pattern[str], Route]]:
        if origin == "api":
            return [
                (_SIVI_STATUS, self.sivi),
                (_NAPKIN_STATUS, self.napkin),
                (_NAPKIN_FILE, self.napkin_file),
                (_CLIPIA_STATUS, self.clipia_status),
                (_CLIPIA_RESULT, self.clipia_result),
                (_PAGES, self.page),
            ]
        return [
            (_SIVI_FILE, self.sivi_file),
            (_CLIPIA_FILE, self.clipia_file),
            (_CLIPIA_VIDEO, self.clipia_video),
            (_CLIPIA_AUDIO, self.clipia_audio),
        ]

    def route(self, request: Request) -> Reply:
        path = urlsplit(request.target).path
        provider = _provider_of(path)
        if request.method != "GET":
            reply = error_reply(provider or "napkin", 405)
            reply.close = True  # the request body, if any, is not read
            return reply
        for pattern, route in self.routes(request.origin):
            match = pattern.fullmatch(path)
            if match:
                return route(request, *match.groups())
        return error_reply(provider or "napkin", 404, "No such endpoint")

    # --- Sivi ------------------------------------------------------------------------------

    def sivi(self, request: Request) -> Reply:
        request.request_id = _sivi_request_id(request.target)
        denied = self.gate("sivi", request, presented_key("sivi", request))
        if denied is not None:
            return denied
        if request.request_id is None:
            return error_reply("sivi", 422)
        job = self.job("sivi", request.request_id)
        if job is None:
            return error_reply("sivi", 404)
        body = responses.sivi_status
        return self.answer(job, request, lambda p: Reply(200, body(job, p, self.origins)))

    def sivi_file(self, request: Request, design_id: str, variant_id: str) -> Reply:
        base, _, sub = variant_id.partition("_")
        with self.lock:
            job = next((j for j in self.jobs.values() if j.design_id == design_id), None)
        if job is None or base not in job.asset_ids or not (sub == "" or sub.isdigit()):
            return files.not_found()
        request.request_id = job.request_id
        index = job.asset_ids.index(base)
        label = f"{index + 1}.{sub}" if sub else str(index + 1)
        item = files.spec("sivi", job.request_id, "jpeg", job.size, label)
        return self.file(job, index, item, main=not sub)

    # --- Napkin ----------------------------------------------------------------------------

    def napkin(self, request: Request, request_id: str) -> Reply:
        request.request_id = request_id
        denied = self.gate("napkin", request, presented_key("napkin", request))
        if denied is not None:
            return denied
        if not is_uuid(request_id):
            return error_reply("napkin", 400)
        job = self.job("napkin", request_id)
        if job is None:
            return error_reply("napkin", 404)
        body = responses.napkin_status
        return self.answer(job, request, lambda p: Reply(200, body(job, p, self.origins)))

    def napkin_file(self, request: Request, request_id: str, file_id: str) -> Reply:
        request.request_id = request_id
        key = presented_key("napkin", request)
        if key is None:
            return error_reply("napkin", 401)
        denied = self.gate("napkin", request, key)
        if denied is not None:
            return denied
        job = self.job("napkin", request_id)
        if job is None or file_id not in job.asset_ids:
            return error_reply("napkin", 404)
        index = job.asset_ids.index(file_id)
        item = files.spec("napkin", request_id, job.format, job.size, str(index + 1))
        return self.file(job, index, item)

    # --- Clipia ----------------------------------------------------------------------------

    def clipia_status(self, request: Request, request_id: str) -> Reply:
        return self._clipia(request, request_id, "status")

    def clipia_result(self, request: Request, request_id: str) -> Reply:
        return self._clipia(request, request_id, "result")

    def _clipia(self, request: Request, request_id: str, endpoint: str) -> Reply:
        request.request_id = request_id
        key = presented_key("clipia", request)
        reply = self.gate("clipia", request, key) or self._clipia_answer(request, key, endpoint)
        return self.clipia_headers(request, reply)

    def _clipia_answer(self, request: Request, key: str | None, endpoint: str) -> Reply:
        request_id = request.request_id or ""
        if not is_uuid(request_id):
            return error_reply("clipia", 404)
        if key is not None and key.startswith(TEST_KEY_PREFIX):
            mock = clipia_bodies.mock(request_id, self.origins, self.wall())
            return Reply(200, mock[endpoint])
        job = self.job("clipia", request_id)
        if job is None:
            return error_reply("clipia", 404)
        if endpoint == "status":
            return self.answer(job, request, lambda p: Reply(200, clipia_bodies.status(job, p)))
        result = clipia_bodies.result
        return self.answer(job, request, lambda p: Reply(*result(job, p, self.origins)))

    def clipia_file(self, request: Request, request_id: str, index: str, ext: str) -> Reply:
        kind = "webp" if ext == "webp" else "png"
        if request_id == "mock" and index == "sample":
            lines = ("Clipia", "test key", "mock")
            return files.serve(files.FileSpec(kind, clipia_bodies.MOCK_SIZE, "clipia", lines))
        request.request_id = request_id
        job = self.find("clipia", request_id)
        if job is None or not index.isdigit() or int(index) >= job.images:
            return error_reply("clipia", 404)
        item = files.spec("clipia", request_id, kind, job.size, str(int(index) + 1))
        return self.file(job, int(index), item)

    def clipia_video(self, request: Request, request_id: str) -> Reply:
        request.request_id = request_id
        job = self.find("clipia", request_id)
        if job is None or not job.video:
            return error_reply("clipia", 404)
        return self.file(job, -1, files.spec("clipia", request_id, "mp4", job.size, "video"))

    def clipia_audio(self, request: Request, request_id: str, track: str) -> Reply:
        request.request_id = request_id
        job = self.find("clipia", request_id)
        if job is None or job.audio is None or int(track) >= job.tracks:
            return error_reply("clipia", 404)
        item = files.spec("clipia", request_id, job.audio, job.size, track, track=int(track))
        return self.file(job, -1, item)

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
