"""One request's life, as a generator of waits: shared by the socket server (which sleeps its
handler thread) and the in-memory transport (which awaits ``asyncio.sleep``).

::

    steps = exchange(app, request, new_connection=True)
    reply = drive(steps, time.sleep)            # or, async: see memory.MemoryTransport

The generator yields seconds to wait and returns the :class:`~.reply.Reply` to send (whose
``pacing`` then paces the body). The app itself never sleeps.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator

from .app import App, Request
from .reply import Reply

Steps = Generator[float, None, Reply]


def exchange(app: App, request: Request, *, new_connection: bool = False) -> Steps:
    """Wait for the network, handle at arrival, wait for the answer to travel back."""
    link, rtt = app.network.draw(request.origin)
    if new_connection and rtt:
        yield rtt  # the handshake
    if rtt:
        yield rtt / 2
    request.time = app.clock()
    reply = app.route(request)
    while reply.later is not None:
        if reply.wait > 0:
            yield reply.wait
        reply = reply.later()
    app.record(request, reply)
    if link.processing + rtt / 2 > 0:
        yield link.processing + rtt / 2
    if reply.pacing is None:
        reply.pacing = link.pacing()
    return reply


def drive(steps: Steps, sleep: Callable[[float], object]) -> Reply:
    """Run ``steps`` to the end with a blocking ``sleep``."""
    while True:
        try:
            wait = next(steps)
        except StopIteration as done:
            return done.value  # type: ignore[no-any-return]
        sleep(wait)


def paced(content: bytes | Iterable[bytes], size: int) -> Iterator[bytes]:
    """``content`` cut into chunks of at most ``size`` bytes."""
    chunks = (content,) if isinstance(content, bytes) else content
    for chunk in chunks:
        for start in range(0, len(chunk), size):
            yield chunk[start : start + size]
