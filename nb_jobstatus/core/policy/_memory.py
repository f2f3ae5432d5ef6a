"""What finished jobs of one provider and kind taught, kernel-wide: how long they took from
the start, how long they loaded at 0 %, how long they sat at 99-100 % finalizing, and in how
many steps their progress moved. Each lesson is a window (the polls only bracket the moments);
a recall combines the recent windows into one range. The finalize phase is also kept for jobs of
every length seen (``SPREAD``): where it grows with the job, a job recalls it from the jobs of
its own length (``final_for``), not from the recent ones, which in a batch are its longest."""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..model import Poll, State
from ._fit import TOP, Bound, bounds, fit, learn_steps, scale_for
from ._samples import Running, Sample, running_phase, samples

Key = tuple[str, str]
Window = tuple[float, float]
RECENT = 12  # jobs remembered per key and quantity
SPREAD = 24  # jobs whose finalize phase is kept by length (short and long alike)
LIKE = 1.5  # jobs whose runs to the top are within this factor are of a like length
GROWS, GROWS_JOBS = 0.5, 8  # the finalize phase grows with the run: a correlation, over jobs
MIN_VALUES_TO_TEACH_STEPS = 6
WANDERS = (0.0, 0.01, 0.02, 0.035, 0.05, 0.07, 0.1, 0.14, 0.2, 0.3)  # slack tried, s/root s
WIDEN = 0.05  # a recalled range is widened by this fraction and as many seconds
WIDEST = 3.0  # windows wider than this many times the median are left out
AROUND_JOBS = 4  # windows needed before a varying quantity is recalled from their middles
AROUND_FLOOR, AROUND_REL = 0.04, 0.1  # s and fraction: the least it is given or taken


@dataclass(frozen=True)
class Recall:
    jobs: int = 0  # finished jobs remembered
    total: Window | None = None  # s from the job's start to its finish
    load: Window | None = None  # s from running to the first step's start
    final: Window | None = None  # s from reaching the top to the finish
    steps: int | None = None
    wander: float | None = None  # s per root second: how far uneven steps strayed from a line
    # (s from running to the top, final) of jobs of every length seen, if the finalize phase
    # grows with the run (else empty)
    runs: tuple[tuple[float, Window], ...] = field(default=(), compare=False)


@dataclass
class _Lessons:
    total: deque[Window] = field(default_factory=lambda: deque(maxlen=RECENT))
    load: deque[Window] = field(default_factory=lambda: deque(maxlen=RECENT))
    final: deque[Window] = field(default_factory=lambda: deque(maxlen=RECENT))
    wander: deque[float] = field(default_factory=lambda: deque(maxlen=RECENT))
    runs: list[tuple[float, Window]] = field(default_factory=list)
    steps: int | None = None
    jobs: int = 0


def spread(windows: Sequence[Window]) -> Window | None:
    """A range for the next job: between the largest low end and the smallest high end of the
    recent windows (in either order: they need not overlap; the second largest and smallest
    from four windows on), widened a little."""
    if not windows:
        return None
    lows, highs = sorted(w[0] for w in windows), sorted(w[1] for w in windows)
    odd = 1 if len(windows) >= 4 else 0  # one odd job does not set the range
    a, b = lows[-1 - odd], highs[odd]
    lo, hi = min(a, b), max(a, b)
    return max(0.0, lo * (1 - WIDEN) - WIDEN), hi * (1 + WIDEN) + WIDEN


def around(windows: Sequence[Window]) -> Window | None:
    """A range for the next job from windows that each hold one job's value, for a quantity
    that varies from job to job (``spread`` would keep only where they overlap): the median of
    their middles, give or take twice the spread of the middles beyond what the windows' own
    widths explain (at least ``AROUND_FLOOR`` s plus ``AROUND_REL`` of it). The widest windows
    (a job polled sparsely there) are left out. Fewer than ``AROUND_JOBS``: ``spread``."""
    if len(windows) < AROUND_JOBS:
        return spread(windows)
    widths = sorted(b - a for a, b in windows)
    usual = widths[len(widths) // 2]
    windows = [w for w in windows if w[1] - w[0] <= WIDEST * usual + 0.05]
    mids = sorted((a + b) / 2 for a, b in windows)
    n = len(mids)
    center = (mids[(n - 1) // 2] + mids[n // 2]) / 2
    noise = sum((b - a) ** 2 for a, b in windows) / (12 * n)  # a value anywhere in its window
    mean = sum(mids) / n
    var = sum((m - mean) ** 2 for m in mids) / (n - 1) - noise
    half = max(AROUND_FLOOR + AROUND_REL * center, 2.0 * math.sqrt(max(0.0, var)))
    return max(0.0, center - half), center + half


def wandered(found: Sequence[Bound], top: float) -> float:
    """The least slack (s per root second) that lets every statement of a job agree."""
    for wander in WANDERS:
        line = fit(found, top, 0.02, wander)
        if line is not None and not line.dropped:
            return wander
    return WANDERS[-1]


def _typical(wanders: Sequence[float]) -> float | None:
    """The second largest of the recent jobs' (the largest while fewer than four)."""
    if not wanders:
        return None
    ranked = sorted(wanders)
    return ranked[-2] if len(ranked) >= 4 else ranked[-1]


class Memory:
    """Kernel-wide and thread-safe: call ``learn`` when a job of ``key`` completes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[Key, _Lessons] = {}
        self._recalled: dict[Key, Recall] = {}  # until the key learns again

    def learn(self, key: Key, history: Sequence[Poll], finished_at: float | None = None) -> None:
        """Learn from a completed job's history. ``finished_at``: the facts time (s since the
        job started) of the first terminal answer, if the history does not hold it."""
        found = samples(history)
        if finished_at is not None and math.isfinite(finished_at):
            found.append(Sample(max(finished_at, found[-1].t if found else 0.0), State.COMPLETED))
        ends = [i for i, s in enumerate(found) if s.state.terminal]
        if not ends or found[ends[0]].state is not State.COMPLETED:
            return
        found = found[: ends[0] + 1]
        total = (found[-2].t if len(found) > 1 else 0.0, found[-1].t)
        phase = running_phase(found[:-1])
        with self._lock:
            self._recalled.pop(key, None)
            lessons = self._keys.setdefault(key, _Lessons())
            lessons.jobs += 1
            lessons.total.append(total)
            if phase is not None and phase.points:
                self._learn_progress(lessons, phase, total)

    def _learn_progress(self, lessons: _Lessons, phase: Running, total: Window) -> None:
        values = [p for _, p in phase.points]
        if len({v for v in values if 0 < v < TOP}) >= MIN_VALUES_TO_TEACH_STEPS:
            lessons.steps = learn_steps(values, None) or lessons.steps
        scale = scale_for(values, lessons.steps)
        found = bounds(phase.points, scale)
        found.insert(0, Bound(phase.start_lo, None, 0.0))
        window = fit(found, scale.top, 0.02, 0.02)
        if window is None or not math.isfinite(window.s_hi) or max(values) < TOP:
            return
        lessons.wander.append(wandered(found, scale.top))
        final = (max(0.0, total[0] - window.e_hi), total[1] - window.e_lo)
        lessons.final.append(final)
        run = (window.e_lo + window.e_hi) / 2 - phase.start_lo
        if math.isfinite(run) and run > 0:
            _keep_spread(lessons.runs, (run, final))
        if window.dropped:  # a stall or a change of pace: the load is not where the line says
            return
        s = (window.s_lo + window.s_hi) / 2
        t0 = sorted((window.e_lo - scale.top * s, window.e_hi - scale.top * s))
        lessons.load.append((max(0.0, t0[0] - phase.start_hi), max(0.0, t0[1] - phase.start_lo)))

    def recall(self, key: Key) -> Recall:
        recalled = self._recalled.get(key)
        if recalled is not None:
            return recalled
        with self._lock:
            lessons = self._keys.get(key)
            if lessons is None:
                return Recall()
            recalled = Recall(
                lessons.jobs,
                spread(lessons.total),
                spread(lessons.load),
                around(lessons.final),
                lessons.steps,
                _typical(lessons.wander),
                tuple(lessons.runs) if _grows(lessons.runs) else (),
            )
            self._recalled[key] = recalled
            return recalled

    def forget(self) -> None:
        with self._lock:
            self._keys.clear()
            self._recalled.clear()


def _keep_spread(runs: list[tuple[float, Window]], new: tuple[float, Window]) -> None:
    """Add ``new``; past ``SPREAD`` jobs, the older of the two closest in run length goes, so
    that short and long jobs stay remembered whatever the order they finished in."""
    runs.append(new)
    if len(runs) > SPREAD:
        order = sorted(range(len(runs)), key=lambda i: runs[i][0])
        pairs = zip(order, order[1:], strict=False)
        gaps = [(runs[b][0] - runs[a][0], min(a, b)) for a, b in pairs]
        del runs[min(gaps)[1]]


def _grows(runs: Sequence[tuple[float, Window]]) -> bool:
    """Does the finalize phase grow with the run to the top (a correlation of ``GROWS`` or more
    over ``GROWS_JOBS`` jobs or more)? Then a job's own length says which jobs to recall it
    from; where it does not, fewer jobs would only recall it less surely."""
    if len(runs) < GROWS_JOBS:
        return False
    xs, ys = [r for r, _ in runs], [(a + b) / 2 for _, (a, b) in runs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx, syy = sum((x - mx) ** 2 for x in xs), sum((y - my) ** 2 for y in ys)
    return sxx > 0 and syy > 0 and sxy / math.sqrt(sxx * syy) >= GROWS


def _alike(a: float, b: float) -> bool:
    return a / LIKE <= b <= a * LIKE


def final_for(recall: Recall, run: float) -> tuple[Window | None, str]:
    """The finalize phase for a job ``run`` s from running to the top, and a note for the
    reason: where the phase grows with the run, from the remembered jobs of a like length (at
    least ``AROUND_JOBS``), else the recent jobs' (``recall.final``). The recent jobs of a batch
    are its longest (all finish last): theirs would be too long for a short job."""
    like = [final for r, final in recall.runs if _alike(run, r)] if run > 0 else []
    if len(like) < AROUND_JOBS:
        return recall.final, ""
    return around(like[-RECENT:]), f" (as {len(like)} jobs of a like length)"
