"""How a scripted job's progress moves while it runs, and where a job stands at a moment.

A job's running time (``duration``) is split into a *load* phase at 0 %, the *work*, and a
*finalize* phase held at ``finalize_percent`` (uploading), in that order. The work may pause
once (a *stall*). Over the work, the *curve* gives the progress:

- ``"linear"`` and ``"ease"``: the smooth curves of old (a float fraction);
- ``"stepped"``: ``steps`` steps, reported as integer percent of the steps done; step times
  vary by ``± jitter`` (a fraction of the mean), drawn from a per-job seed so a run repeats;
- ``"none"``: no progress at all (a blind job).

Pure: no I/O and no clock of its own (callers pass ``now``).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Literal

CURVES = ("linear", "ease", "stepped", "none")
Stage = Literal["queued", "running", "completed", "failed", "canceled", "gone"]


@dataclass(frozen=True)
class ProgressScript:
    """How progress moves during a job's running time (seconds for load, finalize and stall).

    ``stall=(at, seconds)``: the work stops for ``seconds`` once ``at`` (0-1) of its time is done.
    """

    curve: str = "linear"
    steps: int = 28
    load: float = 0.0
    finalize: float = 0.0
    finalize_percent: int = 100
    jitter: float = 0.0
    stall: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if self.curve not in CURVES:
            raise ValueError(f"unknown progress curve {self.curve!r}; expected one of {CURVES}")
        if not 1 <= self.steps <= 10_000:
            raise ValueError(f"steps must be 1-10000, not {self.steps!r}")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"step jitter is a fraction in [0, 1), not {self.jitter!r}")
        if not 0 <= self.finalize_percent <= 100:
            raise ValueError("finalize_percent must be 0-100")
        stall = self.stall or (0.0, 0.0)
        if min(self.load, self.finalize, stall[1]) < 0 or not 0 <= stall[0] <= 1:
            raise ValueError("load, finalize and stall seconds must be >= 0; stall at in 0-1")

    @property
    def fixed(self) -> float:
        """Seconds of the running time that are not work: load, finalize and the stall."""
        return self.load + self.finalize + (self.stall[1] if self.stall else 0.0)


def stepped(steps: int = 28, **options: float | int | tuple[float, float] | None) -> ProgressScript:
    """A stepped script: ``stepped(20, load=2, finalize=1, jitter=0.3, stall=(0.5, 3))``."""
    return ProgressScript("stepped", steps, **options)  # type: ignore[arg-type]


def for_provider(
    provider: str, curve: str | ProgressScript | None, duration: float
) -> ProgressScript:
    """The script a job gets: the one given, a named smooth curve, or the provider's default.
    Clipia's default agrees with its logs: load for a tenth, 28 steps, upload for the last 5 %."""
    if isinstance(curve, ProgressScript):
        return curve
    if curve is None and provider == "clipia":
        return ProgressScript("stepped", 28, load=0.1 * duration, finalize=0.05 * duration)
    return ProgressScript(curve or "linear")


@dataclass(frozen=True)
class Timeline:
    """A script laid over one job's running time (``duration`` seconds), with its step times."""

    script: ProgressScript
    duration: float
    boundaries: tuple[float, ...] = field(default=())  # cumulative work fraction per step

    @classmethod
    def of(cls, script: ProgressScript, duration: float, seed: int) -> Timeline:
        if script.fixed > duration + 1e-9:
            raise ValueError(
                f"load, finalize and stall ({script.fixed:g} s) exceed the duration {duration:g} s"
            )
        if script.curve != "stepped":
            return cls(script, duration)
        rng = random.Random(seed)
        widths = [1 + rng.uniform(-script.jitter, script.jitter) for _ in range(script.steps)]
        total, running, edges = sum(widths), 0.0, []
        for width in widths:
            running += width
            edges.append(running / total)
        edges[-1] = 1.0
        return cls(script, duration, tuple(edges))

    @property
    def work(self) -> float:
        return max(0.0, self.duration - self.script.fixed)

    def progress(self, t: float) -> float | None:
        """The reported fraction ``t`` seconds into the running time (None: no progress)."""
        script = self.script
        if script.curve == "none":
            return None
        if t >= self.duration - script.finalize:
            return script.finalize_percent / 100 if script.finalize else 1.0
        done = self._work_done(t - script.load)
        if script.curve == "ease":
            return 1.0 - (1.0 - done) ** 3
        if script.curve == "stepped":
            steps = sum(1 for edge in self.boundaries if edge <= done + 1e-12)
            return math.floor(100 * steps / script.steps + 1e-9) / 100
        return done

    def _work_done(self, w: float) -> float:
        """The fraction of the work done ``w`` seconds after the load phase."""
        if w <= 0 or self.work <= 0:
            return 0.0 if w <= 0 else 1.0
        stall_at, stall_for = self.script.stall or (1.0, 0.0)
        pause_start = stall_at * self.work
        if w > pause_start:
            w = max(pause_start, w - stall_for)
        return min(1.0, w / self.work)

    def step_times(self) -> list[float]:
        """Seconds into the running time at which each step ends (stepped curves only)."""
        times = []
        for edge in self.boundaries:
            w = edge * self.work
            stall_at, stall_for = self.script.stall or (1.0, 0.0)
            times.append(self.script.load + w + (stall_for if w > stall_at * self.work else 0.0))
        return times


@dataclass(frozen=True)
class Phase:
    """Where a job stands: ``gone`` means the provider now answers 410."""

    stage: Stage
    elapsed: float  # seconds since time 0
    progress: float | None = None  # 0..1 while running, None when the curve is "none"
    queue_left: float = 0.0  # seconds of queue left while queued
    running: float = 0.0  # seconds into the running time (while running or after)

    @property
    def state(self) -> Stage:  # the old name
        return self.stage


def percent(progress: float | None) -> int | None:
    return None if progress is None else min(100, int(progress * 100 + 1e-9))


def queue_position(phase: Phase) -> int:
    """Decreases toward 0 while queued: two places per second of queue left."""
    return max(0, math.ceil(phase.queue_left * 2) - 1)
