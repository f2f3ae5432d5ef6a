"""The real transport: aiohttp on the engine's event loop.

Why aiohttp: waiting for an answer occupies no thread, so 1,000 jobs 150 ms away cost one
thread; measured in ``tests/bench_engine.py`` (and the README) against the thread pool it
replaces. Settings: no cookie jar (cookies set by one server never reach another), no proxies or
``.netrc`` from the environment, no redirects (the client follows them by hand, with the key
rule), one whole deadline per request (connect, headers and body), a cap on the body, and at
most ``PER_ORIGIN`` connections to one origin, so a slow origin cannot hold the others' polls.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping

import aiohttp
import yarl

from .transport import Headers, Reply, TooLarge, Unreachable

PER_ORIGIN = 128  # connections in flight to one origin at most
CHUNK = 64 * 1024
# s an idle connection is kept: past the policy's usual spacing of polls (a new connection
# costs a round trip, two or three with TLS), below the usual server idle limit (60-75 s)
KEEP_ALIVE = 45.0


class AioTransport:
    """One ``aiohttp.ClientSession``; made and used on one event loop."""

    def __init__(self, user_agent: str, ssl_context: ssl.SSLContext | None = None) -> None:
        self._user_agent = user_agent
        self._ssl = ssl_context
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=0,
                limit_per_host=PER_ORIGIN,
                # True: aiohttp's verified default context, made once at its import
                ssl=self._ssl if self._ssl is not None else True,
                keepalive_timeout=KEEP_ALIVE,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                headers={"User-Agent": self._user_agent},
            )
            # aiohttp resends an idempotent request once when a reused connection fails; the
            # engine retries with its own backoff and shows every attempt in the timeline.
            self._session._retry_connection = False
        return self._session

    async def get(
        self, url: str, headers: Mapping[str, str], *, timeout: float, limit: int
    ) -> Reply:
        """GET ``url`` (already percent-encoded: sent as written)."""
        try:
            return await self._get(url, headers, limit, aiohttp.ClientTimeout(total=timeout))
        except asyncio.TimeoutError:
            raise Unreachable(f"no whole answer within {timeout:g}s", timed_out=True) from None
        except (aiohttp.ClientError, OSError, ValueError) as error:
            raise Unreachable(_describe(error)) from None

    async def _get(
        self, url: str, headers: Mapping[str, str], limit: int, deadline: aiohttp.ClientTimeout
    ) -> Reply:
        """``deadline.total`` covers connect, headers and the whole body (aiohttp's timer
        guards every read of the response's content)."""
        session = self._open()
        target = yarl.URL(url, encoded=True)
        async with session.get(
            target, headers=headers, allow_redirects=False, timeout=deadline
        ) as response:
            length = response.content_length
            if length is not None and length > limit:
                raise TooLarge(length, limit)
            # a stated length within the cap: one read (its end is guarded by the deadline)
            content = await response.read() if length is not None else await _read(response, limit)
            reply_headers = Headers.of(response.headers)
            return Reply(response.status, response.reason or "", reply_headers, content)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _read(response: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(CHUNK):
        size += len(chunk)
        if size > limit:
            raise TooLarge(None, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, aiohttp.ClientPayloadError):
        return f"the answer was cut short: {text}"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "the server closed the connection without an answer"
    return f"{type(error).__name__}: {text}"
