"""How far a poll may reach on what a job said: a queue before its first running report, the
pace it comes back to after a stall (pure functions, as in test_policy.py)."""

from __future__ import annotations

import math

from test_policy import KEY, decide, poll

from nb_jobstatus.core.model import State
from nb_jobstatus.core.policy import Memory


def test_a_queue_before_the_first_running_sample_does_not_stretch_the_reach() -> None:
    """Queued at 0 s, 1 % at 1 s: the job may have run a few milliseconds, not a second; the
    next poll stays within the reach of a job just started (seen under load: 2 s)."""
    history = [poll(0.0, State.QUEUED, queue_position=1), poll(1.0, progress=1.0)]
    assert decide(history) <= 1.0 + 1e-6


def test_after_a_stall_the_pace_it_comes_back_to_is_followed() -> None:
    """28 steps of 0.5 s after a 0.5 s load, with a 4 s stall (jobs of the kind seen before
    stalled too): once progress moves on, the next poll does not land past the finish. The
    slow line through the stall is not the job's pace any more (seen in the stall profile:
    a poll 4.5 s ahead, 0.8 s late; here 1.3 s late before)."""

    def reported(t: float, stall_at: float) -> float:
        work = max(0.0, t - 0.5)
        work = min(work, stall_at) + max(0.0, work - stall_at - 4.0)
        return math.floor(100 * min(28, math.floor(work / 0.5)) / 28)

    memory = Memory()
    for stall_at in (5.0, 7.0, 9.0, 11.0):  # the kind's earlier jobs, polled every 0.5 s
        seen = [poll(i * 0.5, progress=reported(i * 0.5, stall_at)) for i in range(38)]
        memory.learn(KEY, [*seen, poll(19.0, State.COMPLETED)])
    times = [0.2, 1.5, 3.0, 5.0, 7.5, 9.5, 10.8, 12.0, 13.3, 14.2, 15.6]
    history = [poll(t, progress=reported(t, 10.0)) for t in times]
    assert [p.status.progress for p in history[-2:]] == [71, 78]  # moving again after 71 %
    finish = 0.5 + 28 * 0.5 + 4.0  # 18.5 s
    assert 15.6 + decide(history, memory) <= finish
