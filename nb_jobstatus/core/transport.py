"""The seam between the client and the network: one small interface, two implementations.

``Transport.get(url, headers, timeout=..., limit=...)`` sends one GET and returns the whole
answer as a :class:`Reply`. ``timeout`` is one deadline for connect, headers and body
together; ``limit`` caps the body. Redirects are not followed (the client decides, with the
key rule, whether to follow one). Failures are :class:`Unreachable` (connection refused,
reset, timed out) or :class:`TooLarge`; the client turns them into the package's errors.

- :class:`~nb_jobstatus.core.aio.AioTransport`: aiohttp on the engine's event loop.
- ``nb_jobstatus.sandbox.memory.MemoryTransport``: the sandbox served in memory, no socket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol


class Headers(dict[str, str]):
    """Response headers with case-insensitive ``get`` (names stored lower-case)."""

    @classmethod
    def of(cls, items: Mapping[str, str] | list[tuple[str, str]]) -> Headers:
        pairs = items.items() if isinstance(items, Mapping) else items
        return cls((name.lower(), value) for name, value in pairs)

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(name.lower(), default)


@dataclass(frozen=True)
class Reply:
    """A whole response."""

    status: int
    reason: str
    headers: Headers
    content: bytes


class Unreachable(Exception):
    """The request got no whole answer: refused, reset, cut short or past its deadline."""

    def __init__(self, message: str, *, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


class TooLarge(Exception):
    """The body is (or says it is) longer than the limit."""

    def __init__(self, size: int | None, limit: int) -> None:
        shown = f"a body of {size:,} bytes" if size is not None else "a body"
        super().__init__(f"{shown} over the {limit:,}-byte limit")
        self.size, self.limit = size, limit


class Transport(Protocol):
    async def get(
        self, url: str, headers: Mapping[str, str], *, timeout: float, limit: int
    ) -> Reply: ...

    async def close(self) -> None: ...
