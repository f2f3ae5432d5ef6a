"""When to poll: pure functions of a job's history, plus a kernel-wide memory of finished jobs.

``next_delay`` answers how long after ``now`` (the facts time of the latest answer, s since the
job started) the next poll should reach the provider, and why; ``eta`` the time left as a
range. Both read progress as what it can mean (a window, not a point), learn the steps, the
load and the finalize phases from the job and from finished jobs of the same provider and kind
(``Memory``), aim at the earliest likely finish and close in. Every delay is clamped to
[``MIN_DELAY``, ``MAX_DELAY``] whatever the inputs.
"""

from __future__ import annotations

from ._decide import MAX_DELAY, MIN_DELAY, Hints, clamp, eta, next_delay
from ._memory import Key, Memory, Recall
from ._samples import release

__all__ = [
    "release",
    "MAX_DELAY",
    "MIN_DELAY",
    "Hints",
    "Key",
    "Memory",
    "Recall",
    "clamp",
    "eta",
    "next_delay",
]
