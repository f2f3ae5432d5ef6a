"""When the job will likely finish: a window ``(lo, hi)`` in facts time, s since its start.

With progress: the top's crossing (from the progress statements, the run's start and the
remembered load phase) plus the remembered finalize phase. Without progress: the durations of
jobs of the same provider and kind. ``hi`` may be inf (nothing bounds it yet).
"""

from __future__ import annotations

import math
import operator
import threading
from bisect import insort_left
from collections.abc import Sequence
from typing import NamedTuple

from ._fit import TOP, Bound, Fit, bounds, crossing, fit, scale_for
from ._memory import Recall, final_for
from ._samples import Running

SLACK = 0.05  # s: facts times are known to about this (round-trip jitter)
WANDER = 0.1  # s per root second: uneven steps put a step's end this far off the line
FINAL_UNKNOWN = (0.0, 2.5)  # s at 99-100 % before the finish, until jobs of the kind teach it
WANDER_MARGIN, WANDER_FLOOR = 2.0, 0.03  # a learned slack is widened so: wander * 2 + 0.03
_TIME = operator.itemgetter(0)  # a statement's time
RECENT = 4  # statements that give the latest pace
STEADY_VALUES = 2  # distinct values past 0 that a pace may be trusted on for a long jump


class Window(NamedTuple):
    lo: float
    hi: float
    why: str  # what the window rests on, for the reason string
    measured: bool = True  # False while the pace is unknown (hi is then inf)
    steady: bool = False  # every report agrees with one pace (no stall or change of pace seen)


def progress_window(phase: Running, now: float, recall: Recall) -> Window:
    said, moved, line = _fitted(tuple(phase.points), phase.start_lo, phase.start_hi, recall)
    if line is None:
        return Window(now, math.inf, f"{said}, pace unknown", measured=False)
    run = (line.e_lo + min(line.e_hi, 4 * line.e_lo)) / 2 - phase.start_lo  # e_hi may be inf
    recalled, like = final_for(recall, run)
    final = recalled or FINAL_UNKNOWN
    wander = wander_of(recall)
    e_lo = line.e_lo - wander * math.sqrt(max(0.0, line.e_lo - now))
    e_hi = line.e_hi + wander * math.sqrt(max(0.0, line.e_hi - now))
    top = phase.points[-1][1] >= TOP
    if top:  # reached between the last report below the top and the first at it
        after, by = reached(phase)
        e_lo, e_hi = min(max(e_lo, after), by), min(max(e_hi, after), by)
    lo, hi = max(now, e_lo + final[0]), max(now, e_hi + final[1])
    where = "finalizing since" if top else "top at"
    why = f"{said}: {where} {e_lo:.1f}-{e_hi:.1f}s, +{final[0]:.1f}-{final[1]:.1f}s{like}"
    return Window(lo, hi, why, steady=not line.dropped and moved >= STEADY_VALUES)


def reached(phase: Running) -> tuple[float, float]:
    """When progress reached the top: after the last report below it, by the first at it."""
    after = phase.start_lo
    for t, value in phase.points:
        if value >= TOP:
            return after, t
        after = t
    return after, math.inf


Fitted = tuple[str, int, Fit | None]  # what was said, how many values moved, the crossing
_LOCK = threading.Lock()
_FITTED: dict[tuple[object, ...], Fitted] = {}
CACHED = 1024  # point sets whose fit is kept (the oldest go first)


def _fitted(
    points: tuple[tuple[float, float], ...], start_lo: float, start_hi: float, recall: Recall
) -> Fitted:
    """What the reports said, how many distinct values past 0 they gave, and the top's
    crossing, for one set of points: computed once per new answer,
    whatever asks (the next delay, then the time left, again and again)."""
    key = (points, start_lo, start_hi, recall)
    fitted = _FITTED.get(key)
    if fitted is None:
        values = [p for _, p in points]
        scale = scale_for(values, recall.steps)
        phase = Running(start_lo, start_hi, list(points))
        found = _with_start(bounds(points, scale), phase, recall)
        said = f"{values[-1]:g} %" + (f", {scale.steps} steps" if scale.steps else "")
        moved = len({v for v in values if 0.0 < v < TOP})
        fitted = (said, moved, _line(found, phase, scale.top, wander_of(recall)))
        with _LOCK:  # the engine's thread and the views' may both be here
            if len(_FITTED) >= CACHED:
                _FITTED.pop(next(iter(_FITTED)), None)
            _FITTED[key] = fitted
    return fitted


def wander_of(recall: Recall) -> float:
    """The slack for uneven steps: as the jobs of this kind needed (a little more), else WANDER."""
    return WANDER if recall.wander is None else WANDER_MARGIN * recall.wander + WANDER_FLOOR


def _line(found: list[Bound], phase: Running, top: float, wander: float) -> Fit | None:
    """The top's crossing from every statement that agrees; its earliest with the fastest pace
    seen before the latest report too (after a stall, that pace may come back). None while
    nothing bounds the pace."""
    latest = phase.points[-1][0]
    line = fit(found, top, SLACK, wander, until=latest)
    before = None
    if line is not None and not line.dropped:
        before = line.s_before  # every pair agreed: those before the latest report too
    if before is None:
        earlier = fit([b for b in found if b.t < latest], top, SLACK, wander)
        before = None if earlier is None else earlier.s_lo
    paced = before is not None and before > 0
    reached = any(b.at_least is not None and b.at_least >= top for b in found)
    if line is None or not (math.isfinite(line.e_hi) or reached or paced):
        return None
    if before is not None and paced and before < line.s_lo:
        fast = crossing(found[line.dropped :], top, before, line.s_hi)
        line = Fit(line.s_lo, line.s_hi, min(line.e_lo, fast.e_lo), line.e_hi, line.dropped)
    # the latest pace alone, if it is faster (with no more slack than an even kind's: a kind
    # that stalls learns a wide one, which would hide the pace it comes back to)
    recent = fit(found[-RECENT:], top, SLACK, min(wander, WANDER))
    if recent is not None and line.dropped and recent.e_hi < line.e_lo:
        # the latest pace ends before the line (which had to drop reports: a stall) begins:
        # the job sped up again, and the line's pace is no longer its own
        return Fit(line.s_lo, line.s_hi, recent.e_lo, recent.e_hi, line.dropped)
    if recent is not None and recent.s_lo > 0:
        line = Fit(line.s_lo, line.s_hi, min(line.e_lo, recent.e_lo), line.e_hi, line.dropped)
    return line


def _with_start(found: list[Bound], phase: Running, recall: Recall) -> list[Bound]:
    """The run's start (and the remembered load phase) as statements: the line is at 0 when
    the load ends, which is not before the run started plus the shortest load seen."""
    load = recall.load or (0.0, math.inf)
    found = list(found)  # in time order: each goes before the statements of its time
    if math.isfinite(load[1]):
        insort_left(found, Bound(phase.start_hi + load[1], 0.0, None), key=_TIME)
    insort_left(found, Bound(phase.start_lo + load[0], None, 0.0), key=_TIME)
    return found


def blind_window(now: float, recall: Recall) -> Window | None:
    if recall.total is None:
        return None
    lo, hi = recall.total
    return Window(max(now, lo), max(now, hi), f"jobs of this kind took {lo:.1f}-{hi:.1f}s")


def load_ends(phase: Running, recall: Recall) -> float | None:
    """The earliest time progress can move, if jobs of this kind taught the load phase."""
    return None if recall.load is None else phase.start_lo + recall.load[0]


def fastest_left(phase: Running) -> float:
    """The time the rest would take at the fastest pace seen between two reports (inf before
    any rise): after a stall or a change of pace, the line may not be trusted further."""
    pace, (t0, v0) = math.inf, phase.points[0]
    for t, value in phase.points:
        if value > v0:
            pace, t0, v0 = min(pace, (t - t0) / (value - v0)), t, value
        elif value == v0 and t0 < t and value <= 0:
            t0 = t  # still at 0 %: loading; the pace is counted from the last 0 %
    latest = phase.points[-1][1]
    return max(0.0, TOP - latest) * pace if pace < math.inf else math.inf


def values_of(phase: Running) -> Sequence[float]:
    return [p for _, p in phase.points]
