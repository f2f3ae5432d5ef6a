"""The decisions: how long until the next poll (and why), and the time left."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Poll, State
from ._memory import Key, Memory, Recall
from ._samples import Running, Sample, queue_points, running_phase, samples
from ._window import (
    Window,
    blind_window,
    fastest_left,
    load_ends,
    progress_window,
    values_of,
)

MIN_DELAY = 0.1  # s: no delay is shorter, whatever the inputs
MAX_DELAY = 3600.0  # s: ... nor longer
EDGE = 0.2  # with a steady pace, the finish is rarely in this fraction of a window's start ...
EDGE_BLIND = 0.1  # ... else (and without progress) in this fraction (of at most ...
EDGE_MAX = 2.0  # ... this many seconds): closing in starts there
GUARD = 1.5  # after a stall, no poll lands past this many times the rest at the fastest pace
CLOSE = 0.23  # s between polls once the finish may have come (the lag it allows)
AIM = 1.0  # s: a finish at least this far off is aimed at directly when the window is narrow
NARROW = 5.0  # s: with a steady pace, a window this wide is narrow enough to aim at its start
# (a sample taken on the way would hardly narrow it); a wider one is neared in a step that
# should leave it this wide (at least half the way)
NEAR_PART = 0.5  # nearing a window goes at least this part of the way
NARROW_UNSTEADY = 0.8  # s: ... the same after a stall or a change of pace
REACH = 1.0  # s: with progress, no poll lands further off than this ...
REACH_REL = 1.0  # ... plus this fraction of the time it has been running
REACH_STEADY = 3.0  # ... or this fraction while every report agrees with one pace
FIRST_PACE = 1.0  # s: the next poll while progress has not moved yet
PAUSED = 0.2  # progress that moved, then paused: polled at this fraction of its running time
SHORTEST = 0.25  # polls may reach this fraction of the shortest job of the kind at once
WIDE = 3.5  # s: a window this wide that has begun is first narrowed with a sample
BLIND = 0.9  # s between polls of a job that reports no progress, while it may finish
BLIND_PATIENCE = 30.0  # s: ... after this long with nothing to go on, back off gently
OVERDUE = 2.0  # s past a window's end that double the gap between polls
SLOWEST = 5.0  # s: the longest gap of a job that is past every estimate
MAX_QUEUE_WAIT = 10.0  # s: the longest gap while queued
NEAR_START = 3.0  # s: a queued job expected to start within this is next polled once started
START_MARGIN = 0.5  # s: ... this long after its expected start


@dataclass(frozen=True)
class Hints:
    """What a provider reports at all (Napkin: neither progress nor queue)."""

    reports_progress: bool = True
    reports_queue: bool = True


def clamp(delay: float) -> float:
    """Every delay, whatever went into it, within [MIN_DELAY, MAX_DELAY] (NaN: MIN_DELAY)."""
    if delay != delay:
        return MIN_DELAY
    return min(MAX_DELAY, max(MIN_DELAY, delay))


def next_delay(
    history: Sequence[Poll],
    now: float,
    *,
    key: Key,
    hints: Hints,
    memory: Memory,
    interval: float | None = None,
) -> tuple[float, str]:
    """Seconds from ``now`` (the facts time of the latest answer) to the next poll, and why."""
    if interval is not None:
        return clamp(interval), "fixed interval"
    now = now if math.isfinite(now) else 0.0
    found = samples(history)
    recall = memory.recall(key)
    delay, why = _decide(found, max(now, found[-1].t if found else 0.0), hints, recall)
    return clamp(delay), why


def _decide(found: list[Sample], now: float, hints: Hints, recall: Recall) -> tuple[float, str]:
    last = found[-1] if found else None
    if last is not None and last.state is State.QUEUED and hints.reports_queue:
        return queued_delay(found, last)
    phase = running_phase(found) if hints.reports_progress else None
    if phase is not None and phase.points:
        return progress_delay(phase, now, recall)
    return blind_delay(now, recall)


def progress_delay(phase: Running, now: float, recall: Recall) -> tuple[float, str]:
    window = progress_window(phase, now, recall)
    rel = REACH_STEADY if window.steady else REACH_REL
    # running for at least now - start_hi: a queue before the run says nothing of its pace
    reach = REACH + rel * max(0.0, now - phase.start_hi)
    if not window.measured:
        ends = load_ends(phase, recall)
        if ends is not None and ends - now > FIRST_PACE:
            delay = ends - now + FIRST_PACE  # at its end the pace is not measured yet
            return delay, f"{window.why}: the load phase of this kind lasts {ends:.1f}s+"
        if max(values_of(phase)) > 0:  # it moved, then paused: no long jump
            paused = max(FIRST_PACE, PAUSED * (now - phase.start_lo))
            return min(reach, paused), f"{window.why}: progress paused"
        reach = REACH + REACH_REL * max(0.0, now - phase.start_hi)
        if recall.total is not None:  # the shortest job of this kind took that long
            reach = max(reach, SHORTEST * recall.total[0] - now)
        return reach, f"{window.why}: measuring the pace"
    if not window.steady:  # after a stall or a change of pace: the line is not trusted far
        reach = min(reach, max(AIM, GUARD * fastest_left(phase)))
    return approach(window, now, CLOSE, reach)


def approach(
    window: Window, now: float, gap: float, reach: float, narrowing: bool = True
) -> tuple[float, str]:
    """Aim at the earliest likely finish, nearing it in steps while the window is wide (if a
    sample can narrow it: ``narrowing``); inside the window poll every ``gap``; past it, ever
    more slowly."""
    width = window.hi - window.lo
    edge = EDGE * width if narrowing and window.steady else EDGE_BLIND * min(width, EDGE_MAX)
    if window.lo <= now:  # inside the window: no edge to skip
        edge = 0.0
    lead = window.lo + edge - now
    span = f"finish {window.lo:.1f}-{window.hi:.1f}s" if math.isfinite(window.hi) else ""
    narrow = NARROW if window.steady else NARROW_UNSTEADY
    if lead >= AIM and width > narrow and narrowing:
        delay = min(reach, max(AIM, lead * max(NEAR_PART, 1.0 - narrow / width)))
        return delay, f"{window.why}; {span}: nearing it"
    if lead >= AIM:
        return min(reach, lead), f"{window.why}; {span}: at the earliest likely finish"
    if width > WIDE and now <= window.hi:
        delay = min(reach, max(gap, 0.2 * width))
        return delay, f"{window.why}; {span}: too wide, measuring the pace"
    if now <= window.hi:
        return max(gap, lead), f"{window.why}; {span}: closing in"
    late = now - window.hi
    delay = min(max(SLOWEST, gap), gap * 2.0 ** (late / OVERDUE))
    return delay, f"{window.why}; past the estimate by {late:.1f}s"


def blind_delay(now: float, recall: Recall) -> tuple[float, str]:
    window = blind_window(now, recall)
    if window is not None:
        return approach(window, now, BLIND, math.inf, narrowing=False)
    if now < BLIND_PATIENCE:
        return BLIND, "no progress reported"
    grown = BLIND * 1.05 ** ((now - BLIND_PATIENCE) / BLIND)
    return min(SLOWEST, grown), "no progress reported: backing off"


def queued_delay(found: Sequence[Sample], last: Sample) -> tuple[float, str]:
    """From the queue's drain rate (two positions), else the position, else the wait."""
    points = queue_points(found)
    if len(points) >= 2 and points[-1][1] < points[0][1]:
        (t0, q0), (t1, q1) = points[0], points[-1]
        starts_in = (q1 + 1) * (t1 - t0) / (q0 - q1)  # position 0 is the last place
        if starts_in <= NEAR_START:  # skip the front of the queue: poll once it runs
            return starts_in + START_MARGIN, f"queue position {q1}, running in {starts_in:.1f}s"
        delay = min(MAX_QUEUE_WAIT, 0.8 * starts_in)
        return delay, f"queue position {q1}, about {starts_in:.1f}s to the start"
    if last.queue_position:
        delay = min(MAX_QUEUE_WAIT, 0.6 + 0.4 * last.queue_position)
        return delay, f"queue position {last.queue_position}"
    if last.queue_wait:
        delay = min(MAX_QUEUE_WAIT, max(1.0, 0.25 * last.queue_wait))
        return delay, f"queued {last.queue_wait:.0f}s"
    return 1.0, "queued"


def eta(
    history: Sequence[Poll], now: float, *, key: Key, hints: Hints, memory: Memory
) -> tuple[float, float] | None:
    """(low, high) seconds left from ``now``, never below 0; (0, 0) means almost done; None
    when nothing bounds the finish (no pace yet and no jobs of this kind seen)."""
    found = samples(history)
    if not found or found[-1].state.terminal or not math.isfinite(now):
        return (0.0, 0.0) if found and found[-1].state.terminal else None
    now = max(now, found[-1].t)
    window = finish_window(found, now, hints, memory.recall(key))
    if window is None or not math.isfinite(window.hi):
        return None
    if now > window.hi + max(2.0, 0.5 * window.hi):
        return None  # long past every estimate: no honest range
    return max(0.0, window.lo - now), max(0.0, window.hi - now)


def finish_window(found: list[Sample], now: float, hints: Hints, recall: Recall) -> Window | None:
    if found[-1].state is State.QUEUED and hints.reports_queue:
        return None
    phase = running_phase(found) if hints.reports_progress else None
    if phase is not None and phase.points:
        return progress_window(phase, now, recall)
    return blind_window(now, recall)
