"""The engine on a network: not a test (pytest does not collect it), it prints figures.

    python tests/bench_engine.py             # the whole sweep, about 10 minutes
    python tests/bench_engine.py --quick     # shorter jobs, 10 and 200 jobs, 0 and 150 ms
    python tests/bench_engine.py --busy-only [--switch-interval 0.001]  # the busy cell alone
    python tests/bench_engine.py --main-wakes  # how late the main thread wakes meanwhile
    python tests/bench_engine.py --cpu       # 1,000 jobs at 150 ms and the clients alone (~3 min)
    python tests/bench_engine.py --learned   # 100 jobs at 0 ms, then 100 at 50 ms (~1 min)

The sandbox runs in a child process (so this process's CPU is the client's alone) and plays a
network: a round trip with 10 % jitter on the API origin. Clipia-like jobs of 10-30 s (with
``--quick`` 4-10 s) with the sandbox's default progress (28 steps) and no files, so that the
CPU measured is the polling's alone. For each round trip x job count:
- lag p50 / p95: from the provider's finish (the sandbox's own clock) to the moment the client
  has the terminal answer;
- status requests per job (status polls, plus one result fetch per completed Clipia job);
- the process's peak thread count, and the engine's own threads;
- client CPU per request (every thread but the main one).
Then, side by side against the same server at 150 ms: CPU per status GET of the old ``_wire``
pool (kept in tests/baselines/) with 4 and 64 threads, of the engine's aiohttp transport with
256, 8 and 2 in flight (the engine's polls are spread in time, so its loop wakes for few answers
at once) and of a bare aiohttp session (the library's floor, no engine around it), and
how much a busy cell (a CPU-bound loop on the main thread) is slowed while 1,000 jobs are
followed: its wall time over its CPU time, against the loop alone (the off-CPU measure), with
the engine as shipped (it gives way to a busy cell: ``core/yielding.py``) and with one whose loop
never gives way.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baselines.wire_pool import pool_for  # noqa: E402

from nb_jobstatus.core.config import client_for  # noqa: E402
from nb_jobstatus.core.engine import Engine  # noqa: E402
from nb_jobstatus.core.follow import start  # noqa: E402
from nb_jobstatus.core.job import Job  # noqa: E402

KEY = "bench-key-0001"


# -- the sandbox in a child process, driven over a pipe ------------------------------------------


def serve(conn: Connection) -> None:
    from nb_jobstatus import sandbox

    sb = sandbox.start(rate_limits={})
    conn.send(sb.base_url("clipia"))
    while (message := conn.recv()) is not None:
        verb, args = message
        if verb == "network":
            sb.set_network(origin="api", rtt=args, jitter=args * 0.1)
            conn.send(None)
        elif verb == "add":
            conn.send([sb.add_job("clipia", duration=d, images=0) for d in args])
        elif verb == "finishes":
            conn.send({rid: sb.finishes_at(rid, "clipia") for rid in args})
    sb.stop()


class Child:
    def __init__(self) -> None:
        self.conn, theirs = multiprocessing.Pipe()
        self.proc = multiprocessing.get_context("spawn").Process(target=serve, args=(theirs,))
        self.proc.start()
        self.base = self.conn.recv()

    def call(self, verb: str, args: object) -> object:
        self.conn.send((verb, args))
        return self.conn.recv()

    def stop(self) -> None:
        self.conn.send(None)
        self.proc.join(10)


# -- one row of the sweep ------------------------------------------------------------------------


@dataclass
class Row:
    rtt: float
    jobs: int
    lags: list[float]
    requests: int
    completed: int
    peak_threads: int
    engine_threads: int
    cpu: float

    def line(self) -> str:
        p50, p95 = pct(self.lags, 0.5), pct(self.lags, 0.95)
        per_job = self.requests / self.jobs
        cpu = self.cpu / max(1, self.requests) * 1e6
        return (
            f"{self.rtt * 1000:>6.0f} ms {self.jobs:>6} {p50:>8.2f}s {p95:>8.2f}s "
            f"{max(self.lags):>8.2f}s {per_job:>8.1f} {self.peak_threads:>7} "
            f"{self.engine_threads:>7} {cpu:>9.0f}"
        )


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values) or [float("nan")]
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def engine_threads() -> int:
    return sum(t.name.startswith("nbjs-") for t in threading.enumerate())


def idle() -> None:
    time.sleep(0.05)


def follow(
    child: Child, engine: Engine, rtt: float, durations: list[float], during: Callable[[], Any]
) -> Row:
    """Follow one job per duration; meanwhile the main thread calls ``during`` again and
    again (its answers: ``row.loops``)."""
    child.call("network", rtt)
    ids = child.call("add", durations)
    assert isinstance(ids, list)
    cpu0, main0 = time.process_time(), time.thread_time()
    client = client_for("clipia", KEY, child.base)
    sent0 = client.sent
    jobs = [Job(client, rid, engine=engine, timeout=600) for rid in ids]
    seen: dict[str, float] = {}
    for job in jobs:
        job.on_change(lambda j: j.done and seen.setdefault(j.request_id, time.monotonic()))
        start(job)
    peak, loops = threading.active_count(), []
    while not all(job.settled for job in jobs):
        loops.append(during())
        peak = max(peak, threading.active_count())
    cpu = (time.process_time() - cpu0) - (time.thread_time() - main0)
    finishes = child.call("finishes", ids)
    assert isinstance(finishes, dict)
    lags = [seen[rid] - finishes[rid] for rid in ids if finishes.get(rid)]
    requests = client.sent - sent0  # status and result GETs, early result GETs included
    completed = sum(j.state.value == "completed" for j in jobs)
    row = Row(rtt, len(jobs), lags, requests, completed, peak, engine_threads(), cpu)
    row.loops = loops  # type: ignore[attr-defined]
    return row


def busy(n: int = 300_000) -> tuple[float, float]:
    """A CPU-bound loop: (wall seconds, this thread's CPU seconds)."""
    wall, cpu = time.perf_counter(), time.thread_time()
    total = 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - wall, time.thread_time() - cpu


# -- CPU per status GET, three clients -----------------------------------------------------------


def status_url(child: Child) -> str:
    (rid,) = child.call("add", [3600.0])  # type: ignore[misc]
    return f"{child.base}/v1/requests/{rid}/status"


def wire_cpu(url: str, count: int, threads: int) -> tuple[float, float]:
    host_port = url.split("//")[1].split("/")[0]
    host, port = host_port.split(":")
    target = "/" + url.split("//")[1].split("/", 1)[1]
    pool = pool_for("http", host, int(port))
    headers = {"Authorization": f"Bearer {KEY}"}
    began, cpu0 = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(threads) as workers:
        list(workers.map(lambda _: pool.get(target, headers, 5, 20), range(count)))
    return time.perf_counter() - began, (time.process_time() - cpu0) / count


def aio_cpu(url: str, count: int, inflight: int) -> tuple[float, float]:
    from nb_jobstatus.core.aio import AioTransport

    async def run() -> None:
        transport = AioTransport("bench")
        gate = asyncio.Semaphore(inflight)

        async def one() -> None:
            async with gate:
                reply = await transport.get(
                    url, {"Authorization": f"Bearer {KEY}"}, timeout=20, limit=2**20
                )
                assert reply.status == 200

        await asyncio.gather(*(one() for _ in range(count)))
        await transport.close()

    began, cpu0 = time.perf_counter(), time.process_time()
    asyncio.run(run())
    return time.perf_counter() - began, (time.process_time() - cpu0) / count


def bare_cpu(url: str, count: int, inflight: int) -> tuple[float, float]:
    """aiohttp as its README shows it (a session, ``get``, ``read``): the library's floor."""

    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            gate = asyncio.Semaphore(inflight)

            async def one() -> None:
                async with gate, session.get(url, headers={"Authorization": f"Bearer {KEY}"}) as r:
                    await r.read()
                    assert r.status == 200

            await asyncio.gather(*(one() for _ in range(count)))

    began, cpu0 = time.perf_counter(), time.process_time()
    asyncio.run(run())
    return time.perf_counter() - began, (time.process_time() - cpu0) / count


def clients(child: Child, rtt: float, count: int) -> None:
    child.call("network", rtt)
    url = status_url(child)
    print(f"\nCPU per status GET, {count} GETs at {rtt * 1000:.0f} ms, one run side by side")
    print(f"{'client':<34} {'wall':>8} {'CPU/GET':>10}")
    for label, measure in (
        ("old _wire pool, 4 threads", lambda: wire_cpu(url, count // 4, 4)),
        ("old _wire pool, 64 threads", lambda: wire_cpu(url, count, 64)),
        ("aiohttp, one thread, 256 in flight", lambda: aio_cpu(url, count, 256)),
        # the engine's polls are spread in time: few answers per wake-up of the loop
        ("aiohttp, one thread, 8 in flight", lambda: aio_cpu(url, count // 4, 8)),
        ("aiohttp, one thread, 2 in flight", lambda: aio_cpu(url, count // 20, 2)),
        ("bare aiohttp session, 8 in flight", lambda: bare_cpu(url, count // 4, 8)),
    ):
        wall, cpu = measure()
        print(f"{label:<34} {wall:>7.1f}s {cpu * 1e6:>8.0f}us")


def busy_cell(child: Child, engine: Engine, durations: list[float], label: str) -> str:
    """A CPU-bound loop on the main thread while the jobs are followed: how much slower it ran
    (its wall time over its CPU time, against the loop alone), and the engine's row."""
    alone = [busy() for _ in range(15)]
    paused = engine.yielding.paused if engine.yielding else 0.0
    loaded = follow(child, engine, 0.15, durations, during=busy)
    paused = (engine.yielding.paused if engine.yielding else 0.0) - paused
    alone += [busy() for _ in range(15)]
    loops = loaded.loops  # type: ignore[attr-defined]
    ratio = statistics.median(w / c for w, c in loops) / statistics.median(w / c for w, c in alone)
    spun = sum(wall for wall, _ in loops)
    return (
        f"{label}: the cell slowed {ratio:.3f}x off-CPU; the engine gave way for {paused:.1f} s"
        f" of the cell's {spun:.1f} s\n{loaded.line()}"
    )


def late_wake() -> float:
    """How late a 10 ms sleep of this thread ends."""
    began = time.perf_counter()
    time.sleep(0.01)
    return time.perf_counter() - began - 0.01


def main_wakes(child: Child, engine: Engine, rtt: float, durations: list[float]) -> str:
    """How late the main thread (a notebook's kernel handles its messages there) wakes from
    10 ms sleeps while the engine follows the jobs at full speed."""
    late = follow(child, engine, rtt, durations, during=late_wake).loops  # type: ignore[attr-defined]
    ms = [pct(late, q) * 1000 for q in (0.5, 0.95, 0.99, 1.0)]
    return (
        f"{len(durations)} jobs at {rtt * 1000:.0f} ms: the main thread's 10 ms sleeps woke late"
        f" by p50 {ms[0]:.1f} ms, p95 {ms[1]:.1f} ms, p99 {ms[2]:.1f} ms, max {ms[3]:.0f} ms"
    )


# -- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--busy-only", action="store_true", help="only the busy-cell rows")
    parser.add_argument("--switch-interval", type=float, help="sys.setswitchinterval first")
    parser.add_argument("--main-wakes", action="store_true", help="only the main thread's wakes")
    parser.add_argument("--cpu", action="store_true", help="only 1,000 jobs at 150 ms, the clients")
    parser.add_argument("--learned", action="store_true", help="100 jobs at 0 ms, then at 50 ms")
    args = parser.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    rtts, counts = [0.0, 0.05, 0.15, 0.3], [10, 100, 1000]
    if args.quick:
        rtts, counts = [0.0, 0.15], [10, 200]
    elif args.cpu:
        rtts, counts = [0.15], [1000]
    elif args.learned:  # one engine: its memory has learned from the 0 ms row
        rtts, counts = [0.0, 0.05], [100]
    low, high = (4, 10) if args.quick else (10, 30)
    child = Child()
    engine = Engine()
    try:
        if args.main_wakes:
            big = counts[-1]
            durations = [low + (high - low) * i / max(1, big - 1) for i in range(big)]
            return print(main_wakes(child, engine, 0.15, durations))
        print(f"Clipia-like jobs of {low}-{high} s, round trip with 10 % jitter")
        print(
            f"{'rtt':>9} {'jobs':>6} {'lag p50':>9} {'lag p95':>9} {'lag max':>9} "
            f"{'req/job':>8} {'threads':>7} {'engine':>7} {'CPU/req':>9}"
        )
        for rtt in [] if args.busy_only else rtts:
            for count in counts:
                durations = [low + (high - low) * i / max(1, count - 1) for i in range(count)]
                print(follow(child, engine, rtt, durations, during=idle).line(), flush=True)
        if not args.busy_only and not args.learned:
            clients(child, 0.15, 400 if args.quick else 2000)
        if args.cpu or args.learned:
            return
        big = counts[-1]
        durations = [low + (high - low) * i / max(1, big - 1) for i in range(big)]
        print(f"\nbusy cell with {big} jobs at 150 ms, the engine as shipped and one that never")
        print("gives way (its loop a plain asyncio loop), one after the other")
        for label, busy_engine in (
            ("gives way", engine),
            ("never gives way", Engine(loop=asyncio.new_event_loop())),
        ):
            print(busy_cell(child, busy_engine, durations, label), flush=True)
            if busy_engine is not engine:
                busy_engine.shutdown()
    finally:
        engine.shutdown()
        child.stop()


if __name__ == "__main__":
    main()
