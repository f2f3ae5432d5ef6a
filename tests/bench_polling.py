"""Polling benchmark: not a test (pytest does not collect it), it prints figures.

    python tests/bench_polling.py            # both parts, about 4 minutes
    python tests/bench_polling.py --quick    # shorter jobs, fewer of them

Part 1 runs, side by side in one process against the sandbox, the default policy, fixed 1 s
polling and exponential backoff (1 s x 2, capped at 30 s) over a mix of 2-30 s jobs with
progress (Clipia) and without (Napkin): detection lag (p50, p95) and status requests per job.

Part 2 follows 1,000 concurrent jobs against a sandbox in a child process (so that this
process's CPU time is the client's alone), twice: once quiet, once with a CPU-bound loop on the
main thread. It prints:
- client CPU per status request, against a bare ``requests.Session`` GET + ``.json()`` on the
  same server, two ways: the bare GETs replayed one by one at the moments the engine sent its
  requests (the same work at the same pace), and back to back as fast as they go (the hottest
  case: on this VM a GET paced 4 ms apart costs 1.7x-2.1x the CPU of one sent back to back);
- the peak thread count;
- how much the main-thread loop is slowed, two ways: by the time it spent off the CPU (its
  wall time over its own CPU time, against the loop alone), which the machine's speed drifts
  do not move, and by wall clock against the loop alone before and after, which they do
  (here the same loop takes 13 to 25 ms from one minute to the next).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from nb_jobstatus import poller, sandbox
from nb_jobstatus.http import client_for
from nb_jobstatus.job import Job

RNG = random.Random(7)


def fixed_1s(job: Job, elapsed: float) -> tuple[float, str]:
    return 1.0, "fixed 1 s"


def exponential(job: Job, elapsed: float) -> tuple[float, str]:
    return min(30.0, 2.0 ** (len(job.history) - 1)), "1 s x 2, capped 30 s"


POLICIES: dict[str, Callable[[Job, float], tuple[float, str]] | None] = {
    "default": None,
    "fixed 1 s": fixed_1s,
    "exp backoff": exponential,
}


@dataclass
class Run:
    policy: str
    kind: str
    job: Job
    ends_at: float  # monotonic time the sandbox job reaches its terminal state
    seen_at: float | None = None


def start_run(sb: sandbox.Sandbox, policy: str, kind: str, seconds: float) -> Run:
    """One job; durations get a random fraction so no policy is in phase with the finish."""
    seconds += RNG.uniform(0.0, 1.0)
    provider = "clipia" if kind == "progress" else "napkin"
    client = client_for(provider, f"bench-{policy}", sb.base_url(provider))
    added = time.monotonic()
    rid = sb.add_job(provider, duration=seconds, images=1, size=(64, 64))
    job = Job(client, rid, policy=POLICIES[policy])
    run = Run(policy, kind, job, added + seconds)
    job.on_change(
        lambda j: setattr(run, "seen_at", run.seen_at or time.monotonic()) if j.done else None
    )
    job.start()
    return run


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def part1(durations: list[float]) -> None:
    sb = sandbox.start()
    runs = [
        start_run(sb, policy, kind, seconds)
        for policy in POLICIES
        for kind in ("progress", "no progress")
        for seconds in durations
    ]
    for run in runs:
        run.job.wait(max(durations) + 60)
    time.sleep(0.2)
    counts: dict[str, int] = {}
    for record in sb.requests:
        if record.origin == "api" and record.request_id and "/status" in record.path:
            counts[record.request_id] = counts.get(record.request_id, 0) + 1
    print(f"\nPart 1: {len(durations)} jobs per row, {min(durations):g}-{max(durations):g} s")
    print(f"{'policy':<12} {'jobs':<12} {'lag p50':>8} {'lag p95':>8} {'req/job':>8}")
    for kind in ("progress", "no progress"):
        for policy in POLICIES:
            chosen = [r for r in runs if r.policy == policy and r.kind == kind]
            lags = [max(0.0, (r.seen_at or 0) - r.ends_at) for r in chosen]
            reqs = [counts.get(r.job.request_id, 0) for r in chosen]
            print(
                f"{policy:<12} {kind:<12} {percentile(lags, 0.5):>7.2f}s "
                f"{percentile(lags, 0.95):>7.2f}s {statistics.mean(reqs):>8.1f}"
            )
    sb.stop()


def spin(n: int = 300_000) -> tuple[float, float]:
    """A CPU-bound loop: (wall seconds, this thread's CPU seconds)."""
    wall, cpu = time.perf_counter(), time.thread_time()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - wall, time.thread_time() - cpu


def child_sandbox() -> tuple[subprocess.Popen[str], str]:
    code = (
        "import sys, threading\n"
        "from nb_jobstatus import sandbox\n"
        "sb = sandbox.start()\n"
        "print(sb.base_url('clipia'), flush=True)\n"
        "threading.Event().wait()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def bare_get(base: str) -> Callable[[], object]:
    """A bare ``requests.Session`` GET + ``.json()`` of a running job's status."""
    session = requests.Session()
    url = f"{base}/v1/requests/600d0000-0030-4001-8000-ffffffffffff/status"
    session.get(url).json()
    return lambda: session.get(url, headers={"Authorization": "Bearer k"}, timeout=10).json()


def bare_back_to_back(base: str, n: int = 1500) -> float:
    """CPU per bare GET when they go out one after another, as fast as they can."""
    get = bare_get(base)
    started = time.process_time()
    for _ in range(n):
        get()
    return (time.process_time() - started) / n


def bare_replay(base: str, offsets: list[float]) -> float:
    """CPU per bare GET when they go out at the moments the engine sent its requests."""
    get = bare_get(base)
    start, cpu = time.monotonic(), time.process_time()
    for offset in offsets:
        if (delay := start + offset - time.monotonic()) > 0:
            time.sleep(delay)
        get()
    return (time.process_time() - cpu) / len(offsets)


def request_offsets(jobs: list[Job]) -> list[float]:
    """When each status request went out, from the start; a completed Clipia job's last
    poll also fetched its result (a second request at that moment)."""
    sent = [poll.at for job in jobs for poll in job.history]
    sent += [job.history[-1].at for job in jobs if job.state.value == "completed"]
    return [t - min(sent) for t in sorted(sent)]


@dataclass
class Followed:
    """What one run of ``follow_many`` measured."""

    cpu: float  # seconds of CPU of every thread but the main one
    offsets: list[float]  # when each request went out, from the first
    polls: int
    peak: int  # threads in the process
    loops: list[tuple[float, float]]  # the main-thread loop's (wall, CPU) seconds
    completed: int

    @property
    def requests(self) -> int:
        return len(self.offsets)


def follow_many(base: str, count: int, longest: int, tag: int, load: bool) -> Followed:
    """Follow ``count`` jobs at once; with ``load``, time a CPU-bound loop meanwhile."""
    cpu0, main0 = time.process_time(), time.thread_time()
    jobs = []
    for i in range(count):
        seconds = 10 + i % (longest - 9)
        job = Job(
            client_for("clipia", "bench", base), f"600d0000-{seconds:04d}-4001-{tag:04d}-{i:012x}"
        )
        job.cache_media = False  # measure polling, not image downloads
        jobs.append(job.start())
    peak, loops = threading.active_count(), []
    while not all(job.done for job in jobs):
        loops.append(spin()) if load else time.sleep(0.05)
        peak = max(peak, threading.active_count())
    return Followed(
        cpu=(time.process_time() - cpu0) - (time.thread_time() - main0),
        offsets=request_offsets(jobs),
        polls=sum(len(job.history) for job in jobs),
        peak=peak,
        loops=loops,
        completed=sum(job.state.value == "completed" for job in jobs),
    )


def slowdown(loaded: list[tuple[float, float]], alone: list[tuple[float, float]]) -> str:
    """How much longer the loop takes, two ways: its wall time against the loop alone (this
    swings with the machine's speed, which drifts by up to 1.7x over minutes here), and its
    wall time over its own CPU time, against the same alone (the time it spent waiting for the
    GIL or a core; a slower machine stretches both, so the drift cancels)."""
    wall = statistics.median(w for w, _ in loaded) / statistics.median(w for w, _ in alone)
    waited = statistics.median(w / c for w, c in loaded) / statistics.median(
        w / c for w, c in alone
    )
    return f"{waited:.3f}x off-CPU, {wall:.2f}x wall clock"


def part2(count: int, longest: int) -> None:
    proc, base = child_sandbox()
    try:
        poller.engine()
        hot, alone = [bare_back_to_back(base)], [spin() for _ in range(15)]
        quiet = follow_many(base, count, longest, 1, load=False)
        replayed = bare_replay(base, quiet.offsets)
        hot.append(bare_back_to_back(base))
        loaded = follow_many(base, count, longest, 2, load=True)
        hot.append(bare_back_to_back(base))
        alone += [spin() for _ in range(15)]
    finally:
        proc.terminate()
    per_request = quiet.cpu / quiet.requests
    print(f"\nPart 2: {count} concurrent Clipia jobs of 10-{longest} s, run twice")
    print(f"  completed             {quiet.completed} and {loaded.completed} of {count}")
    print(f"  status requests       {quiet.requests} ({quiet.polls / count:.1f} polls/job)")
    print(
        f"  client CPU / request  {per_request * 1e6:.0f} us"
        f" ({loaded.cpu / loaded.requests * 1e6:.0f} us with the main-thread loop running)"
    )
    print(
        f"    bare GET + json, at the engine's moments   {replayed * 1e6:.0f} us:"
        f" ratio {per_request / replayed:.2f}x"
    )
    print(
        f"    bare GET + json, back to back (3 times)     {statistics.median(hot) * 1e6:.0f} us:"
        f" ratio {per_request / statistics.median(hot):.2f}x"
        f" ({', '.join(f'{h * 1e6:.0f}' for h in hot)})"
    )
    print(f"  peak threads          {max(quiet.peak, loaded.peak)} in the process")
    print(f"  engine threads        {len(poller.engine().threads)}")
    print(
        f"  main-thread loop      slowed {slowdown(loaded.loops, alone)}"
        f" ({statistics.median(w for w, _ in alone) * 1000:.0f} ms alone)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        part1([2, 4, 6, 8])
        part2(200, 12)
    else:
        part1([2, 3, 4, 5, 6, 8, 10, 12, 15, 18, 21, 24, 27, 30])
        part2(1000, 30)


if __name__ == "__main__":
    main()
