"""What a job's history says, as plain numbers on one clock.

Every answer's facts were true at about ``poll.elapsed + poll.duration / 2`` (the send time
plus half the round trip): that is each sample's time ``t``, in seconds since the job started.
Provider numbers are untrusted: anything not finite is dropped, progress is clamped to 0-100,
queue positions to 0-1,000,000, and times never run backwards.
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from ..model import Poll, State

SCAN = 256  # only the last this many polls are read: a decision costs the same at poll 10,000
MAX_ROUND_TRIP = 600.0
MAX_QUEUE = 1_000_000
CACHE_JOBS = 1024  # histories whose parsed answers are kept (the oldest go first)
BACKWARDS = 5.0  # progress falling by more than this many points starts a new running phase


# (polls read, the first and the last answer read, the samples). The answers are held weakly:
# a cache of a thousand jobs must not keep their bodies alive once the jobs are gone.
_Parsed = tuple[int, Callable[[], object], Callable[[], object], "tuple[Sample, ...]"]
_LOCK = threading.Lock()
_CACHE: dict[int, _Parsed] = {}
# id(first sample) -> (first, last sample, how many, the running phase, not running until
# then): the latest reading of each job's answers, carried on to its next answer
_PHASES: dict[int, tuple[Sample, Sample, int, Running | None, float]] = {}


class Sample(NamedTuple):
    t: float  # when the answer's facts were true, s since the job started
    state: State
    progress: float | None = None  # 0..100
    queue_position: int | None = None
    queue_wait: float | None = None


@dataclass
class Running:
    """The current running phase: when it began (a window) and its progress points."""

    start_lo: float  # the job was not running yet at this time (or it is 0)
    start_hi: float  # ... and was running by this time
    points: list[tuple[float, float]] = field(default_factory=list)  # (t, progress), monotone


def finite(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def facts_time(poll: Poll) -> float | None:
    elapsed = finite(poll.elapsed)
    if elapsed is None:
        return None
    trip = finite(poll.duration) or 0.0
    return max(0.0, elapsed) + min(max(trip, 0.0), MAX_ROUND_TRIP) / 2


def samples(history: Sequence[Poll]) -> list[Sample]:
    """The answers among the last ``SCAN`` polls, in order, on a clock that never runs back.
    Parsed once per poll: a history seen before (the same list, grown) is read from its end."""
    n = len(history)
    cached = _CACHE.get(id(history))
    if cached is not None and _extends(history, cached):
        found = list(cached[3])
        _parse(history[cached[0] :], found)
    else:
        found = []
        _parse(history[-SCAN:], found)
    found = found[-SCAN:]
    if n:
        with _LOCK:  # the engine's thread and the views' may both be here
            if len(_CACHE) >= CACHE_JOBS:
                _CACHE.pop(next(iter(_CACHE)), None)
            first, last = _weak(history[0].status), _weak(history[-1].status)
            _CACHE[id(history)] = (n, first, last, tuple(found))
    return found


def release(history: Sequence[Poll]) -> None:
    """Forget what was read of ``history`` (its job has ended)."""
    with _LOCK:
        cached = _CACHE.pop(id(history), None)
        if cached is not None and cached[3]:
            _PHASES.pop(id(cached[3][0]), None)


def _extends(history: Sequence[Poll], cached: _Parsed) -> bool:
    """``history`` is the list ``cached`` was read from, grown (the same first and n-th answer)."""
    n, first, last, _ = cached
    if len(history) < n or history[0].status is None or history[n - 1].status is None:
        return False
    return history[0].status is first() and history[n - 1].status is last()


def _weak(status: object) -> Callable[[], object]:
    """A weak reference to ``status``; for None, one that never matches an answer."""
    return weakref.ref(status) if status is not None else _nothing


def _nothing() -> object:
    return _nothing


def _parse(polls: Sequence[Poll], found: list[Sample]) -> None:
    for poll in polls:
        status, t = poll.status, facts_time(poll)
        if status is None or t is None:
            continue
        if found and t < found[-1].t:
            t = found[-1].t
        found.append(_sample(t, status.state, status))


def _sample(t: float, state: State, status: object) -> Sample:
    progress = finite(getattr(status, "progress", None))
    position = finite(getattr(status, "queue_position", None))
    wait = finite(getattr(status, "queue_wait_seconds", None))
    return Sample(
        t,
        state,
        None if progress is None else min(100.0, max(0.0, progress)),
        None if position is None or position < 0 else int(min(position, MAX_QUEUE)),
        None if wait is None or wait < 0 else min(wait, 86_400.0),
    )


def running_phase(found: Sequence[Sample]) -> Running | None:
    """The latest running phase, or None unless the last informative answer says running.
    Read once per answer: the phase of the same samples less the last is carried on."""
    if not found:
        return None
    n, first, last = len(found), found[0], found[-1]
    seen = _PHASES.get(id(first))
    if seen is not None and seen[0] is first and seen[1] is last and seen[2] == n:
        return _copy(seen[3])
    if (
        seen is not None
        and seen[0] is first
        and n > 1
        and seen[1] is found[-2]
        and seen[2] == n - 1
    ):
        phase, not_running, rest = _copy(seen[3]), seen[4], found[-1:]
    else:
        phase, not_running, rest = None, 0.0, found
    for sample in rest:
        if sample.state is State.RUNNING:
            phase = phase or Running(not_running, sample.t)
            _add_point(phase, sample)
        elif sample.state is not State.UNKNOWN:
            phase, not_running = None, sample.t
    with _LOCK:
        if id(first) not in _PHASES and len(_PHASES) >= CACHE_JOBS:
            _PHASES.pop(next(iter(_PHASES)), None)
        _PHASES[id(first)] = (first, last, n, _copy(phase), not_running)
    return phase


def _copy(phase: Running | None) -> Running | None:
    return None if phase is None else Running(phase.start_lo, phase.start_hi, list(phase.points))


def _add_point(phase: Running, sample: Sample) -> None:
    if sample.progress is None:
        return
    if phase.points and sample.progress < phase.points[-1][1] - BACKWARDS:
        # progress restarted (a second stage?): a new phase from here
        phase.start_lo, phase.start_hi, phase.points = phase.points[-1][0], sample.t, []
    top = phase.points[-1][1] if phase.points else 0.0
    phase.points.append((sample.t, max(top, sample.progress)))


def queue_points(found: Sequence[Sample]) -> list[tuple[float, int]]:
    """(t, queue position) of the current queued phase's answers that gave a position."""
    points: list[tuple[float, int]] = []
    for sample in found:
        if sample.state is not State.QUEUED:
            points = []
        elif sample.queue_position is not None:
            points.append((sample.t, sample.queue_position))
    return points
