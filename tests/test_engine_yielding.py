"""The engine gives way to a busy cell (core.yielding): the rule on given figures, then the
real thing, a main thread computing in Python beside a loop that computes too."""

from __future__ import annotations

import asyncio
import threading
import time

from nb_jobstatus.core.engine import Engine
from nb_jobstatus.core.yielding import SHARE, WINDOW, YieldingSelector


class Figures:
    """The main thread's seconds run, and run or waited to run, as a test sets them."""

    def __init__(self) -> None:
        self.ran = self.wanted = 0.0

    def __call__(self) -> tuple[float, float]:
        return self.ran, self.wanted


STEP = 1.1 * WINDOW / 10  # ten turns end just past a window, whatever the clock's rounding


def turns(
    selector: YieldingSelector, figures: Figures, ran: float, waiting: float, wanted: float = 0
) -> None:
    """One window of ten turns of ``STEP``: the main thread ran for ``ran`` of it (and ran or
    waited to run for ``wanted``, at least that), the loop off the CPU for ``waiting`` of its
    turns."""
    began = selector._window[0]
    for i in range(1, 11):
        figures.ran += ran * STEP
        figures.wanted += max(ran, wanted) * STEP
        selector.account(began + i * STEP, STEP, STEP * (1 - waiting))


def test_gives_way_only_when_the_main_thread_computes_and_the_loop_is_kept_waiting() -> None:
    figures = Figures()
    selector = YieldingSelector(main_demand=figures)
    try:
        turns(selector, figures, ran=1.0, waiting=0.9)
        assert selector.giving_way
        turns(selector, figures, ran=1.0, waiting=0.0)  # NumPy: no lock held
        assert not selector.giving_way
        turns(selector, figures, ran=0.2, waiting=0.9, wanted=1.0)  # computing, on a busy box
        assert selector.giving_way
        turns(selector, figures, ran=0.05, waiting=0.9)  # other threads, a slow machine
        assert not selector.giving_way
        turns(selector, figures, ran=0.05, waiting=0.9, wanted=0.7)  # idle, on a busy box
        assert not selector.giving_way
    finally:
        selector.close()


def test_the_share_is_counted_only_while_giving_way() -> None:
    """Hours of full-speed work before a cell starts do not turn into hours of pauses."""
    figures = Figures()
    selector = YieldingSelector(main_demand=figures)
    try:
        for _ in range(20):
            turns(selector, figures, ran=0.0, waiting=0.0)
        assert selector._debt == 0.0
        turns(selector, figures, ran=1.0, waiting=0.5)
        assert selector.giving_way and selector._debt == 0.0
        turns(selector, figures, ran=1.0, waiting=0.5)
        # on the CPU for half of each turn against a share of SHARE: the loop owes the rest
        assert abs(selector._debt - 10 * STEP * (0.5 - SHARE)) < 1e-9
    finally:
        selector.close()


def _loop_cpu_while(engine: Engine, main_busy: bool, seconds: float = 1.5) -> float:
    """The loop's thread computes in 2 ms slices, 2 ms apart, while the main thread computes
    (or sleeps) for ``seconds``: the CPU seconds the loop got meanwhile. (With no gap between
    slices, a sleeping main thread could not get the lock back: each slice lets go of it and
    takes it again at once, so the main thread's request for it never comes due.)"""

    async def compute(stop: threading.Event) -> float:
        began = time.thread_time()
        while not stop.is_set():
            until = time.perf_counter() + 0.002
            while time.perf_counter() < until:
                pass
            await asyncio.sleep(0.002)
        return time.thread_time() - began

    stop = threading.Event()
    future = engine.submit(compute(stop))
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        if not main_busy:
            time.sleep(0.01)
    stop.set()
    return future.result(timeout=10)


def test_a_loop_beside_a_busy_cell_keeps_to_its_share() -> None:
    engine = Engine()
    try:
        assert engine.yielding is not None and engine.yielding._main is not None
        _loop_cpu_while(engine, main_busy=False)
        assert engine.yielding.paused == 0.0  # a sleeping main thread: no giving way
        busy = _loop_cpu_while(engine, main_busy=True)
        # it paused (0.7-0.9 s here; on a machine loaded past its CPUs the loop computes less,
        # so it owes less, and pauses less: 0.16 s beside two CPU-burning processes)
        assert engine.yielding.paused > 0
        # a loop that never gives way gets about 0.35 s of the 1.5 s here (the two threads
        # share the lock), this one 0.15-0.2 s: its share, plus a window or two to notice
        assert busy < 0.3, busy
    finally:
        engine.shutdown()
