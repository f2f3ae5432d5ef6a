"""The engine gives way to a busy cell.

While a cell computes in Python, the kernel's main thread holds the interpreter lock (the GIL),
and the engine's loop gets it back only once per switch interval (5 ms) after each of its system
calls: with many jobs it cannot keep up anyway, and every turn it takes slows the cell. So while
the main thread is busy on the CPU *and* the loop is kept waiting for the lock, the loop computes
at most ``SHARE`` of the time: before its next turn it sleeps (holding nothing) until it is back
within that share. A cell that computes outside the lock (NumPy, say) does not keep the loop
waiting, so the loop goes on at full speed; once the cell ends, it catches up.

Whether the main thread computes is read from Linux's scheduler statistics: it ran for more
than 15 % of the last 0.1 s, and ran or waited to run for more than half of it (on a
loaded machine a computing thread waits for a CPU too, and an idle one that wakes now and then
waits as well, but hardly runs). Elsewhere its CPU clock counts for both; where neither can be
read (Windows), the loop never gives way.
Measured in ``tests/bench_engine.py`` (the busy-cell row) and described in the README.
"""

from __future__ import annotations

import os
import selectors
import threading
import time
from collections.abc import Callable
from typing import Any

WINDOW = 0.1  # s: how often the main thread's CPU and the loop's waiting are looked at
MAIN_RAN = 0.15  # the main thread ran for more than this share of it ...
MAIN_WANTED = 0.5  # ... and ran or waited to run for more than this share ...
KEPT_WAITING = 0.3  # ... and the loop spent more than this share of its turns off the CPU
SHARE = 0.1  # then the loop computes at most this share of the time
LONGEST = 0.1  # s: the longest single pause


Demand = tuple[float, float]  # s the main thread ran, s it ran or waited to run


def read_main_demand() -> Callable[[], Demand] | None:
    """The seconds the main thread has run, and run or waited to run (on a busy machine a
    computing thread waits for a CPU too); where that cannot be read, its CPU seconds for both;
    None where neither can be read."""
    main = threading.main_thread()
    schedstat = f"/proc/self/task/{main.native_id}/schedstat"  # Linux
    if os.path.exists(schedstat):

        def ran_and_wanted() -> Demand:
            with open(schedstat, "rb") as stats:
                ran, waited = stats.read().split()[:2]
            return int(ran) / 1e9, (int(ran) + int(waited)) / 1e9

        return ran_and_wanted
    try:
        clock = time.pthread_getcpuclockid(main.ident or 0)
    except (AttributeError, OSError):  # Windows, macOS
        return None
    return lambda: (time.clock_gettime(clock),) * 2


class YieldingSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """The platform's default selector; ``select`` first pauses while the loop must give way."""

    def __init__(self, main_demand: Callable[[], Demand] | None = None) -> None:
        """``main_demand``: the main thread's seconds run, and run or waited to run (by
        default read from the system: see ``read_main_demand``)."""
        super().__init__()
        self._main = main_demand or read_main_demand()
        now = time.perf_counter()
        self._entered = now  # when the loop last asked for events
        # when the loop's current turn began (wall, its thread's CPU): unknown until the loop's
        # own thread first asks (this one may be another thread, with its own CPU time)
        self._turn: tuple[float, float] | None = None
        self._window = (now, self._main_seconds(), 0.0, 0.0)  # began, main's, turns' wall, CPU
        self._debt = 0.0  # s of CPU the loop took beyond its share
        self.giving_way = False
        self.paused = 0.0  # s paused in all (for the benchmark)

    def select(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        """The ready events, after a pause if the loop is past its share while giving way."""
        if self._main is None:  # nothing tells whether a cell computes: never give way
            events: list[tuple[Any, int]] = super().select(timeout)
            return events
        now, cpu = time.perf_counter(), time.thread_time()
        began, began_cpu = self._turn or (now, cpu)
        self.account(now, now - began, cpu - began_cpu)
        if self.giving_way and self._debt > 0:
            pause = min(LONGEST, self._debt / SHARE)
            time.sleep(pause)
            self.paused += pause
            timeout = None if timeout is None else max(0.0, timeout - pause)
        asked = time.perf_counter()
        events = super().select(timeout)
        now = time.perf_counter()
        # time past the timeout was spent waiting for the lock: counted in the next turn
        late = 0.0 if timeout is None else max(0.0, now - asked - timeout)
        self._turn = (now - late, time.thread_time())
        return events

    def account(self, now: float, wall: float, cpu: float) -> None:
        """Count the turn just run (``wall`` and ``cpu`` seconds, ended at ``now``); every
        ``WINDOW``, decide whether to give way."""
        since, self._entered = now - self._entered, now
        if self.giving_way:  # the share is counted only while giving way
            self._debt = max(0.0, self._debt + cpu - SHARE * since)
        began, main, turns_wall, turns_cpu = self._window
        turns_wall, turns_cpu = turns_wall + wall, turns_cpu + cpu
        if now - began < WINDOW:
            self._window = (began, main, turns_wall, turns_cpu)
            return
        main_now = self._main_seconds()
        span = now - began
        ran, wanted = (main_now[0] - main[0]) / span, (main_now[1] - main[1]) / span
        busy = ran > MAIN_RAN and wanted > MAIN_WANTED
        waiting = turns_wall > 0.001 and 1.0 - turns_cpu / turns_wall > KEPT_WAITING
        self.giving_way = busy and waiting
        self._debt = self._debt if self.giving_way else 0.0
        self._window = (now, main_now, 0.0, 0.0)

    def _main_seconds(self) -> Demand:
        if self._main is None:
            return 0.0, 0.0
        try:
            return self._main()
        except (OSError, ValueError):  # the main thread is gone (the interpreter is exiting)
            self._main = None
            return 0.0, 0.0
