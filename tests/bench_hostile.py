"""Hostile servers, measured (not a test): ``python tests/bench_hostile.py body|slow``.

- body: the peak RSS of ``get_status`` against a 200 MB status body;
- slow: how long a healthy job takes while four jobs sit on a server that sends one byte
  every 2 s.
Run it with ``PYTHONPATH`` at an older checkout to compare (tests/BENCHMARKS.md).
"""

from __future__ import annotations

import os
import resource
import sys
import time
import uuid
from collections.abc import Iterator

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _hostile import Answer, Hostile  # noqa: E402

import nb_jobstatus as njs  # noqa: E402

RUNNING = b'{"status": "IN_PROGRESS", "progress": 5}'


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) / 1024


def huge() -> Iterator[bytes]:
    yield b'{"status": "IN_PROGRESS", "logs": ["'
    for _ in range(200):
        yield b"x" * 2**20
    yield b'"]}'


def body() -> None:
    server = Hostile(lambda _: Answer(body=huge))
    before, began = rss_mb(), time.monotonic()
    try:
        njs.get_status("clipia", str(uuid.uuid4()), api_key="measure-key", base_url=server.url)
        outcome = "answered"
    except Exception as error:
        outcome = f"{type(error).__name__}: {str(error)[:80]}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    took = time.monotonic() - began
    print(f"200 MB body: {outcome}; {took:.1f}s; RSS {before:.0f} MB, peak {peak:.0f} MB")
    server.stop()


def watch(server: Hostile, key: str) -> njs.Job:
    found = njs.watch(
        "clipia", str(uuid.uuid4()), api_key=key, base_url=server.url, display=False, timeout=600
    )
    assert isinstance(found, njs.Job)
    return found


def slow() -> None:
    dripping = Hostile(lambda _: Answer(body=RUNNING, drip=2.0))
    healthy = Hostile(lambda _: Answer(body=b'{"status": "COMPLETED"}'))
    for _ in range(4):
        watch(dripping, "slow-key")
    time.sleep(0.5)
    began = time.monotonic()
    watch(healthy, "healthy-key").wait(300)
    print(f"slow server: the healthy job ended after {time.monotonic() - began:.1f}s")
    os._exit(0)  # the dripping server's threads would hold the exit for minutes


if __name__ == "__main__":
    body() if sys.argv[1:] == ["body"] else slow()
