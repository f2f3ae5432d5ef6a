"""Why status polls use ``http.client``: CPU per GET of a status, three ways, against a sandbox
in a child process. Not a test (pytest does not collect it); it prints figures.

    python tests/bench_http.py

Each way sends 600 GETs + JSON decodes back to back, then 600 more 4 ms apart (the pace of a
notebook following hundreds of jobs), and prints this process's CPU time per GET:
``requests.Session().get`` as a user would write it, a prepared request sent through the
session's adapter, and this project's ``_wire.Pool`` (``http.client`` on a kept-alive connection).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import requests
from bench_polling import child_sandbox

from nb_jobstatus import _wire

PATH = "/v1/requests/600d0000-0030-4001-8000-ffffffffffff/status"
HEADERS = {"Authorization": "Bearer k", "Accept": "application/json"}


def ways(base: str) -> dict[str, Callable[[], object]]:
    url = base + PATH
    session = requests.Session()
    prepared = session.prepare_request(requests.Request("GET", url, headers=HEADERS))
    adapter = session.get_adapter(url)
    parts = urlsplit(base)
    pool = _wire.Pool("http", parts.hostname or "", parts.port or 80)
    target = parts.path + PATH
    return {
        "requests Session.get": lambda: session.get(url, headers=HEADERS, timeout=10).json(),
        "requests adapter.send": lambda: adapter.send(prepared, timeout=10).json(),
        "http.client (_wire)": lambda: json.loads(pool.get(target, HEADERS, 10, 10).content),
    }


def cpu_per_get(get: Callable[[], object], gap: float, n: int = 600) -> float:
    get()
    started = time.process_time()
    for _ in range(n):
        get()
        if gap:
            time.sleep(gap)
    return (time.process_time() - started) / n


def main() -> None:
    proc, base = child_sandbox()
    try:
        print(f"{'CPU per GET + json':<24} {'back to back':>13} {'4 ms apart':>11}")
        for name, get in ways(base).items():
            hot, paced = cpu_per_get(get, 0.0), cpu_per_get(get, 0.004)
            print(f"{name:<24} {hot * 1e6:>10.0f} us {paced * 1e6:>8.0f} us")
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()
