"""The polling policy in a discrete-event simulation: virtual time, no HTTP, no sleeping.

    .venv/bin/python tests/bench_policy.py            # about a minute
    .venv/bin/python tests/bench_policy.py --jobs 10  # fewer jobs per profile, quicker
    .venv/bin/python tests/bench_policy.py --real     # then the same jobs, real engine (~6 min)
    .venv/bin/python tests/bench_policy.py --seeds 8  # seeds 1-8: how far each figure moves

Progress moves as the sandbox makes it move (``nb_jobstatus.sandbox.timeline``: stepped N
steps in integer percent, a load phase at 0 %, a finalize phase at 100 %, uneven steps, a
stall, smooth); blind jobs take what the sandbox's Napkin takes (``napkin_duration``). Each
profile is one (provider, kind): its jobs share a load and a finalize time within ±15 %
(except the "random" rows, drawn anew per job), and take 5-30 s of work each; they arrive a
few seconds apart, so some overlap and the later ones learn from the earlier.

The engine's rules: a poll sent at ``s`` reaches the provider at ``s + up`` (its facts time)
and comes back at ``s + up + down``; the next poll is sent at ``facts + delay - (up + down) /
2`` (not before the answer is in); the terminal state is seen by the first poll whose facts
time is at or after the finish. Lag: that facts time minus the finish (the answer reaches the
client ``down`` later). Requests: status polls per job. Each policy sees the same jobs.
"""

from __future__ import annotations

import argparse
import heapq
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from nb_jobstatus.core.model import Poll, State, Status
from nb_jobstatus.core.policy import Hints, Memory, eta, next_delay
from nb_jobstatus.sandbox.scripted import napkin_duration
from nb_jobstatus.sandbox.timeline import ProgressScript, Timeline, percent

Decide = Callable[["Run", float], tuple[float, str]]


@dataclass(frozen=True)
class Profile:
    name: str
    script: Callable[[random.Random, random.Random], ProgressScript]  # (kind rng, job rng)
    blind: bool = False
    together: bool = False  # blind: batches of 8 submitted within a second


def _phase(how: str, kind: random.Random, job: random.Random, span: tuple[float, float]) -> float:
    """A load or finalize time: "kind" near the kind's own (±15 %), "random" anew per job."""
    base = kind.uniform(*span)
    if how == "random":
        return job.uniform(*span)
    return base * job.uniform(0.85, 1.15)


def _stepped(
    steps: int, load: str = "short", final: str = "short", jitter: float = 0.15, stall: bool = False
) -> Callable[[random.Random, random.Random], ProgressScript]:
    """Steps (0: smooth); load and finalize "short" (0.3-1 s, 0.2-0.6 s) or 2-6 s, 1-3 s
    ("kind": near the kind's own, "random": anew per job)."""

    def make(kind: random.Random, job: random.Random) -> ProgressScript:
        load_s = _phase(load, kind, job, (0.3, 1.0) if load == "short" else (2.0, 6.0))
        final_s = _phase(final, kind, job, (0.2, 0.6) if final == "short" else (1.0, 3.0))
        paused = (job.uniform(0.3, 0.7), job.uniform(2.0, 4.0)) if stall else None
        curve = "linear" if steps == 0 else "stepped"
        return ProgressScript(curve, max(steps, 1), load_s, final_s, 100, jitter, paused)

    return make


PROFILES = [
    Profile("stepped 20", _stepped(20)),
    Profile("stepped 28", _stepped(28)),
    Profile("stepped 50", _stepped(50)),
    Profile("load 2-6 s", _stepped(28, load="kind")),
    Profile("finalize 1-3 s", _stepped(28, final="kind")),
    Profile("uneven steps", _stepped(20, jitter=0.5)),
    Profile("stall", _stepped(28, stall=True)),
    Profile("smooth", _stepped(0)),
    Profile("clipia-like", _stepped(28, load="kind", final="kind", jitter=0.3)),
    Profile("random load+final", _stepped(28, load="random", final="random")),
    Profile("blind, in turn", _stepped(1), blind=True),
    Profile("blind, batches", _stepped(1), blind=True, together=True),
]


@dataclass
class Run:
    """One job under one policy."""

    profile: Profile
    start: float  # virtual time of the submission
    timeline: Timeline | None  # None: blind
    ends: float  # s after the start
    seed: int = 0  # the sandbox's seed of this job: ``--real`` plays the very same job
    history: list[Poll] = field(default_factory=list)
    lag: float | None = None

    def status(self, t: float) -> Status:
        if t >= self.ends:
            return Status("sim", "job", State.COMPLETED, progress=None)
        progress = None if self.timeline is None else percent(self.timeline.progress(t))
        return Status("sim", "job", State.RUNNING, progress=progress)


def make_jobs(profile: Profile, count: int, seed: int) -> list[Run]:
    kind, rng = random.Random(f"{profile.name}/kind"), random.Random(f"{profile.name}/{seed}")
    fmt, size = kind.choice(["png", "svg", "ppt"]), (kind.choice([1080, 2048]),) * 2
    runs, clock = [], 0.0
    for i in range(count):
        if profile.together:
            clock += rng.uniform(0, 0.15) if i % 8 else rng.uniform(30, 60)
        else:
            clock += rng.uniform(2.0, 12.0)
        if profile.blind:
            seed = rng.randrange(1 << 30)
            runs.append(Run(profile, clock, None, napkin_duration(fmt, size, 1, seed), seed))
            continue
        # a fresh generator of the kind's name per job: every job draws the same base values
        script = profile.script(random.Random(f"{profile.name}/base"), rng)
        work, seed = rng.uniform(5, 30), rng.randrange(1 << 30)
        timeline = Timeline.of(script, work + script.fixed, seed)
        runs.append(Run(profile, clock, timeline, timeline.duration, seed))
    return runs


CPU = {"next_delay": [0.0, 0], "eta": [0.0, 0]}  # process CPU s and calls of ours, all rows


def ours(memory: Memory) -> Decide:
    """Our policy; each decision also asks ``eta`` once, as a view would (both timed)."""

    def decide(run: Run, now: float) -> tuple[float, str]:
        hints = Hints(reports_progress=not run.profile.blind, reports_queue=False)
        key = ("sim", run.profile.name)
        began = time.process_time()
        answer = next_delay(run.history, now, key=key, hints=hints, memory=memory)
        middle = time.process_time()
        eta(run.history, now + 0.05, key=key, hints=hints, memory=memory)
        ended = time.process_time()
        for name, spent in (("next_delay", middle - began), ("eta", ended - middle)):
            CPU[name][0] += spent
            CPU[name][1] += 1
        return answer

    return decide


def fixed(run: Run, now: float) -> tuple[float, str]:
    return 1.0, "fixed 1 s"


def exponential(run: Run, now: float) -> tuple[float, str]:
    return min(30.0, 2.0 ** (len(run.history) - 1)), "1 s x 2, capped 30 s"


def simulate(runs: list[Run], decide: Decide, rtt: float, seed: int, learn: Memory | None) -> None:
    """Every run polled from its submission to its terminal answer, in virtual time."""
    rng = random.Random(seed)
    queue = [(run.start, i) for i, run in enumerate(runs)]
    heapq.heapify(queue)
    while queue:
        sent, i = heapq.heappop(queue)
        run = runs[i]
        up, down = (rtt / 2 * rng.uniform(0.8, 1.2) for _ in range(2))
        facts = sent + up - run.start  # s since the job started
        status = run.status(facts)
        poll = Poll(0.0, sent - run.start, up + down, 200, status)
        run.history.append(poll)
        if status.state.terminal:
            run.lag = facts - run.ends
            if learn is not None:
                learn.learn(("sim", run.profile.name), run.history)
            continue
        now = poll.elapsed + poll.duration / 2
        delay, why = decide(run, now)
        run.history[-1] = replace(poll, next_delay=delay, why=why)
        at = max(sent + up + down, run.start + now + delay - poll.duration / 2)
        heapq.heappush(queue, (at, i))


@dataclass(frozen=True)
class Row:
    lags: list[float]
    requests: list[int]

    def cells(self, base: Row | None) -> str:
        q = statistics.quantiles(self.lags, n=20, method="inclusive") if len(self.lags) > 1 else []
        p50, p95 = statistics.median(self.lags), q[-1] if q else self.lags[0]
        reqs = statistics.mean(self.requests)
        ratio = f"{reqs / statistics.mean(base.requests):.3f}x" if base else "      "
        return f"{p50:5.2f} {p95:5.2f} {max(self.lags):5.2f} {reqs:5.1f} {ratio:>5}"


POLICIES = ("ours", "fixed 1 s", "exp backoff")


def measure(profile: Profile, count: int, rtt: float, seed: int) -> dict[str, Row]:
    rows = {}
    for name in POLICIES:
        runs = make_jobs(profile, count, seed)
        memory = Memory()
        decide = {"ours": ours(memory), "fixed 1 s": fixed, "exp backoff": exponential}[name]
        simulate(runs, decide, rtt, seed, memory if name == "ours" else None)
        rows[name] = Row([r.lag or 0.0 for r in runs], [len(r.history) for r in runs])
    return rows


def table(count: int, rtt: float, seed: int) -> None:
    head = "lag p50   p95   max  req/job ratio"
    print(f"\nround trip {rtt * 1000:.0f} ms, {count} jobs per profile (lag in s)")
    titles = [f"{name}: {head}" for name in POLICIES]
    print(f"{'profile':<19}| " + " | ".join(f"{t:<35}" for t in titles))
    totals: dict[tuple[bool, str], Row] = {}
    for profile in PROFILES:
        rows = measure(profile, count, rtt, seed)
        for name, row in rows.items():
            total = totals.setdefault((profile.blind, name), Row([], []))
            total.lags.extend(row.lags)
            total.requests.extend(row.requests)
        print(_line(profile.name, rows))
    for blind in (False, True):
        rows = {name: totals[(blind, name)] for name in POLICIES}
        print(_line("TOTAL blind" if blind else "TOTAL progress", rows))


def _line(name: str, rows: dict[str, Row], policies: tuple[str, ...] = POLICIES) -> str:
    base = rows["fixed 1 s"]
    cells = [rows[p].cells(base if p != "fixed 1 s" else None) for p in policies]
    return f"{name:<19}| " + " | ".join(f"{c:<35}" for c in cells)


def _seed_run(args: tuple[int, int, float]) -> tuple[int, float, dict[str, tuple[float, float]]]:
    """One seed at one round trip: each profile's (and each total's) lag p95 and ratio."""
    count, seed, rtt = args
    found: dict[str, tuple[float, float]] = {}
    totals: dict[tuple[bool, str], Row] = {}
    for profile in PROFILES:
        rows = measure(profile, count, rtt, seed)
        for name in ("ours", "fixed 1 s"):
            total = totals.setdefault((profile.blind, name), Row([], []))
            total.lags.extend(rows[name].lags)
            total.requests.extend(rows[name].requests)
        found[profile.name] = _p95_ratio(rows["ours"], rows["fixed 1 s"])
    for blind in (False, True):
        name = "TOTAL blind" if blind else "TOTAL progress"
        found[name] = _p95_ratio(totals[(blind, "ours")], totals[(blind, "fixed 1 s")])
    return seed, rtt, found


def _p95_ratio(ours: Row, base: Row) -> tuple[float, float]:
    p95 = statistics.quantiles(ours.lags, n=20, method="inclusive")[-1]
    return p95, statistics.mean(ours.requests) / statistics.mean(base.requests)


def seeds(count: int, last: int) -> None:
    """Seeds 1..last at 0 and 150 ms (two processes): how far each figure moves."""
    from multiprocessing import Pool

    with Pool(2) as pool:
        runs = pool.map(_seed_run, [(count, s, r) for s in range(1, last + 1) for r in (0, 0.15)])
    print(f"\nours over seeds 1-{last} at 0 and 150 ms ({len(runs)} runs), {count} jobs a profile")
    print(f"{'profile':<19}| p95 mean   max  runs > 0.4 s | ratio mean   min   max")
    for name in runs[0][2]:
        p95s = [found[name][0] for _, _, found in runs]
        ratios = [found[name][1] for _, _, found in runs]
        over = sum(p > 0.4 for p in p95s)
        print(
            f"{name:<19}|    {statistics.mean(p95s):5.2f} {max(p95s):5.2f} {over:>11} |"
            f"      {statistics.mean(ratios):.3f} {min(ratios):.3f} {max(ratios):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=40, help="jobs per profile")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--real", action="store_true", help="also through the real engine")
    parser.add_argument("--real-jobs", type=int, default=40, help="jobs per profile, --real")
    parser.add_argument("--rtt", type=float, default=0.15, help="round trip (s), --real")
    parser.add_argument("--seeds", type=int, help="instead: seeds 1..N, how far figures move")
    args = parser.parse_args()
    if args.seeds:
        return seeds(args.jobs, args.seeds)
    for rtt in (0.0, 0.150):
        table(args.jobs, rtt, args.seed)
    cpu = ", ".join(f"{n} {s / max(1, c) * 1e6:.0f} µs" for n, (s, c) in CPU.items())
    print(f"\nCPU per decision of ours (process time, {CPU['next_delay'][1]} decisions): {cpu}")
    if args.real:
        from bench_policy_real import real

        real(args.real_jobs, args.rtt, args.seed)


if __name__ == "__main__":
    main()
