"""The policy through the REAL engine against the sandbox (``bench_policy.py --real``).

The very jobs of the simulation (``make_jobs``: the same arrivals, durations, progress scripts
and seeds, so the sandbox plays each job exactly as the simulation did), submitted in real time
and followed over HTTP by real engines, with a round trip and 10 % jitter on the API origin.
Every profile runs at once, each policy on an engine of its own (so each profile's memory
learns only from its own jobs, as in the simulation) with a key of its own (no budget shared).
Lag: the first API request that reached the sandbox at or after the job's true finish
(``sb.finishes_at``), minus that finish. Requests: every API request of the job, the result
of a Clipia job included (the simulation counts status polls only). About 6 minutes at 40
jobs per profile (measured).
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor

from bench_policy import PROFILES, Profile, Row, Run, _line, make_jobs  # type: ignore[import-not-found]

from nb_jobstatus import sandbox
from nb_jobstatus.core.config import client_for
from nb_jobstatus.core.engine import Engine
from nb_jobstatus.core.follow import start
from nb_jobstatus.core.job import Job

POLICIES = {"ours": None, "fixed 1 s": 1.0}  # name -> fixed interval


def _add(sb: sandbox.Sandbox, profile: Profile, run: Run) -> str:
    if profile.blind:  # the simulation's kind: the same draws as make_jobs
        kind = random.Random(f"{profile.name}/kind")
        fmt, side = kind.choice(["png", "svg", "ppt"]), kind.choice([1080, 2048])
        return sb.add_job("napkin", format=fmt, size=(side, side), seed=run.seed)
    assert run.timeline is not None
    script, duration = run.timeline.script, run.timeline.duration
    return sb.add_job("clipia", duration=duration, progress=script, seed=run.seed, images=0)


def _run(sb: sandbox.Sandbox, profile: Profile, runs: list[Run], policy: str) -> Row:
    """Submit ``runs`` at their times, follow them on an engine of this policy's own."""
    provider = "napkin" if profile.blind else "clipia"
    key = f"bench-{PROFILES.index(profile)}-{policy.split()[0]}"  # a budget of its own
    client = client_for(provider, key, sb.base_url(provider))
    engine, began, jobs = Engine(), time.monotonic(), []
    try:
        for run in runs:
            time.sleep(max(0.0, began + run.start - time.monotonic()))
            job = Job(client, _add(sb, profile, run), engine=engine, interval=POLICIES[policy])
            jobs.append(start(job))
        for job in jobs:
            job.wait(600)
    finally:
        engine.shutdown()
    lags, requests = [], []
    for job in jobs:
        rid = job.request_id
        finish = sb.finishes_at(rid) or 0.0
        times = sorted(r.time for r in sb.requests if r.request_id == rid and r.origin == "api")
        lags.append(min((t for t in times if t >= finish), default=times[-1]) - finish)
        requests.append(len(times))
    return Row(lags, requests)


def real(count: int, rtt: float, seed: int) -> None:
    """Print the table of the simulation (ours and fixed 1 s) from the real engine."""
    head = "lag p50   p95   max  req/job ratio"
    print(f"\nREAL engine, sandbox round trip {rtt * 1000:.0f} ms, {count} jobs per profile")
    print(f"{'profile':<19}| " + " | ".join(f"{n}: {head:<25}" for n in POLICIES))
    names = tuple(POLICIES)
    network = {"rtt": rtt, "jitter": rtt / 10}
    with (
        sandbox.start(network=network, rate_limits={}) as sb,  # type: ignore[arg-type]
        ThreadPoolExecutor(len(PROFILES) * len(POLICIES)) as pool,
    ):
        futures = {
            (profile.name, name): pool.submit(
                _run, sb, profile, make_jobs(profile, count, seed), name
            )
            for profile in PROFILES
            for name in POLICIES
        }
        rows = {key: future.result() for key, future in futures.items()}
    totals = {(b, n): Row([], []) for b in (False, True) for n in names}
    for profile in PROFILES:
        mine = {name: rows[(profile.name, name)] for name in names}
        for name, row in mine.items():
            totals[(profile.blind, name)].lags.extend(row.lags)
            totals[(profile.blind, name)].requests.extend(row.requests)
        print(_line(profile.name, mine, names), flush=True)
    for blind in (False, True):
        mine = {n: totals[(blind, n)] for n in names}
        print(_line("TOTAL blind" if blind else "TOTAL progress", mine, names))
