"""The policy through the REAL engine against the sandbox (``bench_policy.py --real``).

A smaller mix than the simulation: per profile ``--real-jobs`` jobs (default 6) of 5-15 s of
work, submitted 1-2 s apart, polled by the kernel's engine (``nb_jobstatus.watch``) over HTTP
to the sandbox, whose network plays the round trip. Profiles run one after another, ours then
fixed 1 s polling, each on a forgotten memory (all Clipia profiles share one kind key). Lag:
the first status request that reached the sandbox at or after the job's true finish
(``sb.finishes_at``), minus that finish. Takes about 17 minutes at the defaults (measured).
"""

from __future__ import annotations

import random
import time

from bench_policy import PROFILES, Profile, Row, _line  # type: ignore[import-not-found]

from nb_jobstatus import sandbox, watch
from nb_jobstatus.core.engine import engine

KEY = "bench-real-key"


def _submit(sb: sandbox.Sandbox, profile: Profile, rng: random.Random) -> str:
    if profile.blind:
        kind = random.Random(f"{profile.name}/kind")
        fmt, side = kind.choice(["png", "svg", "ppt"]), kind.choice([1080, 2048])
        return sb.add_job("napkin", format=fmt, size=(side, side), seed=rng.randrange(1 << 30))
    script = profile.script(random.Random(f"{profile.name}/base"), rng)
    duration = rng.uniform(5, 15) + script.fixed
    return sb.add_job("clipia", duration=duration, progress=script, seed=rng.randrange(1 << 30))


def _run(sb: sandbox.Sandbox, profile: Profile, count: int, interval: float | None) -> Row:
    engine().memory.forget()
    rng, jobs = random.Random(f"{profile.name}/real"), []
    for i in range(count):
        if i:
            time.sleep(rng.uniform(0.15, 0.3) if profile.together else rng.uniform(1.0, 2.0))
        rid = _submit(sb, profile, rng)
        provider = "napkin" if profile.blind else "clipia"
        url = sb.base_url(provider)
        job = watch(provider, rid, api_key=KEY, base_url=url, interval=interval, display=False)
        jobs.append((rid, job))
    lags, requests = [], []
    for rid, job in jobs:
        job.wait(120)  # type: ignore[union-attr]
        finish = sb.finishes_at(rid) or 0.0
        times = sorted(r.time for r in sb.requests if r.request_id == rid and r.origin == "api")
        lags.append(min((t for t in times if t >= finish), default=times[-1]) - finish)
        requests.append(len(times))
    return Row(lags, requests)


def real(count: int, rtt: float) -> None:
    """Print the table of the simulation (ours and fixed 1 s) from the real engine."""
    head = "lag p50   p95   max  req/job ratio"
    print(f"\nREAL engine, sandbox round trip {rtt * 1000:.0f} ms, {count} jobs per profile")
    print(f"{'profile':<19}| " + " | ".join(f"{n}: {head:<25}" for n in ("ours", "fixed 1 s")))
    totals = {(b, n): Row([], []) for b in (False, True) for n in ("ours", "fixed 1 s")}
    with sandbox.start(network={"rtt": rtt, "jitter": rtt / 10}) as sb:
        for profile in PROFILES:
            rows = {n: _run(sb, profile, count, i) for n, i in (("ours", None), ("fixed 1 s", 1.0))}
            for name, row in rows.items():
                totals[(profile.blind, name)].lags.extend(row.lags)
                totals[(profile.blind, name)].requests.extend(row.requests)
            print(_line(profile.name, rows, ("ours", "fixed 1 s")), flush=True)
    for blind in (False, True):
        rows = {n: totals[(blind, n)] for n in ("ours", "fixed 1 s")}
        print(_line("TOTAL blind" if blind else "TOTAL progress", rows, ("ours", "fixed 1 s")))
