"""The in-memory sandbox on an engine of its own whose clock jumps: no socket, no real waiting.

::

    def test_x(memory: Memory) -> None:          # the fixture in conftest.py
        job = memory.follow("clipia", images=2)  # a 0.2 s job, over in a few milliseconds
        assert job.state is State.COMPLETED and len(job.media) == 2

The engine's loop is a :class:`JumpingLoop`: when nothing is ready and nothing arrives from
another thread, its clock jumps to the next timer instead of sleeping until it. The sandbox
follows that clock, so a job of 5 s ends after 5 s of the engine's time, in a few
milliseconds of ours. Polls, policy delays, backoff and ``Retry-After`` pauses all keep their
lengths on that clock. Use it for what only needs a job's outcome (parsing, views, media,
policy); what depends on the wall clock (tickers, throttles, cancel from the test's thread)
and what only sockets can show stay over loopback HTTP (the ``sb`` fixture).
"""

from __future__ import annotations

import asyncio
import selectors
import time
from collections.abc import Callable
from typing import Any

import nb_jobstatus as njs
from nb_jobstatus import sandbox
from nb_jobstatus.core import config, media
from nb_jobstatus.core import follow as follow_module
from nb_jobstatus.core.budget import RateBudget
from nb_jobstatus.core.client import Client
from nb_jobstatus.core.engine import Engine
from nb_jobstatus.core.providers import get as get_provider
from nb_jobstatus.core.transport import Headers, Reply


class JumpingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """A selector that never sleeps while a timer is pending: with no event ready, it moves
    ``offset`` on by the loop's wait and returns. It waits for real when there is no timer
    at all, or while a worker thread computes for the loop (``busy``: the files of a job being
    cached take their real time, not the gap to the next timer)."""

    def __init__(self) -> None:
        super().__init__()
        self.offset = 0.0
        self.busy = 0  # calls running in an executor for the loop

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        if timeout is None or timeout <= 0 or self.busy:
            return super().select(timeout)  # type: ignore[no-any-return]
        events = super().select(0)
        if not events:
            self.offset += timeout
        return events  # type: ignore[no-any-return]


class JumpingLoop(asyncio.SelectorEventLoop):
    """An event loop whose ``time()`` is the monotonic clock plus the jumps its selector made."""

    def __init__(self) -> None:
        self._jumps = JumpingSelector()
        super().__init__(self._jumps)

    def time(self) -> float:
        return time.monotonic() + self._jumps.offset

    def run_in_executor(self, executor: Any, func: Any, *args: Any) -> asyncio.Future[Any]:
        future = super().run_in_executor(executor, func, *args)
        self._jumps.busy += 1
        future.add_done_callback(self._done)
        return future

    def _done(self, _: object) -> None:
        self._jumps.busy -= 1


def jumping_engine(transport: Any) -> Engine:
    """An Engine on ``transport`` whose loop is a JumpingLoop."""
    engine = Engine(transport=transport, loop=JumpingLoop())
    assert isinstance(engine.loop, JumpingLoop)
    return engine


class Memory:
    """An in-memory sandbox (``.sb``) and the engine that follows its jobs (``.engine``),
    sharing one jumping clock. Every client has a budget of its own: the engine's clock runs
    ahead of ``time.monotonic()``, so its bookings must not mix with other tests' clients."""

    def __init__(self, **options: Any) -> None:
        self.sb = sandbox.in_memory(clock=self._clock, **options)
        self.engine = jumping_engine(self.sb.transport)

    def _clock(self) -> float:
        """The engine's clock: the sandbox's jobs live on it (made before the engine is)."""
        engine = getattr(self, "engine", None)
        return time.monotonic() if engine is None else engine.clock()

    def close(self) -> None:
        self.engine.shutdown()

    def client(self, provider: str, api_key: str = "test-key") -> Client:
        spec = get_provider(provider)
        key = config.resolve_key(spec, api_key)
        base = config.resolve_base_url(spec, self.sb.base_url(provider))
        limit = config.rate_limits.get(spec.name, spec.rate_limit)
        return Client(spec, key, base, RateBudget(limit), self.sb.transport)

    def watch(
        self, provider: str, request_id: str, *, api_key: str = "test-key", **options: Any
    ) -> njs.Job:
        """Follow ``request_id`` on this engine (as ``njs.watch`` would on the kernel's)."""
        job = njs.Job(self.client(provider, api_key), request_id, engine=self.engine, **options)
        follow_module.start(job)
        return job

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass on the engine's clock (at once when nothing else is due)."""
        self.engine.run(asyncio.sleep(seconds))

    def follow(self, provider: str, *, api_key: str = "test-key", **script: Any) -> njs.Job:
        """A sandbox job (0.2 s unless ``duration`` says otherwise) followed to its end, its
        files cached."""
        rid = self.sb.add_job(provider, **({"duration": 0.2} | script))
        job = self.watch(provider, rid, api_key=api_key)
        job.wait(30)
        media.cache_all(job)
        return job


class Played:
    """A provider played by a function, in memory: ``answer(url)`` gives each GET's
    :class:`~nb_jobstatus.core.transport.Reply` (status, reason, headers, body). Its own engine
    on a jumping clock: a job with a 2 s deadline ends in milliseconds; ``seen`` lists the
    URLs asked, ``clock`` is the engine's. For what hostile answers do to parsing, the policy
    and the engine; what only sockets show (slow bodies, caps on the wire) stays on loopback."""

    BASE = "https://api.played.test"

    def __init__(self, answer: Callable[[str], Reply]) -> None:
        self.answer = answer
        self.seen: list[str] = []
        self.engine = jumping_engine(self)

    async def get(self, url: str, headers: Any, *, timeout: float, limit: int) -> Reply:
        self.seen.append(url)
        return self.answer(url)

    async def close(self) -> None:
        pass

    def clock(self) -> float:
        return self.engine.clock()

    def watch(self, request_id: str, api_key: str = "test-key", **options: Any) -> njs.Job:
        spec = get_provider("clipia")
        client = Client(spec, api_key, self.BASE, RateBudget(spec.rate_limit), self)
        job = njs.Job(client, request_id, engine=self.engine, **options)
        follow_module.start(job)
        return job

    def shutdown(self) -> None:
        self.engine.shutdown()


def reply(status: int = 200, body: bytes = b"{}", headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, "", Headers.of(headers or {}), body)
