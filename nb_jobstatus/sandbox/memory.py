"""The sandbox served in memory: no socket, no thread, waits that are ``await asyncio.sleep``.

::

    from nb_jobstatus import sandbox

    sb = sandbox.in_memory()                  # the same methods as sandbox.start()'s
    rid = sb.add_job("clipia", duration=2, faults=["429:1"])
    reply = await sb.transport.get(sb.base_url("clipia") + f"/v1/requests/{rid}/status",
                                   {"Authorization": "Bearer k"}, timeout=5, limit=1 << 20)

:class:`MemoryTransport` implements ``nb_jobstatus.core.transport.Transport``. The origins are
loopback URLs on ports nothing listens on (``http://127.0.0.1:9`` for the API, ``:19`` for
media); any other origin is unreachable. Faults behave as over sockets: ``drop`` and
``truncated`` raise :class:`Unreachable`, ``slow``, the network's latency, bandwidth and
``drip`` are awaited (never a blocking sleep on the event loop), ``timeout`` is one deadline for
the whole exchange, ``limit`` caps the body (:class:`TooLarge`). Keep-alive is played too: a
request that finds no idle connection to its origin pays the network's handshake.

The app's work itself (building a body, drawing a picture on first download) runs inline.
"""

from __future__ import annotations

import asyncio
import threading
import traceback
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from urllib.parse import urlsplit

from ..core.transport import Headers, Reply, TooLarge, Unreachable
from .app import App, Request
from .control import Controls
from .exchange import Steps, exchange, paced
from .reply import Reply as AppReply

API_ORIGIN = "http://127.0.0.1:9"
MEDIA_ORIGIN = "http://127.0.0.1:19"


class MemoryTransport:
    """A Transport whose server is ``app``, reached without a socket."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._lock = threading.Lock()
        self._idle = {"api": 0, "media": 0}  # keep-alive connections at rest, per origin

    def origin_name(self, url: str) -> str | None:
        """ "api" or "media" for a URL on one of the app's origins, else None."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        names = {self._app.origins.api.lower(): "api", self._app.origins.media.lower(): "media"}
        return names.get(origin)

    async def get(
        self, url: str, headers: Mapping[str, str], *, timeout: float, limit: int
    ) -> Reply:
        name = self.origin_name(url)
        if name is None:
            raise Unreachable(f"connection refused: nothing serves {url.split('?')[0]}")
        try:
            return await asyncio.wait_for(self._get(name, url, headers, limit), timeout)
        except (asyncio.TimeoutError, TimeoutError):  # one class from Python 3.11 on
            message = f"no whole answer within {timeout:g} s"
            raise Unreachable(message, timed_out=True) from None

    async def close(self) -> None:
        with self._lock:
            self._idle = {"api": 0, "media": 0}

    async def _get(self, name: str, url: str, headers: Mapping[str, str], limit: int) -> Reply:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = Request(name, "GET", target, dict(headers))
        reusable = False
        fresh = self._checkout(name)
        try:
            reply = await _run(exchange(self._app, request, new_connection=fresh))
            if reply.drop:
                raise Unreachable("the server closed the connection without an answer")
            content = await _body(reply, limit)
            reusable = not reply.close
        finally:
            self._checkin(name, reusable)
        return Reply(reply.status, _reason(reply.status), _headers(reply, len(content)), content)

    def _checkout(self, name: str) -> bool:
        """Take an idle connection to ``name``; True when a new one has to be opened."""
        with self._lock:
            if self._idle[name]:
                self._idle[name] -= 1
                return False
            return True

    def _checkin(self, name: str, reusable: bool) -> None:
        if reusable:
            with self._lock:
                self._idle[name] += 1


async def _run(steps: Steps) -> AppReply:
    """Drive an exchange, awaiting each of its waits; a bug of the sandbox becomes a 500."""
    while True:
        try:
            wait = next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        except Exception:
            traceback.print_exc()
            message = {"message": "sandbox error; see the server's stderr"}
            return AppReply(500, message, close=True)
        await asyncio.sleep(wait)


async def _body(reply: AppReply, limit: int) -> bytes:
    content = reply.content()
    declared = reply.length if reply.length is not None else _size(content)
    if declared is not None and declared > limit:
        raise TooLarge(declared, limit)
    chunks: Iterable[bytes] = (content,) if isinstance(content, bytes) else content
    if reply.pacing is not None:
        chunks = paced(content, reply.pacing[0])
    data = bytearray()
    for chunk in chunks:
        if reply.pacing is not None:
            await asyncio.sleep(reply.pacing[1])
        data += chunk
        if len(data) > limit:
            raise TooLarge(None, limit)
    if declared is not None and len(data) < declared:
        raise Unreachable(f"the connection closed after {len(data)} of {declared} bytes")
    return bytes(data)


def _size(content: bytes | Iterable[bytes]) -> int | None:
    return len(content) if isinstance(content, bytes) else None


def _headers(reply: AppReply, length: int) -> Headers:
    pairs = [("Content-Type", reply.content_type), ("Content-Length", str(length))]
    pairs += list(reply.headers.items())
    if reply.close:
        pairs.append(("Connection", "close"))
    return Headers.of(pairs)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class MemorySandbox(Controls):
    """A sandbox without sockets: :attr:`transport` reaches it. Made by :func:`in_memory`."""

    def __init__(self, app: App) -> None:
        self._app = app
        self.transport = MemoryTransport(app)

    def stop(self) -> None:
        """Nothing to close; here so that a MemorySandbox stands in for a Sandbox."""

    def __enter__(self) -> MemorySandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<MemorySandbox api={self.api_origin} media={self.media_origin}>"
