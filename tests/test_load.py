"""A thousand jobs of 1-5 s watched at once in one process, against the in-process sandbox.

One run (the module fixture ``load``) measures everything; the tests below judge it:

- every terminal state is seen exactly once through ``on_change`` (none lost, none twice);
- the engine stays within 4 threads (the sandbox's own threads aside);
- the run ends close to the longest job plus polling lag;
- memory comes back once the jobs are released.

The figures are printed (``pytest -s tests/test_load.py``). One job in five has a file (a
64 x 64 picture), cached as usual: the media pipeline works under the load without its CPU
(Pillow, disk) dominating the run; no widgets are made. Memory is
measured with ``sys.getallocatedblocks()`` (pymalloc blocks in use) and RSS, not tracemalloc,
which slows a run like this one by half and would skew the timing.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import subprocess
import sys
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

import pytest

import nb_jobstatus as njs
from nb_jobstatus import _api, sandbox
from nb_jobstatus.core.engine import MEDIA_WORKERS, engine
from nb_jobstatus.core.model import State

JOBS = 1000
PROVIDERS = ("clipia", "napkin", "sivi")
LONGEST = 5.0  # s
LAG_BOUND = 10.0  # s past the longest job
MEDIA_BOUND = 60.0  # s for every file to be cached, from the start
MAX_THREADS = 4  # the event loop, one DNS thread, two media workers


def plan(index: int) -> tuple[str, float, str]:
    """(provider, duration, outcome) of job ``index``: spread over providers, 1 to 5 s, one
    in ten failed and one in twenty Clipia jobs canceled by the provider."""
    provider = PROVIDERS[index % 3]
    duration = 1.0 + (LONGEST - 1.0) * (index % 41) / 40
    outcome = "completed"
    if index % 10 == 7:
        outcome = "failed"
    elif provider == "clipia" and index % 20 == 9:
        outcome = "canceled"
    return provider, duration, outcome


EXPECTED = {"completed": State.COMPLETED, "failed": State.FAILED, "canceled": State.CANCELED}


@dataclass
class Figures:
    seconds: float = 0.0  # from the first watch to the last terminal state
    media_seconds: float = 0.0  # ... to the last file cached
    longest: float = 0.0
    polls: int = 0
    peak_threads: int = 0  # the engine's, and any this run started (not the sandbox's)
    peak_all_threads: int = 0  # every thread of the process but the sandbox's
    engine_threads: int = 0
    wrong_states: list[str] = field(default_factory=list)
    # per job: how many on_change calls saw it done, and the state the first one saw
    ends: dict[str, list[State]] = field(default_factory=dict)
    expected_ends: dict[str, int] = field(default_factory=dict)
    blocks: dict[str, int] = field(default_factory=dict)  # sys.getallocatedblocks()
    rss: dict[str, float] = field(default_factory=dict)  # MB
    alive: dict[str, int] = field(default_factory=dict)  # Job objects not yet collected

    def report(self) -> str:
        lines = [
            f"{JOBS} jobs, longest {self.longest:.1f}s: all terminal after {self.seconds:.2f}s, "
            f"all files cached after {self.media_seconds:.2f}s, {self.polls} polls",
            f"threads: peak {self.peak_threads} of the engine and this run (engine "
            f"{self.engine_threads}); {self.peak_all_threads} in all, the sandbox's aside",
            "allocated blocks: " + ", ".join(f"{k} {v:,}" for k, v in self.blocks.items()),
            "RSS MB: " + ", ".join(f"{k} {v:.1f}" for k, v in self.rss.items()),
            "jobs alive: " + ", ".join(f"{k} {v}" for k, v in self.alive.items()),
        ]
        return "\n".join(lines)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def sandbox_thread(thread: threading.Thread) -> bool:
    return "process_request" in thread.name or thread.name.startswith("nb_jobstatus-sandbox")


def settle() -> None:
    """Collect until the block count stops falling: a stopped server's threads, closed
    sockets and the last media task wind down over a second or so."""
    readings = [sys.getallocatedblocks()]
    for _ in range(50):
        gc.collect()
        time.sleep(0.1)
        readings.append(sys.getallocatedblocks())
        recent = readings[-10:]
        if len(readings) > 10 and max(recent) - min(recent) < 0.01 * recent[-1]:
            return


def warm_up(tmp: Path) -> None:
    """One small job per provider with its files, so that first imports (media, Pillow
    plugins) and lazily made objects are not counted as the run's memory."""
    with sandbox.start() as server:
        for provider in PROVIDERS:
            rid = server.add_job(provider, duration=0.1, images=1, size=(64, 64))
            job = njs.watch(provider, rid, api_key=f"warm-{provider}",
                            base_url=server.base_url(provider), display=False)  # fmt: skip
            assert isinstance(job, njs.Job)
            job.wait(60)
            deadline = time.monotonic() + 60
            while len(job.media) < 1 and time.monotonic() < deadline:
                time.sleep(0.05)


@pytest.fixture(scope="module")
def load(tmp_path_factory: pytest.TempPathFactory) -> Figures:
    """The run happens in a fresh interpreter, so that what earlier tests left running or
    allocated in this one can't blur the thread and memory figures."""
    cache = tmp_path_factory.mktemp("load-cache")
    done = subprocess.run(
        [sys.executable, __file__, str(cache)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    print(done.stderr[-1500:])  # the child's report (pytest -s shows it)
    return Figures(**json.loads(done.stdout.strip().splitlines()[-1]))


def run_in_this_process(cache: Path) -> Figures:
    os.environ["NB_JOBSTATUS_CACHE"] = str(cache)
    njs.set_rate_limit("sivi", 1_000_000, 60.0)  # Sivi's 50/min would take an hour here
    return measure(cache)


def measure(cache: Path) -> Figures:
    figures = Figures()
    warm_up(cache)
    engine()
    settle()
    figures.blocks["before"], figures.rss["before"] = sys.getallocatedblocks(), rss_mb()
    before = {thread.ident for thread in threading.enumerate()}
    server = sandbox.start()
    plans = [plan(i) for i in range(JOBS)]
    figures.longest = max(duration for _, duration, _ in plans)
    jobs, started = start_jobs(server, plans, figures)
    follow_to_the_end(jobs, before, started, figures)
    judge(jobs, plans, figures)
    ids = {job.request_id for job in jobs}
    refs = [weakref.ref(job) for job in jobs]
    del jobs
    server.stop()
    del server
    release(refs, ids, figures)
    print("\n" + figures.report(), file=sys.stderr)
    return figures


def start_jobs(
    server: sandbox.Sandbox, plans: list[tuple[str, float, str]], figures: Figures
) -> tuple[list[njs.Job], float]:
    """Script the jobs, then watch them all; (the jobs, when the first was watched)."""
    lock = threading.Lock()

    def on_change(job: njs.Job) -> None:
        if job.done:
            with lock:
                figures.ends.setdefault(job.request_id, []).append(job.state)

    ids = [
        server.add_job(p, duration=d, outcome=o, size=(64, 64), images=int(i % 5 == 0))
        for i, (p, d, o) in enumerate(plans)
    ]
    started = time.monotonic()
    jobs = []
    for (provider, _, _), rid in zip(plans, ids, strict=True):
        job = njs.watch(provider, rid, api_key=f"load-{provider}",
                        base_url=server.base_url(provider), display=False)  # fmt: skip
        assert isinstance(job, njs.Job)
        job.on_change(on_change)
        jobs.append(job)
    return jobs, started


def follow_to_the_end(
    jobs: list[njs.Job], before: set[int | None], started: float, figures: Figures
) -> None:
    """Wait for every end (counting threads meanwhile), then for every file."""
    deadline = started + 300
    while not all(job.done for job in jobs) and time.monotonic() < deadline:
        ours = [t for t in threading.enumerate() if not sandbox_thread(t)
                and (t.name.startswith("nbjs-") or t.ident not in before)]  # fmt: skip
        figures.peak_threads = max(figures.peak_threads, len(ours))
        others = sum(not sandbox_thread(t) for t in threading.enumerate())
        figures.peak_all_threads = max(figures.peak_all_threads, others)
        time.sleep(0.05)
    figures.seconds = time.monotonic() - started
    figures.engine_threads = sum(t.name.startswith("nbjs-") for t in threading.enumerate())

    def cached(job: njs.Job) -> bool:
        status = job.status
        if job.state is not State.COMPLETED or status is None:
            return True
        return len(job.media) == len(status.assets)

    while not all(map(cached, jobs)) and time.monotonic() < deadline:
        time.sleep(0.05)
    figures.media_seconds = time.monotonic() - started
    time.sleep(0.5)  # the media notifications are sent after the dict is filled
    figures.blocks["loaded"], figures.rss["loaded"] = sys.getallocatedblocks(), rss_mb()


def judge(jobs: list[njs.Job], plans: list[tuple[str, float, str]], figures: Figures) -> None:
    figures.polls = sum(len(job.history) for job in jobs)
    for job, (_, _, outcome) in zip(jobs, plans, strict=True):
        if job.state is not EXPECTED[outcome] or job.error is not None:
            figures.wrong_states.append(f"{job!r}: {job.error!r}")
        figures.expected_ends[job.request_id] = 2  # at the end, and once settled


def release(refs: list[weakref.ref[njs.Job]], ids: set[str], figures: Figures) -> None:
    """Memory once the jobs are dropped, and once the registry lets them go too."""
    settle()
    figures.blocks["released"], figures.rss["released"] = sys.getallocatedblocks(), rss_mb()
    figures.alive["released"] = sum(ref() is not None for ref in refs)
    # What would come back if nb_jobstatus._api._registry let finished jobs go:
    for key in [key for key in list(_api._registry) if key[1] in ids]:
        _api._registry.pop(key, None)
    settle()
    figures.blocks["unregistered"] = sys.getallocatedblocks()
    figures.rss["unregistered"] = rss_mb()
    figures.alive["unregistered"] = sum(ref() is not None for ref in refs)


def test_every_terminal_state_seen_exactly_once(load: Figures) -> None:
    """``on_change`` reports each job's end once (and once more when its files are cached,
    as documented); the first report has the scripted final state."""
    assert not load.wrong_states, load.wrong_states[:5]
    assert set(load.ends) == set(load.expected_ends), "jobs whose end was never reported"
    counts = {rid: len(seen) for rid, seen in load.ends.items()}
    twice = {rid: n for rid, n in counts.items() if n != load.expected_ends[rid]}
    assert not twice, f"{len(twice)} jobs reported wrongly: {list(twice.items())[:5]}"
    assert all(len(set(seen)) == 1 for seen in load.ends.values())


def test_threads_stay_bounded(load: Figures) -> None:
    assert load.engine_threads <= MAX_THREADS
    assert load.peak_threads <= MAX_THREADS, load.report()


def test_ends_close_to_the_longest_job(load: Figures) -> None:
    assert load.seconds <= load.longest + LAG_BOUND, load.report()
    assert load.media_seconds <= MEDIA_BOUND, load.report()
    assert load.polls <= JOBS * 10, "about one poll a second per job at most"


def test_memory_returns_once_the_jobs_are_released(load: Figures) -> None:
    """With the registry's hold on them dropped too, the jobs are collected (but the last
    one each engine worker handled) and the allocated blocks fall back near the start."""
    blocks = load.blocks
    grown = blocks["loaded"] - blocks["before"]
    assert grown > 0
    assert load.alive["unregistered"] <= 1 + MEDIA_WORKERS, load.report()
    assert blocks["unregistered"] - blocks["before"] <= 0.1 * grown, load.report()


def test_finished_jobs_are_not_kept_forever(load: Figures) -> None:
    """``nb_jobstatus._api._registry`` keeps every watched job, so dropping a thousand
    finished jobs frees nothing: memory grows with every job a kernel ever watched."""
    blocks = load.blocks
    grown = blocks["loaded"] - blocks["before"]
    assert load.alive["released"] <= 1 + MEDIA_WORKERS, load.report()
    assert blocks["released"] - blocks["before"] <= 0.1 * grown, load.report()


if __name__ == "__main__":  # the fixture ``load`` runs this file in a child interpreter
    figures = run_in_this_process(Path(sys.argv[1]))
    print(json.dumps(dataclasses.asdict(figures)))
