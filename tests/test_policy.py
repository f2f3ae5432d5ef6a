"""The polling policy (nb_jobstatus.core.policy): pure functions, so no server is needed."""

from __future__ import annotations

import math
import time

import pytest

from nb_jobstatus.core.model import Poll, State, Status
from nb_jobstatus.core.policy import MAX_DELAY, MIN_DELAY, Hints, Memory, eta, next_delay
from nb_jobstatus.core.policy._memory import final_for

KEY = ("clipia", "image")
BLIND = Hints(reports_progress=False, reports_queue=False)
PROGRESS = Hints()


def poll(t: float, state: State = State.RUNNING, trip: float = 0.0, **fields: object) -> Poll:
    status = Status("clipia", "r", state, **fields)  # type: ignore[arg-type]
    return Poll(0.0, t - trip / 2, trip, 200, status)


def stepped(times: list[float], steps: int, step: float, load: float = 0.0) -> list[Poll]:
    """Polls at ``times`` of a job whose progress moves in ``steps`` equal steps."""
    out = []
    for t in times:
        done = max(0, min(steps, math.floor((t - load) / step))) if t >= load else 0
        out.append(poll(t, progress=math.floor(100 * done / steps)))
    return out


def decide(history: list[Poll], memory: Memory | None = None, hints: Hints = PROGRESS) -> float:
    now = history[-1].elapsed + history[-1].duration / 2
    delay, why = next_delay(history, now, key=KEY, hints=hints, memory=memory or Memory())
    assert why and MIN_DELAY <= delay <= MAX_DELAY
    return delay


HOSTILE = [-1e308, -5.0, -1, 0, 1e-300, 1e9, 1e308, float("inf"), float("-inf"), float("nan")]


@pytest.mark.parametrize("value", HOSTILE)
def test_every_delay_is_clamped_whatever_the_numbers(value: float) -> None:
    memory = Memory()
    for hints in (Hints(), BLIND):
        for fields in (
            {"queue_position": value},
            {"queue_wait_seconds": value},
            {"progress": value},
        ):
            state = State.QUEUED if "queue" in next(iter(fields)) else State.RUNNING
            history = [poll(0.0, state, **fields), poll(0.0, state, **fields)]
            decide(history, memory, hints)
        times = [poll(value if math.isfinite(value) else 0.0, progress=50.0)]
        decide(times + [Poll(0.0, value, value, 200, Status("clipia", "r", State.RUNNING))])
        left = eta(times, value, key=KEY, hints=hints, memory=memory)
        assert left is None or 0.0 <= left[0] <= left[1] < math.inf


def test_fixed_interval_is_clamped() -> None:
    for interval, expected in ((0.0, MIN_DELAY), (-3.0, MIN_DELAY), (1e12, MAX_DELAY), (2.0, 2.0)):
        delay, why = next_delay([], 0.0, key=KEY, hints=Hints(), memory=Memory(), interval=interval)
        assert (delay, why) == (expected, "fixed interval")
    assert next_delay([], 0, key=KEY, hints=Hints(), memory=Memory(), interval=math.nan)[0] == 0.1


def test_negative_queue_position_does_not_flood() -> None:
    history = [poll(t, State.QUEUED, queue_position=-5) for t in (0.0, 0.1)]
    assert decide(history) >= 0.5


def test_equal_timestamps_and_backwards_progress_are_harmless() -> None:
    same = [poll(2.0, progress=p) for p in (10.0, 20.0, 30.0, 5.0, 40.0)]
    assert decide(same) >= MIN_DELAY
    backwards = [poll(t, progress=p) for t, p in ((1, 50.0), (2, 49.0), (3, 48.0), (4, 60.0))]
    assert decide(backwards) >= MIN_DELAY


def test_ten_thousand_polls_decide_fast() -> None:
    history = [poll(t * 0.1, progress=min(99.0, t / 150)) for t in range(10_000)]
    started = time.process_time()
    for _ in range(20):
        decide(history)
    assert (time.process_time() - started) / 20 < 0.05  # far below one poll's cost


def test_a_step_boundary_is_a_window_not_a_point() -> None:
    """20 steps of 1 s: the finish is aimed at the window's start and not before the first
    step the reports allow; the window's high end is past the truth."""
    history = stepped([0.0, 2.05, 5.05, 9.05], steps=20, step=1.0)
    now = 9.05
    low, high = eta(history, now, key=KEY, hints=Hints(), memory=Memory()) or (0.0, 0.0)
    assert 0 < low <= 20.0 - now <= high  # the top at 20 s, with finalize unknown after it
    delay = decide(history)
    assert now + delay <= 20.0 + 0.3


def test_closes_in_near_the_finish() -> None:
    history = stepped([0.0, 3.05, 8.05, 14.05, 18.05, 19.2], steps=20, step=1.0)
    assert decide(history) <= 0.9


def finished_job(
    total: float, steps: int = 28, final: float = 1.0, load: float = 0.5
) -> list[Poll]:
    step = (total - final - load) / steps
    times = [0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0] + [
        total - final - 0.6 + 0.22 * i for i in range(12)
    ]
    times = sorted(t for t in times if t < total)
    history = stepped(times, steps, step, load)
    history = [p if p.elapsed < total - final else poll(p.elapsed, progress=100.0) for p in history]
    return history + [poll(total + 0.1, State.COMPLETED, progress=100.0)]


def test_memory_learns_steps_durations_and_finalize() -> None:
    memory = Memory()
    for total in (14.0, 15.0, 16.0):
        memory.learn(KEY, finished_job(total))
    recall = memory.recall(KEY)
    assert recall.jobs == 3 and recall.steps == 28
    assert recall.total is not None and 13.0 <= recall.total[0] <= recall.total[1] <= 17.0
    assert recall.final is not None and recall.final[0] <= 1.0 <= recall.final[1] + 0.3
    assert memory.recall(("clipia", "video")).jobs == 0  # another kind learns nothing from it


def test_failed_jobs_teach_nothing() -> None:
    memory = Memory()
    memory.learn(KEY, [poll(0.0, progress=0.0), poll(3.0, State.FAILED)])
    assert memory.recall(KEY).jobs == 0


def test_blind_jobs_of_a_kind_are_polled_less() -> None:
    """Napkin reports no progress: before jobs of the kind are seen, every 0.9 s; after, the
    first poll waits for the shortest seen, and the window is polled at least every second."""
    fresh = decide([poll(0.0)], hints=BLIND)
    assert fresh <= 1.0
    memory = Memory()
    for total in (9.0, 9.5, 10.0, 9.8):
        memory.learn(KEY, [poll(0.0), poll(total - 0.4), poll(total, State.COMPLETED)])
    assert decide([poll(0.0)], memory, BLIND) >= 7.0
    inside = decide([poll(0.0), poll(9.2)], memory, BLIND)
    assert inside <= 1.0


def test_eta_never_negative_and_steady() -> None:
    """Along a job's polls the time left never goes below zero, its range holds the truth,
    and it does not jump about: each estimate ends no later than the previous one's end."""
    history = stepped([0.0, 2.05, 5.05, 9.05, 13.05, 16.05, 18.05, 19.05, 19.6], 20, 1.0)
    memory = Memory()
    memory.learn(KEY, finished_job(20.5, steps=20, final=0.5, load=0.0))
    previous_end = math.inf
    for i in range(3, len(history) + 1):
        now = history[i - 1].elapsed
        left = eta(history[:i], now, key=KEY, hints=Hints(), memory=memory)
        assert left is not None and 0.0 <= left[0] <= left[1]
        assert now + left[1] <= previous_end + 0.5
        previous_end = now + left[1]
    finished = history + [poll(21.0, State.COMPLETED)]
    assert eta(finished, 21.0, key=KEY, hints=Hints(), memory=memory) == (0.0, 0.0)


def test_eta_is_none_without_anything_to_go_on() -> None:
    assert eta([poll(0.0)], 0.0, key=KEY, hints=BLIND, memory=Memory()) is None
    assert eta([], 0.0, key=KEY, hints=Hints(), memory=Memory()) is None


def test_queue_drain_rate_skips_the_front() -> None:
    history = [poll(0.0, State.QUEUED, queue_position=4), poll(1.0, State.QUEUED, queue_position=2)]
    delay = decide(history)
    assert 1.0 + 0.5 <= delay <= 2.0 + 0.5  # about 1.5 s to the start, then a margin


def test_a_stall_does_not_push_the_next_poll_far_away() -> None:
    """Steady at 1 s a step for 8 s, then stuck at 40 % for 4 s: the next poll comes no later
    than the finish would at the pace before the stall (12 steps left: 23 s), and not later
    than the same job without the stall would be polled."""
    history = stepped([0.0, 2.05, 4.05, 6.05, 8.05], steps=20, step=1.0)
    history += [poll(t, progress=40.0) for t in (10.0, 12.0)]
    assert 12.0 + decide(history) <= 23.0


def test_a_first_running_answer_after_a_queue_measures_the_pace_soon() -> None:
    """Queued at 0 s, running at 0 % by 1.5 s: the next poll within a second (the queue's time
    says nothing of the pace), as the engine's one-percent test asks."""
    history = [poll(0.0, State.QUEUED), poll(1.5, progress=0.0)]
    assert decide(history) <= 1.0


def test_uneven_kinds_learn_a_wider_slack_than_even_ones() -> None:
    """The slack for uneven steps is learned per kind: a job whose steps strayed from a line
    teaches more than one whose steps were even, and an even kind ends below the default."""
    even, uneven = Memory(), Memory()
    for total in (14.0, 15.0, 16.0, 15.5):
        even.learn(KEY, finished_job(total))
        history = finished_job(total)
        # step 10 of 28 reported 2 s late: the line cannot pass through every report
        history = [
            p if not 5.0 <= p.elapsed < 8.0 else poll(p.elapsed, progress=32.0) for p in history
        ]
        uneven.learn(KEY, history)
    low, high = even.recall(KEY).wander, uneven.recall(KEY).wander
    assert low is not None and high is not None and low < high


def test_a_learned_lesson_is_recalled_at_once() -> None:
    memory = Memory()
    memory.learn(KEY, finished_job(14.0))
    first = memory.recall(KEY)
    assert memory.recall(KEY) is first  # cached ...
    memory.learn(KEY, finished_job(15.0))
    assert memory.recall(KEY).jobs == 2  # ... until the kind learns again


def test_a_history_read_again_gives_what_a_fresh_read_gives() -> None:
    """Answers are parsed once per poll; a grown list, a slice and a copy read the same."""
    history = stepped([0.0, 2.05, 5.05, 9.05], steps=20, step=1.0)
    memory = Memory()
    first = next_delay(history, 9.05, key=KEY, hints=PROGRESS, memory=memory)
    history += stepped([12.05], steps=20, step=1.0)
    grown = next_delay(history, 12.05, key=KEY, hints=PROGRESS, memory=memory)
    assert grown == next_delay(list(history), 12.05, key=KEY, hints=PROGRESS, memory=memory)
    assert first == next_delay(history[:4], 9.05, key=KEY, hints=PROGRESS, memory=memory)
    history[-1] = poll(12.05, State.COMPLETED)  # the last answer replaced in place
    assert eta(history, 12.05, key=KEY, hints=PROGRESS, memory=memory) == (0.0, 0.0)


def test_closing_in_starts_past_the_windows_edge_and_says_so() -> None:
    """The finish is rarely in the first tenth of its window: the first poll of closing in
    goes there, never past the window's end, and the reason names the window."""
    history = stepped([0.0, 3.05, 8.05, 14.05, 18.05], steps=20, step=1.0)
    now = 18.05
    delay, why = next_delay(history, now, key=KEY, hints=PROGRESS, memory=Memory())
    low, high = eta(history, now, key=KEY, hints=PROGRESS, memory=Memory()) or (0.0, 0.0)
    assert "finish" in why and low <= delay <= high


def test_once_at_the_top_the_finish_follows_the_first_report_there() -> None:
    """A kind that stalls (its jobs sat at 32 % for 3 s) and sits about 1 s at the top: 100 %
    first reported at 9.99 s (75 % at 8.46 s) puts the finish within the remembered finalize
    time of that report, wherever the line through the earlier reports would put the top."""
    memory = Memory()
    for total in (14.0, 15.0, 16.0, 15.5):
        history = finished_job(total)
        history = [
            p if not 5.0 <= p.elapsed < 8.0 else poll(p.elapsed, progress=32.0) for p in history
        ]
        memory.learn(KEY, history)
    points = [(0.0, 0.0), (2.35, 28.0), (4.95, 35.0), (6.89, 46.0), (8.46, 75.0), (9.99, 100.0)]
    history = [poll(t, progress=p) for t, p in points]
    left = eta(history, 9.99, key=KEY, hints=PROGRESS, memory=memory)
    final = memory.recall(KEY).final
    assert left is not None and final is not None
    assert left[1] <= final[1] + 0.01
    assert 9.99 + left[0] >= 8.46 + final[0] - 0.01


def test_a_kind_whose_finalize_varies_is_recalled_with_its_spread() -> None:
    """Jobs of one kind sat 1-3 s at the top: the recalled range holds most of them (the
    overlap of their windows would hold almost none); an even kind's stays narrow."""
    varied, even = Memory(), Memory()
    for i, final in enumerate((1.0, 2.6, 1.4, 3.0, 2.0, 1.2, 2.8, 1.7)):
        varied.learn(KEY, finished_job(14.0 + i % 3, final=final))
        even.learn(KEY, finished_job(14.0 + i % 3, final=1.0))
    low, high = varied.recall(KEY).final or (0.0, 0.0)
    assert low <= 1.5 and high >= 2.5
    low, high = even.recall(KEY).final or (0.0, 0.0)
    assert low <= 1.0 <= high and high - low <= 1.0


def test_after_a_stall_no_poll_lands_far_past_the_fastest_pace() -> None:
    """29 % in 2.1 s, stuck at 50 % for a while, then 57 %: the line through the stall puts
    the top 13 s off; the next poll lands within 1.5 times the rest at the fastest pace seen
    (43 % at 2.1 s per 29 %: about 3 s)."""
    points = [(0.07, 0.0), (1.08, 3.0), (3.16, 32.0), (5.31, 50.0), (6.89, 50.0), (9.25, 57.0)]
    history = [poll(t, progress=p) for t, p in points]
    assert decide(history) <= 1.5 * 43 * (3.16 - 1.08) / 29 + 0.01


def test_a_short_job_after_a_run_of_long_ones_recalls_the_short_jobs_finalize() -> None:
    """The recent jobs of a batch are its longest (all finish last). Where the upload grows with
    the job, their finalize phase is too long for a short job: it is recalled from the
    remembered jobs of its length, and the reason says so. Where it does not grow, the recent
    jobs' is recalled, whatever the job's length."""
    grows, fixed = Memory(), Memory()
    for i in range(6):
        grows.learn(KEY, finished_job(10.0 + 0.2 * i, final=0.5))
        fixed.learn(KEY, finished_job(10.0 + 0.2 * i, final=(0.5, 1.5)[i % 2]))
    for i in range(12):
        grows.learn(KEY, finished_job(28.0 + 0.2 * i, final=1.5))
        fixed.learn(KEY, finished_job(28.0 + 0.2 * i, final=(0.5, 1.5)[i % 2]))
    recall = grows.recall(KEY)
    assert recall.final is not None and recall.final[0] > 0.9  # the recent, long jobs'
    short, note = final_for(recall, 9.5)
    assert short is not None and short[0] <= 0.5 <= short[1] < 0.9 and "like length" in note
    long, note = final_for(recall, 28.0)
    assert long is not None and long[0] <= 1.5 <= long[1] and long[0] > 0.9 and note
    assert final_for(fixed.recall(KEY), 9.5) == (fixed.recall(KEY).final, "")
    points = [(0.0, 0.0), (2.0, 17.0), (4.0, 39.0), (6.0, 60.0), (8.0, 82.0), (9.4, 96.0)]
    history = [poll(t, progress=p) for t, p in points]
    _, why = next_delay(history, 9.4, key=KEY, hints=PROGRESS, memory=grows)
    assert "like length" in why
