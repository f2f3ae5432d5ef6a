"""The engine: one event loop on one background thread, whatever the number of jobs.

Each followed job is one coroutine on the loop (see ``Job._follow``): waiting for an answer or
for the next poll holds no thread. While a cell computes, the loop gives way to it (see
``core.yielding``). Files of completed jobs are probed (Pillow, CPU-bound) on a
pool of ``MEDIA_WORKERS`` threads, and DNS look-ups use one more, so the whole engine is at most
``2 + MEDIA_WORKERS`` threads. ``shutdown()`` stops all of it and leaves nothing running.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import contextvars
import threading
import weakref
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from . import policy as default_policy
from .aio import AioTransport
from .redact import logger
from .transport import Transport
from .version import __version__
from .yielding import YieldingSelector

MEDIA_WORKERS = 2
USER_AGENT = f"nb-jobstatus/{__version__}"
T = TypeVar("T")


class Engine:
    """The loop thread, its transport and the media pool."""

    def __init__(
        self,
        transport: Transport | None = None,
        policy: Any = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.policy = policy or default_policy  # next_delay() and eta(): see core.policy
        self.memory = default_policy.Memory()  # what the jobs of this kernel taught the policy
        # gives way to a busy cell (see core.yielding); .paused: for how long it did
        self.yielding = YieldingSelector() if loop is None else None
        self.loop = loop or asyncio.SelectorEventLoop(self.yielding)
        self.loop.set_default_executor(  # getaddrinfo: one thread, not one per look-up
            concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="nbjs-dns")
        )
        self.transport: Transport = transport or AioTransport(USER_AGENT)
        self.media_pool = concurrent.futures.ThreadPoolExecutor(
            MEDIA_WORKERS, thread_name_prefix="nbjs-media"
        )
        self._tasks: set[asyncio.Task[Any]] = set()
        self._later: set[Callable[[], object]] = set()
        self._batches: dict[Callable[[Any], object], tuple[list[Any], asyncio.Future[None]]] = {}
        self._later_lock = threading.Lock()
        self._ready = threading.Event()
        _by_loop[self.loop] = self
        self.thread = threading.Thread(target=self._run, name="nbjs-engine", daemon=True)
        self.thread.start()
        self._ready.wait()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(self._ready.set)
        self.loop.run_forever()

    def clock(self) -> float:
        """The engine's monotonic clock (the loop's)."""
        return self.loop.time()

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run ``coroutine`` on the loop (from any thread); an error in it is logged."""
        # A fresh context: the caller's (ipykernel keeps the cell's message parent in it)
        # would tag every later display update with the cell that started the job, and
        # nbclient drops updates not tagged with the cell running now.
        self.loop.call_soon_threadsafe(self._start, coroutine, context=contextvars.Context())

    def _start(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = contextvars.Context().run(self.loop.create_task, coroutine)  # 3.10 too
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("engine task failed", exc_info=task.exception())

    def submit(self, coroutine: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Run ``coroutine`` on the loop; a future to wait on from another thread."""
        if threading.current_thread() is self.thread:
            coroutine.close()
            raise RuntimeError("a blocking call on the engine's own thread would wait forever")
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the loop and wait for its result (blocking)."""
        return self.submit(coroutine).result()

    def once_later(self, seconds: float, call: Callable[[], object]) -> None:
        """``call()`` on a media worker in ``seconds``, once however often it is asked for
        meanwhile (from any thread)."""
        with self._later_lock:
            if call in self._later:
                return
            self._later.add(call)

        def due() -> None:
            with self._later_lock:
                self._later.discard(call)
            with contextlib.suppress(RuntimeError):  # shut down (at exit): its flush runs then
                self.media_pool.submit(call)

        self.loop.call_soon_threadsafe(
            self.loop.call_later, seconds, due, context=contextvars.Context()
        )

    async def in_media_pool(self, call: Callable[[], T]) -> T:
        """``call()`` on a media worker, awaited on the loop."""
        return await self.loop.run_in_executor(self.media_pool, call)

    def batched(self, call: Callable[[Any], object], item: Any) -> asyncio.Future[None]:
        """``call(item)`` on a media worker, with every other item given for ``call`` during
        this turn of the loop (a batch of jobs costs one hand-off to a thread, not one each).
        On the loop only; the future is done when the batch is."""
        batch = self._batches.get(call)
        if batch is None:
            batch = self._batches[call] = ([], self.loop.create_future())
            self.loop.call_soon(self._run_batch, call)
        batch[0].append(item)
        return batch[1]

    def _run_batch(self, call: Callable[[Any], object]) -> None:
        items, done = self._batches.pop(call)

        def each() -> None:
            for item in items:
                call(item)

        def over(_: object) -> None:  # ``call`` logs its own failures
            if not done.done():
                done.set_result(None)

        try:
            self.loop.run_in_executor(self.media_pool, each).add_done_callback(over)
        except RuntimeError:  # the pool is shut down: the engine is stopping
            over(None)

    def shutdown(self) -> None:
        """Cancel every job's coroutine, close the transport, stop the loop and the pools."""
        if self.loop.is_closed() or not self.thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self._close(), self.loop).result(timeout=5)
        except (concurrent.futures.TimeoutError, RuntimeError):
            logger.warning("the engine did not stop cleanly within 5 s")
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        self.media_pool.shutdown(wait=False, cancel_futures=True)

    async def _close(self) -> None:
        tasks = [task for task in self._tasks if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self.transport.close()
        await self.loop.shutdown_default_executor()


_engine: Engine | None = None
_engine_lock = threading.Lock()
_by_loop: weakref.WeakKeyDictionary[Any, Engine] = weakref.WeakKeyDictionary()  # loop -> engine


def engine() -> Engine:
    """The kernel's one engine, started on first use."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
            atexit.register(_engine.shutdown)
        return _engine


def here() -> Engine:
    """The engine whose loop runs the caller (its transport belongs to that loop), else the
    kernel's one engine."""
    try:
        found = _by_loop.get(asyncio.get_running_loop())
    except RuntimeError:
        found = None
    return found or engine()
