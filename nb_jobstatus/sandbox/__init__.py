"""A local HTTP server on 127.0.0.1 that plays Sivi, Napkin and Clipia, with scripted jobs.

::

    from nb_jobstatus import sandbox

    with sandbox.start() as sb:               # two ports: the API origin and a media origin
        rid = sb.add_job("clipia", duration=2, images=2, faults=["429:1", "malformed"])
        sb.base_url("clipia")                 # "http://127.0.0.1:P/clipia"
        ...                                   # poll it with any HTTP client
        sb.requests                           # every request both origins saw, with headers

From a shell: ``python -m nb_jobstatus.sandbox --port 8765``. ``sb.use()`` points the
``*_BASE_URL`` and key variables of nb_jobstatus at the sandbox.

Jobs
----
Time 0 is ``add_job`` (or, for a typed id, the first request naming it). A job is queued for
``queue`` seconds, runs for ``duration`` seconds, then ends with ``outcome``: ``completed``
(Sivi says ``"completed"``; ``outcome="complete"`` makes it say ``"complete"``, the other
documented word), ``failed`` (with ``reason``), ``canceled`` (Clipia only), ``expired`` (410 on
status and files from then on). ``expire_after=S``: a completed job answers 410 S seconds after
completing (Napkin's 30-minute expiry). ``overrides`` is merged into every status body (into
``body`` for Sivi), e.g. ``{"shareLink": "javascript:alert(1)"}``.

Typed ids
---------
Ids that a person can type; any other unknown id gets the provider's documented 404 (Napkin: 400
for an id that is not a UUID). A typed job is queued for the first fifth of its seconds.

    provider  typed id
    --------  -------------------------------------------------------------------------
    Sivi      demo-ok-5s, demo-fail-3s, demo-expire-4s, demo-complete-5s; an optional
              -Nimg (demo-ok-8s-4img), then an optional free -tag (demo-ok-5s-x7)
    Napkin,   a UUID. First group: the outcome in hex, 600d0000 completed, fa11ed00
    Clipia    failed, ca9ce1ed canceled (Clipia only), dead0000 expired. Second group:
              the seconds in decimal. Third group: 4NNN, the image count in decimal.
              The rest is free. 600d0000-0005-4002-8000-000000000001 completes after
              5 s with 2 images.

``sb.demo_id(provider, outcome, seconds, images)`` makes a fresh one (with a random free part).

Faults
------
``faults=[...]``: one is consumed per status request of the job, in order (on Clipia per
request to either endpoint); once they are spent, normal answers.

    fault               answer
    ------------------  -------------------------------------------------------------------
    "429", "429:S"      429 with Retry-After: S (default 1; fractions allowed, for fast tests)
    "429-date:S"        429 with Retry-After as an HTTP date S seconds ahead (rounded up)
    "429-bare"          429 without Retry-After (Napkin: nor retry_after in the body)
    "429-body:S"        429 without the header; Napkin's body says retry_after: S
    "500" "502" "503"   that status with the provider's error body
    "504" "401" "403"
    "404" "410"
    "slow:S"            sleep S seconds, then the normal answer
    "malformed"         200, application/json, invalid JSON
    "truncated"         Content-Length larger than the body sent, then the connection closes
    "html"              502 text/html proxy error page
    "html-200"          200 with an HTML page
    "drop"              close the connection without an answer (recorded with status None)
    "wrong-shape"       200 with valid JSON of the wrong shape (a list)
    "envelope-500"      Sivi only: HTTP 200 with {"status": 500, "body": {"message": ...}}
    "unknown-status"    the normal body, its status replaced by "paused_by_operator"
    "null-lists"        the normal body with variations / generated_files / images / logs null
    "missing-progress"  the normal body without progress

Scripted 429s and the rate limiter's 429s carry each provider's documented body (Napkin's with
limit, window, reset_time and, unless bare, retry_after).

Media faults
------------
``media_faults={image index: fault}``: on every download of that file (for Clipia both its
WebP and its PNG; for Sivi the variation, not its options).

    media fault   answer
    ------------  ------------------------------------------------------------------
    "404"         404 from the file host
    "not-image"   HTML bytes sent with the image content type
    "truncated"   the first half of the valid file (with a matching Content-Length)
    "bomb"        a 300-byte PNG whose IHDR declares 60000 x 60000 pixels
    "huge"        64 MiB streamed in chunks as image/png
    "svg-script"  an SVG with <script>alert(1)</script> and an onload attribute

Where files live: Sivi JPEGs on the media origin (no key); Napkin PNG / SVG / pptx files on the
API origin behind ``Authorization: Bearer``; Clipia WebP (``url``) and PNG (``original_url``),
and an ``video/mp4`` stand-in with ``video=True``, on the media origin. Pictures are drawn with
Pillow at exactly the declared size, on first download, and cached.

Keys and limits: ``keys={"sivi": "..."}`` makes that provider answer 401 to a missing or wrong
key (otherwise any key or none passes on status endpoints; Napkin files always want a Bearer).
A Clipia key starting ``clipia_test_`` sees every request COMPLETED at once with one mock image.
``rate_limits={"sivi": (50, 60.0)}``: a sliding window per (provider, key), then the
provider's documented 429.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from . import jobs
from .app import App, RecordedRequest
from .faults import check_fault
from .responses import Origins
from .server import Server

__all__ = ["EnvironmentPatch", "RecordedRequest", "Sandbox", "start"]

BASE_PATHS = {"sivi": "/sivi/api/prod/v2", "napkin": "/napkin", "clipia": "/clipia"}
KEY_VARIABLES = {"sivi": "SIVI_API_KEY", "napkin": "NAPKIN_API_TOKEN", "clipia": "CLIPIA_API_KEY"}
PLACEHOLDER_KEYS = {
    "sivi": "sandbox-sivi-key",
    "napkin": "sandbox-napkin-token",
    "clipia": "sandbox-clipia-key",
}


def start(
    port: int = 0,
    media_port: int = 0,
    *,
    keys: dict[str, str] | None = None,
    rate_limits: dict[str, tuple[int, float]] | None = None,
) -> Sandbox:
    """Start the sandbox in background threads (port 0: any free port) and return it."""
    for provider in [*(keys or {}), *(rate_limits or {})]:
        jobs.check_provider(provider)
    app = App(keys, rate_limits)
    api = Server(port, app, "api")
    try:
        media = Server(media_port, app, "media")
    except OSError:
        api.server_close()
        raise
    app.origins = Origins(api.url, media.url)
    return Sandbox(app, api, media)


class Sandbox:
    """A running sandbox. Made by :func:`start`; stop it with :meth:`stop` or ``with``."""

    def __init__(self, app: App, api: Server, media: Server) -> None:
        self._app = app
        self._servers = (api, media)
        self._threads = [server.start() for server in self._servers]
        self._stopped = False

    @property
    def api_origin(self) -> str:
        return self._servers[0].url

    @property
    def media_origin(self) -> str:
        return self._servers[1].url

    def base_url(self, provider: str) -> str:
        jobs.check_provider(provider)
        return self.api_origin + BASE_PATHS[provider]

    def add_job(
        self,
        provider: str,
        *,
        request_id: str | None = None,
        duration: float = 5.0,
        queue: float = 0.0,
        outcome: str = "completed",
        images: int = 1,
        size: tuple[int, int] = (1080, 1080),
        progress: str = "linear",
        format: str | None = None,
        video: bool = False,
        sub_variants: int = 0,
        reason: str | None = None,
        faults: Iterable[str] = (),
        media_faults: dict[int, str] | None = None,
        expire_after: float | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> str:
        """Script a job starting now; returns its request id. Raises ValueError on bad options."""
        faults = list(faults)  # may be a one-shot iterator
        options = {k: v for k, v in locals().items() if k not in ("self", "provider")}
        jobs.check_provider(provider)
        for fault in faults:
            check_fault(provider, fault)
        job = jobs.new_job(provider, **options)
        self._app.add(job)
        return job.request_id

    def demo_id(
        self, provider: str, outcome: str = "completed", seconds: int = 5, images: int = 1
    ) -> str:
        """A fresh typed id (see the module docstring): the job starts at its first request."""
        return jobs.demo_id(provider, outcome, seconds, images)

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request both origins received so far, oldest answer first."""
        with self._app.lock:
            return list(self._app.recorded)

    def clear_requests(self) -> None:
        with self._app.lock:
            self._app.recorded.clear()

    def environment(self) -> dict[str, str]:
        """The variables :meth:`use` sets: base URLs, and the keys given or placeholders."""
        values = {f"{p.upper()}_BASE_URL": self.base_url(p) for p in BASE_PATHS}
        for provider, variable in KEY_VARIABLES.items():
            values[variable] = self._app.keys.get(provider, PLACEHOLDER_KEYS[provider])
        return values

    def use(self) -> EnvironmentPatch:
        """Set :meth:`environment` in ``os.environ``; the patch's ``restore()`` undoes it."""
        return EnvironmentPatch(self.environment())

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
        os.environ.update(values)

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
