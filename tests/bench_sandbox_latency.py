"""How faithfully the sandbox plays a network: N sequential status GETs on one keep-alive
connection (requests.Session), and the same through the in-memory transport.

    .venv/bin/python tests/bench_sandbox_latency.py [--rtt 150] [--jitter 0] [--count 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import requests

from nb_jobstatus import sandbox


def summary(name: str, trips: list[float]) -> str:
    ms = sorted(t * 1000 for t in trips)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    return (
        f"{name:<28} n={len(ms)} median {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms  "
        f"min {ms[0]:7.1f} ms  max {ms[-1]:7.1f} ms"
    )


def over_sockets(network: dict[str, float], count: int) -> list[float]:
    with sandbox.start(network=network) as sb, requests.Session() as http:
        rid = sb.add_job("clipia", duration=3600)
        url = f"{sb.base_url('clipia')}/v1/requests/{rid}/status"
        headers = {"Authorization": "Bearer k"}
        http.get(url, headers=headers, timeout=10)  # the handshake, not counted
        trips = []
        for _ in range(count):
            began = time.perf_counter()
            http.get(url, headers=headers, timeout=10).raise_for_status()
            trips.append(time.perf_counter() - began)
        return trips


async def in_memory(network: dict[str, float], count: int) -> list[float]:
    sb = sandbox.in_memory(network=network)
    rid = sb.add_job("clipia", duration=3600)
    url = f"{sb.base_url('clipia')}/v1/requests/{rid}/status"
    await sb.transport.get(url, {}, timeout=10, limit=1 << 20)
    trips = []
    for _ in range(count):
        began = time.perf_counter()
        await sb.transport.get(url, {}, timeout=10, limit=1 << 20)
        trips.append(time.perf_counter() - began)
    return trips


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rtt", type=float, default=150.0, help="ms")
    parser.add_argument("--jitter", type=float, default=0.0, help="ms")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    network = {"rtt": args.rtt / 1000, "jitter": args.jitter / 1000}
    print(f"rtt {args.rtt:g} ms, jitter ±{args.jitter:g} ms, {args.count} sequential GETs")
    print(summary("sockets, keep-alive", over_sockets(network, args.count)))
    print(summary("in memory (asyncio)", asyncio.run(in_memory(network, args.count))))


if __name__ == "__main__":
    main()
