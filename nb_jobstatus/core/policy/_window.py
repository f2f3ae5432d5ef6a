"""When the job will likely finish: a window ``(lo, hi)`` in facts time, s since its start.

With progress: the top's crossing (from the progress statements, the run's start and the
remembered load phase) plus the remembered finalize phase. Without progress: the durations of
jobs of the same provider and kind. ``hi`` may be inf (nothing bounds it yet).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ._fit import TOP, Bound, bounds, fit, scale_for
from ._memory import Recall
from ._samples import Running

SLACK = 0.05  # s: facts times are known to about this (round-trip jitter)
SLACK_REL = 0.06  # uneven steps: two statements may disagree by this fraction of their gap
AHEAD_REL = 0.06  # the pace ahead may differ from the pace so far by this fraction
FINAL_UNKNOWN = (0.0, 3.0)  # s at 99-100 % before the finish, until jobs of the kind teach it


@dataclass(frozen=True)
class Window:
    lo: float
    hi: float
    why: str  # what the window rests on, for the reason string
    measured: bool = True  # False while the pace is unknown (hi is then inf)


def progress_window(phase: Running, now: float, recall: Recall) -> Window:
    values = [p for _, p in phase.points]
    scale = scale_for(values, recall.steps)
    found = _with_start(bounds(phase.points, scale), phase, recall)
    line = fit(found, scale.top, SLACK, SLACK_REL)
    final = recall.final or FINAL_UNKNOWN
    latest = values[-1]
    steps = f", {scale.steps} steps" if scale.steps else ""
    if line is None or (not math.isfinite(line.e_hi) and latest < TOP):
        return Window(now, math.inf, f"{latest:g} %{steps}, pace unknown", measured=False)
    e_lo = now + (line.e_lo - now) * (1 - AHEAD_REL) if line.e_lo > now else line.e_lo
    e_hi = now + (line.e_hi - now) * (1 + AHEAD_REL) if line.e_hi > now else line.e_hi
    lo, hi = max(now, e_lo + final[0]), max(now, e_hi + final[1])
    where = "finalizing since" if latest >= TOP else "top at"
    why = f"{latest:g} %{steps}: {where} {e_lo:.1f}-{e_hi:.1f}s, +{final[0]:.1f}-{final[1]:.1f}s"
    return Window(lo, hi, why)


def _with_start(found: list[Bound], phase: Running, recall: Recall) -> list[Bound]:
    """The run's start (and the remembered load phase) as statements: the line is at 0 when
    the load ends, which is not before the run started plus the shortest load seen."""
    load = recall.load or (0.0, math.inf)
    extra = [Bound(phase.start_lo + load[0], None, 0.0)]
    if math.isfinite(load[1]):
        extra.append(Bound(phase.start_hi + load[1], 0.0, None))
    return sorted(extra + found, key=lambda b: b.t)


def blind_window(now: float, recall: Recall) -> Window | None:
    if recall.total is None:
        return None
    lo, hi = recall.total
    return Window(max(now, lo), max(now, hi), f"jobs of this kind took {lo:.1f}-{hi:.1f}s")


def load_ends(phase: Running, recall: Recall) -> float | None:
    """The earliest time progress can move, if jobs of this kind taught the load phase."""
    return None if recall.load is None else phase.start_lo + recall.load[0]


def values_of(phase: Running) -> Sequence[float]:
    return [p for _, p in phase.points]
