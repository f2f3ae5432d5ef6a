"""What a test or a benchmark holds: a running sandbox (over sockets, :class:`Sandbox`; or in
memory, :class:`~.memory.MemorySandbox`), both with the same methods (:class:`Controls`)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from . import scripted, typed
from .app import App, RecordedRequest
from .faults import check_fault
from .network import Link, LinkSpec
from .server import Server
from .timeline import ProgressScript

BASE_PATHS = {"sivi": "/sivi/api/prod/v2", "napkin": "/napkin", "clipia": "/clipia"}
KEY_VARIABLES = {"sivi": "SIVI_API_KEY", "napkin": "NAPKIN_API_TOKEN", "clipia": "CLIPIA_API_KEY"}
PLACEHOLDER_KEYS = {
    "sivi": "sandbox-sivi-key",
    "napkin": "sandbox-napkin-token",
    "clipia": "sandbox-clipia-key",
}


class Controls:
    """Jobs, base URLs, the record, the network and the environment of one sandbox."""

    _app: App

    @property
    def api_origin(self) -> str:
        return self._app.origins.api

    @property
    def media_origin(self) -> str:
        return self._app.origins.media

    def base_url(self, provider: str) -> str:
        scripted.check_provider(provider)
        return self.api_origin + BASE_PATHS[provider]

    def add_job(
        self,
        provider: str,
        *,
        request_id: str | None = None,
        duration: float | None = None,
        queue: float = 0.0,
        outcome: str = "completed",
        images: int | None = None,
        size: tuple[int, int] = (1080, 1080),
        progress: str | ProgressScript | None = None,
        seed: int | None = None,
        format: str | None = None,
        video: bool = False,
        audio: str | None = None,
        tracks: int | None = None,
        extra_output: dict[str, Any] | None = None,
        warnings: Iterable[str] = (),
        sub_variants: int = 0,
        reason: str | None = None,
        faults: Iterable[str] = (),
        media_faults: dict[int, str] | None = None,
        expire_after: float | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> str:
        """Script a job starting now; returns its request id. Raises ValueError on bad options.
        See the package docstring for every option."""
        faults = list(faults)  # may be a one-shot iterator
        options = {k: v for k, v in locals().items() if k not in ("self", "provider")}
        scripted.check_provider(provider)
        for fault in faults:
            check_fault(provider, fault)
        now, wall = self._app.clock(), self._app.wall()
        job = scripted.new_job(provider, now=now, wall=wall, **options)
        self._app.add(job)
        return job.request_id

    def demo_id(
        self, provider: str, outcome: str = "completed", seconds: int = 5, images: int = 1
    ) -> str:
        """A fresh typed id (see the package docstring): the job starts at its first request."""
        return typed.demo_id(provider, outcome, seconds, images)

    def finishes_at(self, request_id: str, provider: str | None = None) -> float | None:
        """When the job reaches its outcome, on the sandbox's clock (``time.monotonic()`` unless
        another clock was given): the truth a benchmark measures detection lag from. None for a
        job not known yet (a typed id before its first request)."""
        with self._app.lock:
            found = [
                job
                for (p, rid), job in self._app.jobs.items()
                if rid == request_id and provider in (None, p)
            ]
        return found[0].finishes_at if found else None

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request both origins received so far, oldest answer first."""
        with self._app.lock:
            return list(self._app.recorded)

    def clear_requests(self) -> None:
        with self._app.lock:
            self._app.recorded.clear()

    def set_network(
        self,
        link: LinkSpec | dict[str, LinkSpec] = None,
        *,
        origin: str | None = None,
        **fields: Any,
    ) -> None:
        """Change the network: ``set_network(rtt=0.15, jitter=0.02)`` (fields of both origins'
        links, others kept), ``set_network(origin="media", bandwidth=2e6)``, or a whole
        :class:`~.network.Link` (``set_network(Link(rtt=0.3), origin="api")``); None: loopback."""
        if fields:
            if link is not None:
                raise ValueError("give a link or fields, not both")
            self._app.network.update(origin, **fields)
        else:
            self._app.network.set(link, origin)

    def link(self, origin: str) -> Link:
        """The network of ``origin`` ("api" or "media") now."""
        return self._app.network.link(origin)

    def environment(self) -> dict[str, str]:
        """The variables :meth:`use` sets: base URLs, and the keys given or placeholders."""
        values = {f"{p.upper()}_BASE_URL": self.base_url(p) for p in BASE_PATHS}
        for provider, variable in KEY_VARIABLES.items():
            values[variable] = self._app.keys.get(provider, PLACEHOLDER_KEYS[provider])
        return values

    def use(self) -> EnvironmentPatch:
        """Set :meth:`environment` in ``os.environ``; the patch's ``restore()`` undoes it."""
        return EnvironmentPatch(self.environment())


class Sandbox(Controls):
    """A running sandbox over sockets. Made by :func:`start`; stop it with :meth:`stop` or
    ``with``."""

    def __init__(self, app: App, api: Server, media: Server) -> None:
        self._app = app
        self._servers = (api, media)
        self._threads = [server.start() for server in self._servers]
        self._stopped = False

    def stop(self) -> None:
        """Close both servers and their open connections; join the serving threads."""
        if self._stopped:
            return
        self._stopped = True
        for server in self._servers:
            server.close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<Sandbox {state} api={self.api_origin} media={self.media_origin}>"


class EnvironmentPatch:
    """Environment variables set now; ``restore()`` (or leaving ``with``) puts back what was."""

    def __init__(self, values: dict[str, str]) -> None:
        self._saved = {name: os.environ.get(name) for name in values}
        self._bases = sorted({v for k, v in values.items() if k.endswith("_BASE_URL")})
        os.environ.update(values)

    def __repr__(self) -> str:
        if not self._saved:
            return "<sandbox environment: restored>"
        where = self._bases[0].split("/")[2] if self._bases else "the sandbox"
        return (
            f"<sandbox environment: *_BASE_URL -> http://{where}, placeholder keys; "
            "restore() undoes it>"
        )

    def restore(self) -> None:
        saved, self._saved = self._saved, {}
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def __enter__(self) -> EnvironmentPatch:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.restore()
