"""What the progress reports of one running phase say about when it reaches the top.

A report of ``v`` % at time ``t`` is a statement about an interval, not a point: the true
progress was at least ``level(v)`` and below ``next(v)`` at ``t``. With integer percent that
is ``[v, v + 1)``; with progress that moves in N steps (learned: every value seen is
``floor(100 k / N)``) it is the whole step ``[100 k / N, 100 (k + 1) / N)``, and a step's
report appears exactly at the step's end.

Progress is modelled as a line that starts at 0 when the load phase ends, ``level(t) = (t - t0)
/ s`` (``s`` seconds per percent), clipped at 0 before. Every pair of statements bounds ``s``
(a range, with slack for uneven steps that grows as the square root of the time between
them: step times wander like a random walk); the time ``E`` at which the line reaches ``top``
(99 %, or the first step at or above it) is then known to lie in a window: its low end with
the fastest rate that fits, its high end with the slowest. A stall or a change of pace makes
the statements contradict each other: the oldest are dropped until the rest agree.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

TOP = 99.0  # reports at or above this are the finalize phase (uploading, not stepping)
KEEP_FIRST = 3  # distinct values kept from the start of a phase (the longest span) ...
KEEP_LAST = 8  # ... and from its end (the latest pace): a decision costs the same at any length
MIN_VALUES_FOR_STEPS = 4  # distinct values needed before steps are learned from the job alone


_FIRST = operator.itemgetter(0)  # a statement's time
_NEW = tuple.__new__  # a named tuple made without its Python-level __new__ (twice as fast)


class Bound(NamedTuple):
    """At time ``t`` the true progress was ``>= at_least`` and ``< below`` (None: no claim)."""

    t: float
    at_least: float | None
    below: float | None


@dataclass(frozen=True)
class Scale:
    """How reported values map to the line: N steps (``steps``), or, until those are known,
    at least ``v`` and below ``v + jump + 1`` (``jump``: the smallest rise seen, which is at
    least one step; None before any rise: no claim)."""

    steps: int | None = None
    jump: float | None = None

    def level(self, value: float) -> float:
        if self.steps is None:
            return value
        return 100.0 * math.ceil(value * self.steps / 100.0 - 1e-9) / self.steps

    def next(self, value: float) -> float | None:
        if self.steps is not None:
            return self.level(value) + 100.0 / self.steps
        return None if self.jump is None else value + self.jump + 1.0

    @property
    def top(self) -> float:
        return TOP if self.steps is None else self.level(TOP)


def fits(values: Sequence[float], steps: int) -> bool:
    """Every value is ``floor(100 k / steps)`` for some whole ``k``."""
    return all(math.floor(100.0 * math.ceil(v * steps / 100.0 - 1e-9) / steps) == v for v in values)


def learn_steps(values: Sequence[float], known: int | None) -> int | None:
    """The fewest steps every reported value fits, or the remembered count if it still fits."""
    return _steps(tuple(sorted({v for v in values if 0.0 < v < TOP})), known)


@functools.lru_cache(maxsize=1024)
def _steps(inner: tuple[float, ...], known: int | None) -> int | None:
    if any(v != int(v) for v in inner):
        return None
    if known is not None and fits(inner, known):
        return known
    if len(inner) < MIN_VALUES_FOR_STEPS:
        return None
    return next((n for n in range(2, 101) if fits(inner, n)), None)


def scale_for(values: Sequence[float], known: int | None) -> Scale:
    return _scale(tuple(sorted(set(values))), known)


@functools.lru_cache(maxsize=1024)
def _scale(distinct: tuple[float, ...], known: int | None) -> Scale:
    steps = _steps(tuple(v for v in distinct if 0.0 < v < TOP), known)
    inner = sorted({0.0, *(v for v in distinct if v < TOP)})
    rises = [b - a for a, b in zip(inner, inner[1:], strict=False)]
    return Scale(steps, min(rises) if rises else None)


def bounds(points: Sequence[tuple[float, float]], scale: Scale) -> list[Bound]:
    """The tightest statements: each value's first report (at least) and last (below)."""
    first: dict[float, float] = {}
    last: dict[float, float] = {}
    for t, value in points:
        if value not in first:
            first[value] = t
        last[value] = t
    found: list[Bound] = []
    steps, jump = scale.steps, scale.jump
    for value in sorted(first):
        if value >= TOP:
            found.append(_NEW(Bound, (first[value], scale.top, None)))
            break
        if steps is not None:  # the step it is in: [level, level + one step)
            level = 100.0 * math.ceil(value * steps / 100.0 - 1e-9) / steps
            below: float | None = level + 100.0 / steps
        else:
            level, below = value, None if jump is None else value + jump + 1.0
        if value > 0:  # 0 % also covers the load phase: it says nothing from below
            found.append(_NEW(Bound, (first[value], level, None)))
        if below is not None:
            found.append(_NEW(Bound, (last[value], None, below)))
    found.sort(key=_FIRST)
    if len(found) > 2 * (KEEP_FIRST + KEEP_LAST):
        found = found[: 2 * KEEP_FIRST] + found[-2 * KEEP_LAST :]
    return found


class Fit(NamedTuple):
    s_lo: float  # seconds per percent, fastest that fits
    s_hi: float  # ... slowest (inf: no bound yet)
    e_lo: float  # the line reaches the top at or after this time
    e_hi: float  # ... and by this time (inf: no bound yet)
    dropped: int = 0  # oldest statements left out because they disagreed with the rest
    s_before: float = 0.0  # the fastest pace from the statements before ``until`` alone


def rate_range(
    found: Sequence[Bound], slack: float, rel: float, until: float = math.inf
) -> tuple[float, float, float] | None:
    """Seconds per percent that every pair of statements allows (fastest, slowest, and the
    fastest from the statements before ``until`` alone), or None if they disagree."""
    belows = [(b.t, b.below) for b in found if b.below is not None]
    leasts = [(b.t, b.at_least) for b in found if b.at_least is not None]
    s_lo, s_hi, s_before = 0.0, math.inf, 0.0
    slack2, rel2, root = 2.0 * slack, 2.0 * rel, math.sqrt
    for ti, below in belows:
        early = ti < until
        for tj, least in leasts:
            rise = below - least  # progress from j to i is below this ...
            dt = ti - tj
            if dt > slack2:  # ... over this time, less the slack
                room = dt - slack2 - rel2 * root(dt)
                if room > 0:
                    if rise <= 0:
                        return None
                    rate = room / rise
                    if rate > s_lo:
                        s_lo = rate
                    if early and rate > s_before:
                        s_before = rate
                    continue
                if rise < 0 and room / rise < s_hi:
                    s_hi = room / rise
            elif rise < 0:  # below a value at i, at least a higher one at j: rose in dt
                room = dt - slack2 - rel2 * root(-dt if dt < 0 else dt)
                if room / rise < s_hi:
                    s_hi = room / rise
    return (s_lo, s_hi, s_before) if s_lo <= s_hi else None


def crossing(found: Sequence[Bound], top: float, s_lo: float, s_hi: float) -> Fit:
    e_lo, e_hi = ends(found, top, s_lo, s_hi)
    return Fit(s_lo, s_hi, e_lo, e_hi)


def ends(found: Sequence[Bound], top: float, s_lo: float, s_hi: float) -> tuple[float, float]:
    """When the line reaches the top: at the earliest with the fastest pace, by the latest
    with the slowest."""
    e_lo, e_hi = -math.inf, math.inf
    for t, least, below in found:
        if below is not None:
            low = t + (top - below) * s_lo if below < top else t
            if low > e_lo:
                e_lo = low
        if least is not None:
            high = t if least >= top else t + (top - least) * s_hi
            if high < e_hi:
                e_hi = high
    if e_lo == -math.inf:
        e_lo = found[-1].t
    return e_lo, max(e_lo, e_hi)


def fit(
    found: Sequence[Bound], top: float, slack: float, rel: float, until: float = math.inf
) -> Fit | None:
    """The window of the top's crossing from the latest statements that agree."""
    if not found:
        return None
    for start in range(max(1, len(found) - 1)):
        rates = rate_range(found[start:], slack, rel, until)
        if rates is not None:
            e_lo, e_hi = ends(found[start:], top, rates[0], rates[1])
            return Fit(rates[0], rates[1], e_lo, e_hi, start, rates[2])
    return None
