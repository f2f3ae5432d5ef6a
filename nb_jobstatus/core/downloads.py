"""Downloads of a job's files: one deadline for the whole chain, at most five redirects
followed by hand, and the key decided again at every hop (only the API's origin gets it),
with the same parser that makes the connection. Every URL is checked before it is fetched."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from .errors import ResponseError, TransportError
from .providers import Provider
from .redact import redact_cut
from .transport import Reply, TooLarge, Transport, Unreachable
from .urls import UnsafeURL, join, parse

DOWNLOAD_LIMIT = 64 * 2**20 - 1  # bytes: a media file past this is refused
MAX_REDIRECTS = 5
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Download:
    http_status: int
    content: bytes
    content_type: str | None


class Fetcher(Protocol):
    """What a download needs of the client."""

    provider: Provider

    @property
    def transport(self) -> Transport: ...

    def credentials_for(self, url: str) -> dict[str, str]: ...

    def transport_error(self, error: Unreachable, request_id: str) -> TransportError: ...


async def fetch(client: Fetcher, url: str, limit: int, timeout: float) -> Download:
    """The file at ``url`` within ``timeout`` seconds in all, redirects included."""
    deadline = time.monotonic() + timeout
    for _ in range(MAX_REDIRECTS + 1):
        reply = await _one(client, url, limit, max(0.1, deadline - time.monotonic()))
        location = reply.headers.get("location")
        if reply.status not in REDIRECTS or not location:
            return Download(reply.status, reply.content, reply.headers.get("content-type"))
        url = _hop(client, url, location)
    raise ResponseError(
        f"too many redirects for {redact_cut(url, 200)}", provider=client.provider.name
    )


async def _one(client: Fetcher, url: str, limit: int, timeout: float) -> Reply:
    try:
        parse(url)
    except UnsafeURL as error:
        raise _unsafe(client, "URL", error) from None
    headers = {"Accept": "*/*", **client.credentials_for(url)}
    try:
        return await client.transport.get(url, headers, timeout=timeout, limit=limit)
    except Unreachable as error:
        raise client.transport_error(error, "") from None
    except TooLarge as error:
        size = f"file of {error.size:,} bytes" if error.size else "file"
        raise ResponseError(
            f"{size} is over the {limit:,}-byte download limit",
            code="too_large",
            provider=client.provider.name,
        ) from None


def _hop(client: Fetcher, url: str, location: str) -> str:
    try:
        return join(url, location)
    except UnsafeURL as error:
        raise _unsafe(client, "redirect", error) from None


def _unsafe(client: Fetcher, what: str, error: UnsafeURL) -> ResponseError:
    return ResponseError(
        f"refused an unsafe {what}: {redact_cut(str(error), 200)}",
        code="unsafe_url",
        provider=client.provider.name,
    )
